import {
  ActionIcon,
  Badge,
  Button,
  Group,
  Modal,
  MultiSelect,
  NumberInput,
  Paper,
  SegmentedControl,
  Select,
  Stack,
  Switch,
  Table,
  Tabs,
  Text,
  Textarea,
  TextInput,
  Tooltip,
} from "@mantine/core";
import { IconArrowDown, IconArrowUp, IconPencil, IconPlus, IconTrash, IconX } from "@tabler/icons-react";
import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { api } from "../../api/client.js";
import { routingRulesQuery, ruleExecutionsQuery } from "../../api/core.js";
import { cannedResponsesQuery } from "../../api/inbox.js";
import { listeningQueriesQuery } from "../../api/listening.js";
import { useApiMutation } from "../../api/mutations.js";
import { departmentsQuery, membersQuery } from "../../api/queries.js";
import type {
  DryRunResult,
  RoutingRule,
  RoutingRuleInput,
  RuleAction,
  RuleCondition,
} from "../../api/types.js";
import { useMe } from "../../api/useMe.js";
import { PageBody, PageHeader } from "../../app/Page.js";
import { CenteredLoader, ErrorAlert } from "../../app/RouteStates.js";
import { dateTime } from "../../lib/format.js";
import { usePageTitle } from "../../lib/usePageTitle.js";

const conditionTypes = [
  "query",
  "channel",
  "language",
  "sentiment",
  "aspect",
  "urgency",
  "offensive",
  "keywords",
  "author_vip",
  "contact_tag",
  "business_hours",
] as const;
const actionTypes = [
  "assign",
  "set_priority",
  "add_labels",
  "forward_insight",
  "notify",
  "hide_pending_review",
  "create_lead",
  "auto_acknowledge",
] as const;

function blankCondition(type: RuleCondition["type"]): RuleCondition {
  switch (type) {
    case "query":
      return { type, queryIds: [] };
    case "channel":
      return { type, networks: [] };
    case "language":
      return { type, languages: [] };
    case "sentiment":
      return { type, sentiments: ["negative"] };
    case "aspect":
      return { type, aspects: [] };
    case "urgency":
      return { type, min: 0.7 };
    case "offensive":
      return { type, min: 0.5 };
    case "keywords":
      return { type, keywords: [] };
    case "author_vip":
      return { type };
    case "contact_tag":
      return { type, tags: [] };
    case "business_hours":
      return { type, businessHoursId: "", inside: true };
  }
}

function blankAction(type: RuleAction["type"]): RuleAction {
  switch (type) {
    case "assign":
      return { type };
    case "set_priority":
      return { type, priority: 2 };
    case "add_labels":
      return { type, labels: [] };
    case "forward_insight":
      return { type, departmentId: "", note: "" };
    case "notify":
      return { type, memberIds: [] };
    case "hide_pending_review":
      return { type };
    case "create_lead":
      return { type, note: "" };
    case "auto_acknowledge":
      return { type, cannedResponseId: "" };
  }
}

const words = (value: string) =>
  value
    .split(",")
    .map((w) => w.trim())
    .filter(Boolean);

/** Routing rules: the ordered list, the editor with a dry run, and the execution log. */
export function AutomationPage() {
  const { t } = useTranslation();
  usePageTitle(t("core.automation.title"));
  const [tab, setTab] = useState<string | null>("rules");
  return (
    <PageBody maw={1100}>
      <PageHeader title={t("core.automation.title")} description={t("core.automation.description")} />
      <Tabs value={tab} onChange={setTab} mb="md">
        <Tabs.List>
          <Tabs.Tab value="rules">{t("core.automation.rules")}</Tabs.Tab>
          <Tabs.Tab value="log">{t("core.automation.log")}</Tabs.Tab>
        </Tabs.List>
      </Tabs>
      {tab === "rules" ? <RuleList /> : <ExecutionLog />}
    </PageBody>
  );
}

