import { z } from "zod";
import type { NormalizedPost } from "../../platform/posts/normalizedPost.js";
import { shorten, toPlainText } from "../../platform/text/plainText.js";
import { allowedHostsOf, type ConnectedAccount, type Connector, type InboundMessage } from "../connector.js";
import { compareIds, type MastodonNotification, type MastodonStatus, mastodonClient } from "./mastodonApi.js";

export const mastodonSettingsSchema = z.object({
  /** The instance, e.g. https://mastodon.social */
  instanceUrl: z.url().max(2048).describe("The instance, e.g. https://mastodon.social"),
  /** Hashtags (without #) whose public timelines are listened to; they become mentions. */
  hashtags: z
    .array(
      z
        .string()
        .trim()
        .regex(/^[\p{L}\p{N}_]+$/u, "is not a hashtag")
        .max(100),
    )
    .max(20)
    .default([])
    .describe("Hashtags (without #) whose public posts become mentions"),
  /** How often to look, at least 30 seconds (default 60). */
  intervalSeconds: z.number().int().min(30).max(3600).default(60).describe("Seconds between two polls"),
  /** Hosts an admin allows although they resolve to private addresses (a self-hosted instance). */
  allowHosts: z
    .array(z.string().trim().min(1).max(253))
    .max(20)
    .default([])
    .describe("Private hosts this account may reach (the organization's list applies too)"),
});
export const mastodonCredentialsSchema = z.object({
  /** An access token with read:accounts, read:notifications, read:statuses, write:statuses. */
  accessToken: z
    .string()
    .trim()
    .min(1)
    .max(512)
    .describe("Scopes read:accounts read:notifications read:statuses write:statuses"),
});
type Settings = z.infer<typeof mastodonSettingsSchema>;
type Credentials = z.infer<typeof mastodonCredentialsSchema>;

interface MastodonCursor {
  notificationsSinceId?: string;
  /** Per hashtag, the newest status id seen. */
  tags: Record<string, string>;
}

const maxText = 20_000;

/**
 * Mastodon: mentions of the account (notifications) become inbox messages — direct ones stay
 * private; hashtag timelines become mentions for listening. Replies are posted in reply to the
 * customer's status with the matching visibility, once per message (Idempotency-Key).
 */
export const mastodonConnector: Connector<Settings, Credentials> = {
  network: "mastodon",
  isPrivateByDefault: false,
  account: {
    settingsSchema: mastodonSettingsSchema as z.ZodType<Settings>,
    credentialsSchema: mastodonCredentialsSchema,
    async validate(account) {
      const me = await client(account).verifyCredentials();
      return { displayName: `@${me.acct}` };
    },
  },
  inbound: {
    intervalMs: (settings) => settings.intervalSeconds * 1000,
    async poll(account, stored) {
      const cursor: MastodonCursor = { tags: {}, ...(stored as MastodonCursor | null) };
      const api = client(account);
      const notifications = await api.listSince<MastodonNotification>(
        "/api/v1/notifications?types[]=mention",
        cursor.notificationsSinceId,
      );
      const messages: InboundMessage[] = [];
      for (const n of notifications) {
        if (n.type !== "mention" || !n.status) continue;
        const text = statusText(n.status);
        if (!text) continue;
        messages.push({
          externalId: n.status.id,
          parentExternalId: n.status.in_reply_to_id ?? undefined,
          authorName: `@${n.status.account.acct}`,
          text,
          sentAt: new Date(n.status.created_at),
          isPublic: n.status.visibility === "public" || n.status.visibility === "unlisted",
        });
      }
      const last = notifications.at(-1)?.id;
      const next: MastodonCursor = {
        notificationsSinceId:
          last && (!cursor.notificationsSinceId || compareIds(last, cursor.notificationsSinceId) > 0)
            ? last
            : cursor.notificationsSinceId,
        tags: { ...cursor.tags },
      };
      const posts: NormalizedPost[] = [];
      for (const tag of account.settings.hashtags) {
        const statuses = await api.listSince<MastodonStatus>(
          `/api/v1/timelines/tag/${encodeURIComponent(tag)}`,
          cursor.tags[tag],
        );
        for (const status of statuses) {
          const post = statusPost(status, account.channelId);
          if (post) posts.push(post);
        }
        const newest = statuses.at(-1)?.id;
        if (newest) next.tags[tag] = newest;
      }
      return { posts, messages, cursor: next, rateLimit: api.rateLimit };
    },
  },
  outbound: {
    async send(account, reply) {
      const api = client(account);
      const handle = reply.inReplyTo?.authorName;
      // A reply reaches the customer only when it mentions them (and a direct one is only seen by who it mentions).
      const text =
        handle?.startsWith("@") && !reply.text.includes(handle) ? `${handle} ${reply.text}` : reply.text;
      const status = await api.postStatus(
        {
          status: text,
          in_reply_to_id: reply.inReplyTo?.externalId,
          visibility: reply.isPublic ? "public" : "direct",
        },
        reply.idempotencyKey,
      );
      return { externalId: status.id };
    },
  },
};

function client(account: ConnectedAccount<Settings, Credentials>) {
  return mastodonClient({
    instanceUrl: account.settings.instanceUrl,
    accessToken: account.credentials.accessToken,
    allowHosts: allowedHostsOf(account),
  });
}

/** A status's content as plain text (Mastodon sends HTML); the content warning comes first. */
function statusText(status: MastodonStatus): string {
  const text = [
    status.spoiler_text ? toPlainText(status.spoiler_text) : "",
    toPlainText(status.content ?? ""),
  ]
    .filter(Boolean)
    .join("\n\n");
  return shorten(text, maxText);
}

/** A status from a hashtag timeline as a post (pure; bench:connectors measures it). */
export function statusPost(status: MastodonStatus, channelId?: string): NormalizedPost | undefined {
  const text = statusText(status);
  if (!text) return undefined;
  const url = status.url ?? status.uri;
  return {
    network: "mastodon",
    externalId: status.uri || status.id,
    url: url && URL.canParse(url) ? url : undefined,
    text,
    languageHint: status.language && /^[a-z]{2}$/.test(status.language) ? status.language : undefined,
    author: {
      handle: status.account.acct,
      displayName: status.account.display_name ? shorten(status.account.display_name, 256) : undefined,
      profileUrl: URL.canParse(status.account.url) ? status.account.url : undefined,
      followers: status.account.followers_count,
    },
    parentExternalId: status.in_reply_to_id ?? undefined,
    postedAt: new Date(status.created_at),
    isPublic: status.visibility === "public" || status.visibility === "unlisted",
    engagement: {
      likes: status.favourites_count ?? 0,
      reposts: status.reblogs_count ?? 0,
      replies: status.replies_count ?? 0,
    },
    channelId,
    raw: { id: status.id, visibility: status.visibility },
  };
}
