import { Badge, Button, Center, Group, Menu, Select, Stack, Switch, Text, TextInput } from "@mantine/core";
import { IconDownload, IconMessageCircleSearch, IconSearch } from "@tabler/icons-react";
import { useInfiniteQuery, useQuery } from "@tanstack/react-query";
import { useNavigate, useSearch } from "@tanstack/react-router";
import { type FormEvent, useEffect, useMemo, useRef, useState } from "react";
import { useTranslation } from "react-i18next";
import { api } from "../../api/client.js";
import {
  aspectsQuery,
  listeningQueriesQuery,
  mentionExportUrl,
  mentionsQuery,
  networks,
  newestMentions,
  sentiments,
} from "../../api/listening.js";
import { useRealtime } from "../../api/realtime.js";
import type { Mention } from "../../api/types.js";
import { useMe } from "../../api/useMe.js";
import { PageHeader } from "../../app/Page.js";
import { CenteredLoader, ErrorAlert } from "../../app/RouteStates.js";
import { useNow } from "../../lib/useNow.js";
import { usePageTitle } from "../../lib/usePageTitle.js";
import { MentionCard } from "./MentionCard.js";
import { type MentionSearch, mentionFilterOf } from "./mentionSearch.js";
import { rangeDates, timeRanges } from "./timeRange.js";

const languages = ["de", "en", "fr", "it", "es", "nl", "pl", "tr"];

/**
 * The mention stream: full-text search with filters, cursor pages, and new mentions coming in live
 * as the pipeline stores them.
 */
