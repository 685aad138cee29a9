import { count } from "drizzle-orm";
import type { OrgContext } from "../../platform/auth/context.js";
import type { DbOrTx } from "../../platform/db/client.js";
import { type MentionFilters, mentionConditions, searchMentions } from "./mentions.js";
import { mention } from "./schema.js";

export const exportFormats = ["csv", "jsonl"] as const;
export type ExportFormat = (typeof exportFormats)[number];

/** Rows fetched per keyset page: large enough to be quick, small enough to keep memory flat. */
export const exportPageSize = 1_000;

type ExportedMention = Awaited<ReturnType<typeof searchMentions>>["mentions"][number];

/** The CSV columns of an export, in order; the first ones match the import's column names. */
export const mentionCsvColumns = [
  "id",
  "network",
  "externalId",
  "postedAt",
  "url",
  "authorHandle",
  "authorDisplayName",
  "authorFollowers",
  "authorIsVip",
  "text",
  "language",
  "sentiment",
  "sentimentScore",
  "offensiveScore",
  "offensiveType",
  "urgency",
  "hasPii",
  "aspects",
  "keyphrases",
  "matchedQueryIds",
  "relevant",
  "likes",
  "reposts",
  "replies",
] as const;

type Cell = string | number | boolean | null | undefined;

function csvCells(m: ExportedMention): Cell[] {
  return [
    m.id,
    m.network,
    m.externalId,
    m.postedAt.toISOString(),
    m.url,
    m.author?.handle,
    m.author?.displayName,
    m.author?.followers,
    m.author?.isVip,
    m.text,
    m.language,
    m.sentiment,
    m.sentimentScore,
    m.offensiveScore,
    m.offensiveType,
    m.urgency,
    m.hasPii,
    m.aspects.map((a) => `${a.category}:${a.polarity}`).join("; "),
    m.keyphrases.join("; "),
    m.matchedQueryIds.join(" "),
    m.relevant,
    m.likes,
    m.reposts,
    m.replies,
  ];
}

/**
 * Characters that make a spreadsheet read a cell as a formula (OWASP "CSV injection"); such text
 * cells get a leading single quote. Numbers we write ourselves (a negative score) are left alone.
 */
const formulaStart = /^[=+\-@\t\r]/;

/** One CSV cell per RFC 4180: quoted when it holds a comma, quote or line break, quotes doubled. */
export function csvCell(value: Cell): string {
  if (value === null || value === undefined) return "";
  if (typeof value !== "string") return String(value);
  const safe = formulaStart.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}

/** One CSV record, ended by CRLF as RFC 4180 says. */
export function csvRecord(values: readonly Cell[]): string {
  return `${values.map(csvCell).join(",")}\r\n`;
}

/** Every mention of the filtered set, newest first, one page at a time (keyset, never OFFSET). */
export async function* mentionPages(
  db: DbOrTx,
  ctx: OrgContext,
  filters: MentionFilters,
): AsyncGenerator<ExportedMention[]> {
  let cursor: string | undefined;
  do {
    const page = await searchMentions(db, ctx, { ...filters, cursor, limit: exportPageSize });
    if (page.mentions.length > 0) yield page.mentions;
    cursor = page.nextCursor;
  } while (cursor);
}

/**
 * The filtered mentions as CSV (UTF-8 with BOM so spreadsheets read umlauts right, header first)
 * or JSON Lines (one mention per line, as `GET /api/v1/mentions` returns it), in chunks of a page.
 */
export async function* exportMentions(
  db: DbOrTx,
  ctx: OrgContext,
  props: { filters: MentionFilters; format: ExportFormat },
): AsyncGenerator<string> {
  if (props.format === "csv") yield `\uFEFF${csvRecord(mentionCsvColumns)}`;
  for await (const page of mentionPages(db, ctx, props.filters)) {
    yield page
      .map((m) => (props.format === "csv" ? csvRecord(csvCells(m)) : `${JSON.stringify(m)}\n`))
      .join("");
  }
}

/** How many mentions a filter selects, so a client can show how far an export has come. */
export async function countMentions(
  db: DbOrTx,
  ctx: Pick<OrgContext, "organizationId">,
  filters: MentionFilters,
): Promise<number> {
  const [row] = await db.select({ n: count() }).from(mention).where(mentionConditions(ctx, filters));
  return Number(row?.n ?? 0);
}
