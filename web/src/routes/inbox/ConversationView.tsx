import { Anchor, Avatar, Button, Center, Group, Stack, Text, Title, Tooltip } from "@mantine/core";
import {
  IconArrowLeft,
  IconFlag,
  IconLock,
  IconMessages,
  IconNote,
  IconPaperclip,
  IconRefresh,
  IconWorld,
} from "@tabler/icons-react";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useParams, useSearch } from "@tanstack/react-router";
import { useEffect, useRef, useState } from "react";
import { useTranslation } from "react-i18next";
import { inboxWrites, useOwnMemberId } from "../../api/inbox.js";
import { conversationQuery } from "../../api/queries.js";
import type { ConversationDetail, Message } from "../../api/types.js";
import { useMe } from "../../api/useMe.js";
import { initials } from "../../app/HeaderControls.js";
import { ActionIconLink, AnchorLink } from "../../app/links.js";
import { CenteredLoader, ErrorAlert } from "../../app/RouteStates.js";
import { dateTime, languageName, relativeTime } from "../../lib/format.js";
import { useNow } from "../../lib/useNow.js";
import { usePageTitle } from "../../lib/usePageTitle.js";
import { DeliveryBadge, DueBadge, SentimentBadge, StatusBadge } from "./Badges.js";
import { ChannelIcon } from "./ChannelIcon.js";
import {
  Composer,
  type ComposerMode,
  PersonalDataNotice,
  PresenceLine,
  WorkBar,
} from "./ConversationWork.js";
import { useShortcuts } from "./useShortcuts.js";

/** The empty detail pane on a desktop before a conversation is chosen. */
export function NoConversation() {
  const { t } = useTranslation();
  return (
    <Center h="100%" p="xl">
      <Stack align="center" gap={6}>
        <IconMessages size={40} stroke={1.2} color="var(--mantine-color-gray-4)" />
        <Text c="dimmed" size="sm">
          {t("inbox.selectPrompt")}
        </Text>
      </Stack>
    </Center>
  );
}

/** One conversation: who, where, how they feel, and the messages in order. */
export function ConversationView() {
  const { conversationId } = useParams({ from: "/app/inbox/$conversationId" });
  const conversation = useQuery(conversationQuery(conversationId));
  if (conversation.isPending) return <CenteredLoader />;
  if (conversation.isError) {
    return (
      <div className="pad">
        <BackToList />
        <ErrorAlert error={conversation.error} onRetry={() => conversation.refetch()} />
      </div>
    );
  }
  return <ConversationContent conversation={conversation.data} />;
}

function BackToList() {
  const { t } = useTranslation();
  const search = useSearch({ from: "/app/inbox" });
  return (
    <Tooltip label={t("inbox.back")} withinPortal>
      <ActionIconLink
        to="/inbox"
        search={search}
        variant="subtle"
        color="gray"
        className="back-to-list"
        aria-label={t("inbox.back")}
      >
        <IconArrowLeft size={18} />
      </ActionIconLink>
    </Tooltip>
  );
}

