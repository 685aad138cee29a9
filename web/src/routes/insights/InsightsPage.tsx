import {
  Anchor,
  Badge,
  Button,
  Group,
  Paper,
  Select,
  Stack,
  Table,
  Text,
  Textarea,
  Timeline,
} from "@mantine/core";
import { IconArrowLeft, IconBulb, IconExternalLink } from "@tabler/icons-react";
import { useQuery } from "@tanstack/react-query";
import { useParams } from "@tanstack/react-router";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { api } from "../../api/client.js";
import { insightOverviewQuery, insightQuery, insightsQuery } from "../../api/core.js";
import { useApiMutation } from "../../api/mutations.js";
import { departmentsQuery } from "../../api/queries.js";
import type { Insight } from "../../api/types.js";
import { useMe } from "../../api/useMe.js";
import { AnchorLink } from "../../app/links.js";
import { PageBody, PageHeader } from "../../app/Page.js";
import { CenteredLoader, ErrorAlert } from "../../app/RouteStates.js";
import { dateTime, relativeTime } from "../../lib/format.js";
import { usePageTitle } from "../../lib/usePageTitle.js";
import { SentimentBadge } from "../inbox/Badges.js";

const states = ["new", "acknowledged", "in_progress", "done"] as const;
type State = (typeof states)[number];
const stateColors: Record<State, string> = {
  new: "blue",
  acknowledged: "violet",
  in_progress: "orange",
  done: "teal",
};

export function StateBadge({ state }: { state: State }) {
  const { t } = useTranslation();
  return (
    <Badge size="sm" variant="light" color={stateColors[state]} data-state={state}>
      {t(`core.states.${state}`)}
    </Badge>
  );
}

