import { Group, Select, SimpleGrid, Stack } from "@mantine/core";
import { useQuery } from "@tanstack/react-query";
import type { TFunction } from "i18next";
import { useMemo, useState } from "react";
import { useTranslation } from "react-i18next";
import type { Network } from "../../../../src/platform/posts/normalizedPost.js";
import {
  aspectsQuery,
  authorsQuery,
  type DashboardFilter,
  keyphrasesQuery,
  listeningQueriesQuery,
  networks,
  shareOfVoiceQuery,
  topicsQuery,
  volumeQuery,
} from "../../api/listening.js";
import { PageHeader } from "../../app/Page.js";
import { usePageTitle } from "../../lib/usePageTitle.js";
import { ChartCard } from "./ChartCard.js";
import type { ChartOption } from "./EChart.js";
import { intervalOf, rangeDates, type TimeRange, timeRanges } from "./timeRange.js";

const colors = { negative: "#e03131", neutral: "#adb5bd", positive: "#2f9e44", total: "#4c6ef5" };
const tooltip = { trigger: "axis", confine: true } as const;

/** Dashboard of a time range: volume and sentiment, share of voice, aspects, themes and authors. */
export function DashboardPage() {
  const { t, i18n } = useTranslation();
  usePageTitle(t("dashboard.title"));
  const [range, setRange] = useState<TimeRange>("7d");
  const [queryId, setQueryId] = useState<string>();
  const [network, setNetwork] = useState<Network>();
  const filter: DashboardFilter = useMemo(
    () => ({ ...rangeDates(range), queryId, network }),
    [range, queryId, network],
  );
  const interval = intervalOf(range);
  const queries = useQuery(listeningQueriesQuery);
  const volume = useQuery(volumeQuery({ ...filter, interval }));
  const voice = useQuery(shareOfVoiceQuery(filter));
  const aspects = useQuery(aspectsQuery(filter));
  const authors = useQuery(authorsQuery(filter));
  const keyphrases = useQuery(keyphrasesQuery(filter));
  const topics = useQuery(topicsQuery(filter));

  const bucketLabel = (bucket: string | Date) =>
    new Intl.DateTimeFormat(
      i18n.language,
      interval === "hour" ? { timeStyle: "short" } : { day: "numeric", month: "short" },
    ).format(new Date(bucket));
  const sentimentNames = {
    negative: t("inbox.sentiment.negative"),
    neutral: t("inbox.sentiment.neutral"),
    positive: t("inbox.sentiment.positive"),
  };
  const noChannel = t("dashboard.notByChannel");
  const fileSuffix = `${range}${queryId ? "-query" : ""}${network ? `-${network}` : ""}`;

  return (
    <Stack gap="md">
      <PageHeader
        title={t("dashboard.title")}
        description={t("dashboard.description")}
        actions={
          <Group gap="xs" role="group" aria-label={t("mentions.filters")}>
            <Select
              size="xs"
              w={150}
              aria-label={t("filters.timeRange")}
              value={range}
              allowDeselect={false}
              onChange={(value) => value && setRange(value as TimeRange)}
              data={timeRanges.map((r) => ({ value: r, label: t(`filters.ranges.${r}`) }))}
            />
            <Select
              size="xs"
              w={180}
              aria-label={t("filters.query")}
              placeholder={t("filters.allQueries")}
              clearable
              value={queryId ?? null}
              onChange={(value) => setQueryId(value ?? undefined)}
              data={(queries.data ?? []).map((q) => ({ value: q.id, label: q.name }))}
            />
            <Select
              size="xs"
              w={150}
              aria-label={t("filters.channel")}
              placeholder={t("filters.allChannels")}
              clearable
              value={network ?? null}
              onChange={(value) => setNetwork((value as Network) ?? undefined)}
              data={networks.map((n) => ({ value: n, label: t(`channels.${n}`) }))}
            />
          </Group>
        }
      />
      <SimpleGrid cols={{ base: 1, lg: 2 }} spacing="md" className="dashboard-grid">
        <ChartCard
          title={t("dashboard.volume")}
          file={`volume-${fileSuffix}`}
          query={volume}
          isEmpty={(data) => data.length === 0}
          option={(data): ChartOption => ({
            tooltip,
            legend: { bottom: 0 },
            grid: { left: 48, right: 48, top: 16, bottom: 48 },
            xAxis: { type: "category", data: data.map((p) => bucketLabel(p.bucket)) },
            yAxis: [
              { type: "value", name: t("dashboard.mentions"), minInterval: 1 },
              { type: "value", name: t("dashboard.reach"), splitLine: { show: false } },
            ],
            series: [
              {
                name: t("dashboard.mentions"),
                type: "bar",
                data: data.map((p) => p.total),
                itemStyle: { color: colors.total },
              },
              {
                name: t("dashboard.reach"),
                type: "line",
                yAxisIndex: 1,
                smooth: true,
                showSymbol: false,
                data: data.map((p) => p.reach),
                itemStyle: { color: "#f08c00" },
              },
            ],
          })}
          table={(data) => ({
            header: ["bucket", "total", "negative", "neutral", "positive", "reach"],
            rows: data.map((p) => [
              new Date(p.bucket).toISOString(),
              p.total,
              p.negative,
              p.neutral,
              p.positive,
              p.reach,
            ]),
          })}
        />
        <ChartCard
          title={t("dashboard.sentimentShare")}
          file={`sentiment-${fileSuffix}`}
          query={volume}
          isEmpty={(data) => data.length === 0}
          option={(data): ChartOption => ({
            tooltip: { ...tooltip, valueFormatter: (v: unknown) => `${Number(v).toFixed(0)} %` },
            legend: { bottom: 0 },
            grid: { left: 48, right: 16, top: 16, bottom: 48 },
            xAxis: { type: "category", boundaryGap: false, data: data.map((p) => bucketLabel(p.bucket)) },
            yAxis: { type: "value", max: 100, axisLabel: { formatter: "{value} %" } },
            series: (["negative", "neutral", "positive"] as const).map((s) => ({
              name: sentimentNames[s],
              type: "line",
              stack: "share",
              areaStyle: {},
              showSymbol: false,
              itemStyle: { color: colors[s] },
              data: data.map((p) => (p.total === 0 ? 0 : (100 * p[s]) / p.total)),
            })),
          })}
          table={(data) => ({
            header: ["bucket", "negative_share", "neutral_share", "positive_share"],
            rows: data.map((p) => [
              new Date(p.bucket).toISOString(),
              share(p.negative, p.total),
              share(p.neutral, p.total),
              share(p.positive, p.total),
            ]),
          })}
        />
        <ChartCard
          title={t("dashboard.shareOfVoice")}
          note={t("dashboard.shareOfVoiceNote")}
          file={`share-of-voice-${fileSuffix}`}
          query={voice}
          isEmpty={(data) => data.every((q) => q.mentions === 0)}
          option={(data): ChartOption => ({
            tooltip: { trigger: "item", confine: true, formatter: "{b}: {c} ({d} %)" },
            legend: { bottom: 0, type: "scroll" },
            series: [
              {
                type: "pie",
                radius: ["40%", "70%"],
                center: ["50%", "45%"],
                label: { formatter: "{b}\n{d} %" },
                data: data.map((q) => ({
                  name: `${q.name} (${t(`queries.kinds.${q.kind}`)})`,
                  value: q.mentions,
                })),
              },
            ],
          })}
          table={(data) => ({
            header: ["query", "kind", "mentions", "negative", "positive", "share"],
            rows: data.map((q) => [q.name, q.kind, q.mentions, q.negative, q.positive, round(q.share)]),
          })}
        />
        <ChartCard
          title={t("dashboard.aspects")}
          note={noChannel}
          file={`aspects-${fileSuffix}`}
          query={aspects}
          isEmpty={(data) => data.length === 0}
          option={(data): ChartOption => {
            const ordered = [...data].reverse();
            return {
              tooltip: { ...tooltip, axisPointer: { type: "shadow" } },
              legend: { bottom: 0 },
              grid: { left: 8, right: 16, top: 8, bottom: 40, containLabel: true },
              xAxis: { type: "value", minInterval: 1 },
              yAxis: { type: "category", data: ordered.map((a) => a.aspect) },
              series: (["negative", "neutral", "positive"] as const).map((s) => ({
                name: sentimentNames[s],
                type: "bar",
                stack: "aspect",
                itemStyle: { color: colors[s] },
                data: ordered.map((a) => a[s]),
              })),
            };
          }}
          table={(data) => ({
            header: ["aspect", "mentions", "negative", "neutral", "positive"],
            rows: data.map((a) => [a.aspect, a.mentions, a.negative, a.neutral, a.positive]),
          })}
        />
        <ChartCard
          title={t("dashboard.keyphrases")}
          note={keyphrases.data ? t("dashboard.sampled", { count: keyphrases.data.sampled }) : undefined}
          file={`keyphrases-${fileSuffix}`}
          query={keyphrases}
          isEmpty={(data) => data.phrases.length === 0}
          option={(data) => keyphraseCloud(data.phrases, t)}
          table={(data) => ({
            header: ["phrase", "mentions", "negative", "neutral", "positive"],
            rows: data.phrases.map((p) => [p.phrase, p.mentions, p.negative, p.neutral, p.positive]),
          })}
        />
        <ChartCard
          title={t("dashboard.topics")}
          note={topics.data ? t("dashboard.sampled", { count: topics.data.sampled }) : undefined}
          file={`topics-${fileSuffix}`}
          query={topics}
          isEmpty={(data) => data.topics.length === 0}
          option={(data): ChartOption => ({
            tooltip: {
              confine: true,
              formatter: (params: {
                data?: { name: string; value: number; negative: number; example?: string };
              }) => {
                const d = params.data;
                if (!d) return "";
                return [
                  `<b>${escapeHtml(d.name)}</b>`,
                  t("dashboard.topicTooltip", { size: d.value, negative: d.negative }),
                  d.example ? `<i>${escapeHtml(d.example.slice(0, 140))}</i>` : "",
                ].join("<br/>");
              },
            },
            series: [
              {
                type: "treemap",
                roam: false,
                nodeClick: false,
                breadcrumb: { show: false },
                left: 0,
                right: 0,
                top: 0,
                bottom: 0,
                label: { show: true, formatter: "{b}\n{c}", overflow: "break" },
                data: data.topics.map((topic) => ({
                  name: topic.label,
                  value: topic.size,
                  negative: topic.negative,
                  example: topic.examples[0]?.text,
                  itemStyle: { color: negativityColor(topic.negative / Math.max(topic.size, 1)) },
                })),
              },
            ],
          })}
          table={(data) => ({
            header: ["topic", "mentions", "duplicates", "negative", "neutral", "positive", "terms"],
            rows: data.topics.map((topic) => [
              topic.label,
              topic.size,
              topic.duplicates,
              topic.negative,
              topic.neutral,
              topic.positive,
              topic.terms.join(" | "),
            ]),
          })}
        />
        <ChartCard
          title={t("dashboard.authors")}
          note={noChannel}
          file={`authors-${fileSuffix}`}
          query={authors}
          span="full"
          isEmpty={(data) => data.length === 0}
          option={(data): ChartOption => {
            const ordered = [...data].reverse();
            return {
              tooltip: { ...tooltip, axisPointer: { type: "shadow" } },
              legend: { bottom: 0 },
              grid: { left: 8, right: 16, top: 8, bottom: 40, containLabel: true },
              xAxis: { type: "value", minInterval: 1 },
              yAxis: { type: "category", data: ordered.map((a) => `@${a.handle}${a.isVip ? " ★" : ""}`) },
              series: [
                {
                  name: t("dashboard.negativeMentions"),
                  type: "bar",
                  stack: "author",
                  itemStyle: { color: colors.negative },
                  data: ordered.map((a) => a.negative),
                },
                {
                  name: t("dashboard.otherMentions"),
                  type: "bar",
                  stack: "author",
                  itemStyle: { color: colors.total },
                  data: ordered.map((a) => a.mentions - a.negative),
                },
              ],
            };
          }}
          table={(data) => ({
            header: ["handle", "network", "followers", "vip", "mentions", "negative", "engagement"],
            rows: data.map((a) => [
              a.handle,
              a.network,
              a.followers,
              a.isVip ? "yes" : "no",
              a.mentions,
              a.negative,
              a.engagement,
            ]),
          })}
        />
      </SimpleGrid>
    </Stack>
  );
}

