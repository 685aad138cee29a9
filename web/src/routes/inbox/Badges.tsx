import { Badge } from "@mantine/core";
import { IconAlertTriangle, IconClock, IconMoodEmpty, IconMoodSad, IconMoodSmile } from "@tabler/icons-react";
import { useTranslation } from "react-i18next";
import type { ConversationStatus } from "../../api/types.js";
import { dateTime, relativeTime } from "../../lib/format.js";

const sentiments = {
  positive: { color: "teal", icon: IconMoodSmile },
  neutral: { color: "gray", icon: IconMoodEmpty },
  negative: { color: "red", icon: IconMoodSad },
  mixed: { color: "yellow", icon: IconMoodEmpty },
} as const;

export function SentimentBadge({ sentiment }: { sentiment: string | null }) {
  const { t } = useTranslation();
  if (!sentiment || !(sentiment in sentiments)) return null;
  const key = sentiment as keyof typeof sentiments;
  const { color, icon: Glyph } = sentiments[key];
  return (
    <Badge
      size="xs"
      variant="light"
      color={color}
      radius="sm"
      leftSection={<Glyph size={12} stroke={2} />}
      className="compact-badge"
    >
      {t(`inbox.sentiment.${key}`)}
    </Badge>
  );
}

const statusColors: Record<ConversationStatus, string> = {
  open: "indigo",
  pending: "orange",
  snoozed: "grape",
  resolved: "gray",
};

export function StatusBadge({ status }: { status: ConversationStatus }) {
  const { t } = useTranslation();
  return (
    <Badge size="xs" variant="dot" color={statusColors[status]} radius="sm" className="compact-badge">
      {t(`inbox.status.${status}`)}
    </Badge>
  );
}

/** The earliest service-level due time: grey while far, orange in the last hour, red once passed. */
export function DueBadge({
  dueAt,
  now,
  locale,
}: {
  dueAt: Date | string | null;
  now: number;
  locale: string;
}) {
  const { t } = useTranslation();
  if (!dueAt) return null;
  const due = new Date(dueAt);
  const left = due.getTime() - now;
  const time = relativeTime(due, locale, now);
  const overdue = left <= 0;
  return (
    <Badge
      size="xs"
      variant={overdue ? "filled" : "light"}
      color={overdue ? "red" : left < 3_600_000 ? "orange" : "gray"}
      radius="sm"
      className="compact-badge due-badge"
      data-overdue={overdue || undefined}
      leftSection={
        overdue ? <IconAlertTriangle size={11} stroke={2.2} /> : <IconClock size={11} stroke={2} />
      }
      title={dateTime(due, locale)}
    >
      {overdue ? t("work.due.overdue", { time }) : t("work.due.in", { time })}
    </Badge>
  );
}

/** Delivery of an outgoing message: queued, sent or failed. */
export function DeliveryBadge({ state }: { state: "queued" | "sent" | "failed" | null | undefined }) {
  const { t } = useTranslation();
  if (!state) return null;
  const color = { queued: "gray", sent: "teal", failed: "red" }[state];
  return (
    <Badge size="xs" variant="light" color={color} radius="sm" className="compact-badge delivery-badge">
      {t(`work.delivery.${state}`)}
    </Badge>
  );
}