export function MentionsPage() {
  const { t } = useTranslation();
  const me = useMe();
  const now = useNow(30_000);
  usePageTitle(t("mentions.title"));
  const search = useSearch({ from: "/app/listening/mentions" });
  const navigate = useNavigate({ from: "/listening/mentions" });
  // biome-ignore lint/correctness/useExhaustiveDependencies: the filter changes when the search does.
  const filter = useMemo(() => mentionFilterOf(search), [JSON.stringify(search)]);
  const filterKey = JSON.stringify(filter);
  const list = useInfiniteQuery(mentionsQuery(filter));
  const queries = useQuery(listeningQueriesQuery);
  const queryMap = useMemo(() => new Map((queries.data ?? []).map((q) => [q.id, q])), [queries.data]);
  const aspectRange = useMemo(() => rangeDates("28d"), []);
  const aspects = useQuery(aspectsQuery(aspectRange));
  const count = useQuery({
    queryKey: ["mention-count", filter],
    queryFn: ({ signal }) =>
      api<{ count: number }>("/api/v1/mentions/count", { query: { ...filter }, signal }),
  });

  // Mentions that arrived while the page was open, newest first, above the loaded pages.
  const [live, setLive] = useState(true);
  const [fresh, setFresh] = useState<Mention[]>([]);
  // biome-ignore lint/correctness/useExhaustiveDependencies: a new filter starts a new stream.
  useEffect(() => setFresh([]), [filterKey]);
  const pending = useRef<ReturnType<typeof setTimeout>>(undefined);
  const known = useRef(new Set<string>());
  const loaded = list.data?.pages.flatMap((page) => page.mentions) ?? [];
  known.current = new Set([...fresh, ...loaded].map((m) => m.id));
  useRealtime(
    "mentions.created",
    () => {
      // Bursts (a storm, an import) become one request a second.
      if (pending.current) return;
      pending.current = setTimeout(async () => {
        pending.current = undefined;
        try {
          const page = await newestMentions(filter);
          const arrived = page.mentions.filter((m) => !known.current.has(m.id));
          if (arrived.length > 0) {
            setFresh((previous) => [...arrived, ...previous].slice(0, 200));
            void count.refetch();
          }
        } catch {
          // The next event tries again.
        }
      }, 1000);
    },
    live && !list.isPending,
  );
  useEffect(() => () => clearTimeout(pending.current), []);
  const freshIds = new Set(fresh.map((m) => m.id));
  const mentions = [...fresh, ...loaded.filter((m) => !freshIds.has(m.id))];

  const setSearch = (change: Partial<MentionSearch>) =>
    navigate({ search: (previous) => ({ ...previous, ...change }), replace: true });
  const [text, setText] = useState(search.q ?? "");
  useEffect(() => setText(search.q ?? ""), [search.q]);
  const submitText = (event: FormEvent) => {
    event.preventDefault();
    setSearch({ q: text.trim() || undefined });
  };
  const yesNo = [
    { value: "true", label: t("mentions.yes") },
    { value: "false", label: t("mentions.no") },
  ];
  const flagValue = (value: boolean | undefined) => (value === undefined ? null : String(value));
  const flagOf = (value: string | null) => (value === null ? undefined : value === "true");

  return (
    <Stack gap="md">
      <PageHeader
        title={t("mentions.title")}
        description={t("mentions.description")}
        actions={
          <Group gap="sm">
            <Switch
              checked={live}
              onChange={(event) => setLive(event.currentTarget.checked)}
              label={
                <Group gap={6} component="span">
                  {live && <span className="live-dot" aria-hidden />}
                  {t("mentions.live")}
                </Group>
              }
            />
            <Menu position="bottom-end" withinPortal>
              <Menu.Target>
                <Button size="sm" variant="default" leftSection={<IconDownload size={16} />}>
                  {t("mentions.export")}
                </Button>
              </Menu.Target>
              <Menu.Dropdown>
                <Menu.Label>{t("mentions.exportHint", { count: count.data?.count ?? 0 })}</Menu.Label>
                <Menu.Item component="a" href={mentionExportUrl(filter, "csv")} download>
                  {t("mentions.exportCsv")}
                </Menu.Item>
                <Menu.Item component="a" href={mentionExportUrl(filter, "jsonl")} download>
                  {t("mentions.exportJsonl")}
                </Menu.Item>
              </Menu.Dropdown>
            </Menu>
          </Group>
        }
      />
      <search aria-label={t("mentions.filters")}>
        <form onSubmit={submitText}>
          <Stack gap="xs">
            <Group gap="xs" wrap="nowrap">
              <TextInput
                style={{ flex: 1 }}
                leftSection={<IconSearch size={16} />}
                placeholder={t("mentions.searchPlaceholder")}
                aria-label={t("mentions.search")}
                value={text}
                onChange={(event) => setText(event.currentTarget.value)}
                maxLength={500}
              />
              <Button type="submit" variant="light">
                {t("mentions.searchButton")}
              </Button>
            </Group>
            <Group gap="xs" wrap="wrap" className="filter-row">
              <Select
                size="xs"
                w={150}
                aria-label={t("filters.timeRange")}
                placeholder={t("filters.allTime")}
                clearable
                value={search.range ?? null}
                onChange={(value) => setSearch({ range: (value as MentionSearch["range"]) ?? undefined })}
                data={timeRanges.map((range) => ({ value: range, label: t(`filters.ranges.${range}`) }))}
              />
              <Select
                size="xs"
                w={180}
                aria-label={t("filters.query")}
                placeholder={t("filters.allQueries")}
                clearable
                value={search.queryId ?? null}
                onChange={(value) => setSearch({ queryId: value ?? undefined })}
                data={(queries.data ?? []).map((q) => ({ value: q.id, label: q.name }))}
              />
              <Select
                size="xs"
                w={150}
                aria-label={t("filters.channel")}
                placeholder={t("filters.allChannels")}
                clearable
                value={search.network ?? null}
                onChange={(value) => setSearch({ network: (value as MentionSearch["network"]) ?? undefined })}
                data={networks.map((network) => ({ value: network, label: t(`channels.${network}`) }))}
              />
              <Select
                size="xs"
                w={150}
                aria-label={t("filters.sentiment")}
                placeholder={t("filters.anySentiment")}
                clearable
                value={search.sentiment ?? null}
                onChange={(value) =>
                  setSearch({ sentiment: (value as MentionSearch["sentiment"]) ?? undefined })
                }
                data={sentiments.map((s) => ({ value: s, label: t(`inbox.sentiment.${s}`) }))}
              />
              <Select
                size="xs"
                w={160}
                aria-label={t("filters.aspect")}
                placeholder={t("filters.anyAspect")}
                clearable
                searchable
                value={search.aspect ?? null}
                onChange={(value) => setSearch({ aspect: value ?? undefined })}
                data={[
                  ...new Set([
                    ...(aspects.data ?? []).map((a) => a.aspect),
                    ...(search.aspect ? [search.aspect] : []),
                  ]),
                ]}
              />
              <Select
                size="xs"
                w={140}
                aria-label={t("filters.language")}
                placeholder={t("filters.anyLanguage")}
                clearable
                value={search.language ?? null}
                onChange={(value) => setSearch({ language: value ?? undefined })}
                data={languages.map((code) => ({ value: code, label: code.toUpperCase() }))}
              />
              {(["offensive", "relevant", "hasPii"] as const).map((name) => (
                <Select
                  key={name}
                  size="xs"
                  w={150}
                  aria-label={t(`filters.${name}`)}
                  placeholder={t(`filters.${name}`)}
                  clearable
                  value={flagValue(search[name])}
                  onChange={(value) => setSearch({ [name]: flagOf(value) })}
                  data={yesNo.map((option) => ({
                    ...option,
                    label: `${t(`filters.${name}`)}: ${option.label}`,
                  }))}
                />
              ))}
            </Group>
          </Stack>
        </form>
      </search>
      <Group gap="xs">
        <Text size="sm" c="dimmed" aria-live="polite">
          {count.data ? t("mentions.count", { count: count.data.count }) : "\u00a0"}
        </Text>
        {fresh.length > 0 && (
          <Badge variant="light" color="indigo" size="sm">
            {t("mentions.arrived", { count: fresh.length })}
          </Badge>
        )}
      </Group>
      {list.isPending ? (
        <CenteredLoader />
      ) : list.isError ? (
        <ErrorAlert error={list.error} onRetry={() => list.refetch()} />
      ) : mentions.length === 0 ? (
        <Center py={48}>
          <Stack align="center" gap={4}>
            <IconMessageCircleSearch size={32} stroke={1.3} color="var(--mantine-color-gray-5)" />
            <Text fw={500}>{t("mentions.empty")}</Text>
            <Text size="sm" c="dimmed">
              {t("mentions.emptyHint")}
            </Text>
          </Stack>
        </Center>
      ) : (
        <>
          <ul className="mention-list" aria-label={t("mentions.list")}>
            {mentions.map((mention) => (
              <MentionCard
                key={mention.id}
                mention={mention}
                queries={queryMap}
                canWrite={me.canWrite}
                fresh={freshIds.has(mention.id)}
                now={now}
              />
            ))}
          </ul>
          {list.hasNextPage && (
            <Center>
              <Button
                variant="default"
                onClick={() => list.fetchNextPage()}
                loading={list.isFetchingNextPage}
              >
                {t("app.loadMore")}
              </Button>
            </Center>
          )}
        </>
      )}
    </Stack>
  );
}
