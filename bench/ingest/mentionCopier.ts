// The yardstick of the ingest benchmark: the same mention rows written with a raw COPY FROM STDIN,
// the fastest way PostgreSQL takes rows, into the same table with the same indexes.
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import pg from "pg";
import { from as copyFrom } from "pg-copy-streams";
import type { PostAnalysis } from "../../src/pipeline/postIngester.js";
import type { NormalizedPost } from "../../src/platform/posts/normalizedPost.js";

export interface CopyRow {
  organizationId: string;
  post: NormalizedPost;
  analysis: PostAnalysis;
  matchedQueryIds: string[];
  identityId: string | null;
}

const columns = [
  "organization_id",
  "network",
  "external_id",
  "url",
  "identity_id",
  "text",
  "language",
  "sentiment",
  "sentiment_score",
  "offensive_score",
  "offensive_type",
  "urgency",
  "has_pii",
  "aspects",
  "keyphrases",
  "matched_query_ids",
  "parent_external_id",
  "thread_external_id",
  "likes",
  "reposts",
  "replies",
  "author_followers",
  "posted_at",
];

function csv(value: string | number | boolean | null | undefined): string {
  if (value === null || value === undefined) return "";
  if (typeof value !== "string") return String(value);
  return `"${value.replaceAll('"', '""')}"`;
}

function arrayLiteral(items: string[]): string {
  return `{${items.map((i) => `"${i.replaceAll("\\", "\\\\").replaceAll('"', '\\"')}"`).join(",")}}`;
}

function csvLine(row: CopyRow): string {
  const { post, analysis } = row;
  return [
    csv(row.organizationId),
    csv(post.network),
    csv(post.externalId),
    csv(post.url),
    csv(row.identityId),
    csv(post.text),
    csv(analysis.language),
    csv(analysis.sentiment),
    csv(analysis.sentimentScore),
    csv(analysis.offensiveScore),
    csv(analysis.offensiveType),
    csv(analysis.urgency),
    csv(analysis.hasPii),
    csv(JSON.stringify(analysis.aspects)),
    csv(arrayLiteral(analysis.keyphrases)),
    csv(arrayLiteral(row.matchedQueryIds)),
    csv(post.parentExternalId),
    csv(post.threadExternalId),
    csv(post.engagement.likes),
    csv(post.engagement.reposts),
    csv(post.engagement.replies),
    csv(post.author.followers),
    csv(post.postedAt.toISOString()),
  ].join(",");
}

/** COPYs the rows into `mention` in one statement; resolves with the elapsed milliseconds. */
export async function copyMentions(url: string, rows: CopyRow[]): Promise<number> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const started = performance.now();
    const stream = client.query(
      copyFrom(`COPY mention (${columns.join(", ")}) FROM STDIN WITH (FORMAT csv)`),
    );
    function* chunks() {
      for (let i = 0; i < rows.length; i += 1_000)
        yield `${rows
          .slice(i, i + 1_000)
          .map(csvLine)
          .join("\n")}\n`;
    }
    await pipeline(Readable.from(chunks()), stream);
    return performance.now() - started;
  } finally {
    await client.end();
  }
}
