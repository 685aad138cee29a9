import {
  ActionIcon,
  Badge,
  Button,
  Center,
  Checkbox,
  Group,
  Kbd,
  Modal,
  Popover,
  ScrollArea,
  SegmentedControl,
  Select,
  SimpleGrid,
  Stack,
  Table,
  Tabs,
  Text,
  TextInput,
  Title,
  Tooltip,
} from "@mantine/core";
import { useDebouncedCallback } from "@mantine/hooks";
import {
  IconCheck,
  IconClock,
  IconFlag,
  IconInbox,
  IconKeyboard,
  IconLock,
  IconSearch,
  IconTag,
  IconUserCheck,
  IconWorld,
  IconX,
} from "@tabler/icons-react";
import { useInfiniteQuery, useQuery, useQueryClient } from "@tanstack/react-query";
import { Link, Outlet, useNavigate, useParams, useSearch } from "@tanstack/react-router";
import { type KeyboardEvent, useEffect, useRef, useState } from "react";
import { useTranslation } from "react-i18next";
import {
  channelsQuery,
  inboxConversationsQuery,
  inboxWrites,
  snoozeTime,
  useOwnMemberId,
} from "../../api/inbox.js";
import { departmentsQuery, membersQuery } from "../../api/queries.js";
import type { ConversationSummary } from "../../api/types.js";
import { useMe } from "../../api/useMe.js";
import { CenteredLoader, ErrorAlert } from "../../app/RouteStates.js";
import { dateTime, relativeTime } from "../../lib/format.js";
import { useNow } from "../../lib/useNow.js";
import { usePageTitle } from "../../lib/usePageTitle.js";
import { type InboxSearch, type InboxStatus, inboxStatuses, inboxViews } from "../../router.js";
import { DueBadge, SentimentBadge, StatusBadge } from "./Badges.js";
import { ChannelIcon } from "./ChannelIcon.js";
import { useInboxRealtime } from "./realtime.js";
import { useShortcuts } from "./useShortcuts.js";

/**
 * The unified inbox: saved views, filters and search above the list of conversations, the open one
 * beside it on a desktop (on a phone they take turns). Changes arrive live from the event stream.
 */
export function InboxPage() {
  const { t } = useTranslation();
  const search = useSearch({ from: "/app/inbox" });
  const { conversationId } = useParams({ strict: false });
  const navigate = useNavigate();
  const me = useMe();
  const ownMemberId = useOwnMemberId();
  const canWork = me.role !== null && me.role !== "analyst";
  const list = useInfiniteQuery(inboxConversationsQuery(search));
  const conversations = list.data?.pages.flatMap((page) => page.conversations) ?? [];
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [helpOpen, setHelpOpen] = useState(false);
  useInboxRealtime();
  // The open conversation names the page; the list only when none is open.
  usePageTitle(conversationId ? undefined : t("inbox.title"));

  const setSearch = (change: Partial<InboxSearch>) =>
    navigate({ to: "/inbox", search: { ...search, ...change } });
  const openAt = (offset: number) => {
    if (conversations.length === 0) return;
    const index = conversations.findIndex((c) => c.id === conversationId);
    const next = conversations[Math.max(0, Math.min(conversations.length - 1, index + offset))];
    if (next) navigate({ to: "/inbox/$conversationId", params: { conversationId: next.id }, search });
  };
  useShortcuts({ j: () => openAt(1), k: () => openAt(-1), "?": () => setHelpOpen(true) });

  const toggle = (id: string) =>
    setSelected((current) => {
      const next = new Set(current);
      if (next.has(id)) next.delete(id);
      else next.add(id);
      return next;
    });

  return (
    <div className="inbox" data-selected={conversationId ? "" : undefined}>
      <section className="inbox-list" aria-labelledby="inbox-title">
        <div className="inbox-list-head">
          <Group justify="space-between" px="md" pt="sm" pb={6} wrap="nowrap">
            <Title order={1} size="h4" id="inbox-title">
              {t("inbox.title")}
            </Title>
            <Group gap={6} wrap="nowrap">
              {list.data && (
                <Badge variant="light" color="gray" size="sm" aria-hidden>
                  {conversations.length}
                  {list.hasNextPage ? "+" : ""}
                </Badge>
              )}
              <Tooltip label={t("work.shortcuts.open")} withinPortal>
                <ActionIcon
                  variant="subtle"
                  color="gray"
                  size="sm"
                  aria-label={t("work.shortcuts.open")}
                  onClick={() => setHelpOpen(true)}
                >
                  <IconKeyboard size={16} />
                </ActionIcon>
              </Tooltip>
            </Group>
          </Group>
          <InboxFilters search={search} setSearch={setSearch} />
          <Tabs
            value={search.status}
            onChange={(value) => value && setSearch({ status: value as InboxStatus })}
            className="status-tabs"
          >
            <Tabs.List>
              {inboxStatuses.map((value) => (
                <Tabs.Tab key={value} value={value}>
                  {t(`inbox.status.${value}`)}
                </Tabs.Tab>
              ))}
            </Tabs.List>
          </Tabs>
          {canWork && selected.size > 0 && (
            <BulkBar ids={[...selected]} ownMemberId={ownMemberId} onDone={() => setSelected(new Set())} />
          )}
        </div>
        <ScrollArea className="inbox-list-scroll" type="auto" offsetScrollbars={false}>
          {list.isPending ? (
            <CenteredLoader />
          ) : list.isError ? (
            <div className="pad">
              <ErrorAlert error={list.error} onRetry={() => list.refetch()} />
            </div>
          ) : conversations.length === 0 ? (
            <Center py={48} px="md">
              <Stack align="center" gap={4}>
                <IconInbox size={32} stroke={1.3} color="var(--mantine-color-gray-5)" />
                <Text fw={500}>{t("inbox.empty")}</Text>
                <Text size="sm" c="dimmed" ta="center">
                  {t("inbox.emptyHint")}
                </Text>
              </Stack>
            </Center>
          ) : (
            <>
              <ul className="conversation-list" aria-label={t("inbox.conversations")} onKeyDown={moveFocus}>
                {conversations.map((conversation) => (
                  <ConversationRow
                    key={conversation.id}
                    conversation={conversation}
                    selected={conversation.id === conversationId}
                    showStatus={search.status === "all"}
                    checked={canWork ? selected.has(conversation.id) : undefined}
                    onCheck={() => toggle(conversation.id)}
                  />
                ))}
              </ul>
              {list.hasNextPage && (
                <Center py="sm">
                  <Button
                    variant="subtle"
                    size="xs"
                    onClick={() => list.fetchNextPage()}
                    loading={list.isFetchingNextPage}
                  >
                    {t("app.loadMore")}
                  </Button>
                </Center>
              )}
            </>
          )}
        </ScrollArea>
      </section>
      <section className="inbox-detail">
        <Outlet />
      </section>
      <ShortcutHelp opened={helpOpen} onClose={() => setHelpOpen(false)} />
    </div>
  );
}

