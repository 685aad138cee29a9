import { type BlueskyPostView, normalizeBlueskyPost } from "../../src/connectors/bluesky/blueskyPosts.js";
import { parseEmail } from "../../src/connectors/email/emailMessage.js";
import { feedPosts } from "../../src/connectors/feeds/feedConnector.js";
import { readFeed } from "../../src/connectors/feeds/feedItems.js";
import type { MastodonStatus } from "../../src/connectors/mastodon/mastodonApi.js";
import { statusPost } from "../../src/connectors/mastodon/mastodonConnector.js";
import {
  atomDocument,
  blueskySearchPage,
  emailSource,
  jsonFeedDocument,
  mastodonTimelinePage,
  rssDocument,
} from "./inputs.js";

/**
 * One benchmark case: `inputs(k)` builds k distinct raw payloads up front (so generation is not
 * measured); `normalise(payload)` runs the connector's inbound path from raw bytes to posts or
 * inbox messages, returning how many it produced.
 */
export interface ConnectorCase {
  name: string;
  unit: string;
  inputs(count: number): Promise<unknown[]> | unknown[];
  normalise(payload: unknown): Promise<number> | number;
}

function feedCase(name: string, documentOf: (seed: number) => string, feedUrl: string): ConnectorCase {
  return {
    name,
    unit: "items",
    inputs: (count) => Array.from({ length: count }, (_, i) => documentOf(i)),
    normalise: (document) => feedPosts(readFeed(document as string), { feedUrl, seen: new Set() }).length,
  };
}

export const cases: ConnectorCase[] = [
  feedCase("rss", rssDocument, "https://forum.example.com/feed.xml"),
  feedCase("atom", atomDocument, "https://reviews.example.com/atom.xml"),
  feedCase("jsonfeed", jsonFeedDocument, "https://blog.example.com/feed.json"),
  {
    name: "mastodon",
    unit: "statuses",
    inputs: (count) => Array.from({ length: count }, (_, i) => mastodonTimelinePage(i)),
    normalise(page) {
      let n = 0;
      for (const status of JSON.parse(page as string) as MastodonStatus[]) if (statusPost(status)) n++;
      return n;
    },
  },
  {
    name: "bluesky",
    unit: "posts",
    inputs: (count) => Array.from({ length: count }, (_, i) => blueskySearchPage(i)),
    normalise(page) {
      let n = 0;
      for (const post of (JSON.parse(page as string) as { posts: BlueskyPostView[] }).posts) {
        if (normalizeBlueskyPost(post)) n++;
      }
      return n;
    },
  },
  {
    name: "email",
    unit: "mails",
    inputs: (count) => Array.from({ length: count }, (_, i) => Buffer.from(emailSource(i))),
    async normalise(source) {
      await parseEmail(source as Buffer, { receivedAt: new Date() });
      return 1;
    },
  },
];