function RuleList() {
  const { t } = useTranslation();
  const me = useMe();
  const rules = useQuery(routingRulesQuery);
  const [editing, setEditing] = useState<RoutingRule | "new">();
  const reorder = useApiMutation(
    (ruleIds: string[]) => api("/api/v1/automation/rules/order", { method: "PUT", body: { ruleIds } }),
    [["routing-rules"]],
  );
  const toggle = useApiMutation(
    (rule: RoutingRule) =>
      api(`/api/v1/automation/rules/${rule.id}`, { method: "PATCH", body: { isActive: !rule.isActive } }),
    [["routing-rules"]],
  );
  const remove = useApiMutation(
    (id: string) => api(`/api/v1/automation/rules/${id}`, { method: "DELETE" }),
    [["routing-rules"]],
  );
  if (rules.error) return <ErrorAlert error={rules.error} onRetry={() => rules.refetch()} />;
  if (!rules.data) return <CenteredLoader />;
  const ids = rules.data.map((r) => r.id);
  const move = (index: number, by: number) => {
    const next = [...ids];
    const [moved] = next.splice(index, 1);
    next.splice(index + by, 0, moved!);
    reorder.mutate(next);
  };
  return (
    <Stack gap="sm">
      {me.canCurate && (
        <Group>
          <Button size="xs" leftSection={<IconPlus size={14} />} onClick={() => setEditing("new")}>
            {t("core.automation.add")}
          </Button>
        </Group>
      )}
      {(reorder.error || toggle.error || remove.error) && (
        <ErrorAlert error={reorder.error ?? toggle.error ?? remove.error} />
      )}
      {rules.data.length === 0 && <Text c="dimmed">{t("core.automation.none")}</Text>}
      <Stack
        component="ol"
        gap="xs"
        p={0}
        m={0}
        style={{ listStyle: "none" }}
        aria-label={t("core.automation.rules")}
      >
        {rules.data.map((rule, index) => (
          <Paper component="li" key={rule.id} withBorder radius="sm" p="sm" data-rule-id={rule.id}>
            <Group justify="space-between" gap="xs" wrap="wrap">
              <Group gap={6} wrap="wrap">
                <Badge variant="default">{index + 1}</Badge>
                <Text fw={600} size="sm">
                  {rule.name}
                </Text>
                <Badge size="xs" variant="light">
                  {t(`core.automation.subjects.${rule.appliesTo}`)}
                </Badge>
                {rule.stopsFurtherRules && (
                  <Badge size="xs" color="red" variant="light">
                    {t("core.automation.stops")}
                  </Badge>
                )}
              </Group>
              {me.canCurate && (
                <Group gap={4}>
                  <Switch
                    size="xs"
                    checked={rule.isActive}
                    onChange={() => toggle.mutate(rule)}
                    aria-label={`${t("core.automation.active")}: ${rule.name}`}
                  />
                  <Tooltip label={t("core.automation.up")}>
                    <ActionIcon
                      variant="subtle"
                      disabled={index === 0}
                      onClick={() => move(index, -1)}
                      aria-label={t("core.automation.up")}
                    >
                      <IconArrowUp size={16} />
                    </ActionIcon>
                  </Tooltip>
                  <Tooltip label={t("core.automation.down")}>
                    <ActionIcon
                      variant="subtle"
                      disabled={index === ids.length - 1}
                      onClick={() => move(index, 1)}
                      aria-label={t("core.automation.down")}
                    >
                      <IconArrowDown size={16} />
                    </ActionIcon>
                  </Tooltip>
                  <ActionIcon
                    variant="subtle"
                    onClick={() => setEditing(rule)}
                    aria-label={t("core.automation.edit")}
                  >
                    <IconPencil size={16} />
                  </ActionIcon>
                  <ActionIcon
                    variant="subtle"
                    color="red"
                    onClick={() => remove.mutate(rule.id)}
                    aria-label={t("core.automation.delete")}
                  >
                    <IconTrash size={16} />
                  </ActionIcon>
                </Group>
              )}
            </Group>
            <Text size="xs" c="dimmed" mt={4}>
              {t(`core.automation.matchModes.${rule.match}`)}:{" "}
              {rule.conditions.length === 0
                ? t("core.automation.noConditions")
                : rule.conditions.map((c) => t(`core.automation.conditionTypes.${c.type}`)).join(", ")}{" "}
              → {rule.actions.map((a) => t(`core.automation.actionTypes.${a.type}`)).join(", ")}
            </Text>
          </Paper>
        ))}
      </Stack>
      {editing && (
        <RuleEditor rule={editing === "new" ? undefined : editing} onClose={() => setEditing(undefined)} />
      )}
    </Stack>
  );
}