function share(part: number, total: number) {
  return total === 0 ? 0 : round(part / total);
}
function round(value: number) {
  return Math.round(value * 1000) / 1000;
}

function escapeHtml(text: string) {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** Green for praise, grey for neutral talk, red for complaints. */
function negativityColor(negativeShare: number) {
  if (negativeShare >= 0.6) return "#e03131";
  if (negativeShare >= 0.35) return "#f76707";
  if (negativeShare >= 0.15) return "#748ffc";
  return "#4c6ef5";
}

/**
 * A cloud of phrases: words sized by mentions and coloured by tone, placed on a spiral from the
 * centre so none overlaps (a fixed layout: the same data draws the same cloud).
 */
function keyphraseCloud(
  phrases: { phrase: string; mentions: number; negative: number; positive: number }[],
  t: TFunction,
): ChartOption {
  const max = Math.max(...phrases.map((p) => p.mentions), 1);
  const placed: { x: number; y: number; w: number; h: number }[] = [];
  const overlaps = (a: (typeof placed)[number]) =>
    placed.some((b) => Math.abs(a.x - b.x) * 2 < a.w + b.w && Math.abs(a.y - b.y) * 2 < a.h + b.h);
  const data = phrases.map((p) => {
    const fontSize = Math.round(11 + 17 * Math.sqrt(p.mentions / max));
    const box = { x: 0, y: 0, w: fontSize * 0.58 * p.phrase.length + 10, h: fontSize + 6 };
    for (let turn = 0; overlaps(box) && turn < 4000; turn += 1) {
      const angle = turn * 0.3;
      box.x = 4 * angle * Math.cos(angle);
      box.y = 2.2 * angle * Math.sin(angle);
    }
    placed.push(box);
    const tone = p.negative > p.positive ? "#c92a2a" : p.positive > p.negative ? "#2b8a3e" : "#3b5bdb";
    return {
      name: p.phrase,
      value: p.mentions,
      negative: p.negative,
      positive: p.positive,
      x: box.x,
      y: box.y,
      symbolSize: 1,
      itemStyle: { color: "rgba(0,0,0,0)" },
      label: { show: true, position: "inside", color: tone, fontSize, fontWeight: 600 },
    };
  });
  return {
    tooltip: {
      confine: true,
      formatter: (params: { data?: { name: string; value: number; negative: number; positive: number } }) =>
        params.data
          ? `<b>${escapeHtml(params.data.name)}</b><br/>${t("dashboard.phraseTooltip", {
              count: params.data.value,
              negative: params.data.negative,
              positive: params.data.positive,
            })}`
          : "",
    },
    series: [
      {
        type: "graph",
        layout: "none",
        roam: false,
        left: 60,
        right: 60,
        top: 16,
        bottom: 16,
        data,
        links: [],
      },
    ],
  };
}