function ConversationContent({ conversation }: { conversation: ConversationDetail }) {
  const { t, i18n } = useTranslation();
  const locale = i18n.resolvedLanguage ?? "en";
  const contactName = conversation.contact?.displayName ?? t("inbox.unknownContact");
  const contactId = conversation.contact?.id;
  usePageTitle(conversation.subject || t("inbox.noSubject"));
  const me = useMe();
  const ownMemberId = useOwnMemberId();
  const queryClient = useQueryClient();
  const canWork = me.role !== null && me.role !== "analyst";
  const [mode, setMode] = useState<ComposerMode>("reply");
  const [assignOpen, setAssignOpen] = useState(false);
  const editor = useRef<HTMLTextAreaElement>(null);
  const now = useNow(30_000);
  const focusComposer = (next: ComposerMode) => {
    setMode(next);
    requestAnimationFrame(() => editor.current?.focus());
  };
  const resolve = async () => {
    await inboxWrites.status(conversation.id, { status: "resolved" });
    await queryClient.invalidateQueries({ queryKey: ["conversation", conversation.id] });
    await queryClient.invalidateQueries({ queryKey: ["conversations"] });
  };
  useShortcuts(
    canWork
      ? {
          r: () => focusComposer("reply"),
          n: () => focusComposer("note"),
          e: () => void resolve(),
          a: () => setAssignOpen(true),
        }
      : {},
  );
  // Colleagues see who has this conversation open; repeated while it stays open.
  useEffect(() => {
    if (!canWork) return;
    const ping = () => void inboxWrites.presence(conversation.id, "viewing").catch(() => undefined);
    ping();
    const timer = setInterval(ping, 10_000);
    return () => clearInterval(timer);
  }, [conversation.id, canWork]);
  const running = conversation.status === "open" || conversation.status === "pending";
  return (
    <article className="conversation" aria-labelledby="conversation-title">
      <header className="conversation-head">
        <Group gap="sm" wrap="nowrap" align="flex-start">
          <BackToList />
          <ChannelIcon type={conversation.channel.type} name={conversation.channel.name} size={36} />
          <Stack gap={4} style={{ minWidth: 0, flex: 1 }}>
            <Title order={2} size="h4" id="conversation-title" className="conversation-subject">
              {conversation.subject || t("inbox.noSubject")}
            </Title>
            <Group gap={6} wrap="nowrap" className="conversation-who">
              {contactId ? (
                <AnchorLink
                  to="/contacts/$contactId"
                  params={{ contactId }}
                  size="sm"
                  fw={600}
                  className="truncate"
                >
                  {contactName}
                </AnchorLink>
              ) : (
                <Text size="sm" fw={600} className="truncate">
                  {contactName}
                </Text>
              )}
              <Text
                size="sm"
                c="dimmed"
                className="truncate"
                title={t(`channels.${conversation.channel.type}`)}
              >
                · {conversation.channel.name}
              </Text>
            </Group>
            <Group gap={6} wrap="wrap">
              <StatusBadge status={conversation.status} />
              <SentimentBadge sentiment={conversation.sentiment} />
              <span className="meta-text">
                {conversation.isPublic ? <IconWorld size={12} /> : <IconLock size={12} />}
                {conversation.isPublic ? t("inbox.public") : t("inbox.private")}
              </span>
              {conversation.language && (
                <span className="meta-text">{languageName(conversation.language, locale)}</span>
              )}
              {conversation.priority > 0 && (
                <span className="meta-text priority-text">
                  <IconFlag size={12} />
                  {t("inbox.priority", { value: conversation.priority })}
                </span>
              )}
              {running && <DueBadge dueAt={conversation.dueAt} now={now} locale={locale} />}
              {conversation.breaches.length > 0 && (
                <span className="meta-text breach-text">{t("work.due.breached")}</span>
              )}
            </Group>
          </Stack>
        </Group>
        <WorkBar
          conversation={conversation}
          canWork={canWork}
          ownMemberId={ownMemberId}
          assignOpen={assignOpen}
          setAssignOpen={setAssignOpen}
        />
        <PresenceLine conversationId={conversation.id} ownMemberId={ownMemberId} />
      </header>
      <PersonalDataNotice conversation={conversation} canWork={canWork} />
      <section className="message-thread" aria-label={t("inbox.messages")}>
        {conversation.messages.length === 0 ? (
          <Text c="dimmed" size="sm" ta="center" py="xl">
            {t("inbox.noMessages")}
          </Text>
        ) : (
          <ol className="messages">
            {conversation.messages.map((message) => (
              <MessageItem
                key={message.id}
                message={message}
                conversationId={conversation.id}
                canWork={canWork}
              />
            ))}
          </ol>
        )}
      </section>
      {canWork && <Composer conversation={conversation} mode={mode} setMode={setMode} editor={editor} />}
    </article>
  );
}

