import {
  Alert,
  Badge,
  Button,
  Card,
  Group,
  NumberInput,
  Paper,
  ScrollArea,
  Select,
  SimpleGrid,
  Stack,
  Table,
  Text,
  Title,
} from "@mantine/core";
import { useQuery } from "@tanstack/react-query";
import { useMemo, useState } from "react";
import { useTranslation } from "react-i18next";
import { kpiKeys } from "../../../../src/modules/kpis/kpiCatalog.js";
import {
  createGoal,
  goalsKey,
  type KpiDashboard,
  type KpiFilter,
  type KpiKey,
  kpiDashboardQuery,
  refreshRollups,
  removeGoal,
} from "../../api/kpis.js";
import { useApiMutation } from "../../api/mutations.js";
import { departmentsQuery } from "../../api/queries.js";
import { useMe } from "../../api/useMe.js";
import { PageBody, PageHeader } from "../../app/Page.js";
import { usePageTitle } from "../../lib/usePageTitle.js";
import { type ChartOption, EChart } from "../listening/EChart.js";
import { departmentKpis, formatKpi, headlineKpis, isPercent, targetFromInput } from "./kpiFormat.js";

export const kpiRanges = ["7d", "28d", "90d", "365d"] as const;
export type KpiRange = (typeof kpiRanges)[number];
const rangeDays: Record<KpiRange, number> = { "7d": 7, "28d": 28, "90d": 90, "365d": 365 };
const channelTypes = [
  "bluesky",
  "mastodon",
  "email",
  "webchat",
  "rss",
  "webhook",
  "x",
  "facebook",
  "instagram",
  "log",
];

/** Whole UTC days ending tomorrow, so a range stays stable for the day. */
export function kpiRangeDates(range: KpiRange, now = Date.now()) {
  const day = 86_400_000;
  const end = Math.floor(now / day) * day + day;
  return { from: new Date(end - rangeDays[range] * day).toISOString(), to: new Date(end).toISOString() };
}

/** KPI dashboard: headline KPIs, trend, per department, and target vs actual of the goals. */
export function KpiDashboardPage() {
  const { t, i18n } = useTranslation();
  usePageTitle(t("kpis.title"));
  const me = useMe();
  const [range, setRange] = useState<KpiRange>("28d");
  const [departmentId, setDepartmentId] = useState<string>();
  const [channel, setChannel] = useState<string>();
  const [trendKpi, setTrendKpi] = useState<KpiKey>("response_rate_within_sla");
  const filter: KpiFilter = useMemo(
    () => ({ ...kpiRangeDates(range), departmentId, channel }),
    [range, departmentId, channel],
  );
  const dashboard = useQuery(kpiDashboardQuery(filter));
  const departments = useQuery(departmentsQuery);
  const refresh = useApiMutation(refreshRollups, [goalsKey]);
  const locale = i18n.language;
  const show = (kpi: KpiKey, value: number | null | undefined) => formatKpi(kpi, value, locale);
  const departmentName = (id: string | null) =>
    id === null ? t("kpis.wholeOrganization") : (departments.data?.find((d) => d.id === id)?.name ?? "–");

  return (
    <PageBody maw={1400}>
      <Stack gap="md" className="kpi-page">
        <PageHeader
          title={t("kpis.title")}
          description={t("kpis.description")}
          actions={
            <Group gap="xs" role="group" aria-label={t("kpis.title")}>
              <Select
                size="xs"
                w={150}
                aria-label={t("kpis.range")}
                value={range}
                allowDeselect={false}
                onChange={(value) => value && setRange(value as KpiRange)}
                data={kpiRanges.map((r) => ({ value: r, label: t(`kpis.ranges.${r}`) }))}
              />
              <Select
                size="xs"
                w={180}
                aria-label={t("kpis.department")}
                placeholder={t("kpis.allDepartments")}
                clearable
                value={departmentId ?? null}
                onChange={(value) => setDepartmentId(value ?? undefined)}
                data={(departments.data ?? []).map((d) => ({ value: d.id, label: d.name }))}
              />
              <Select
                size="xs"
                w={140}
                aria-label={t("kpis.channel")}
                placeholder={t("kpis.allChannels")}
                clearable
                value={channel ?? null}
                onChange={(value) => setChannel(value ?? undefined)}
                data={channelTypes.map((c) => ({ value: c, label: t(`channels.${c}` as "channels.email") }))}
              />
              {me.canCurate && (
                <Button
                  size="xs"
                  variant="default"
                  loading={refresh.isPending}
                  onClick={() => refresh.mutate()}
                >
                  {t("kpis.refresh")}
                </Button>
              )}
            </Group>
          }
        />
        {refresh.data && (
          <Text size="sm" c="dimmed" role="status">
            {t("kpis.refreshed", { days: refresh.data.days })}
          </Text>
        )}
        {dashboard.error && <Alert color="red">{dashboard.error.message}</Alert>}
        {dashboard.data && (
          <>
            <SimpleGrid cols={{ base: 2, sm: 3, lg: 4 }} spacing="sm" aria-label={t("kpis.title")}>
              {headlineKpis.map((kpi) => (
                <Card key={kpi} withBorder padding="sm" data-kpi={kpi}>
                  <Text size="xs" c="dimmed">
                    {t(`kpis.labels.${kpi}`)}
                  </Text>
                  <Text fw={700} fz="xl" data-testid={`kpi-${kpi}`}>
                    {dashboard.data.overall[kpi] === null && kpi === "insights_handled"
                      ? t("kpis.notMeasured")
                      : show(kpi, dashboard.data.overall[kpi])}
                  </Text>
                  {kpi === "response_rate_within_sla" && dashboard.data.overall[kpi] !== null && (
                    <Badge
                      size="xs"
                      color={(dashboard.data.overall[kpi] ?? 0) >= 0.65 ? "green" : "orange"}
                      variant="light"
                    >
                      ≥ 65 %
                    </Badge>
                  )}
                </Card>
              ))}
            </SimpleGrid>
            <Text size="xs" c="dimmed">
              {t("kpis.devoted")} · {t("kpis.insightsNote")}
            </Text>
            <TrendCard data={dashboard.data} kpi={trendKpi} onKpi={setTrendKpi} />
            {!departmentId && <DepartmentTable data={dashboard.data} show={show} />}
            <GoalsSection
              data={dashboard.data}
              show={show}
              departmentName={departmentName}
              canEdit={me.canCurate}
            />
          </>
        )}
      </Stack>
    </PageBody>
  );
}

