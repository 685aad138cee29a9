import { parseFeed } from "feedsmith";
import { toPlainText } from "../../platform/text/plainText.js";

/** One entry of an RSS, Atom or JSON Feed document, in the few fields a mention needs. */
export interface FeedItem {
  id: string;
  title: string;
  text: string;
  url?: string;
  author?: string;
  publishedAt?: Date;
}

export interface ParsedFeed {
  format: string;
  title: string;
  items: FeedItem[];
}

type Loose = Record<string, unknown>;

/** Parses a feed document with feedsmith; text fields come back as plain text (tags stripped). */
export function readFeed(document: string): ParsedFeed {
  const { format, feed } = parseFeed(document) as { format: string; feed: Loose };
  const raw = ((format === "atom" ? feed.entries : feed.items) ?? []) as Loose[];
  const items: FeedItem[] = [];
  for (const entry of raw) {
    const url = firstLink(entry);
    const id =
      stringOf(entry.id) ??
      stringOf((entry.guid as Loose | undefined)?.value) ??
      url ??
      stringOf(entry.title);
    if (!id) continue;
    const body =
      stringOf(entry.content_text) ??
      stringOf(entry.content_html) ??
      textOf(entry.content) ??
      textOf(entry.summary) ??
      stringOf(entry.description) ??
      "";
    items.push({
      id,
      title: toPlainText(textOf(entry.title) ?? ""),
      text: toPlainText(body),
      url,
      author: authorOf(entry),
      publishedAt: dateOf(
        entry.date_published ?? entry.pubDate ?? entry.published ?? entry.updated ?? entry.date_modified,
      ),
    });
  }
  return { format, title: toPlainText(textOf(feed.title) ?? ""), items };
}

function stringOf(value: unknown): string | undefined {
  return typeof value === "string" && value.trim() ? value.trim() : undefined;
}

function textOf(value: unknown): string | undefined {
  if (typeof value === "string") return stringOf(value);
  if (value && typeof value === "object") return stringOf((value as Loose).value);
  return undefined;
}

function firstLink(entry: Loose): string | undefined {
  const direct = stringOf(entry.url) ?? stringOf(entry.link);
  if (direct) return direct;
  const links = entry.links as Loose[] | undefined;
  const alternate = links?.find((l) => !l.rel || l.rel === "alternate") ?? links?.[0];
  return stringOf(alternate?.href);
}

function authorOf(entry: Loose): string | undefined {
  const authors = entry.authors as Loose[] | undefined;
  const first = authors?.[0];
  return stringOf(first?.name) ?? stringOf(first?.email) ?? stringOf(entry.author);
}

function dateOf(value: unknown): Date | undefined {
  if (typeof value !== "string") return undefined;
  const at = new Date(value);
  return Number.isNaN(at.getTime()) ? undefined : at;
}