/** The insight cards: the core team's overview across departments, a department's own list. */
export function InsightsPage() {
  const { t, i18n } = useTranslation();
  usePageTitle(t("core.insights.title"));
  const [departmentId, setDepartmentId] = useState<string | null>(null);
  const [state, setState] = useState<string | null>(null);
  const overview = useQuery(insightOverviewQuery);
  const departments = useQuery(departmentsQuery);
  const insights = useQuery(
    insightsQuery({ departmentId: departmentId ?? undefined, state: state ?? undefined }),
  );
  const rows = (overview.data ?? []).filter((d) => d.total > 0);
  return (
    <PageBody>
      <PageHeader title={t("core.insights.title")} description={t("core.insights.description")} />
      <Stack gap="lg">
        {rows.length > 0 && (
          <Paper withBorder p="sm" radius="sm">
            <Text fw={600} size="sm" mb="xs">
              {t("core.insights.overview")}
            </Text>
            <Table.ScrollContainer minWidth={480}>
              <Table aria-label={t("core.insights.overview")} striped>
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>{t("core.insights.department")}</Table.Th>
                    {states.map((s) => (
                      <Table.Th key={s}>{t(`core.states.${s}`)}</Table.Th>
                    ))}
                    <Table.Th>{t("core.insights.total")}</Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {rows.map((row) => (
                    <Table.Tr key={row.departmentId}>
                      <Table.Td>{row.departmentName}</Table.Td>
                      {states.map((s) => (
                        <Table.Td key={s} data-label={s}>
                          {row.states[s]}
                        </Table.Td>
                      ))}
                      <Table.Td>{row.total}</Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            </Table.ScrollContainer>
          </Paper>
        )}
        <Group gap="sm" wrap="wrap">
          <Select
            aria-label={t("core.insights.department")}
            placeholder={t("core.insights.allDepartments")}
            data={(departments.data ?? []).map((d) => ({ value: d.id, label: d.name }))}
            value={departmentId}
            onChange={setDepartmentId}
            clearable
          />
          <Select
            aria-label={t("core.insights.allStates")}
            placeholder={t("core.insights.allStates")}
            data={states.map((s) => ({ value: s, label: t(`core.states.${s}`) }))}
            value={state}
            onChange={setState}
            clearable
          />
        </Group>
        {insights.error && <ErrorAlert error={insights.error} onRetry={() => insights.refetch()} />}
        {insights.isPending ? (
          <CenteredLoader />
        ) : insights.data?.length === 0 ? (
          <Text c="dimmed">{t("core.insights.empty")}</Text>
        ) : (
          <Stack
            component="ul"
            gap="sm"
            p={0}
            m={0}
            aria-label={t("core.insights.title")}
            style={{ listStyle: "none" }}
          >
            {insights.data?.map((insight) => (
              <InsightCard key={insight.id} insight={insight} locale={i18n.language} />
            ))}
          </Stack>
        )}
      </Stack>
    </PageBody>
  );
}

function InsightCard({ insight, locale }: { insight: Insight; locale: string }) {
  const { t } = useTranslation();
  return (
    <Paper component="li" withBorder radius="sm" p="sm" data-insight-id={insight.id}>
      <Stack gap={6}>
        <Group justify="space-between" gap="xs" wrap="wrap">
          <Group gap="xs" wrap="wrap">
            <IconBulb size={18} stroke={1.6} />
            <Text fw={600} size="sm">
              {insight.departmentName}
            </Text>
            {insight.kind === "lead" && (
              <Badge size="xs" color="green">
                {t("core.kinds.lead")}
              </Badge>
            )}
            <StateBadge state={insight.state} />
          </Group>
          <Text size="xs" c="dimmed">
            {relativeTime(insight.createdAt, locale)}
          </Text>
        </Group>
        <Text size="sm">{insight.note}</Text>
        <Text size="xs" c="dimmed" lineClamp={2}>
          {insight.source.text}
        </Text>
        <AnchorLink to="/insights/$insightId" params={{ insightId: insight.id }} size="sm">
          {t("core.insights.open")}
        </AnchorLink>
      </Stack>
    </Paper>
  );
}

/** One insight: the note, what was forwarded, the state buttons for the department, the history. */
export function InsightPage() {
  const { t, i18n } = useTranslation();
  const { insightId } = useParams({ from: "/app/insights/$insightId" });
  const me = useMe();
  const insight = useQuery(insightQuery(insightId));
  const [comment, setComment] = useState("");
  usePageTitle(t("core.insights.title"));
  const move = useApiMutation(
    (state: State) => api(`/api/v1/insights/${insightId}/state`, { method: "PUT", body: { state, comment } }),
    [["insights"]],
  );
  if (insight.error) return <ErrorAlert error={insight.error} onRetry={() => insight.refetch()} />;
  if (!insight.data) return <CenteredLoader />;
  const data = insight.data;
  return (
    <PageBody maw={860}>
      <AnchorLink to="/insights" size="sm">
        <Group gap={4} component="span">
          <IconArrowLeft size={14} />
          {t("core.insights.back")}
        </Group>
      </AnchorLink>
      <PageHeader
        title={`${data.departmentName} · ${t(`core.kinds.${data.kind}`)}`}
        actions={<StateBadge state={data.state} />}
      />
      <Stack gap="md">
        <Paper withBorder p="sm" radius="sm">
          <Text size="xs" c="dimmed">
            {t("core.insights.note")}
          </Text>
          <Text>{data.note}</Text>
        </Paper>
        <Paper withBorder p="sm" radius="sm">
          <Group gap="xs" mb={4}>
            <Text size="xs" c="dimmed">
              {t("core.insights.source")} {data.ruleId ? t("core.insights.fromRule") : ""} ·{" "}
              {dateTime(data.createdAt, i18n.language)}
            </Text>
            <SentimentBadge sentiment={data.source.sentiment} />
          </Group>
          {data.author && (
            <Text size="sm" fw={600}>
              {data.author}
            </Text>
          )}
          <Text size="sm" className="mention-text">
            {data.source.text}
          </Text>
          <Group gap="sm" mt={6}>
            {data.source.url && (
              <Anchor href={data.source.url} target="_blank" rel="noopener noreferrer" size="xs">
                <IconExternalLink size={12} /> {t("core.insights.openOriginal")}
              </Anchor>
            )}
            {data.conversationId && (
              <AnchorLink
                to="/inbox/$conversationId"
                params={{ conversationId: data.conversationId }}
                search={{ status: "all" }}
                size="xs"
              >
                {t("core.insights.openConversation")}
              </AnchorLink>
            )}
          </Group>
        </Paper>
        {me.canWrite && (
          <Stack gap="xs">
            <Textarea
              label={t("core.insights.comment")}
              value={comment}
              onChange={(event) => setComment(event.currentTarget.value)}
              autosize
              minRows={1}
            />
            <Group gap="xs" wrap="wrap" role="toolbar" aria-label={t("core.insights.history")}>
              {states
                .filter((s) => s !== "new" && s !== data.state)
                .map((s) => (
                  <Button
                    key={s}
                    size="xs"
                    variant="light"
                    color={stateColors[s]}
                    loading={move.isPending && move.variables === s}
                    onClick={() => move.mutate(s, { onSuccess: () => setComment("") })}
                  >
                    {t("core.insights.markAs", { state: t(`core.states.${s}`) })}
                  </Button>
                ))}
            </Group>
            {move.error && <ErrorAlert error={move.error} />}
          </Stack>
        )}
        <div>
          <Text fw={600} size="sm" mb="xs">
            {t("core.insights.history")}
          </Text>
          <Timeline bulletSize={14} lineWidth={2} active={data.history.length}>
            {data.history.map((h) => (
              <Timeline.Item key={`${h.toState}-${String(h.at)}`} title={t(`core.states.${h.toState}`)}>
                <Text size="xs" c="dimmed">
                  {h.memberName ?? t("core.insights.fromRule")} · {dateTime(h.at, i18n.language)}
                </Text>
                {h.comment && <Text size="sm">{h.comment}</Text>}
              </Timeline.Item>
            ))}
          </Timeline>
        </div>
      </Stack>
    </PageBody>
  );
}