function RuleEditor({ rule, onClose }: { rule?: RoutingRule; onClose: () => void }) {
  const { t } = useTranslation();
  const [draft, setDraft] = useState<RoutingRuleInput>(
    rule
      ? {
          name: rule.name,
          isActive: rule.isActive,
          appliesTo: rule.appliesTo,
          match: rule.match,
          conditions: rule.conditions,
          actions: rule.actions,
          stopsFurtherRules: rule.stopsFurtherRules,
        }
      : { name: "", appliesTo: "both", match: "all", conditions: [], actions: [], stopsFurtherRules: false },
  );
  const [limit, setLimit] = useState(1000);
  // Stable keys for the rows, so removing one keeps the typed values of the others.
  const [conditionKeys, setConditionKeys] = useState(() => draft.conditions.map(() => crypto.randomUUID()));
  const [actionKeys, setActionKeys] = useState(() => draft.actions.map(() => crypto.randomUUID()));
  const save = useApiMutation(
    () =>
      rule
        ? api(`/api/v1/automation/rules/${rule.id}`, { method: "PATCH", body: draft })
        : api("/api/v1/automation/rules", { method: "POST", body: draft }),
    [["routing-rules"]],
  );
  const dryRun = useApiMutation(
    () =>
      api<DryRunResult>("/api/v1/automation/dry-run", {
        method: "POST",
        body: { match: draft.match, conditions: draft.conditions, limit },
      }),
    [],
  );
  const setCondition = (index: number, condition: RuleCondition) =>
    setDraft({ ...draft, conditions: draft.conditions.map((c, i) => (i === index ? condition : c)) });
  const setAction = (index: number, action: RuleAction) =>
    setDraft({ ...draft, actions: draft.actions.map((a, i) => (i === index ? action : a)) });
  return (
    <Modal
      opened
      onClose={onClose}
      title={rule ? t("core.automation.edit") : t("core.automation.add")}
      size="xl"
    >
      <form
        onSubmit={(event) => {
          event.preventDefault();
          save.mutate(undefined, { onSuccess: onClose });
        }}
      >
        <Stack gap="sm">
          <TextInput
            label={t("core.automation.name")}
            value={draft.name}
            onChange={(event) => setDraft({ ...draft, name: event.currentTarget.value })}
            required
          />
          <Group gap="sm" wrap="wrap">
            <Select
              label={t("core.automation.appliesTo")}
              value={draft.appliesTo}
              onChange={(value) => value && setDraft({ ...draft, appliesTo: value as "both" })}
              data={(["both", "mention", "message"] as const).map((v) => ({
                value: v,
                label: t(`core.automation.subjects.${v}`),
              }))}
              allowDeselect={false}
            />
            <div>
              <Text size="sm" fw={500}>
                {t("core.automation.match")}
              </Text>
              <SegmentedControl
                value={draft.match}
                onChange={(value) => setDraft({ ...draft, match: value as "all" | "any" })}
                data={(["all", "any"] as const).map((v) => ({
                  value: v,
                  label: t(`core.automation.matchModes.${v}`),
                }))}
              />
            </div>
          </Group>
          <Text fw={600} size="sm">
            {t("core.automation.conditions")}
          </Text>
          {draft.conditions.map((condition, index) => (
            <Paper key={conditionKeys[index]} withBorder p="xs" radius="sm">
              <Group justify="space-between" mb={4}>
                <Text size="sm" fw={500}>
                  {t(`core.automation.conditionTypes.${condition.type}`)}
                </Text>
                <ActionIcon
                  variant="subtle"
                  aria-label={t("core.automation.remove")}
                  onClick={() => {
                    setDraft({ ...draft, conditions: draft.conditions.filter((_, i) => i !== index) });
                    setConditionKeys(conditionKeys.filter((_, i) => i !== index));
                  }}
                >
                  <IconX size={14} />
                </ActionIcon>
              </Group>
              <ConditionFields condition={condition} onChange={(c) => setCondition(index, c)} />
            </Paper>
          ))}
          <Select
            placeholder={t("core.automation.addCondition")}
            aria-label={t("core.automation.addCondition")}
            data={conditionTypes.map((c) => ({ value: c, label: t(`core.automation.conditionTypes.${c}`) }))}
            value={null}
            onChange={(value) => {
              if (!value) return;
              setDraft({
                ...draft,
                conditions: [...draft.conditions, blankCondition(value as RuleCondition["type"])],
              });
              setConditionKeys([...conditionKeys, crypto.randomUUID()]);
            }}
          />
          <Text fw={600} size="sm">
            {t("core.automation.actions")}
          </Text>
          {draft.actions.map((action, index) => (
            <Paper key={actionKeys[index]} withBorder p="xs" radius="sm">
              <Group justify="space-between" mb={4}>
                <Text size="sm" fw={500}>
                  {t(`core.automation.actionTypes.${action.type}`)}
                </Text>
                <ActionIcon
                  variant="subtle"
                  aria-label={t("core.automation.remove")}
                  onClick={() => {
                    setDraft({ ...draft, actions: draft.actions.filter((_, i) => i !== index) });
                    setActionKeys(actionKeys.filter((_, i) => i !== index));
                  }}
                >
                  <IconX size={14} />
                </ActionIcon>
              </Group>
              <ActionFields action={action} onChange={(a) => setAction(index, a)} />
            </Paper>
          ))}
          <Select
            placeholder={t("core.automation.addAction")}
            aria-label={t("core.automation.addAction")}
            data={actionTypes.map((a) => ({ value: a, label: t(`core.automation.actionTypes.${a}`) }))}
            value={null}
            onChange={(value) => {
              if (!value) return;
              setDraft({ ...draft, actions: [...draft.actions, blankAction(value as RuleAction["type"])] });
              setActionKeys([...actionKeys, crypto.randomUUID()]);
            }}
          />
          <Switch
            label={t("core.automation.stop")}
            checked={draft.stopsFurtherRules ?? false}
            onChange={(event) => setDraft({ ...draft, stopsFurtherRules: event.currentTarget.checked })}
          />
          <Paper withBorder p="xs" radius="sm" bg="var(--mantine-color-gray-0)">
            <Group gap="sm" align="flex-end" wrap="wrap">
              <NumberInput
                label={t("core.automation.dryRunLimit")}
                value={limit}
                min={1}
                max={1000}
                onChange={(value) => setLimit(Number(value) || 1000)}
                w={160}
              />
              <Button variant="light" loading={dryRun.isPending} onClick={() => dryRun.mutate(undefined)}>
                {t("core.automation.dryRun")}
              </Button>
            </Group>
            {dryRun.error && <ErrorAlert error={dryRun.error} />}
            {dryRun.data && (
              <Stack gap={4} mt="xs">
                <Text size="sm" fw={600} data-testid="dry-run-result">
                  {t("core.automation.dryRunResult", {
                    matched: dryRun.data.matched,
                    checked: dryRun.data.checked,
                  })}
                </Text>
                {dryRun.data.mentions.slice(0, 10).map((m) => (
                  <Text key={m.id} size="xs" c="dimmed" lineClamp={1}>
                    {m.network}: {m.text}
                  </Text>
                ))}
              </Stack>
            )}
          </Paper>
          {save.error && <ErrorAlert error={save.error} />}
          <Button type="submit" loading={save.isPending} disabled={!draft.name.trim()}>
            {t("core.automation.save")}
          </Button>
        </Stack>
      </form>
    </Modal>
  );
}

