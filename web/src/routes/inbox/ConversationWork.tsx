import {
  Alert,
  Button,
  Group,
  Menu,
  Popover,
  SegmentedControl,
  Select,
  Stack,
  TagsInput,
  Text,
  Textarea,
} from "@mantine/core";
import { useDebouncedValue } from "@mantine/hooks";
import {
  IconCheck,
  IconChevronDown,
  IconClock,
  IconEye,
  IconLock,
  IconPencil,
  IconRefresh,
  IconSend,
  IconShieldExclamation,
  IconUserCheck,
} from "@tabler/icons-react";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useNavigate, useSearch } from "@tanstack/react-router";
import { type KeyboardEvent, type RefObject, useEffect, useRef, useState } from "react";
import { useTranslation } from "react-i18next";
import {
  type CannedResponse,
  cannedResponsesQuery,
  channelsQuery,
  inboxWrites,
  snoozeTime,
} from "../../api/inbox.js";
import { departmentsQuery, membersQuery } from "../../api/queries.js";
import type { ConversationDetail } from "../../api/types.js";
import { dateTime } from "../../lib/format.js";
import { ForwardButton } from "../insights/ForwardDialog.js";
import { usePresence } from "./realtime.js";

/**
 * The work on an open conversation: assignment, status, snooze, priority and labels; colleagues'
 * presence; the personal-data warning; and the composer for replies and notes.
 */
export type ComposerMode = "reply" | "note";

function useRefresh(conversationId: string) {
  const queryClient = useQueryClient();
  return async () => {
    await Promise.all([
      queryClient.invalidateQueries({ queryKey: ["conversation", conversationId] }),
      queryClient.invalidateQueries({ queryKey: ["conversations"] }),
    ]);
  };
}

