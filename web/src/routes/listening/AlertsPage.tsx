import {
  ActionIcon,
  Badge,
  Button,
  Group,
  Paper,
  SegmentedControl,
  Stack,
  Table,
  Text,
  Title,
  Tooltip,
} from "@mantine/core";
import { IconCheck, IconInbox, IconPencil, IconPlus, IconTrash } from "@tabler/icons-react";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useNavigate, useParams } from "@tanstack/react-router";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { api } from "../../api/client.js";
import { alertRulesQuery, alertsQuery, listeningQueriesQuery } from "../../api/listening.js";
import { useApiMutation } from "../../api/mutations.js";
import { useRealtime } from "../../api/realtime.js";
import type { FiredAlert } from "../../api/types.js";
import { useMe } from "../../api/useMe.js";
import { PageHeader } from "../../app/Page.js";
import { CenteredLoader, ErrorAlert } from "../../app/RouteStates.js";
import { dateTime, relativeTime } from "../../lib/format.js";
import { useNow } from "../../lib/useNow.js";
import { usePageTitle } from "../../lib/usePageTitle.js";
import { ConfirmButton } from "../settings/ConfirmButton.js";
import { AlertRuleForm, newRuleDraft, type RuleDraft, ruleDraftOf } from "./AlertRuleForm.js";

const typeColors = {
  volume_spike: "blue",
  storm: "red",
  keyword: "grape",
  vip_mention: "yellow",
  offensive: "orange",
} as const;

