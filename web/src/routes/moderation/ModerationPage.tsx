import {
  Badge,
  Button,
  Group,
  Modal,
  Paper,
  Select,
  Stack,
  Switch,
  Table,
  Tabs,
  Text,
  Textarea,
  TextInput,
} from "@mantine/core";
import { IconEyeOff, IconTrash } from "@tabler/icons-react";
import { useQuery } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { useTranslation } from "react-i18next";
import { api } from "../../api/client.js";
import { houseRulesQuery, moderationDecisionsQuery, moderationQueueQuery } from "../../api/core.js";
import { useApiMutation } from "../../api/mutations.js";
import type { HouseRule, ModerationQueueItem } from "../../api/types.js";
import { useMe } from "../../api/useMe.js";
import { PageBody, PageHeader } from "../../app/Page.js";
import { CenteredLoader, ErrorAlert } from "../../app/RouteStates.js";
import { dateTime, relativeTime } from "../../lib/format.js";
import { usePageTitle } from "../../lib/usePageTitle.js";

/** Moderation of own channels: the offensive queue, the house rules, the decisions with their reasons. */
export function ModerationPage() {
  const { t } = useTranslation();
  usePageTitle(t("core.moderation.title"));
  const [tab, setTab] = useState<string | null>("queue");
  return (
    <PageBody maw={1000}>
      <PageHeader title={t("core.moderation.title")} description={t("core.moderation.description")} />
      <Tabs value={tab} onChange={setTab} mb="md">
        <Tabs.List>
          <Tabs.Tab value="queue">{t("core.moderation.queue")}</Tabs.Tab>
          <Tabs.Tab value="rules">{t("core.moderation.houseRules")}</Tabs.Tab>
          <Tabs.Tab value="decisions">{t("core.moderation.decisions")}</Tabs.Tab>
        </Tabs.List>
      </Tabs>
      {tab === "queue" && <Queue />}
      {tab === "rules" && <HouseRules />}
      {tab === "decisions" && <Decisions />}
    </PageBody>
  );
}

function Queue() {
  const { t, i18n } = useTranslation();
  const me = useMe();
  const queue = useQuery(moderationQueueQuery);
  const [deciding, setDeciding] = useState<{ item: ModerationQueueItem; action: "hide" | "remove" }>();
  if (queue.error) return <ErrorAlert error={queue.error} onRetry={() => queue.refetch()} />;
  if (!queue.data) return <CenteredLoader />;
  if (queue.data.length === 0) return <Text c="dimmed">{t("core.moderation.empty")}</Text>;
  return (
    <Stack
      component="ul"
      gap="sm"
      p={0}
      m={0}
      style={{ listStyle: "none" }}
      aria-label={t("core.moderation.queue")}
    >
      {queue.data.map((item) => (
        <Paper component="li" key={item.id} withBorder radius="sm" p="sm">
          <Stack gap={6}>
            <Group justify="space-between" gap="xs" wrap="wrap">
              <Group gap={6}>
                <Badge color="red" variant="filled" size="sm">
                  {t("core.moderation.score", { score: Math.round(item.offensiveScore * 100) })}
                </Badge>
                {item.state === "pending_review" && (
                  <Badge color="orange" variant="light" size="sm">
                    {t("core.moderation.pendingReview")}
                  </Badge>
                )}
                <Text size="sm" fw={600}>
                  {item.author ? `@${item.author}` : ""}
                </Text>
              </Group>
              <Text size="xs" c="dimmed">
                {item.network} · {relativeTime(item.postedAt, i18n.language)}
              </Text>
            </Group>
            <Text size="sm" className="mention-text">
              {item.text}
            </Text>
            <Group gap={6}>
              <Button
                size="compact-xs"
                variant="light"
                leftSection={<IconEyeOff size={14} />}
                onClick={() => setDeciding({ item, action: "hide" })}
              >
                {t("core.moderation.hide")}
              </Button>
              {me.canCurate && (
                <Button
                  size="compact-xs"
                  variant="subtle"
                  color="red"
                  leftSection={<IconTrash size={14} />}
                  onClick={() => setDeciding({ item, action: "remove" })}
                >
                  {t("core.moderation.remove")}
                </Button>
              )}
            </Group>
          </Stack>
        </Paper>
      ))}
      {deciding && <DecisionDialog {...deciding} onClose={() => setDeciding(undefined)} />}
    </Stack>
  );
}