export function WorkBar({
  conversation,
  canWork,
  ownMemberId,
  assignOpen,
  setAssignOpen,
}: {
  conversation: ConversationDetail;
  canWork: boolean;
  ownMemberId: string | undefined;
  assignOpen: boolean;
  setAssignOpen: (open: boolean) => void;
}) {
  const { t, i18n } = useTranslation();
  const locale = i18n.resolvedLanguage ?? "en";
  const members = useQuery(membersQuery);
  const departments = useQuery(departmentsQuery);
  const refresh = useRefresh(conversation.id);
  const [error, setError] = useState<string>();
  const run = async (write: () => Promise<unknown>) => {
    setError(undefined);
    try {
      await write();
      await refresh();
    } catch (failure) {
      setError(failure instanceof Error ? failure.message : String(failure));
    }
  };
  const assignee = members.data?.find((m) => m.id === conversation.assigneeMemberId);
  const team = departments.data?.find((d) => d.id === conversation.departmentId);
  const assigneeText = assignee ? t("work.assignedTo", { name: assignee.name }) : t("work.unassigned");
  if (!canWork) {
    return (
      <Stack gap={2} mt={8}>
        <Text size="xs" c="dimmed" className="conversation-assignee-text">
          {assigneeText}
          {team ? ` · ${team.name}` : ""}
        </Text>
        <Text size="xs" c="dimmed">
          {t("work.readOnly")}
        </Text>
      </Stack>
    );
  }
  const snooze = (kind: "hour" | "tomorrow" | "nextWeek") =>
    run(() =>
      inboxWrites.status(conversation.id, {
        status: "snoozed",
        snoozedUntil: snoozeTime(kind).toISOString(),
      }),
    );
  const closed = conversation.status === "resolved" || conversation.status === "snoozed";
  return (
    <Stack gap={6} mt={8}>
      <Group gap={6} wrap="wrap" role="toolbar" aria-label={t("work.actions")}>
        {canWork && <ForwardButton conversationId={conversation.id} />}
        <Menu opened={assignOpen} onChange={setAssignOpen} position="bottom-start" withinPortal>
          <Menu.Target>
            <Button
              size="compact-sm"
              variant="default"
              leftSection={<IconUserCheck size={14} />}
              rightSection={<IconChevronDown size={12} />}
              aria-label={`${t("work.assign")}: ${assigneeText}`}
            >
              <span className="conversation-assignee-text">
                {assignee ? assignee.name : t("work.unassigned")}
                {team ? ` · ${team.name}` : ""}
              </span>
            </Button>
          </Menu.Target>
          <Menu.Dropdown mah={360} style={{ overflowY: "auto" }}>
            <Menu.Item
              disabled={!ownMemberId}
              onClick={() =>
                run(() => inboxWrites.assign(conversation.id, { assigneeMemberId: ownMemberId }))
              }
            >
              {t("work.assignToMe")}
            </Menu.Item>
            <Menu.Item
              disabled={!conversation.assigneeMemberId}
              onClick={() => run(() => inboxWrites.assign(conversation.id, { assigneeMemberId: null }))}
            >
              {t("work.unassign")}
            </Menu.Item>
            <Menu.Divider />
            <Menu.Label>{t("work.assignTo")}</Menu.Label>
            {(members.data ?? [])
              .filter((m) => m.role !== "analyst" && m.id !== ownMemberId)
              .map((m) => (
                <Menu.Item
                  key={m.id}
                  onClick={() => run(() => inboxWrites.assign(conversation.id, { assigneeMemberId: m.id }))}
                >
                  {m.name}
                </Menu.Item>
              ))}
            <Menu.Divider />
            <Menu.Label>{t("work.team")}</Menu.Label>
            {(departments.data ?? []).map((d) => (
              <Menu.Item
                key={d.id}
                onClick={() => run(() => inboxWrites.assign(conversation.id, { departmentId: d.id }))}
              >
                {d.name}
              </Menu.Item>
            ))}
            <Menu.Item
              disabled={!conversation.departmentId}
              onClick={() => run(() => inboxWrites.assign(conversation.id, { departmentId: null }))}
            >
              {t("work.noTeam")}
            </Menu.Item>
          </Menu.Dropdown>
        </Menu>
        {closed ? (
          <Button
            size="compact-sm"
            variant="light"
            leftSection={<IconRefresh size={14} />}
            onClick={() => run(() => inboxWrites.status(conversation.id, { status: "open" }))}
          >
            {t("work.reopen")}
          </Button>
        ) : (
          <Button
            size="compact-sm"
            variant="light"
            color="teal"
            leftSection={<IconCheck size={14} />}
            onClick={() => run(() => inboxWrites.status(conversation.id, { status: "resolved" }))}
          >
            {t("work.resolve")}
          </Button>
        )}
        <Menu position="bottom-start" withinPortal>
          <Menu.Target>
            <Button size="compact-sm" variant="default" leftSection={<IconClock size={14} />}>
              {t("work.snooze")}
            </Button>
          </Menu.Target>
          <Menu.Dropdown>
            <Menu.Item onClick={() => snooze("hour")}>{t("work.snoozeOneHour")}</Menu.Item>
            <Menu.Item onClick={() => snooze("tomorrow")}>{t("work.snoozeTomorrow")}</Menu.Item>
            <Menu.Item onClick={() => snooze("nextWeek")}>{t("work.snoozeNextWeek")}</Menu.Item>
          </Menu.Dropdown>
        </Menu>
        <Select
          size="xs"
          w={120}
          aria-label={t("work.priority")}
          value={String(conversation.priority)}
          allowDeselect={false}
          onChange={(value) => value && run(() => inboxWrites.priority(conversation.id, Number(value)))}
          data={(["0", "1", "2", "3"] as const).map((p) => ({ value: p, label: t(`work.priorities.${p}`) }))}
        />
        <TagsInput
          size="xs"
          style={{ flex: 1, minWidth: 160 }}
          aria-label={t("work.labels")}
          placeholder={t("work.labelsPlaceholder")}
          value={conversation.labels}
          onChange={(labels) => run(() => inboxWrites.labels(conversation.id, labels))}
        />
      </Group>
      {conversation.status === "snoozed" && conversation.snoozedUntil && (
        <Text size="xs" c="grape.8">
          {t("work.snoozedUntil", { time: dateTime(conversation.snoozedUntil, locale) })}
        </Text>
      )}
      {error && (
        <Text size="xs" c="red.8" role="alert">
          {error}
        </Text>
      )}
    </Stack>
  );
}