/** Fired alerts to acknowledge or turn into conversations, and the rules that fire them. */
export function AlertsPage() {
  const { t, i18n } = useTranslation();
  const me = useMe();
  const now = useNow();
  usePageTitle(t("alerts.title"));
  const { alertId } = useParams({ strict: false });
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const [openOnly, setOpenOnly] = useState(true);
  const alerts = useQuery(alertsQuery(openOnly));
  const rules = useQuery(alertRulesQuery);
  const queries = useQuery(listeningQueriesQuery);
  const queryNames = new Map((queries.data ?? []).map((q) => [q.id, q.name]));
  const ruleNames = new Map((rules.data ?? []).map((r) => [r.id, r.name]));
  const [draft, setDraft] = useState<RuleDraft>();
  useRealtime("alerts.fired", () => void queryClient.invalidateQueries({ queryKey: ["alerts"] }));

  const acknowledge = useApiMutation(
    (id: string) => api(`/api/v1/alerts/${id}/acknowledge`, { method: "POST" }),
    [["alerts"]],
  );
  const conversation = useMutation({
    mutationFn: (id: string) =>
      api<{ id: string }>(`/api/v1/alerts/${id}/conversation`, { method: "POST", body: {} }),
    onSuccess: ({ id }) =>
      navigate({ to: "/inbox/$conversationId", params: { conversationId: id }, search: { status: "all" } }),
  });
  const removeRule = useApiMutation(
    (id: string) => api(`/api/v1/alerts/rules/${id}`, { method: "DELETE" }),
    [["alert-rules"]],
  );

  return (
    <Stack gap="lg">
      <Stack gap="sm">
        <PageHeader
          title={t("alerts.title")}
          description={t("alerts.description")}
          actions={
            <SegmentedControl
              size="xs"
              value={openOnly ? "open" : "all"}
              onChange={(value) => setOpenOnly(value === "open")}
              data={[
                { value: "open", label: t("alerts.open") },
                { value: "all", label: t("alerts.all") },
              ]}
            />
          }
        />
        {(acknowledge.error || conversation.error) && (
          <ErrorAlert error={acknowledge.error ?? conversation.error} />
        )}
        {alerts.isPending ? (
          <CenteredLoader />
        ) : alerts.isError ? (
          <ErrorAlert error={alerts.error} onRetry={() => alerts.refetch()} />
        ) : alerts.data.length === 0 ? (
          <Text c="dimmed" size="sm">
            {openOnly ? t("alerts.noneOpen") : t("alerts.none")}
          </Text>
        ) : (
          <Stack gap="xs" component="ul" className="plain-list" aria-label={t("alerts.list")}>
            {alerts.data.map((fired: FiredAlert) => (
              <Paper
                key={fired.id}
                component="li"
                withBorder
                radius="sm"
                p="sm"
                className="alert-card"
                data-highlight={fired.id === alertId ? "" : undefined}
              >
                <Group justify="space-between" wrap="wrap" gap="xs">
                  <Stack gap={4} style={{ minWidth: 0, flex: 1 }}>
                    <Group gap={6}>
                      <Badge size="sm" variant="light" color={typeColors[fired.type]}>
                        {t(`alerts.types.${fired.type}`)}
                      </Badge>
                      <Text fw={600} size="sm">
                        {fired.title}
                      </Text>
                      {fired.acknowledgedAt && (
                        <Badge size="xs" variant="dot" color="gray">
                          {t("alerts.acknowledged")}
                        </Badge>
                      )}
                    </Group>
                    {typeof fired.details.summary === "string" && (
                      <Text size="sm" c="dimmed">
                        {fired.details.summary}
                      </Text>
                    )}
                    <Text size="xs" c="dimmed">
                      <time
                        dateTime={fired.firedAt.toString()}
                        title={dateTime(fired.firedAt, i18n.language)}
                      >
                        {relativeTime(fired.firedAt, i18n.language, now)}
                      </time>
                      {" · "}
                      {ruleNames.get(fired.ruleId) ?? t("alerts.rule")}
                      {" · "}
                      {t("alerts.mentionCount", { count: fired.mentionIds.length })}
                      {fired.deliveries.length > 0 &&
                        ` · ${fired.deliveries.map((d) => `${t(`alerts.channels.${d.channel as "email"}`)}: ${t(`alerts.deliveryStates.${d.status as "sent"}`)}`).join(", ")}`}
                    </Text>
                  </Stack>
                  {me.canWrite && (
                    <Group gap="xs">
                      {!fired.acknowledgedAt && (
                        <Button
                          size="xs"
                          variant="light"
                          leftSection={<IconCheck size={14} />}
                          loading={acknowledge.isPending && acknowledge.variables === fired.id}
                          onClick={() => acknowledge.mutate(fired.id)}
                        >
                          {t("alerts.acknowledge")}
                        </Button>
                      )}
                      {fired.mentionIds.length > 0 && (
                        <Button
                          size="xs"
                          variant="default"
                          leftSection={<IconInbox size={14} />}
                          loading={conversation.isPending && conversation.variables === fired.id}
                          onClick={() => conversation.mutate(fired.id)}
                        >
                          {t("mentions.createConversation")}
                        </Button>
                      )}
                    </Group>
                  )}
                </Group>
              </Paper>
            ))}
          </Stack>
        )}
      </Stack>

      <Stack gap="sm">
        <Group justify="space-between">
          <Title order={2} size="h4">
            {t("alerts.rules")}
          </Title>
          {me.canCurate && (
            <Button size="sm" leftSection={<IconPlus size={16} />} onClick={() => setDraft(newRuleDraft())}>
              {t("alerts.addRule")}
            </Button>
          )}
        </Group>
        {removeRule.error && <ErrorAlert error={removeRule.error} />}
        {rules.isPending ? (
          <CenteredLoader />
        ) : rules.isError ? (
          <ErrorAlert error={rules.error} onRetry={() => rules.refetch()} />
        ) : rules.data.length === 0 ? (
          <Text c="dimmed" size="sm">
            {t("alerts.noRules")}
          </Text>
        ) : (
          <Paper withBorder radius="sm" className="table-card">
            <Table verticalSpacing={8} fz="sm" aria-label={t("alerts.rules")}>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>{t("alerts.ruleName")}</Table.Th>
                  <Table.Th>{t("alerts.type")}</Table.Th>
                  <Table.Th>{t("alerts.query")}</Table.Th>
                  <Table.Th>{t("alerts.delivery")}</Table.Th>
                  <Table.Th>{t("alerts.lastFired")}</Table.Th>
                  {me.canCurate && <Table.Th w={90} aria-label={t("queries.actions")} />}
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {rules.data.map((rule) => (
                  <Table.Tr key={rule.id} c={rule.isActive ? undefined : "dimmed"}>
                    <Table.Td fw={500}>{rule.name}</Table.Td>
                    <Table.Td>
                      <Badge size="sm" variant="light" color={typeColors[rule.type]}>
                        {t(`alerts.types.${rule.type}`)}
                      </Badge>
                    </Table.Td>
                    <Table.Td>
                      {rule.queryId ? (queryNames.get(rule.queryId) ?? "…") : t("filters.allQueries")}
                    </Table.Td>
                    <Table.Td>
                      <Group gap={4}>
                        {rule.delivery.inApp && (
                          <Badge size="xs" variant="outline">
                            {t("alerts.channels.in_app")}
                          </Badge>
                        )}
                        {rule.delivery.emails.length > 0 && (
                          <Badge size="xs" variant="outline">
                            {t("alerts.channels.email")} ({rule.delivery.emails.length})
                          </Badge>
                        )}
                        {rule.delivery.webhookUrl && (
                          <Badge size="xs" variant="outline">
                            {t("alerts.channels.webhook")}
                          </Badge>
                        )}
                      </Group>
                    </Table.Td>
                    <Table.Td>
                      {rule.lastFiredAt ? relativeTime(rule.lastFiredAt, i18n.language, now) : t("app.never")}
                    </Table.Td>
                    {me.canCurate && (
                      <Table.Td>
                        <Group gap={2} wrap="nowrap">
                          <Tooltip label={`${t("app.edit")}: ${rule.name}`} withinPortal>
                            <ActionIcon
                              variant="subtle"
                              color="gray"
                              aria-label={`${t("app.edit")}: ${rule.name}`}
                              onClick={() => setDraft(ruleDraftOf(rule))}
                            >
                              <IconPencil size={16} />
                            </ActionIcon>
                          </Tooltip>
                          <ConfirmButton
                            icon={<IconTrash size={16} />}
                            label={`${t("app.delete")}: ${rule.name}`}
                            title={t("alerts.deleteRuleTitle")}
                            message={t("alerts.deleteRuleConfirm", { name: rule.name })}
                            confirmLabel={t("app.delete")}
                            onConfirm={() => removeRule.mutate(rule.id)}
                          />
                        </Group>
                      </Table.Td>
                    )}
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Paper>
        )}
      </Stack>
      {draft && <AlertRuleForm draft={draft} onClose={() => setDraft(undefined)} />}
    </Stack>
  );
}
