import type { NormalizedPost } from "../../platform/posts/normalizedPost.js";
import { shorten } from "../../platform/text/plainText.js";
import type { InboundMessage } from "../connector.js";

/** The parts of the AT Protocol's `app.bsky.actor.defs#profileViewBasic` we read. */
export interface BlueskyAuthor {
  did: string;
  handle: string;
  displayName?: string;
  followersCount?: number;
}

/** The parts of an `app.bsky.feed.post` record we read. */
export interface BlueskyPostRecord {
  text?: unknown;
  createdAt?: unknown;
  langs?: unknown;
  reply?: { root?: { uri?: unknown; cid?: unknown }; parent?: { uri?: unknown; cid?: unknown } };
}

/** `app.bsky.feed.defs#postView` (search results, getPosts), as far as we read it. */
export interface BlueskyPostView {
  uri: string;
  cid: string;
  author: BlueskyAuthor;
  record: unknown;
  indexedAt: string;
  likeCount?: number;
  repostCount?: number;
  replyCount?: number;
}

/** `app.bsky.notification.listNotifications#notification`, as far as we read it. */
export interface BlueskyNotification {
  uri: string;
  cid: string;
  author: BlueskyAuthor;
  reason: string;
  record: unknown;
  indexedAt: string;
}

/** Reasons that are somebody talking to the account: they open or continue inbox conversations. */
export const conversationReasons = ["mention", "reply", "quote"] as const;

const maxText = 20_000;

/**
 * A post from search (a keyword match) as a NormalizedPost for listening. Pure: no I/O, so the
 * benchmark (`bench:connectors`) measures exactly the inbound normalisation. Returns undefined for
 * what is not a post with text.
 */
export function normalizeBlueskyPost(post: BlueskyPostView, channelId?: string): NormalizedPost | undefined {
  const record = post.record as BlueskyPostRecord;
  const text = postText(record);
  if (!text) return undefined;
  const reply = record.reply;
  const parent = typeof reply?.parent?.uri === "string" ? reply.parent.uri : undefined;
  const root = typeof reply?.root?.uri === "string" ? reply.root.uri : undefined;
  return {
    network: "bluesky",
    externalId: post.uri,
    url: postUrl(post.uri, post.author),
    text,
    languageHint: languageOf(record),
    author: {
      handle: authorHandle(post.author),
      displayName: post.author.displayName ? shorten(post.author.displayName, 256) : undefined,
      profileUrl: profileUrl(post.author),
      followers: post.author.followersCount,
    },
    parentExternalId: parent,
    threadExternalId: root,
    postedAt: postedAt(record, post.indexedAt),
    isPublic: true,
    engagement: {
      likes: Math.max(0, post.likeCount ?? 0),
      reposts: Math.max(0, post.repostCount ?? 0),
      replies: Math.max(0, post.replyCount ?? 0),
    },
    channelId,
    raw: { uri: post.uri, cid: post.cid },
  };
}

/**
 * A mention, reply or quote of the account as an inbox message: the post's AT URI is its id, the
 * post it answers (`reply.parent`) continues that conversation. Pure, like `normalizeBlueskyPost`.
 */
export function notificationToMessage(notification: BlueskyNotification): InboundMessage | undefined {
  if (!(conversationReasons as readonly string[]).includes(notification.reason)) return undefined;
  const record = notification.record as BlueskyPostRecord;
  const text = postText(record);
  if (!text) return undefined;
  const parent = record.reply?.parent?.uri;
  return {
    externalId: notification.uri,
    parentExternalId: typeof parent === "string" ? parent : undefined,
    authorName: `@${authorHandle(notification.author)}`,
    text,
    sentAt: postedAt(record, notification.indexedAt),
    isPublic: true,
  };
}

/**
 * Bluesky text is plain text (links and mentions are facets beside it), so it is kept as written —
 * `<3` stays `<3`; the web app renders it as text. Only control characters go.
 */
function postText(record: BlueskyPostRecord): string {
  if (typeof record?.text !== "string") return "";
  return shorten(record.text.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g, "").trim(), maxText);
}

/** The record's own time unless it claims a future; the network's indexing time otherwise. */
function postedAt(record: BlueskyPostRecord, indexedAt: string): Date {
  const indexed = new Date(indexedAt);
  const created = typeof record.createdAt === "string" ? new Date(record.createdAt) : undefined;
  if (created && !Number.isNaN(created.getTime()) && created <= indexed) return created;
  return Number.isNaN(indexed.getTime()) ? new Date(0) : indexed;
}

function languageOf(record: BlueskyPostRecord): string | undefined {
  const first = Array.isArray(record.langs) ? record.langs[0] : undefined;
  if (typeof first !== "string") return undefined;
  const primary = first.toLowerCase().split("-")[0]!;
  return /^[a-z]{2}$/.test(primary) ? primary : undefined;
}

/** The handle, or the DID when the handle no longer resolves (`handle.invalid`). */
function authorHandle(author: BlueskyAuthor): string {
  return author.handle && author.handle !== "handle.invalid" ? author.handle : author.did;
}

function profileUrl(author: BlueskyAuthor): string | undefined {
  const url = `https://bsky.app/profile/${encodeURIComponent(authorHandle(author))}`;
  return URL.canParse(url) ? url : undefined;
}

/** `at://did/app.bsky.feed.post/rkey` → its page in the Bluesky web app. */
function postUrl(uri: string, author: BlueskyAuthor): string | undefined {
  const rkey = /^at:\/\/[^/]+\/app\.bsky\.feed\.post\/([A-Za-z0-9._:~-]+)$/.exec(uri)?.[1];
  if (!rkey) return undefined;
  return `https://bsky.app/profile/${encodeURIComponent(authorHandle(author))}/post/${rkey}`;
}