function DecisionDialog({
  item,
  action,
  onClose,
}: {
  item: ModerationQueueItem;
  action: "hide" | "remove";
  onClose: () => void;
}) {
  const { t } = useTranslation();
  const rules = useQuery(houseRulesQuery);
  const published = (rules.data ?? []).filter((r) => r.isPublished);
  const [houseRuleId, setHouseRuleId] = useState<string | null>(null);
  const [publicReason, setPublicReason] = useState("");
  const [justification, setJustification] = useState("");
  const decide = useApiMutation(
    () =>
      api(`/api/v1/mentions/${item.id}/moderation`, {
        method: "POST",
        body: {
          action,
          houseRuleId,
          publicReason: publicReason || undefined,
          justification: action === "remove" ? justification : undefined,
        },
      }),
    [["moderation"]],
  );
  const submit = (event: FormEvent) => {
    event.preventDefault();
    decide.mutate(undefined, { onSuccess: onClose });
  };
  return (
    <Modal opened onClose={onClose} title={t(`core.moderation.${action}`)}>
      <form onSubmit={submit}>
        <Stack gap="sm">
          <Text size="sm" c="dimmed" lineClamp={3}>
            {item.text}
          </Text>
          {published.length === 0 && <Text c="red">{t("core.moderation.noRules")}</Text>}
          <Select
            label={t("core.moderation.rule")}
            data={published.map((r) => ({ value: r.id, label: r.title }))}
            value={houseRuleId}
            onChange={(value) => {
              setHouseRuleId(value);
              setPublicReason(published.find((r) => r.id === value)?.publicText ?? "");
            }}
            required
            comboboxProps={{ withinPortal: true }}
          />
          <Textarea
            label={t("core.moderation.publicReason")}
            description={t("core.moderation.publicReasonHint")}
            value={publicReason}
            onChange={(event) => setPublicReason(event.currentTarget.value)}
            autosize
            minRows={2}
          />
          {action === "remove" && (
            <Textarea
              label={t("core.moderation.justification")}
              value={justification}
              onChange={(event) => setJustification(event.currentTarget.value)}
              autosize
              minRows={2}
              required
            />
          )}
          {decide.error && <ErrorAlert error={decide.error} />}
          <Button
            type="submit"
            color={action === "remove" ? "red" : undefined}
            loading={decide.isPending}
            disabled={!houseRuleId}
          >
            {t("core.moderation.confirm")}
          </Button>
        </Stack>
      </form>
    </Modal>
  );
}

type Draft = { id?: string; title: string; publicText: string; isPublished: boolean };

