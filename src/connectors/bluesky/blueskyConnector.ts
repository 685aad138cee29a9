import { type AtpAgent, RichText, XRPCError } from "@atproto/api";
import { z } from "zod";
import type { NormalizedPost } from "../../platform/posts/normalizedPost.js";
import { type Connector, ConnectorError, type InboundMessage } from "../connector.js";
import { type BlueskyLogin, blueskySession, deterministicRkey, withBlueskySession } from "./blueskyApi.js";
import {
  type BlueskyNotification,
  type BlueskyPostRecord,
  type BlueskyPostView,
  conversationReasons,
  normalizeBlueskyPost,
  notificationToMessage,
} from "./blueskyPosts.js";

export const blueskySettingsSchema = z.object({
  /** Where the account signs in: https://bsky.social, or the address of a self-hosted PDS. */
  serviceUrl: z.url().max(2048).default("https://bsky.social"),
  /** Words or phrases searched for (app.bsky.feed.searchPosts); matching posts become mentions. */
  keywords: z.array(z.string().trim().min(2).max(100)).max(20).default([]),
  /** How often to look, at least 30 seconds (default 60). */
  intervalSeconds: z.number().int().min(30).max(3600).default(60),
  /** Hosts an admin allows although they resolve to private addresses (a self-hosted PDS). */
  allowHosts: z.array(z.string().trim().min(1).max(253)).max(20).default([]),
});
export const blueskyCredentialsSchema = z.object({
  /** The account's handle (`nordbahn.bsky.social`), DID or e-mail address. */
  identifier: z.string().trim().min(1).max(256),
  /** An app password, not the account's main password. */
  appPassword: z.string().trim().min(1).max(256),
});
type Settings = z.infer<typeof blueskySettingsSchema>;
type Credentials = z.infer<typeof blueskyCredentialsSchema>;

/**
 * Where the last poll stopped, per source: the newest time seen and the ids seen since shortly
 * before it. The network lists newest first without a "since" parameter, so a poll pages back
 * until it passes that time (less a margin for late indexing) and skips the ids it already has.
 */
export interface FeedPosition {
  newest: string;
  seen: string[];
}
interface BlueskyCursor {
  notifications?: FeedPosition;
  keywords: Record<string, FeedPosition>;
}

/** Items indexed this long before the newest one seen are looked at again (and skipped by id). */
const marginMs = 10 * 60_000;
const maxSeen = 1_000;
const pageSize = 50;
const maxPages = 10;
/** Bluesky's limit for one post, in graphemes. */
const maxGraphemes = 300;

/**
 * Bluesky (AT Protocol), signed in with an app password: mentions, replies and quotes of the
 * account (notifications) become inbox messages; keyword search results become mentions. Replies
 * are posted in the customer's thread (root and parent references) under a record key derived
 * from the reply, so a retry never posts twice. Direct messages (chat.bsky) are not read or sent.
 */
export const blueskyConnector: Connector<Settings, Credentials> = {
  network: "bluesky",
  isPrivateByDefault: false,
  account: {
    settingsSchema: blueskySettingsSchema as z.ZodType<Settings>,
    credentialsSchema: blueskyCredentialsSchema,
    async validate(account) {
      // A real sign-in, not the cached session: an app password revoked since must show.
      const { agent } = await blueskySession(loginOf(account.settings, account.credentials), { fresh: true });
      return { displayName: `@${agent.session?.handle ?? account.credentials.identifier}` };
    },
  },
  inbound: {
    intervalMs: (settings) => settings.intervalSeconds * 1000,
    async poll(account, stored) {
      const cursor: BlueskyCursor = { keywords: {}, ...(stored as BlueskyCursor | null) };
      const { result, rateLimit } = await withBlueskySession(
        loginOf(account.settings, account.credentials),
        async (agent, session) => {
          const notifications = await readNewest<BlueskyNotification>(async (page) => {
            const { data } = await agent.app.bsky.notification.listNotifications({
              limit: pageSize,
              cursor: page,
              reasons: [...conversationReasons],
            });
            return { items: data.notifications as BlueskyNotification[], cursor: data.cursor };
          }, cursor.notifications);
          const messages = notifications.items
            .map(notificationToMessage)
            .filter((m): m is InboundMessage => m !== undefined);
          const next: BlueskyCursor = { notifications: notifications.position, keywords: {} };
          const posts: NormalizedPost[] = [];
          const seenPosts = new Set<string>();
          for (const keyword of account.settings.keywords) {
            const found = await readNewest<BlueskyPostView>(async (page) => {
              const { data } = await agent.app.bsky.feed.searchPosts({
                q: keyword,
                sort: "latest",
                limit: pageSize,
                cursor: page,
              });
              return { items: data.posts as BlueskyPostView[], cursor: data.cursor };
            }, cursor.keywords[keyword]);
            next.keywords[keyword] = found.position;
            for (const view of found.items) {
              if (view.author.did === session.did || seenPosts.has(view.uri)) continue;
              seenPosts.add(view.uri);
              const post = normalizeBlueskyPost(view, account.channelId);
              if (post) posts.push(post);
            }
          }
          return { messages, posts, cursor: next };
        },
        { refresh: true },
      );
      return { ...result, rateLimit };
    },
  },
  outbound: {
    async send(account, reply) {
      if (!reply.isPublic) {
        throw new ConnectorError(
          "Bluesky replies are public posts; Konversa does not send Bluesky direct messages (chat) yet.",
          "permanent",
        );
      }
      const createdAt = reply.createdAt ?? new Date();
      const rkey = deterministicRkey(createdAt, reply.idempotencyKey);
      const { result } = await withBlueskySession(
        loginOf(account.settings, account.credentials),
        async (agent, session) => {
          const existing = await findOwnPost(agent, session.did, rkey);
          if (existing) return existing;
          const text = new RichText({ text: reply.text.trim() });
          if (text.graphemeLength > maxGraphemes) {
            throw new ConnectorError(
              `A Bluesky post holds at most ${maxGraphemes} characters; this reply has ${text.graphemeLength}. Shorten it and send it again.`,
              "permanent",
            );
          }
          await text.detectFacets(agent);
          const threadRefs = reply.inReplyTo ? await threadOf(agent, reply.inReplyTo.externalId) : undefined;
          const { data } = await agent.com.atproto.repo.createRecord({
            repo: session.did,
            collection: "app.bsky.feed.post",
            rkey,
            record: {
              $type: "app.bsky.feed.post",
              text: text.text,
              facets: text.facets,
              ...(threadRefs ? { reply: threadRefs } : {}),
              createdAt: createdAt.toISOString(),
            },
          });
          return data.uri;
        },
      );
      return { externalId: result };
    },
  },
};

