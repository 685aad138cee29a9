import {
  Alert,
  Anchor,
  Badge,
  Group,
  List,
  Paper,
  SimpleGrid,
  Stack,
  Table,
  Text,
  Title,
} from "@mantine/core";
import { useQuery } from "@tanstack/react-query";
import { useParams } from "@tanstack/react-router";
import type { ReactNode } from "react";
import { useTranslation } from "react-i18next";
import { briefingPdfUrl, briefingQuery } from "../../api/kpis.js";
import { AnchorLink } from "../../app/links.js";
import { PageBody, PageHeader } from "../../app/Page.js";
import { usePageTitle } from "../../lib/usePageTitle.js";
import { formatKpi } from "../kpis/kpiFormat.js";

function Section({ title, children }: { title: string; children: ReactNode }) {
  return (
    <Paper withBorder p="sm">
      <Title order={2} size="h5" mb="xs">
        {title}
      </Title>
      {children}
    </Paper>
  );
}

/** One weekly briefing as a web page: the same content as its PDF and e-mail. */
export function BriefingPage() {
  const { t, i18n } = useTranslation();
  const { briefingId } = useParams({ from: "/app/reports/briefings/$briefingId" });
  const briefing = useQuery(briefingQuery(briefingId));
  const content = briefing.data?.content;
  const title = content
    ? `${t("reports.briefings")}: ${content.departmentName ?? t("kpis.wholeOrganization")}`
    : undefined;
  usePageTitle(title);
  const show = (kpi: Parameters<typeof formatKpi>[0], v: number | null) => formatKpi(kpi, v, i18n.language);
  const date = (iso: string) =>
    new Intl.DateTimeFormat(i18n.language, { dateStyle: "medium" }).format(new Date(iso));
  if (briefing.error) return <Alert color="red">{briefing.error.message}</Alert>;
  if (!content) return null;
  const none = (
    <Text size="sm" c="dimmed">
      {t("reports.none")}
    </Text>
  );
  return (
    <PageBody maw={1400}>
      <Stack gap="md">
        <PageHeader
          title={title}
          description={`${content.organizationName} · ${t("reports.week")} ${date(content.weekStart)}`}
          actions={
            <Group gap="sm">
              <AnchorLink to="/reports" size="sm">
                {t("reports.back")}
              </AnchorLink>
              <Anchor href={briefingPdfUrl(briefingId)} download size="sm">
                {t("reports.pdf")}
              </Anchor>
            </Group>
          }
        />
        <SimpleGrid cols={{ base: 1, md: 2 }} spacing="md">
          <Section title={t("reports.kpis")}>
            <Table fz="sm" verticalSpacing={4} aria-label={t("reports.kpis")}>
              <Table.Tbody>
                {content.kpis.map((k) => (
                  <Table.Tr key={k.kpi}>
                    <Table.Td>{t(`kpis.labels.${k.kpi}`)}</Table.Td>
                    <Table.Td fw={600}>{show(k.kpi, k.value)}</Table.Td>
                    <Table.Td c="dimmed">
                      {t("reports.previous")}: {show(k.kpi, k.previous)}
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Section>
          <Stack gap="md">
            <Section title={t("reports.goals")}>
              {content.goals.length === 0
                ? none
                : content.goals.map((g) => (
                    <Group key={`${g.kpi}-${g.period}`} justify="space-between" wrap="nowrap">
                      <Text size="sm">
                        {t(`kpis.labels.${g.kpi}`)} ({t(`kpis.periods.${g.period as "week"}`)}):{" "}
                        {show(g.kpi, g.actual)} / {show(g.kpi, g.target)}
                      </Text>
                      <Badge color={g.met === null ? "gray" : g.met ? "green" : "orange"} variant="light">
                        {g.met === null ? t("kpis.open") : g.met ? t("kpis.met") : t("kpis.missed")}
                      </Badge>
                    </Group>
                  ))}
            </Section>
            <Section title={t("reports.sentiment")}>
              <Text size="sm">
                {t("reports.netChange", {
                  net: show("net_sentiment", content.sentiment.net),
                  change: show("net_sentiment", content.sentiment.change),
                })}
              </Text>
            </Section>
          </Stack>
          <Section title={t("reports.topIssues")}>
            {content.topIssues.length === 0 ? (
              none
            ) : (
              <List type="ordered" size="sm">
                {content.topIssues.map((i) => (
                  <List.Item key={i.aspect}>
                    <b>{i.aspect}</b>:{" "}
                    {t("reports.negativeOf", {
                      negative: i.negative,
                      mentions: i.mentions,
                      previous: i.previousNegative,
                    })}
                  </List.Item>
                ))}
              </List>
            )}
          </Section>
          <Section title={t("reports.storms")}>
            {content.storms.length === 0 ? (
              none
            ) : (
              <List size="sm">
                {content.storms.map((s) => (
                  <List.Item key={`${s.firedAt}-${s.title}`}>
                    {new Date(s.firedAt).toLocaleString(i18n.language)} · {s.title}
                  </List.Item>
                ))}
              </List>
            )}
          </Section>
          <Section title={t("reports.vips")}>
            {content.vips.length === 0 ? (
              none
            ) : (
              <List size="sm">
                {content.vips.map((v) => (
                  <List.Item key={`${v.network}-${v.handle}`}>
                    {v.handle} ({v.network}):{" "}
                    {t("reports.vipLine", { mentions: v.mentions, negative: v.negative })}
                  </List.Item>
                ))}
              </List>
            )}
          </Section>
          <Section title={t("reports.insights")}>
            {content.insights === null ? (
              <Text size="sm" c="dimmed">
                {t("reports.insightsMissing")}
              </Text>
            ) : content.insights.length === 0 ? (
              none
            ) : (
              <List size="sm">
                {content.insights.map((i) => (
                  <List.Item key={i.title}>
                    {i.title} – {i.state}
                  </List.Item>
                ))}
              </List>
            )}
          </Section>
        </SimpleGrid>
      </Stack>
    </PageBody>
  );
}