/** "Anna is typing …" / "Ben is viewing": colleagues in the same conversation right now. */
export function PresenceLine({
  conversationId,
  ownMemberId,
}: {
  conversationId: string;
  ownMemberId: string | undefined;
}) {
  const { t } = useTranslation();
  const present = usePresence(conversationId, ownMemberId);
  if (present.length === 0) return null;
  return (
    <Group gap={12} mt={6} className="presence" aria-live="polite">
      {present.map((p) => (
        <Text
          key={p.memberId}
          size="xs"
          c={p.state === "typing" ? "indigo.7" : "dimmed"}
          className="presence-item"
        >
          {p.state === "typing" ? <IconPencil size={12} /> : <IconEye size={12} />}{" "}
          {t(`work.presence.${p.state}`, { name: p.memberName })}
        </Text>
      ))}
    </Group>
  );
}

/** Continue in a private channel: a short public reply and a linked private conversation. */
function ContinuePrivately({ conversationId }: { conversationId: string }) {
  const { t } = useTranslation();
  const channels = useQuery(channelsQuery);
  const navigate = useNavigate();
  const search = useSearch({ from: "/app/inbox" });
  const refresh = useRefresh(conversationId);
  const privateChannels = (channels.data ?? []).filter((c) => c.isPrivate);
  const [channelId, setChannelId] = useState<string | null>(null);
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const chosen = channelId ?? privateChannels[0]?.id ?? null;
  return (
    <Popover withinPortal position="bottom-start" trapFocus>
      <Popover.Target>
        <Button size="compact-sm" variant="light" color="orange" leftSection={<IconLock size={14} />}>
          {t("work.pii.continuePrivately")}
        </Button>
      </Popover.Target>
      <Popover.Dropdown>
        {privateChannels.length === 0 ? (
          <Text size="sm">{t("work.pii.noPrivateChannel")}</Text>
        ) : (
          <Stack gap={8} w={260}>
            <Select
              size="xs"
              label={t("work.pii.privateChannel")}
              value={chosen}
              allowDeselect={false}
              onChange={setChannelId}
              data={privateChannels.map((c) => ({ value: c.id, label: c.name }))}
              comboboxProps={{ withinPortal: false }}
            />
            <Button
              size="xs"
              loading={busy}
              disabled={!chosen}
              onClick={async () => {
                if (!chosen) return;
                setBusy(true);
                setError(undefined);
                try {
                  const created = await inboxWrites.continuePrivately(conversationId, chosen);
                  await refresh();
                  await navigate({
                    to: "/inbox/$conversationId",
                    params: { conversationId: created.privateConversationId },
                    search,
                  });
                } catch (failure) {
                  setError(failure instanceof Error ? failure.message : String(failure));
                } finally {
                  setBusy(false);
                }
              }}
            >
              {t("work.pii.continuePrivately")}
            </Button>
            {error && (
              <Text size="xs" c="red.8" role="alert">
                {error}
              </Text>
            )}
          </Stack>
        )}
      </Popover.Dropdown>
    </Popover>
  );
}

/** A public conversation whose customer shared personal data belongs in a private channel. */
export function PersonalDataNotice({
  conversation,
  canWork,
}: {
  conversation: ConversationDetail;
  canWork: boolean;
}) {
  const { t } = useTranslation();
  const shared = conversation.messages.some((m) => m.direction === "incoming" && m.hasPii);
  if (!conversation.isPublic || !shared || conversation.linkedConversationId) return null;
  return (
    <Alert
      color="orange"
      variant="light"
      mx="md"
      mt="sm"
      icon={<IconShieldExclamation size={18} />}
      title={t("work.pii.incomingTitle")}
      className="pii-notice"
    >
      <Stack gap={6} align="flex-start">
        <Text size="sm">{t("work.pii.incoming")}</Text>
        {canWork && <ContinuePrivately conversationId={conversation.id} />}
      </Stack>
    </Alert>
  );
}

interface Suggestion {
  id: string;
  label: string;
  detail?: string;
}

/** The word being typed at the caret, if it starts with the trigger (`/` or `@`). */
function triggerAt(text: string, caret: number, trigger: "/" | "@") {
  const before = text.slice(0, caret);
  const match = (trigger === "/" ? /(^|\s)\/([\w-]*)$/ : /(^|\s)@([\p{L}\w-]*)$/u).exec(before);
  if (!match) return undefined;
  return { start: caret - match[2]!.length - 1, query: match[2]!.toLowerCase() };
}

/**
 * Replies and internal notes. `/` opens the canned responses (filled in on the server), `@` in a
 * note mentions colleagues; a public reply is checked for personal data before it goes out.
 */