function TrendCard({ data, kpi, onKpi }: { data: KpiDashboard; kpi: KpiKey; onKpi: (k: KpiKey) => void }) {
  const { t, i18n } = useTranslation();
  const option: ChartOption = useMemo(() => {
    const scale = isPercent(kpi) ? 100 : 1;
    return {
      tooltip: { trigger: "axis", confine: true },
      grid: { left: 48, right: 16, top: 16, bottom: 32 },
      xAxis: {
        type: "category",
        data: data.trend.map((p) =>
          new Intl.DateTimeFormat(i18n.language, { day: "numeric", month: "short" }).format(new Date(p.from)),
        ),
      },
      yAxis: { type: "value", axisLabel: { formatter: isPercent(kpi) ? "{value} %" : "{value}" } },
      series: [
        {
          name: t(`kpis.labels.${kpi}`),
          type: "line",
          smooth: true,
          connectNulls: false,
          data: data.trend.map((p) =>
            p.values[kpi] === null ? null : Number((p.values[kpi]! * scale).toFixed(2)),
          ),
          itemStyle: { color: "#4c6ef5" },
        },
      ],
    };
  }, [data, kpi, t, i18n.language]);
  return (
    <Paper withBorder p="sm">
      <Group justify="space-between" mb="xs" wrap="wrap">
        <Title order={2} size="h5">
          {t("kpis.trend")}
        </Title>
        <Select
          size="xs"
          w={240}
          aria-label={t("kpis.trendOf")}
          value={kpi}
          allowDeselect={false}
          onChange={(value) => value && onKpi(value as KpiKey)}
          data={kpiKeys
            .filter((k) => k !== "insights_handled")
            .map((k) => ({ value: k, label: t(`kpis.labels.${k}`) }))}
        />
      </Group>
      <EChart option={option} height={240} label={`${t("kpis.trend")}: ${t(`kpis.labels.${kpi}`)}`} />
    </Paper>
  );
}