/** Saved views (all, mine, unassigned, SLA breached), channel, team and sentiment, search, sort. */
function InboxFilters({
  search,
  setSearch,
}: {
  search: InboxSearch;
  setSearch: (change: Partial<InboxSearch>) => void;
}) {
  const { t } = useTranslation();
  const channels = useQuery(channelsQuery);
  const departments = useQuery(departmentsQuery);
  const [q, setQ] = useState(search.q ?? "");
  const commitQ = useDebouncedCallback((value: string) => setSearch({ q: value.trim() || undefined }), 350);
  useEffect(() => setQ(search.q ?? ""), [search.q]);
  return (
    <Stack gap={6} px="md" pb={6} className="inbox-filters">
      <SegmentedControl
        size="xs"
        fullWidth
        aria-label={t("work.views.label")}
        value={search.view ?? "all"}
        onChange={(value) =>
          setSearch({ view: value === "all" ? undefined : (value as InboxSearch["view"]) })
        }
        data={[
          { value: "all", label: t("work.views.all") },
          ...inboxViews.map((view) => ({ value: view, label: t(`work.views.${view}`) })),
        ]}
      />
      <TextInput
        size="xs"
        leftSection={<IconSearch size={14} />}
        aria-label={t("work.filters.search")}
        placeholder={t("work.filters.searchPlaceholder")}
        value={q}
        onChange={(event) => {
          setQ(event.currentTarget.value);
          commitQ(event.currentTarget.value);
        }}
      />
      <SimpleGrid cols={2} spacing={6} verticalSpacing={6}>
        <Select
          size="xs"
          aria-label={t("work.filters.channel")}
          placeholder={t("work.filters.channel")}
          clearable
          value={search.channelId ?? null}
          onChange={(value) => setSearch({ channelId: value ?? undefined })}
          data={(channels.data ?? []).map((c) => ({ value: c.id, label: c.name }))}
          comboboxProps={{ withinPortal: true }}
        />
        <Select
          size="xs"
          aria-label={t("work.filters.department")}
          placeholder={t("work.filters.department")}
          clearable
          value={search.departmentId ?? null}
          onChange={(value) => setSearch({ departmentId: value ?? undefined })}
          data={(departments.data ?? []).map((d) => ({ value: d.id, label: d.name }))}
        />
        <Select
          size="xs"
          aria-label={t("work.filters.sentiment")}
          placeholder={t("work.filters.sentiment")}
          clearable
          value={search.sentiment ?? null}
          onChange={(value) => setSearch({ sentiment: (value ?? undefined) as InboxSearch["sentiment"] })}
          data={(["negative", "neutral", "positive"] as const).map((s) => ({
            value: s,
            label: t(`inbox.sentiment.${s}`),
          }))}
        />
        <Select
          size="xs"
          aria-label={t("work.filters.sort")}
          value={search.sort ?? "recent"}
          allowDeselect={false}
          onChange={(value) => setSearch({ sort: value === "due" ? "due" : undefined })}
          data={[
            { value: "recent", label: t("work.filters.sortRecent") },
            { value: "due", label: t("work.filters.sortDue") },
          ]}
        />
      </SimpleGrid>
    </Stack>
  );
}

