import { Badge } from "@mantine/core";
import { IconMoodEmpty, IconMoodSad, IconMoodSmile } from "@tabler/icons-react";
import { useTranslation } from "react-i18next";
import type { ConversationStatus } from "../../api/types.js";

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