function loginOf(settings: Settings, credentials: Credentials): BlueskyLogin {
  return {
    serviceUrl: settings.serviceUrl,
    identifier: credentials.identifier,
    appPassword: credentials.appPassword,
    allowHosts: settings.allowHosts,
  };
}

/** The post written by an earlier attempt of the same reply, if there is one. */
async function findOwnPost(agent: AtpAgent, did: string, rkey: string): Promise<string | undefined> {
  try {
    const { data } = await agent.com.atproto.repo.getRecord({
      repo: did,
      collection: "app.bsky.feed.post",
      rkey,
    });
    return data.uri;
  } catch (error) {
    if (error instanceof XRPCError && error.error === "RecordNotFound") return undefined;
    throw error;
  }
}

/**
 * The `reply` references for an answer to `uri`: the parent is that post, the root is its thread's
 * root (the post itself when it starts the thread). Both need the content ids, read from the network.
 */
async function threadOf(agent: AtpAgent, uri: string) {
  const { data } = await agent.app.bsky.feed.getPosts({ uris: [uri] });
  const parent = data.posts[0];
  if (!parent) {
    throw new ConnectorError(
      "The Bluesky post this reply answers is no longer there (deleted or hidden).",
      "permanent",
    );
  }
  const root = (parent.record as BlueskyPostRecord).reply?.root;
  const parentRef = { uri: parent.uri, cid: parent.cid };
  const rootRef =
    typeof root?.uri === "string" && typeof root.cid === "string"
      ? { uri: root.uri, cid: root.cid }
      : parentRef;
  return { root: rootRef, parent: parentRef };
}

/**
 * Reads a newest-first listing until it passes the stored position (less the margin) and returns
 * what is new, oldest first, with the next position. Without a position only the newest page is
 * read: connecting an account does not import its whole history.
 */
export async function readNewest<T extends { uri: string; indexedAt: string }>(
  fetchPage: (cursor: string | undefined) => Promise<{ items: T[]; cursor?: string }>,
  position: FeedPosition | undefined,
): Promise<{ items: T[]; position: FeedPosition }> {
  const seen = new Set(position?.seen ?? []);
  const stopBefore = position ? Date.parse(position.newest) - marginMs : undefined;
  const fresh: T[] = [];
  const looked: T[] = [];
  let page: string | undefined;
  for (let n = 0; n < maxPages; n += 1) {
    const { items, cursor } = await fetchPage(page);
    looked.push(...items);
    for (const item of items) {
      // Older than the margin: handled by an earlier poll (its id may be forgotten by now).
      if (stopBefore !== undefined && Date.parse(item.indexedAt) < stopBefore) continue;
      if (!seen.has(item.uri)) {
        seen.add(item.uri);
        fresh.push(item);
      }
    }
    const passed = items.some((i) => stopBefore !== undefined && Date.parse(i.indexedAt) < stopBefore);
    if (stopBefore === undefined || passed || !cursor || items.length === 0) break;
    page = cursor;
  }
  const times = [...looked.map((i) => i.indexedAt), ...(position ? [position.newest] : [])]
    .filter((t) => !Number.isNaN(Date.parse(t)))
    .sort((a, b) => Date.parse(a) - Date.parse(b));
  const newest = times.at(-1) ?? new Date(0).toISOString();
  const keepFrom = Date.parse(newest) - marginMs;
  // Ids older than the margin cannot come back as new (see above): only the recent ones are kept.
  const tooOld = new Set(looked.filter((i) => Date.parse(i.indexedAt) < keepFrom).map((i) => i.uri));
  const recent = [...(position?.seen ?? []), ...fresh.map((i) => i.uri)].filter((uri) => !tooOld.has(uri));
  return {
    items: fresh.sort((a, b) => Date.parse(a.indexedAt) - Date.parse(b.indexedAt)),
    position: { newest, seen: recent.slice(-maxSeen) },
  };
}