/** Assign to me, resolve, label or snooze the selected conversations at once. */
function BulkBar({
  ids,
  ownMemberId,
  onDone,
}: {
  ids: string[];
  ownMemberId: string | undefined;
  onDone: () => void;
}) {
  const { t } = useTranslation();
  const queryClient = useQueryClient();
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<string>();
  const [label, setLabel] = useState("");
  const run = async (action: Record<string, unknown>) => {
    setBusy(true);
    try {
      const answer = await inboxWrites.bulk(ids, action);
      setResult(t("work.bulk.done", answer));
      onDone();
      await queryClient.invalidateQueries({ queryKey: ["conversations"] });
    } catch (error) {
      setResult(error instanceof Error ? error.message : String(error));
    } finally {
      setBusy(false);
    }
  };
  return (
    <Group
      gap={6}
      px="md"
      py={6}
      className="bulk-bar"
      role="toolbar"
      aria-label={t("work.bulk.label")}
      wrap="wrap"
    >
      <Text size="xs" fw={600}>
        {t("work.selected", { count: ids.length })}
      </Text>
      <Button
        size="compact-xs"
        variant="light"
        leftSection={<IconUserCheck size={13} />}
        disabled={busy || !ownMemberId}
        onClick={() => run({ type: "assign", assigneeMemberId: ownMemberId })}
      >
        {t("work.bulk.assignToMe")}
      </Button>
      <Button
        size="compact-xs"
        variant="light"
        leftSection={<IconCheck size={13} />}
        disabled={busy}
        onClick={() => run({ type: "resolve" })}
      >
        {t("work.bulk.resolve")}
      </Button>
      <Popover withinPortal trapFocus position="bottom-start">
        <Popover.Target>
          <Button size="compact-xs" variant="light" leftSection={<IconTag size={13} />} disabled={busy}>
            {t("work.bulk.addLabel")}
          </Button>
        </Popover.Target>
        <Popover.Dropdown>
          <form
            onSubmit={(event) => {
              event.preventDefault();
              if (label.trim()) void run({ type: "label", add: [label.trim()] });
              setLabel("");
            }}
          >
            <TextInput
              size="xs"
              aria-label={t("work.labels")}
              placeholder={t("work.labelsPlaceholder")}
              value={label}
              onChange={(event) => setLabel(event.currentTarget.value)}
            />
          </form>
        </Popover.Dropdown>
      </Popover>
      <Button
        size="compact-xs"
        variant="light"
        leftSection={<IconClock size={13} />}
        disabled={busy}
        onClick={() => run({ type: "snooze", until: snoozeTime("tomorrow").toISOString() })}
      >
        {t("work.bulk.snooze")}
      </Button>
      <Tooltip label={t("work.clearSelection")} withinPortal>
        <ActionIcon
          size="sm"
          variant="subtle"
          color="gray"
          aria-label={t("work.clearSelection")}
          onClick={onDone}
        >
          <IconX size={14} />
        </ActionIcon>
      </Tooltip>
      {result && (
        <Text size="xs" c="dimmed" role="status">
          {result}
        </Text>
      )}
    </Group>
  );
}

export const shortcutList = [
  ["j", "next"],
  ["k", "previous"],
  ["r", "reply"],
  ["n", "note"],
  ["e", "resolve"],
  ["a", "assign"],
  ["?", "help"],
  ["Ctrl+Enter", "send"],
] as const;

