import { ThemeIcon, Tooltip } from "@mantine/core";
import {
  type Icon,
  IconBrandBluesky,
  IconBrandFacebook,
  IconBrandInstagram,
  IconBrandMastodon,
  IconBrandX,
  IconFileText,
  IconMail,
  IconMessageCircle,
  IconRss,
  IconWebhook,
} from "@tabler/icons-react";
import { useTranslation } from "react-i18next";
import type { ChannelType } from "../../api/types.js";

const icons: Record<ChannelType, { icon: Icon; color: string }> = {
  bluesky: { icon: IconBrandBluesky, color: "blue" },
  mastodon: { icon: IconBrandMastodon, color: "violet" },
  email: { icon: IconMail, color: "gray" },
  webchat: { icon: IconMessageCircle, color: "teal" },
  rss: { icon: IconRss, color: "orange" },
  webhook: { icon: IconWebhook, color: "cyan" },
  x: { icon: IconBrandX, color: "dark" },
  facebook: { icon: IconBrandFacebook, color: "blue" },
  instagram: { icon: IconBrandInstagram, color: "pink" },
  log: { icon: IconFileText, color: "gray" },
};

/** The network a conversation came from, as a small coloured icon with its name for screen readers. */
export function ChannelIcon({ type, name, size = 30 }: { type: ChannelType; name?: string; size?: number }) {
  const { t } = useTranslation();
  const { icon: Glyph, color } = icons[type] ?? icons.log;
  const label = name ? `${t(`channels.${type}`)} · ${name}` : t(`channels.${type}`);
  return (
    <Tooltip label={label} withinPortal openDelay={400}>
      <ThemeIcon size={size} radius="xl" variant="light" color={color} role="img" aria-label={label}>
        <Glyph size={Math.round(size * 0.58)} stroke={1.8} />
      </ThemeIcon>
    </Tooltip>
  );
}
