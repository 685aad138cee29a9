import { ActionIcon, Anchor, Badge, Button, Group, Paper, Stack, Text, Tooltip } from "@mantine/core";
import {
  IconAlertOctagon,
  IconExternalLink,
  IconId,
  IconInbox,
  IconSpeakerphone,
  IconStarFilled,
  IconThumbDown,
  IconThumbUp,
} from "@tabler/icons-react";
import { useMutation } from "@tanstack/react-query";
import { useNavigate } from "@tanstack/react-router";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { api } from "../../api/client.js";
import type { ChannelType, ListeningQuery, Mention } from "../../api/types.js";
import { useMe } from "../../api/useMe.js";
import { ErrorAlert } from "../../app/RouteStates.js";
import { dateTime, languageName, relativeTime } from "../../lib/format.js";
import { SentimentBadge } from "../inbox/Badges.js";
import { ChannelIcon } from "../inbox/ChannelIcon.js";
import { ForwardButton } from "../insights/ForwardDialog.js";

const polarityColors: Record<string, string> = { positive: "teal", negative: "red", neutral: "gray" };

/** One mention: who wrote what where, how it reads, and what one can do with it. */
export function MentionCard({
  mention,
  queries,
  canWrite,
  fresh,
  now,
}: {
  mention: Mention;
  queries: Map<string, ListeningQuery>;
  canWrite: boolean;
  fresh: boolean;
  now: number;
}) {
  const { t, i18n } = useTranslation();
  const navigate = useNavigate();
  const [relevant, setRelevant] = useState(mention.relevant);
  const label = useMutation({
    mutationFn: (value: boolean) =>
      api(`/api/v1/mentions/${mention.id}/relevance`, { method: "PUT", body: { relevant: value } }),
    onSuccess: (_, value) => setRelevant(value),
  });
  const open = useMutation({
    mutationFn: () =>
      api<{ id: string }>(`/api/v1/mentions/${mention.id}/conversation`, { method: "POST", body: {} }),
    onSuccess: ({ id }) =>
      navigate({ to: "/inbox/$conversationId", params: { conversationId: id }, search: { status: "all" } }),
  });
  const me = useMe();
  const share = useMutation({
    mutationFn: () => api(`/api/v1/mentions/${mention.id}/voc`, { method: "POST", body: {} }),
  });
  const author = mention.author;
  const who = author ? (author.displayName ?? `@${author.handle}`) : t("mentions.unknownAuthor");
  const predicted =
    relevant === null && mention.predictedRelevance !== null ? mention.predictedRelevance >= 0.5 : undefined;

  return (
    <Paper
      component="li"
      withBorder
      radius="sm"
      p="sm"
      className="mention-card"
      data-fresh={fresh ? "" : undefined}
      data-mention-id={mention.id}
    >
      <Group gap="sm" align="flex-start" wrap="nowrap">
        <ChannelIcon type={mention.network as ChannelType} size={28} />
        <Stack gap={6} style={{ flex: 1, minWidth: 0 }}>
          <Group gap={6} wrap="wrap" justify="space-between">
            <Group gap={6} wrap="wrap" style={{ minWidth: 0 }}>
              <Text fw={600} size="sm" className="truncate">
                {who}
              </Text>
              {author?.displayName && (
                <Text size="xs" c="dimmed" className="truncate">
                  @{author.handle}
                </Text>
              )}
              {author?.isVip && (
                <Badge size="xs" color="yellow" variant="light" leftSection={<IconStarFilled size={10} />}>
                  {t("influencers.vip")}
                </Badge>
              )}
              {author?.followers != null && (
                <Text size="xs" c="dimmed">
                  {t("mentions.followers", { count: author.followers })}
                </Text>
              )}
              {fresh && (
                <Badge size="xs" color="indigo" variant="filled">
                  {t("mentions.new")}
                </Badge>
              )}
            </Group>
            <Text size="xs" c="dimmed" component="time" dateTime={mention.postedAt.toString()}>
              <Tooltip label={dateTime(mention.postedAt, i18n.language)} withinPortal>
                <span>{relativeTime(mention.postedAt, i18n.language, now)}</span>
              </Tooltip>
            </Text>
          </Group>
          <Text size="sm" className="mention-text">
            {mention.text}
          </Text>
          <Group gap={6} wrap="wrap">
            <SentimentBadge sentiment={mention.sentiment} />
            {mention.aspects.map((aspect) => (
              <Badge
                key={aspect.category}
                size="xs"
                radius="sm"
                variant="outline"
                color={polarityColors[aspect.polarity] ?? "gray"}
                className="compact-badge"
                title={t(`inbox.sentiment.${aspect.polarity as "neutral"}`)}
              >
                {aspect.category}
              </Badge>
            ))}
            <Badge size="xs" radius="sm" variant="default" className="compact-badge">
              {languageName(mention.language, i18n.language) ?? mention.language}
            </Badge>
            {mention.offensiveScore >= 0.5 && (
              <Badge
                size="xs"
                radius="sm"
                color="red"
                variant="filled"
                leftSection={<IconAlertOctagon size={11} />}
                className="compact-badge"
              >
                {t("mentions.offensive")}
              </Badge>
            )}
            {mention.hasPii && (
              <Badge size="xs" radius="sm" color="orange" variant="light" leftSection={<IconId size={11} />}>
                {t("mentions.pii")}
              </Badge>
            )}
            {mention.matchedQueryIds.map((id) => {
              const query = queries.get(id);
              return query ? (
                <Badge
                  key={id}
                  size="xs"
                  radius="sm"
                  variant="light"
                  color="indigo"
                  className="compact-badge"
                >
                  {query.name}
                </Badge>
              ) : null;
            })}
          </Group>
          {(label.error || open.error || share.error) && (
            <ErrorAlert error={label.error ?? open.error ?? share.error} />
          )}
          <Group gap={6} wrap="wrap">
            {canWrite && (
              <>
                <Tooltip label={t("mentions.markRelevant")} withinPortal>
                  <ActionIcon
                    variant={relevant === true ? "filled" : predicted === true ? "light" : "subtle"}
                    color="teal"
                    aria-label={t("mentions.markRelevant")}
                    aria-pressed={relevant === true}
                    loading={label.isPending && label.variables === true}
                    onClick={() => label.mutate(true)}
                  >
                    <IconThumbUp size={16} />
                  </ActionIcon>
                </Tooltip>
                <Tooltip label={t("mentions.markNotRelevant")} withinPortal>
                  <ActionIcon
                    variant={relevant === false ? "filled" : predicted === false ? "light" : "subtle"}
                    color="red"
                    aria-label={t("mentions.markNotRelevant")}
                    aria-pressed={relevant === false}
                    loading={label.isPending && label.variables === false}
                    onClick={() => label.mutate(false)}
                  >
                    <IconThumbDown size={16} />
                  </ActionIcon>
                </Tooltip>
                <Button
                  size="compact-xs"
                  variant="light"
                  leftSection={<IconInbox size={14} />}
                  loading={open.isPending}
                  onClick={() => open.mutate()}
                >
                  {t("mentions.createConversation")}
                </Button>
                <ForwardButton mentionId={mention.id} />
                {me.canCurate && (
                  <Button
                    size="compact-xs"
                    variant="subtle"
                    leftSection={<IconSpeakerphone size={14} />}
                    loading={share.isPending}
                    disabled={share.isSuccess}
                    onClick={() => share.mutate()}
                  >
                    {share.isSuccess ? t("core.voc.shared") : t("core.voc.share")}
                  </Button>
                )}
              </>
            )}
            {mention.url && (
              <Anchor href={mention.url} target="_blank" rel="noopener noreferrer" size="xs">
                <Group gap={4} component="span">
                  <IconExternalLink size={14} />
                  {t("mentions.openOriginal")}
                </Group>
              </Anchor>
            )}
          </Group>
        </Stack>
      </Group>
    </Paper>
  );
}