function DepartmentTable({
  data,
  show,
}: {
  data: KpiDashboard;
  show: (k: KpiKey, v: number | null) => string;
}) {
  const { t } = useTranslation();
  const rows = data.departments.filter((d) => d.departmentId !== null || (d.values.questions ?? 0) > 0);
  return (
    <Paper withBorder p="sm">
      <Title order={2} size="h5" mb="xs">
        {t("kpis.byDepartment")}
      </Title>
      <ScrollArea type="auto">
        <Table fz="sm" verticalSpacing={6} miw={720} aria-label={t("kpis.byDepartment")}>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>{t("kpis.department")}</Table.Th>
              {departmentKpis.map((k) => (
                <Table.Th key={k}>{t(`kpis.labels.${k}`)}</Table.Th>
              ))}
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {rows.map((d) => (
              <Table.Tr key={d.departmentId ?? "none"} data-department={d.name}>
                <Table.Td>{d.departmentId ? d.name : t("kpis.noDepartment")}</Table.Td>
                {departmentKpis.map((k) => (
                  <Table.Td key={k}>{show(k, d.values[k])}</Table.Td>
                ))}
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </ScrollArea>
    </Paper>
  );
}

function GoalsSection({
  data,
  show,
  departmentName,
  canEdit,
}: {
  data: KpiDashboard;
  show: (k: KpiKey, v: number | null) => string;
  departmentName: (id: string | null) => string;
  canEdit: boolean;
}) {
  const { t, i18n } = useTranslation();
  const remove = useApiMutation(removeGoal, [goalsKey]);
  return (
    <Paper withBorder p="sm">
      <Title order={2} size="h5" mb="xs">
        {t("kpis.goals")}
      </Title>
      {data.goals.length === 0 && (
        <Text size="sm" c="dimmed">
          {t("kpis.goalsEmpty")}
        </Text>
      )}
      <SimpleGrid cols={{ base: 1, md: 2 }} spacing="sm">
        {data.goals.map((g) => {
          const kpi = g.goal.kpi;
          const scale = isPercent(kpi) ? 100 : 1;
          const option: ChartOption = {
            tooltip: { trigger: "axis", confine: true },
            legend: { bottom: 0 },
            grid: { left: 44, right: 12, top: 12, bottom: 40 },
            xAxis: {
              type: "category",
              data: g.trend.map((p) =>
                new Intl.DateTimeFormat(i18n.language, { day: "numeric", month: "short" }).format(
                  new Date(p.periodStart),
                ),
              ),
            },
            yAxis: { type: "value" },
            series: [
              {
                name: t("kpis.actual"),
                type: "bar",
                data: g.trend.map((p) => ({
                  value: p.actual === null ? null : Number((p.actual * scale).toFixed(2)),
                  itemStyle: { color: p.met === false ? "#e8590c" : "#2f9e44" },
                })),
              },
              {
                name: t("kpis.target"),
                type: "line",
                showSymbol: false,
                lineStyle: { type: "dashed" },
                itemStyle: { color: "#495057" },
                data: g.trend.map(() => Number((g.goal.target * scale).toFixed(2))),
              },
            ],
          };
          return (
            <Card key={g.goal.id} withBorder padding="sm" data-goal={kpi}>
              <Group justify="space-between" wrap="nowrap" align="flex-start">
                <Stack gap={0}>
                  <Text fw={600} size="sm">
                    {t(`kpis.labels.${kpi}`)} · {departmentName(g.goal.departmentId)}
                  </Text>
                  <Text size="xs" c="dimmed">
                    {t(`kpis.periods.${g.goal.period}`)} · {t("kpis.target")} {show(kpi, g.goal.target)} ·{" "}
                    {t("kpis.actual")} {show(kpi, g.actual)}
                  </Text>
                </Stack>
                <Badge color={g.met === null ? "gray" : g.met ? "green" : "orange"} variant="light">
                  {g.met === null ? t("kpis.open") : g.met ? t("kpis.met") : t("kpis.missed")}
                </Badge>
              </Group>
              <EChart
                option={option}
                height={180}
                label={`${t(`kpis.labels.${kpi}`)}: ${t("kpis.target")} / ${t("kpis.actual")}`}
              />
              {canEdit && (
                <Group justify="flex-end">
                  <Button
                    size="compact-xs"
                    variant="subtle"
                    color="red"
                    onClick={() => remove.mutate(g.goal.id)}
                  >
                    {t("kpis.remove")}
                  </Button>
                </Group>
              )}
            </Card>
          );
        })}
      </SimpleGrid>
      {canEdit && <GoalForm />}
    </Paper>
  );
}

function GoalForm() {
  const { t } = useTranslation();
  const departments = useQuery(departmentsQuery);
  const [departmentId, setDepartmentId] = useState<string>("");
  const [kpi, setKpi] = useState<KpiKey>("response_rate_within_sla");
  const [period, setPeriod] = useState("week");
  const [target, setTarget] = useState<number | string>(65);
  const create = useApiMutation(createGoal, [goalsKey]);
  return (
    <form
      onSubmit={(event) => {
        event.preventDefault();
        create.mutate({
          departmentId: departmentId || null,
          kpi,
          period,
          target: targetFromInput(kpi, Number(target)),
        });
      }}
    >
      <Title order={3} size="h6" mt="md" mb="xs">
        {t("kpis.addGoal")}
      </Title>
      <SimpleGrid cols={{ base: 1, sm: 2, lg: 5 }} spacing="xs">
        <Select
          size="xs"
          label={t("kpis.department")}
          value={departmentId}
          allowDeselect={false}
          onChange={(value) => setDepartmentId(value ?? "")}
          data={[
            { value: "", label: t("kpis.wholeOrganization") },
            ...(departments.data ?? []).map((d) => ({ value: d.id, label: d.name })),
          ]}
        />
        <Select
          size="xs"
          label="KPI"
          value={kpi}
          allowDeselect={false}
          onChange={(value) => value && setKpi(value as KpiKey)}
          data={kpiKeys
            .filter((k) => k !== "insights_handled")
            .map((k) => ({ value: k, label: t(`kpis.labels.${k}`) }))}
        />
        <Select
          size="xs"
          label={t("kpis.period")}
          value={period}
          allowDeselect={false}
          onChange={(value) => value && setPeriod(value)}
          data={(["week", "month", "quarter"] as const).map((p) => ({
            value: p,
            label: t(`kpis.periods.${p}`),
          }))}
        />
        <NumberInput
          size="xs"
          label={t("kpis.target")}
          description={t("kpis.targetHint")}
          value={target}
          onChange={setTarget}
        />
        <Button size="xs" type="submit" loading={create.isPending} style={{ alignSelf: "end" }}>
          {t("kpis.save")}
        </Button>
      </SimpleGrid>
      {create.error && (
        <Alert color="red" mt="xs">
          {create.error.message}
        </Alert>
      )}
    </form>
  );
}