function ConditionFields({
  condition,
  onChange,
}: {
  condition: RuleCondition;
  onChange: (c: RuleCondition) => void;
}) {
  const { t } = useTranslation();
  const queries = useQuery(listeningQueriesQuery);
  const hours = useQuery({
    queryKey: ["business-hours"],
    queryFn: ({ signal }) =>
      api<Array<{ id: string; name: string }>>("/api/v1/sla/business-hours", { signal }),
  });
  const list = (values: string[], set: (values: string[]) => void) => (
    <TextInput
      aria-label={t("core.automation.values")}
      placeholder={t("core.automation.values")}
      defaultValue={values.join(", ")}
      onBlur={(event) => set(words(event.currentTarget.value))}
    />
  );
  switch (condition.type) {
    case "query":
      return (
        <MultiSelect
          aria-label={t("core.automation.conditionTypes.query")}
          data={(queries.data ?? []).map((q) => ({ value: q.id, label: q.name }))}
          value={condition.queryIds}
          onChange={(queryIds) => onChange({ ...condition, queryIds })}
        />
      );
    case "channel":
      return list(condition.networks, (networks) => onChange({ ...condition, networks }));
    case "language":
      return list(condition.languages, (languages) => onChange({ ...condition, languages }));
    case "keywords":
      return list(condition.keywords, (keywords) => onChange({ ...condition, keywords }));
    case "contact_tag":
      return list(condition.tags, (tags) => onChange({ ...condition, tags }));
    case "sentiment":
      return (
        <MultiSelect
          aria-label={t("core.automation.conditionTypes.sentiment")}
          data={(["negative", "neutral", "positive"] as const).map((s) => ({
            value: s,
            label: t(`inbox.sentiment.${s}`),
          }))}
          value={condition.sentiments}
          onChange={(values) => onChange({ ...condition, sentiments: values as Array<"negative"> })}
        />
      );
    case "aspect":
      return (
        <Group gap="xs" grow>
          {list(condition.aspects, (aspects) => onChange({ ...condition, aspects }))}
          <Select
            aria-label={t("core.automation.polarity")}
            placeholder={t("core.automation.anyPolarity")}
            data={(["negative", "neutral", "positive"] as const).map((s) => ({
              value: s,
              label: t(`inbox.sentiment.${s}`),
            }))}
            value={condition.polarity ?? null}
            onChange={(value) =>
              onChange({ ...condition, polarity: (value as "negative" | null) ?? undefined })
            }
            clearable
          />
        </Group>
      );
    case "urgency":
    case "offensive":
      return (
        <NumberInput
          aria-label={t("core.automation.min")}
          label={t("core.automation.min")}
          value={condition.min}
          min={0}
          max={1}
          step={0.05}
          decimalScale={2}
          onChange={(value) => onChange({ ...condition, min: Number(value) })}
        />
      );
    case "author_vip":
      return null;
    case "business_hours":
      return (
        <Group gap="xs" wrap="wrap">
          <Select
            aria-label={t("core.automation.businessHours")}
            data={(hours.data ?? []).map((h) => ({ value: h.id, label: h.name }))}
            value={condition.businessHoursId || null}
            onChange={(value) => onChange({ ...condition, businessHoursId: value ?? "" })}
          />
          <Switch
            label={t("core.automation.inside")}
            checked={condition.inside}
            onChange={(event) => onChange({ ...condition, inside: event.currentTarget.checked })}
          />
        </Group>
      );
  }
}