function ShortcutHelp({ opened, onClose }: { opened: boolean; onClose: () => void }) {
  const { t } = useTranslation();
  return (
    <Modal opened={opened} onClose={onClose} title={t("work.shortcuts.title")} size="sm">
      <Table>
        <Table.Tbody>
          {shortcutList.map(([key, action]) => (
            <Table.Tr key={key}>
              <Table.Td w={110}>
                <Kbd>{key}</Kbd>
              </Table.Td>
              <Table.Td>{t(`work.shortcuts.${action}`)}</Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Modal>
  );
}

/** Arrow keys move between conversations; Enter opens the focused one. */
function moveFocus(event: KeyboardEvent<HTMLUListElement>) {
  if (event.key !== "ArrowDown" && event.key !== "ArrowUp") return;
  const links = Array.from(event.currentTarget.querySelectorAll<HTMLAnchorElement>("a.conversation-link"));
  const index = links.indexOf(document.activeElement as HTMLAnchorElement);
  if (index < 0) return;
  event.preventDefault();
  const next = Math.max(0, Math.min(links.length - 1, index + (event.key === "ArrowDown" ? 1 : -1)));
  links[next]?.focus();
}

function ConversationRow({
  conversation,
  selected,
  showStatus,
  checked,
  onCheck,
}: {
  conversation: ConversationSummary;
  selected: boolean;
  showStatus: boolean;
  /** Undefined: the person cannot work conversations, so there is nothing to select. */
  checked: boolean | undefined;
  onCheck: () => void;
}) {
  const { t, i18n } = useTranslation();
  const now = useNow(30_000);
  const search = useSearch({ from: "/app/inbox" });
  const members = useQuery(membersQuery);
  const locale = i18n.resolvedLanguage ?? "en";
  const name = conversation.contact?.displayName ?? t("inbox.unknownContact");
  const last = new Date(conversation.lastMessageAt);
  const assignee = members.data?.find((m) => m.id === conversation.assigneeMemberId);
  const row = useRef<HTMLLIElement>(null);
  const running = conversation.status === "open" || conversation.status === "pending";
  // A conversation opened by its address is shown in the list too.
  useEffect(() => {
    if (selected) row.current?.scrollIntoView({ block: "nearest" });
  }, [selected]);
  return (
    <li
      ref={row}
      className="conversation-row"
      data-selected={selected || undefined}
      data-status={conversation.status}
      data-id={conversation.id}
    >
      {checked !== undefined && (
        <Checkbox
          size="xs"
          className="conversation-check"
          checked={checked}
          onChange={onCheck}
          aria-label={t("work.select", { name })}
        />
      )}
      <Link
        to="/inbox/$conversationId"
        params={{ conversationId: conversation.id }}
        search={search}
        className="conversation-link"
        aria-current={selected ? "true" : undefined}
      >
        <ChannelIcon type={conversation.channel.type} name={conversation.channel.name} />
        <div className="conversation-text">
          <div className="conversation-line">
            <Text size="sm" fw={600} className="truncate" component="span">
              {name}
            </Text>
            <time dateTime={last.toISOString()} title={dateTime(last, locale)} className="conversation-time">
              {relativeTime(last, locale, now)}
            </time>
          </div>
          <Text size="sm" c="gray.8" className="truncate" component="div">
            {conversation.subject || t("inbox.noSubject")}
          </Text>
          <div className="conversation-meta">
            {conversation.priority > 0 && (
              <Tooltip label={t("inbox.priority", { value: conversation.priority })} withinPortal>
                <span
                  className="priority-flag"
                  role="img"
                  aria-label={t("inbox.priority", { value: conversation.priority })}
                >
                  <IconFlag size={13} stroke={2.2} />
                </span>
              </Tooltip>
            )}
            {showStatus && <StatusBadge status={conversation.status} />}
            {running && <DueBadge dueAt={conversation.dueAt} now={now} locale={locale} />}
            <SentimentBadge sentiment={conversation.sentiment} />
            <span className="meta-text">
              {conversation.isPublic ? (
                <IconWorld size={12} aria-label={t("inbox.public")} />
              ) : (
                <IconLock size={12} aria-label={t("inbox.private")} />
              )}
              <span className="truncate">{conversation.channel.name}</span>
            </span>
            {assignee && (
              <span className="meta-text conversation-assignee">
                <IconUserCheck size={12} aria-hidden />
                <span className="truncate">{assignee.name}</span>
              </span>
            )}
            {conversation.labels.map((label) => (
              <Badge
                key={label}
                size="xs"
                variant="outline"
                color="gray"
                radius="sm"
                className="compact-badge"
              >
                {label}
              </Badge>
            ))}
            {conversation.language && (
              <span className="meta-lang">{conversation.language.toUpperCase()}</span>
            )}
          </div>
        </div>
      </Link>
    </li>
  );
}
