import {
  Alert,
  Anchor,
  Badge,
  Button,
  Checkbox,
  Group,
  Paper,
  ScrollArea,
  Select,
  SimpleGrid,
  Stack,
  Table,
  Text,
  TextInput,
  Title,
} from "@mantine/core";
import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { briefingPdfUrl, briefingsQuery, generateBriefing, kpiReportUrl } from "../../api/kpis.js";
import { useApiMutation } from "../../api/mutations.js";
import { departmentsQuery } from "../../api/queries.js";
import { useMe } from "../../api/useMe.js";
import { AnchorLink } from "../../app/links.js";
import { PageBody, PageHeader } from "../../app/Page.js";
import { usePageTitle } from "../../lib/usePageTitle.js";
import { type KpiRange, kpiRangeDates, kpiRanges } from "../kpis/KpiDashboardPage.js";

/** The weekly briefings (open, PDF, generate now) and the ad-hoc KPI report downloads. */
export function ReportsPage() {
  const { t, i18n } = useTranslation();
  usePageTitle(t("reports.title"));
  const me = useMe();
  const briefings = useQuery(briefingsQuery);
  const departments = useQuery(departmentsQuery);
  const [scope, setScope] = useState("");
  const [week, setWeek] = useState(() => new Date(Date.now() - 7 * 86_400_000).toISOString().slice(0, 10));
  const [email, setEmail] = useState(true);
  const [range, setRange] = useState<KpiRange>("28d");
  const generate = useApiMutation(generateBriefing, [["briefings"]]);
  const date = (iso: string | Date) =>
    new Intl.DateTimeFormat(i18n.language, { dateStyle: "medium" }).format(new Date(iso));

  return (
    <PageBody maw={1400}>
      <Stack gap="md">
        <PageHeader title={t("reports.title")} description={t("reports.description")} />
        <Paper withBorder p="sm">
          <Title order={2} size="h5" mb="xs">
            {t("reports.export")}
          </Title>
          <Text size="sm" c="dimmed" mb="xs">
            {t("reports.exportHint")}
          </Text>
          <Group gap="xs" wrap="wrap">
            <Select
              size="xs"
              w={160}
              aria-label={t("kpis.range")}
              value={range}
              allowDeselect={false}
              onChange={(value) => value && setRange(value as KpiRange)}
              data={kpiRanges.map((r) => ({ value: r, label: t(`kpis.ranges.${r}`) }))}
            />
            {(["csv", "xlsx", "pdf"] as const).map((format) => (
              <Button
                key={format}
                size="xs"
                variant="default"
                component="a"
                href={kpiReportUrl(kpiRangeDates(range), format, i18n.language)}
                download
              >
                {t("reports.download", { format: format.toUpperCase() })}
              </Button>
            ))}
          </Group>
        </Paper>
        {me.canCurate && (
          <Paper withBorder p="sm">
            <Title order={2} size="h5" mb="xs">
              {t("reports.generate")}
            </Title>
            <form
              onSubmit={(event) => {
                event.preventDefault();
                generate.mutate({ departmentId: scope || null, week, email });
              }}
            >
              <SimpleGrid cols={{ base: 1, sm: 4 }} spacing="xs">
                <Select
                  size="xs"
                  label={t("reports.scope")}
                  value={scope}
                  allowDeselect={false}
                  onChange={(value) => setScope(value ?? "")}
                  data={[
                    { value: "", label: t("kpis.wholeOrganization") },
                    ...(departments.data ?? []).map((d) => ({ value: d.id, label: d.name })),
                  ]}
                />
                <TextInput
                  size="xs"
                  type="date"
                  label={t("reports.week")}
                  value={week}
                  onChange={(e) => setWeek(e.currentTarget.value)}
                />
                <Checkbox
                  mt={24}
                  size="xs"
                  label={t("reports.sendEmail")}
                  checked={email}
                  onChange={(e) => setEmail(e.currentTarget.checked)}
                />
                <Button size="xs" type="submit" loading={generate.isPending} style={{ alignSelf: "end" }}>
                  {t("reports.generate")}
                </Button>
              </SimpleGrid>
            </form>
            {generate.error && (
              <Alert color="red" mt="xs">
                {generate.error.message}
              </Alert>
            )}
          </Paper>
        )}
        <Paper withBorder p="sm">
          <Title order={2} size="h5" mb="xs">
            {t("reports.briefings")}
          </Title>
          {briefings.data?.length === 0 && (
            <Text size="sm" c="dimmed">
              {t("reports.briefingsEmpty")}
            </Text>
          )}
          <ScrollArea type="auto">
            <Table fz="sm" verticalSpacing={6} aria-label={t("reports.briefings")}>
              <Table.Tbody>
                {(briefings.data ?? []).map((b) => (
                  <Table.Tr key={b.id}>
                    <Table.Td>
                      <AnchorLink to="/reports/briefings/$briefingId" params={{ briefingId: b.id }}>
                        {b.departmentName ?? t("kpis.wholeOrganization")}
                      </AnchorLink>
                      <Text size="xs" c="dimmed">
                        {t("reports.week")} {date(b.weekStart)}
                      </Text>
                    </Table.Td>
                    <Table.Td>
                      {b.emailError ? (
                        <Badge color="red" variant="light" title={b.emailError}>
                          {t("reports.emailFailed", { error: b.emailError })}
                        </Badge>
                      ) : b.emailedAt ? (
                        <Badge color="green" variant="light">
                          {t("reports.emailed", { count: b.emailedTo })}
                        </Badge>
                      ) : (
                        <Badge color="gray" variant="light">
                          {t("reports.notEmailed")}
                        </Badge>
                      )}
                    </Table.Td>
                    <Table.Td>
                      <Anchor href={briefingPdfUrl(b.id)} download size="sm">
                        {t("reports.pdf")}
                      </Anchor>
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </ScrollArea>
        </Paper>
      </Stack>
    </PageBody>
  );
}
