import { Badge, Button, Center, Group, ScrollArea, Stack, Tabs, Text, Title, Tooltip } from "@mantine/core";
import { IconFlag, IconInbox, IconLock, IconWorld } from "@tabler/icons-react";
import { useInfiniteQuery } from "@tanstack/react-query";
import { Link, Outlet, useNavigate, useParams, useSearch } from "@tanstack/react-router";
import { type KeyboardEvent, useEffect, useRef } from "react";
import { useTranslation } from "react-i18next";
import { conversationsQuery } from "../../api/queries.js";
import type { ConversationSummary } from "../../api/types.js";
import { CenteredLoader, ErrorAlert } from "../../app/RouteStates.js";
import { dateTime, relativeTime } from "../../lib/format.js";
import { useNow } from "../../lib/useNow.js";
import { usePageTitle } from "../../lib/usePageTitle.js";
import { type InboxStatus, inboxStatuses } from "../../router.js";
import { SentimentBadge, StatusBadge } from "./Badges.js";
import { ChannelIcon } from "./ChannelIcon.js";

/**
 * The unified inbox: the list of conversations beside the open one on a desktop; on a phone the
 * list and the conversation take turns on the screen.
 */
export function InboxPage() {
  const { t } = useTranslation();
  const { status } = useSearch({ from: "/app/inbox" });
  const { conversationId } = useParams({ strict: false });
  const navigate = useNavigate();
  const list = useInfiniteQuery(conversationsQuery(status));
  const conversations = list.data?.pages.flatMap((page) => page.conversations) ?? [];
  // The open conversation names the page; the list only when none is open.
  usePageTitle(conversationId ? undefined : t("inbox.title"));

  return (
    <div className="inbox" data-selected={conversationId ? "" : undefined}>
      <section className="inbox-list" aria-labelledby="inbox-title">
        <div className="inbox-list-head">
          <Group justify="space-between" px="md" pt="sm" pb={6} wrap="nowrap">
            <Title order={1} size="h4" id="inbox-title">
              {t("inbox.title")}
            </Title>
            {list.data && (
              <Badge variant="light" color="gray" size="sm" aria-hidden>
                {conversations.length}
                {list.hasNextPage ? "+" : ""}
              </Badge>
            )}
          </Group>
          <Tabs
            value={status}
            onChange={(value) =>
              value && navigate({ to: "/inbox", search: { status: value as InboxStatus } })
            }
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
                    showStatus={status === "all"}
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
    </div>
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
}: {
  conversation: ConversationSummary;
  selected: boolean;
  showStatus: boolean;
}) {
  const { t, i18n } = useTranslation();
  const now = useNow();
  const { status } = useSearch({ from: "/app/inbox" });
  const locale = i18n.resolvedLanguage ?? "en";
  const name = conversation.contact?.displayName ?? t("inbox.unknownContact");
  const last = new Date(conversation.lastMessageAt);
  const row = useRef<HTMLLIElement>(null);
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
    >
      <Link
        to="/inbox/$conversationId"
        params={{ conversationId: conversation.id }}
        search={{ status }}
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
            <SentimentBadge sentiment={conversation.sentiment} />
            <span className="meta-text">
              {conversation.isPublic ? (
                <IconWorld size={12} aria-label={t("inbox.public")} />
              ) : (
                <IconLock size={12} aria-label={t("inbox.private")} />
              )}
              <span className="truncate">{conversation.channel.name}</span>
            </span>
            {conversation.language && (
              <span className="meta-lang">{conversation.language.toUpperCase()}</span>
            )}
          </div>
        </div>
      </Link>
    </li>
  );
}