function MessageItem({
  message,
  conversationId,
  canWork,
}: {
  message: Message;
  conversationId: string;
  canWork: boolean;
}) {
  const { t, i18n } = useTranslation();
  const now = useNow();
  const locale = i18n.resolvedLanguage ?? "en";
  const sent = new Date(message.sentAt);
  return (
    <li className="message" data-direction={message.direction}>
      <Avatar
        size={28}
        radius="xl"
        color={message.direction === "incoming" ? "gray" : "indigo"}
        variant="light"
      >
        {message.direction === "note" ? <IconNote size={15} /> : initials(message.authorName)}
      </Avatar>
      <div className="message-bubble">
        <div className="message-head">
          <Text size="xs" fw={600} component="span">
            {message.authorName}
          </Text>
          {message.direction === "note" && (
            <Text size="xs" c="yellow.9" component="span" fw={500}>
              {t("inbox.note")}
            </Text>
          )}
          <time dateTime={sent.toISOString()} title={dateTime(sent, locale)} className="message-time">
            {relativeTime(sent, locale, now)}
          </time>
          <DeliveryBadge state={message.deliveryState} />
        </div>
        {/* Plain text from customers: rendered as text, never as HTML. */}
        <div className="message-body">{message.body}</div>
        {message.attachments.length > 0 && (
          <ul className="message-attachments" aria-label={t("inbox.attachments")}>
            {message.attachments.map((file) => (
              <li key={file.id}>
                <IconPaperclip size={13} aria-hidden />
                {file.skippedReason ? (
                  <Text size="xs" component="span" c="dimmed">
                    {t("inbox.attachmentNotKept", { name: file.fileName, reason: file.skippedReason })}
                  </Text>
                ) : (
                  <Anchor
                    size="xs"
                    href={`/api/v1/conversations/${conversationId}/attachments/${file.id}`}
                    download={file.fileName}
                  >
                    {file.fileName} ({fileSize(file.sizeBytes, locale)})
                  </Anchor>
                )}
              </li>
            ))}
          </ul>
        )}
        {message.direction === "outgoing" && message.deliveryError && message.deliveryState !== "sent" && (
          <DeliveryProblem message={message} conversationId={conversationId} canWork={canWork} />
        )}
      </div>
    </li>
  );
}

function fileSize(bytes: number, locale: string): string {
  const format = (n: number) => n.toLocaleString(locale, { maximumFractionDigits: 1 });
  return bytes >= 1024 * 1024
    ? `${format(bytes / (1024 * 1024))} MB`
    : `${format(Math.max(1, bytes / 1024))} KB`;
}

/** Why a reply has not reached the network (its own words), and — once it failed — a way to send it again. */
function DeliveryProblem({
  message,
  conversationId,
  canWork,
}: {
  message: Message;
  conversationId: string;
  canWork: boolean;
}) {
  const { t } = useTranslation();
  const queryClient = useQueryClient();
  const resend = useMutation({
    mutationFn: () => inboxWrites.resend(conversationId, message.id),
    onSettled: () => queryClient.invalidateQueries({ queryKey: ["conversation", conversationId] }),
  });
  const failed = message.deliveryState === "failed";
  return (
    <div className="delivery-problem" data-state={message.deliveryState ?? undefined}>
      <Text size="xs" c={failed ? "red.8" : "orange.8"} className="delivery-reason">
        {failed
          ? t("work.delivery.failedReason", { reason: message.deliveryError })
          : t("work.delivery.retrying", { reason: message.deliveryError })}
      </Text>
      {failed && canWork && (
        <Button
          size="compact-xs"
          variant="light"
          color="red"
          leftSection={<IconRefresh size={12} />}
          loading={resend.isPending}
          onClick={() => resend.mutate()}
        >
          {t("work.delivery.resend")}
        </Button>
      )}
      {resend.error && <ErrorAlert error={resend.error} />}
    </div>
  );
}
