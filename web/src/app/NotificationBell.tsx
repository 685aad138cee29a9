import { ActionIcon, Anchor, Divider, Indicator, Popover, ScrollArea, Stack, Text } from "@mantine/core";
import { IconBell } from "@tabler/icons-react";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useNavigate } from "@tanstack/react-router";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { api } from "../api/client.js";
import { notificationsQuery } from "../api/listening.js";
import { useRealtime } from "../api/realtime.js";
import type { Me } from "../api/types.js";
import { relativeTime } from "../lib/format.js";
import { useNow } from "../lib/useNow.js";

/**
 * When this browser last opened the notifications of an organization: organization-wide ones
 * (fired alerts) newer than that count as unread here. One's own notifications (mentions,
 * assignments, breaches) carry their read state on the server, so it follows the person.
 */
function seenKey(organizationId: string) {
  return `konversa.notifications.seen.${organizationId}`;
}
function readSeen(organizationId: string): number {
  try {
    return Number(localStorage.getItem(seenKey(organizationId)) ?? 0) || 0;
  } catch {
    return 0;
  }
}

/** The bell in the header: unread notifications, updated the moment an alert fires. */
export function NotificationBell({ me }: { me: Me }) {
  const { t, i18n } = useTranslation();
  const organizationId = me.organization?.id ?? "";
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const now = useNow();
  const notifications = useQuery({ ...notificationsQuery, enabled: Boolean(me.organization) });
  const [seen, setSeen] = useState(() => readSeen(organizationId));
  const [opened, setOpened] = useState(false);
  const refresh = () => void queryClient.invalidateQueries({ queryKey: notificationsQuery.queryKey });
  // Viewers have no realtime stream (it carries the organization's events); their bell polls on focus.
  const live = Boolean(me.organization) && me.role !== "viewer";
  useRealtime("alerts.fired", refresh, live);
  useRealtime("notifications.created", refresh, live);
  if (!me.organization) return null;
  const items = notifications.data ?? [];
  const isUnread = (n: (typeof items)[number]) =>
    n.personal ? !n.readAt : new Date(n.createdAt).getTime() > seen;
  const unread = items.filter(isUnread).length;
  const markSeen = () => {
    if (items.some((n) => n.personal && !n.readAt)) {
      void api("/api/v1/notifications/read-all", { method: "POST" }).then(refresh, () => undefined);
    }
    const latest = Math.max(Date.now(), ...items.map((n) => new Date(n.createdAt).getTime()));
    try {
      localStorage.setItem(seenKey(organizationId), String(latest));
    } catch {
      // Without storage the count resets with the page.
    }
    setSeen(latest);
  };
  // Closing the list, however it happens, marks what it showed as seen.
  const close = () => {
    setOpened(false);
    markSeen();
  };
  // Server titles are English; known kinds are shown in the reader's language.
  const titleOf = (item: (typeof items)[number]) => {
    const target = typeof item.details.target === "string" ? `.${item.details.target}` : "";
    const key = `notifications.kinds.${item.kind}${item.kind === "sla.breached" ? target : ""}`;
    return i18n.exists(key) ? t(key as never) : item.title;
  };
  const label = unread > 0 ? t("notifications.unread", { count: unread }) : t("notifications.title");

  return (
    <Popover
      width={340}
      position="bottom-end"
      withinPortal
      opened={opened}
      onChange={(open) => (open ? setOpened(true) : close())}
      shadow="md"
    >
      <Popover.Target>
        <Indicator
          label={unread > 9 ? "9+" : unread}
          size={16}
          disabled={unread === 0}
          color="red"
          offset={4}
        >
          <ActionIcon
            variant="subtle"
            color="gray"
            size="lg"
            aria-label={label}
            onClick={() => (opened ? close() : setOpened(true))}
          >
            <IconBell size={20} stroke={1.7} />
          </ActionIcon>
        </Indicator>
      </Popover.Target>
      <Popover.Dropdown p={0}>
        <Text fw={600} size="sm" px="sm" py={8}>
          {t("notifications.title")}
        </Text>
        <Divider />
        {items.length === 0 ? (
          <Text size="sm" c="dimmed" p="sm">
            {t("notifications.empty")}
          </Text>
        ) : (
          <ScrollArea.Autosize mah={360}>
            <Stack gap={0} component="ul" className="plain-list" aria-label={t("notifications.title")}>
              {items.map((item) => {
                const isNew = isUnread(item);
                return (
                  <li key={item.id} className="notification-item" data-unread={isNew ? "" : undefined}>
                    <Anchor
                      component="button"
                      type="button"
                      c="inherit"
                      underline="never"
                      className="notification-link"
                      onClick={() => {
                        close();
                        if (item.link?.startsWith("/")) void navigate({ to: item.link });
                      }}
                    >
                      <Text size="sm" fw={isNew ? 600 : 400}>
                        {titleOf(item)}
                      </Text>
                      {item.body && (
                        <Text size="xs" c="dimmed" lineClamp={2}>
                          {item.body}
                        </Text>
                      )}
                      <Text size="xs" c="dimmed">
                        {relativeTime(item.createdAt, i18n.language, now)}
                      </Text>
                    </Anchor>
                  </li>
                );
              })}
            </Stack>
          </ScrollArea.Autosize>
        )}
      </Popover.Dropdown>
    </Popover>
  );
}
