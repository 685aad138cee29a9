import { z } from "zod";
import type { NormalizedPost } from "../../platform/posts/normalizedPost.js";
import { shorten } from "../../platform/text/plainText.js";
import {
  allowedHostsOf,
  type ConnectedAccount,
  type Connector,
  ConnectorError,
  callNetwork,
  errorFromResponse,
} from "../connector.js";
import { type ParsedFeed, readFeed } from "./feedItems.js";

export const feedSettingsSchema = z.object({
  /** The RSS, Atom or JSON Feed document. */
  url: z.url().max(2048).describe("Address of the RSS, Atom or JSON feed"),
  /** How often to look, at least a minute (default 15). */
  intervalMinutes: z.number().int().min(1).max(1440).default(15).describe("Minutes between two polls"),
  /** Hosts an admin allows although they resolve to private addresses (an intranet blog). */
  allowHosts: z
    .array(z.string().trim().min(1).max(253))
    .max(20)
    .default([])
    .describe("Private hosts this feed may reach (the organization's list applies too)"),
});
type Settings = z.infer<typeof feedSettingsSchema>;
type Credentials = Record<string, never>;

/** What is remembered between polls: the validators of the last answer and the ids already handed on. */
interface FeedCursor {
  etag?: string;
  lastModified?: string;
  seen: string[];
}

/** A feed item's text in a mention: title and summary, shortened (a mention is not the article). */
const maxItemText = 5_000;
/** Ids remembered per feed; feeds show their newest entries, so a few hundred cover any window. */
const maxSeen = 1_000;
const fetchLimits = { timeoutMs: 10_000, maxBytes: 5 * 1024 * 1024 };

/**
 * RSS, Atom and JSON Feed (feedsmith): polled with ETag / Last-Modified at the feed's own interval;
 * each new item becomes a mention. The address is fetched through the SSRF guard.
 */
export const feedConnector: Connector<Settings, Credentials> = {
  network: "rss",
  isPrivateByDefault: false,
  account: {
    settingsSchema: feedSettingsSchema as z.ZodType<Settings>,
    credentialsSchema: z.object({}).strict() as z.ZodType<Credentials>,
    async validate(account) {
      const feed = await fetchFeed(account, {});
      if (!feed) throw new ConnectorError("The feed answered 304 without a document.", "permanent");
      return { displayName: feed.parsed.title || new URL(account.settings.url).host };
    },
  },
  inbound: {
    intervalMs: (settings) => settings.intervalMinutes * 60_000,
    async poll(account, stored) {
      const cursor: FeedCursor = { seen: [], ...(stored as FeedCursor | null) };
      const fetched = await fetchFeed(account, cursor);
      if (!fetched) return { posts: [], messages: [], cursor };
      const seen = new Set(cursor.seen);
      const posts = feedPosts(fetched.parsed, {
        feedUrl: account.settings.url,
        channelId: account.channelId,
        seen,
      });
      return {
        posts,
        messages: [],
        cursor: {
          etag: fetched.etag,
          lastModified: fetched.lastModified,
          // Newest ids last: the oldest fall out first.
          seen: [...seen].slice(-maxSeen),
        } satisfies FeedCursor,
      };
    },
  },
};

/**
 * The feed's items not in `seen` as posts (and adds their ids to `seen`). Pure: the inbound path
 * without the fetch, as bench:connectors measures it.
 */
export function feedPosts(
  parsed: ParsedFeed,
  props: { feedUrl: string; channelId?: string; seen: Set<string> },
): NormalizedPost[] {
  const host = new URL(props.feedUrl).host;
  const posts: NormalizedPost[] = [];
  for (const item of parsed.items) {
    if (props.seen.has(item.id)) continue;
    props.seen.add(item.id);
    const text = shorten([item.title, item.text].filter(Boolean).join("\n\n"), maxItemText);
    if (!text) continue;
    posts.push({
      network: "rss",
      externalId: `${props.feedUrl}#${item.id}`.slice(0, 512),
      url: item.url && URL.canParse(item.url) ? item.url : undefined,
      text,
      author: {
        handle: shorten(item.author ?? parsed.title ?? host, 256) || host,
        displayName: parsed.title ? shorten(parsed.title, 256) : undefined,
      },
      postedAt: item.publishedAt ?? new Date(),
      isPublic: true,
      engagement: { likes: 0, reposts: 0, replies: 0 },
      channelId: props.channelId,
      raw: { feed: props.feedUrl, format: parsed.format },
    });
  }
  return posts;
}

async function fetchFeed(account: ConnectedAccount<Settings, Credentials>, cursor: Partial<FeedCursor>) {
  const { settings } = account;
  const headers: Record<string, string> = {
    accept:
      "application/rss+xml, application/atom+xml, application/feed+json, application/json, application/xml;q=0.9, */*;q=0.5",
  };
  if (cursor.etag) headers["if-none-match"] = cursor.etag;
  if (cursor.lastModified) headers["if-modified-since"] = cursor.lastModified;
  const response = await callNetwork("feed", settings.url, {
    headers,
    allowHosts: allowedHostsOf(account),
    ...fetchLimits,
  });
  if (response.status === 304) return undefined;
  if (response.status >= 300) {
    throw errorFromResponse({
      network: "feed",
      status: response.status,
      body: response.body.slice(0, 2000),
      retryAfter: response.headers["retry-after"],
    });
  }
  let parsed: ParsedFeed;
  try {
    parsed = readFeed(response.body);
  } catch (error) {
    throw new ConnectorError(
      `feed: not an RSS, Atom or JSON feed (${(error as Error).message})`,
      "permanent",
    );
  }
  return { parsed, etag: response.headers.etag, lastModified: response.headers["last-modified"] };
}
