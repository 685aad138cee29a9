import { Badge, Button, Group, Paper, Select, Stack, Switch, Table, Text, Tooltip } from "@mantine/core";
import { IconMinus, IconRefresh, IconTrendingDown, IconTrendingUp } from "@tabler/icons-react";
import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { api } from "../../api/client.js";
import { influencersQuery, listeningQueriesQuery } from "../../api/listening.js";
import { useApiMutation } from "../../api/mutations.js";
import type { ChannelType } from "../../api/types.js";
import { useMe } from "../../api/useMe.js";
import { PageHeader } from "../../app/Page.js";
import { CenteredLoader, ErrorAlert } from "../../app/RouteStates.js";
import { usePageTitle } from "../../lib/usePageTitle.js";
import { ChannelIcon } from "../inbox/ChannelIcon.js";

const trends = {
  rising: { icon: IconTrendingUp, color: "teal" },
  steady: { icon: IconMinus, color: "gray" },
  falling: { icon: IconTrendingDown, color: "red" },
} as const;

/** The most influential authors with their 7-day trend; curators mark VIPs and recompute scores. */
export function InfluencersPage() {
  const { t, i18n } = useTranslation();
  const me = useMe();
  usePageTitle(t("influencers.title"));
  const [queryId, setQueryId] = useState<string>();
  const queries = useQuery(listeningQueriesQuery);
  const influencers = useQuery(influencersQuery(queryId));
  const vip = useApiMutation(
    ({ identityId, isVip }: { identityId: string; isVip: boolean }) =>
      api(`/api/v1/listening/authors/${identityId}/vip`, { method: "PUT", body: { isVip } }),
    [["influencers"]],
  );
  const recompute = useApiMutation(
    () => api("/api/v1/listening/influencers/recompute", { method: "POST" }),
    [["influencers"]],
  );
  const number = new Intl.NumberFormat(i18n.language);

  return (
    <Stack gap="md">
      <PageHeader
        title={t("influencers.title")}
        description={t("influencers.description")}
        actions={
          <Group gap="xs">
            <Select
              size="xs"
              w={200}
              aria-label={t("filters.query")}
              placeholder={t("filters.allQueries")}
              clearable
              value={queryId ?? null}
              onChange={(value) => setQueryId(value ?? undefined)}
              data={(queries.data ?? []).map((q) => ({ value: q.id, label: q.name }))}
            />
            {me.canCurate && (
              <Button
                size="xs"
                variant="default"
                leftSection={<IconRefresh size={14} />}
                loading={recompute.isPending}
                onClick={() => recompute.mutate(undefined)}
              >
                {t("influencers.recompute")}
              </Button>
            )}
          </Group>
        }
      />
      {(vip.error || recompute.error) && <ErrorAlert error={vip.error ?? recompute.error} />}
      {influencers.isPending ? (
        <CenteredLoader />
      ) : influencers.isError ? (
        <ErrorAlert error={influencers.error} onRetry={() => influencers.refetch()} />
      ) : influencers.data.length === 0 ? (
        <Text c="dimmed" size="sm">
          {t("influencers.empty")}
        </Text>
      ) : (
        <Paper withBorder radius="sm" className="table-card">
          <Table verticalSpacing={8} fz="sm" aria-label={t("influencers.title")}>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>{t("influencers.author")}</Table.Th>
                <Table.Th ta="right">{t("influencers.followers")}</Table.Th>
                <Table.Th ta="right">{t("influencers.score")}</Table.Th>
                <Table.Th ta="right">{t("influencers.mentions7d")}</Table.Th>
                <Table.Th>{t("influencers.trend")}</Table.Th>
                <Table.Th>{t("influencers.vip")}</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {influencers.data.map((person) => {
                const trend = trends[person.trend];
                return (
                  <Table.Tr key={person.identityId}>
                    <Table.Td>
                      <Group gap="xs" wrap="nowrap">
                        <ChannelIcon type={person.network as ChannelType} size={24} />
                        <Stack gap={0} style={{ minWidth: 0 }}>
                          <Text size="sm" fw={500} className="truncate">
                            {person.displayName ?? `@${person.handle}`}
                          </Text>
                          <Text size="xs" c="dimmed" className="truncate">
                            @{person.handle}
                          </Text>
                        </Stack>
                      </Group>
                    </Table.Td>
                    <Table.Td ta="right">
                      {person.followers === null ? t("app.none") : number.format(person.followers)}
                    </Table.Td>
                    <Table.Td ta="right">
                      {person.score === null
                        ? t("app.none")
                        : number.format(Math.round(person.score * 100) / 100)}
                    </Table.Td>
                    <Table.Td ta="right">
                      <Tooltip
                        label={t("influencers.previousWeek", { count: person.mentionsPrev7d })}
                        withinPortal
                      >
                        <span>{person.mentions7d}</span>
                      </Tooltip>
                    </Table.Td>
                    <Table.Td>
                      <Badge
                        size="sm"
                        variant="light"
                        color={trend.color}
                        leftSection={<trend.icon size={12} />}
                      >
                        {t(`influencers.trends.${person.trend}`)}
                      </Badge>
                    </Table.Td>
                    <Table.Td>
                      <Switch
                        size="sm"
                        checked={person.isVip}
                        disabled={
                          !me.canCurate || (vip.isPending && vip.variables?.identityId === person.identityId)
                        }
                        onChange={(event) =>
                          vip.mutate({ identityId: person.identityId, isVip: event.currentTarget.checked })
                        }
                        aria-label={`${t("influencers.vip")}: @${person.handle}`}
                      />
                    </Table.Td>
                  </Table.Tr>
                );
              })}
            </Table.Tbody>
          </Table>
        </Paper>
      )}
    </Stack>
  );
}