function ActionFields({ action, onChange }: { action: RuleAction; onChange: (a: RuleAction) => void }) {
  const { t } = useTranslation();
  const departments = useQuery(departmentsQuery);
  const members = useQuery(membersQuery);
  const canned = useQuery(cannedResponsesQuery);
  const departmentOptions = (departments.data ?? []).map((d) => ({ value: d.id, label: d.name }));
  const memberOptions = (members.data ?? []).map((m) => ({ value: m.id, label: m.name }));
  const note = (value: string, set: (note: string) => void) => (
    <Textarea
      label={t("core.automation.note")}
      value={value}
      onChange={(event) => set(event.currentTarget.value)}
      autosize
      minRows={1}
    />
  );
  switch (action.type) {
    case "assign":
      return (
        <Group gap="xs" grow>
          <Select
            label={t("core.automation.department")}
            data={departmentOptions}
            value={action.departmentId ?? null}
            onChange={(value) => onChange({ ...action, departmentId: value ?? undefined })}
            clearable
          />
          <Select
            label={t("core.automation.member")}
            data={memberOptions}
            value={action.assigneeMemberId ?? null}
            onChange={(value) => onChange({ ...action, assigneeMemberId: value ?? undefined })}
            clearable
          />
        </Group>
      );
    case "set_priority":
      return (
        <NumberInput
          label={t("core.automation.priority")}
          value={action.priority}
          min={0}
          max={3}
          onChange={(value) => onChange({ ...action, priority: Number(value) })}
        />
      );
    case "add_labels":
      return (
        <TextInput
          aria-label={t("core.automation.values")}
          placeholder={t("core.automation.values")}
          defaultValue={action.labels.join(", ")}
          onBlur={(event) => onChange({ ...action, labels: words(event.currentTarget.value) })}
        />
      );
    case "forward_insight":
      return (
        <Stack gap="xs">
          <Select
            label={t("core.automation.department")}
            data={departmentOptions}
            value={action.departmentId || null}
            onChange={(value) => onChange({ ...action, departmentId: value ?? "" })}
          />
          {note(action.note, (n) => onChange({ ...action, note: n }))}
        </Stack>
      );
    case "create_lead":
      return (
        <Stack gap="xs">
          <Select
            label={t("core.automation.department")}
            placeholder="Sales"
            data={departmentOptions}
            value={action.departmentId ?? null}
            onChange={(value) => onChange({ ...action, departmentId: value ?? undefined })}
            clearable
          />
          {note(action.note, (n) => onChange({ ...action, note: n }))}
        </Stack>
      );
    case "notify":
      return (
        <Group gap="xs" grow>
          <MultiSelect
            label={t("core.automation.member")}
            data={memberOptions}
            value={action.memberIds}
            onChange={(memberIds) => onChange({ ...action, memberIds })}
          />
          <Select
            label={t("core.automation.department")}
            data={departmentOptions}
            value={action.departmentId ?? null}
            onChange={(value) => onChange({ ...action, departmentId: value ?? undefined })}
            clearable
          />
        </Group>
      );
    case "hide_pending_review":
      return null;
    case "auto_acknowledge":
      return (
        <Select
          label={t("core.automation.cannedResponse")}
          data={(canned.data ?? []).map((c) => ({ value: c.id, label: `/${c.shortcut} · ${c.title}` }))}
          value={action.cannedResponseId || null}
          onChange={(value) => onChange({ ...action, cannedResponseId: value ?? "" })}
        />
      );
  }
}