export function Composer({
  conversation,
  mode,
  setMode,
  editor,
}: {
  conversation: ConversationDetail;
  mode: ComposerMode;
  setMode: (mode: ComposerMode) => void;
  editor: RefObject<HTMLTextAreaElement | null>;
}) {
  const { t } = useTranslation();
  const refresh = useRefresh(conversation.id);
  const canned = useQuery(cannedResponsesQuery);
  const members = useQuery(membersQuery);
  const [text, setText] = useState("");
  const [caret, setCaret] = useState(0);
  const [highlight, setHighlight] = useState(0);
  const [mentioned, setMentioned] = useState<Array<{ id: string; name: string }>>([]);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const [piiDraft, setPiiDraft] = useState(false);
  const lastTyping = useRef(0);
  const [debounced] = useDebouncedValue(text, 700);

  // A public draft is checked on the server while it is written (the check names no data).
  useEffect(() => {
    if (mode !== "reply" || !conversation.isPublic || debounced.trim().length < 6) {
      setPiiDraft(false);
      return;
    }
    let current = true;
    inboxWrites
      .piiCheck(conversation.id, { text: debounced })
      .then((answer) => current && setPiiDraft(answer.containsPersonalData))
      .catch(() => undefined);
    return () => {
      current = false;
    };
  }, [debounced, mode, conversation.id, conversation.isPublic]);

  const slash = triggerAt(text, caret, "/");
  const at = mode === "note" ? triggerAt(text, caret, "@") : undefined;
  const suggestions: Suggestion[] = slash
    ? (canned.data ?? [])
        .filter(
          (c: CannedResponse) =>
            c.shortcut.startsWith(slash.query) || c.title.toLowerCase().includes(slash.query),
        )
        .slice(0, 8)
        .map((c) => ({ id: c.id, label: `/${c.shortcut}`, detail: c.title }))
    : at
      ? (members.data ?? [])
          .filter((m) => m.name.toLowerCase().includes(at.query))
          .slice(0, 8)
          .map((m) => ({ id: m.id, label: `@${m.name}`, detail: m.email }))
      : [];
  const open = suggestions.length > 0 || Boolean(slash && canned.data);

  const replaceToken = (start: number, insert: string) => {
    const next = text.slice(0, start) + insert + text.slice(caret);
    setText(next);
    const position = start + insert.length;
    setCaret(position);
    requestAnimationFrame(() => {
      editor.current?.focus();
      editor.current?.setSelectionRange(position, position);
    });
  };

  const choose = async (suggestion: Suggestion) => {
    if (slash) {
      try {
        const rendered = await inboxWrites.renderCanned(conversation.id, suggestion.id);
        replaceToken(slash.start, rendered.text);
      } catch (failure) {
        setError(failure instanceof Error ? failure.message : String(failure));
      }
    } else if (at) {
      const member = members.data?.find((m) => m.id === suggestion.id);
      if (!member) return;
      replaceToken(at.start, `@${member.name} `);
      setMentioned((current) =>
        current.some((m) => m.id === member.id)
          ? current
          : [...current, { id: member.id, name: member.name }],
      );
    }
    setHighlight(0);
  };

  const announceTyping = () => {
    const now = Date.now();
    if (now - lastTyping.current < 3_000) return;
    lastTyping.current = now;
    void inboxWrites.presence(conversation.id, "typing").catch(() => undefined);
  };

  const send = async (confirmPersonalData = false) => {
    const body = text.trim();
    if (!body || busy) return;
    setBusy(true);
    setError(undefined);
    try {
      if (mode === "note") {
        const ids = mentioned.filter((m) => body.includes(`@${m.name}`)).map((m) => m.id);
        await inboxWrites.note(conversation.id, { body, mentionedMemberIds: ids });
      } else {
        if (conversation.isPublic && !confirmPersonalData) {
          const check = await inboxWrites.piiCheck(conversation.id, { text: body });
          if (check.containsPersonalData) {
            setPiiDraft(true);
            return;
          }
        }
        await inboxWrites.reply(conversation.id, {
          body,
          confirmPersonalData: confirmPersonalData || undefined,
        });
      }
      setText("");
      setMentioned([]);
      setPiiDraft(false);
      await refresh();
    } catch (failure) {
      setError(failure instanceof Error ? failure.message : String(failure));
    } finally {
      setBusy(false);
    }
  };

  const onKeyDown = (event: KeyboardEvent<HTMLTextAreaElement>) => {
    if (open && suggestions.length > 0) {
      if (event.key === "ArrowDown" || event.key === "ArrowUp") {
        event.preventDefault();
        const step = event.key === "ArrowDown" ? 1 : -1;
        setHighlight((h) => (h + step + suggestions.length) % suggestions.length);
        return;
      }
      if (event.key === "Enter" || event.key === "Tab") {
        event.preventDefault();
        const chosen = suggestions[Math.min(highlight, suggestions.length - 1)];
        if (chosen) void choose(chosen);
        return;
      }
    }
    if (event.key === "Escape") {
      editor.current?.blur();
      return;
    }
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      void send();
    }
  };

  return (
    <section className="composer" aria-label={t("work.composer.label")} data-mode={mode}>
      {piiDraft && mode === "reply" && (
        <Alert
          color="orange"
          variant="light"
          mb={8}
          icon={<IconShieldExclamation size={18} />}
          title={t("work.pii.draftTitle")}
          className="pii-draft"
        >
          <Stack gap={6} align="flex-start">
            <Text size="sm">{t("work.pii.draft")}</Text>
            <Group gap={6}>
              <ContinuePrivately conversationId={conversation.id} />
              <Button size="compact-sm" variant="subtle" color="orange" onClick={() => send(true)}>
                {t("work.pii.sendAnyway")}
              </Button>
            </Group>
          </Stack>
        </Alert>
      )}
      <Group justify="space-between" mb={6}>
        <SegmentedControl
          size="xs"
          value={mode}
          onChange={(value) => setMode(value as ComposerMode)}
          data={[
            { value: "reply", label: t("work.composer.reply") },
            { value: "note", label: t("work.composer.note") },
          ]}
        />
        {mentioned.length > 0 && mode === "note" && (
          <Text size="xs" c="dimmed">
            {t("work.composer.mentioned", { names: mentioned.map((m) => m.name).join(", ") })}
          </Text>
        )}
      </Group>
      <div className="composer-field">
        {open && (
          <div
            className="composer-suggestions"
            role="listbox"
            aria-label={slash ? t("work.composer.cannedResponses") : t("work.composer.mentions")}
          >
            {suggestions.length === 0 ? (
              <Text size="xs" c="dimmed" p={6}>
                {t("work.composer.noCanned")}
              </Text>
            ) : (
              suggestions.map((s, index) => (
                <button
                  type="button"
                  role="option"
                  key={s.id}
                  aria-selected={index === highlight}
                  className="composer-suggestion"
                  onMouseDown={(event) => event.preventDefault()}
                  onClick={() => void choose(s)}
                >
                  <Text size="sm" fw={600} component="span">
                    {s.label}
                  </Text>{" "}
                  {s.detail && (
                    <Text size="xs" c="dimmed" component="span">
                      {s.detail}
                    </Text>
                  )}
                </button>
              ))
            )}
          </div>
        )}
        <Textarea
          ref={editor}
          autosize
          minRows={3}
          maxRows={10}
          aria-label={mode === "reply" ? t("work.composer.reply") : t("work.composer.note")}
          placeholder={
            mode === "reply" ? t("work.composer.replyPlaceholder") : t("work.composer.notePlaceholder")
          }
          value={text}
          onChange={(event) => {
            setText(event.currentTarget.value);
            setCaret(event.currentTarget.selectionStart ?? event.currentTarget.value.length);
            setHighlight(0);
            announceTyping();
          }}
          onSelect={(event) => setCaret(event.currentTarget.selectionStart ?? 0)}
          onKeyDown={onKeyDown}
          classNames={{ input: mode === "note" ? "composer-note-input" : undefined }}
        />
      </div>
      <Group justify="space-between" mt={6}>
        {error ? (
          <Text size="xs" c="red.8" role="alert">
            {error}
          </Text>
        ) : (
          <span />
        )}
        <Button
          size="xs"
          leftSection={<IconSend size={14} />}
          loading={busy}
          disabled={!text.trim()}
          onClick={() => send()}
          color={mode === "note" ? "yellow" : undefined}
        >
          {mode === "reply" ? t("work.composer.send") : t("work.composer.addNote")}
        </Button>
      </Group>
    </section>
  );
}