function HouseRules() {
  const { t } = useTranslation();
  const me = useMe();
  const rules = useQuery(houseRulesQuery);
  const [draft, setDraft] = useState<Draft>();
  const save = useApiMutation(
    ({ id, ...body }: Draft) =>
      id
        ? api(`/api/v1/moderation/house-rules/${id}`, { method: "PATCH", body })
        : api("/api/v1/moderation/house-rules", { method: "POST", body }),
    [["house-rules"]],
  );
  const remove = useApiMutation(
    (id: string) => api(`/api/v1/moderation/house-rules/${id}`, { method: "DELETE" }),
    [["house-rules"]],
  );
  if (rules.error) return <ErrorAlert error={rules.error} onRetry={() => rules.refetch()} />;
  if (!rules.data) return <CenteredLoader />;
  const edit = (rule?: HouseRule) =>
    setDraft(
      rule
        ? { id: rule.id, title: rule.title, publicText: rule.publicText, isPublished: rule.isPublished }
        : { title: "", publicText: "", isPublished: true },
    );
  return (
    <Stack gap="sm">
      {me.canCurate && (
        <Group>
          <Button size="xs" onClick={() => edit()}>
            {t("core.moderation.addRule")}
          </Button>
        </Group>
      )}
      {rules.data.length === 0 && <Text c="dimmed">{t("core.moderation.noRules")}</Text>}
      {rules.data.map((rule) => (
        <Paper key={rule.id} withBorder radius="sm" p="sm">
          <Group justify="space-between" gap="xs" wrap="wrap">
            <Group gap={6}>
              <Text fw={600} size="sm">
                {rule.title}
              </Text>
              <Badge size="xs" color={rule.isPublished ? "teal" : "gray"} variant="light">
                {rule.isPublished ? t("core.moderation.published") : t("core.moderation.draft")}
              </Badge>
            </Group>
            {me.canCurate && (
              <Group gap={6}>
                <Button size="compact-xs" variant="default" onClick={() => edit(rule)}>
                  {t("core.moderation.save")}
                </Button>
                <Button size="compact-xs" variant="subtle" color="red" onClick={() => remove.mutate(rule.id)}>
                  {t("core.moderation.delete")}
                </Button>
              </Group>
            )}
          </Group>
          <Text size="sm">{rule.publicText}</Text>
        </Paper>
      ))}
      {draft && (
        <Modal opened onClose={() => setDraft(undefined)} title={t("core.moderation.houseRules")}>
          <form
            onSubmit={(event) => {
              event.preventDefault();
              save.mutate(draft, { onSuccess: () => setDraft(undefined) });
            }}
          >
            <Stack gap="sm">
              <TextInput
                label={t("core.moderation.ruleTitle")}
                value={draft.title}
                onChange={(event) => setDraft({ ...draft, title: event.currentTarget.value })}
                required
              />
              <Textarea
                label={t("core.moderation.publicText")}
                value={draft.publicText}
                onChange={(event) => setDraft({ ...draft, publicText: event.currentTarget.value })}
                autosize
                minRows={2}
                required
              />
              <Switch
                label={t("core.moderation.published")}
                checked={draft.isPublished}
                onChange={(event) => setDraft({ ...draft, isPublished: event.currentTarget.checked })}
              />
              {save.error && <ErrorAlert error={save.error} />}
              <Button type="submit" loading={save.isPending}>
                {t("core.moderation.save")}
              </Button>
            </Stack>
          </form>
        </Modal>
      )}
    </Stack>
  );
}

function Decisions() {
  const { t, i18n } = useTranslation();
  const me = useMe();
  const decisions = useQuery(moderationDecisionsQuery);
  const restore = useApiMutation(
    (mentionId: string) =>
      api(`/api/v1/mentions/${mentionId}/moderation`, { method: "POST", body: { action: "restore" } }),
    [["moderation"]],
  );
  // Only a post's latest decision can be undone.
  const latest = new Set<string>();
  const undoable = new Set<string>();
  for (const d of decisions.data ?? []) {
    if (latest.has(d.mentionId)) continue;
    latest.add(d.mentionId);
    if (d.state === "hidden" || d.state === "removed") undoable.add(d.id);
  }
  if (decisions.error) return <ErrorAlert error={decisions.error} onRetry={() => decisions.refetch()} />;
  if (!decisions.data) return <CenteredLoader />;
  return (
    <Table.ScrollContainer minWidth={640}>
      {restore.error && <ErrorAlert error={restore.error} />}
      <Table striped aria-label={t("core.moderation.decisions")}>
        <Table.Tbody>
          {decisions.data.map((d) => (
            <Table.Tr key={d.id}>
              <Table.Td>{dateTime(d.decidedAt, i18n.language)}</Table.Td>
              <Table.Td>{t(`core.moderation.state.${d.state}`)}</Table.Td>
              <Table.Td>{d.houseRuleTitle ?? "–"}</Table.Td>
              <Table.Td>{d.publicReason}</Table.Td>
              <Table.Td>{d.justification ?? ""}</Table.Td>
              <Table.Td>
                {me.canWrite && undoable.has(d.id) && (
                  <Button size="compact-xs" variant="subtle" onClick={() => restore.mutate(d.mentionId)}>
                    {t("core.moderation.restore")}
                  </Button>
                )}
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}