function ExecutionLog() {
  const { t, i18n } = useTranslation();
  const log = useQuery(ruleExecutionsQuery);
  if (log.error) return <ErrorAlert error={log.error} onRetry={() => log.refetch()} />;
  if (!log.data) return <CenteredLoader />;
  if (log.data.length === 0) return <Text c="dimmed">{t("core.automation.noLog")}</Text>;
  return (
    <Table.ScrollContainer minWidth={720}>
      <Table striped aria-label={t("core.automation.log")}>
        <Table.Thead>
          <Table.Tr>
            <Table.Th>{t("core.automation.when")}</Table.Th>
            <Table.Th>{t("core.automation.name")}</Table.Th>
            <Table.Th>{t("core.automation.item")}</Table.Th>
            <Table.Th>{t("core.automation.matched")}</Table.Th>
            <Table.Th>{t("core.automation.outcomes")}</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {log.data.map((e) => (
            <Table.Tr key={e.id}>
              <Table.Td>{dateTime(e.executedAt, i18n.language)}</Table.Td>
              <Table.Td>{e.ruleName}</Table.Td>
              <Table.Td>{e.itemType}</Table.Td>
              <Table.Td>{e.matchedConditions.map((i) => i + 1).join(", ") || "–"}</Table.Td>
              <Table.Td>
                <Stack gap={2}>
                  {e.outcomes.map((o, i) => (
                    <Text
                      // biome-ignore lint/suspicious/noArrayIndexKey: a logged list that never changes.
                      key={`${o.type}-${i}`}
                      size="xs"
                      c={o.status === "failed" ? "red" : o.status === "skipped" ? "dimmed" : undefined}
                      title={o.detail}
                    >
                      {t(`core.automation.actionTypes.${o.type as RuleAction["type"]}`)}:{" "}
                      {t(`core.automation.status.${o.status}`)}
                    </Text>
                  ))}
                </Stack>
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}
