import { z } from "zod";

/** The networks a post can come from. Connectors and the ingest API speak these names. */
export const networks = [
  "bluesky",
  "mastodon",
  "x",
  "facebook",
  "instagram",
  "email",
  "webchat",
  "rss",
  "webhook",
  "forum",
  "blog",
  "review",
  "other",
] as const;
export type Network = (typeof networks)[number];

/** Longest text kept of one post; longer posts are rejected with a reason, not cut silently. */
export const maxPostTextLength = 100_000;

/**
 * What every connector (and the ingest API) turns a network event into. One shape for all
 * networks, so the pipeline never learns where a post came from beyond `network`.
 */
export const normalizedPostSchema = z.object({
  network: z.enum(networks),
  /** The network's own id of the post; with organization and network it identifies the post. */
  externalId: z.string().trim().min(1).max(512),
  url: z.url().max(2048).optional(),
  text: z.string().max(maxPostTextLength, `is longer than ${maxPostTextLength} characters`),
  languageHint: z
    .string()
    .regex(/^[a-z]{2}$/, "is not a two-letter language code")
    .optional(),
  author: z.object({
    handle: z.string().trim().min(1).max(256),
    displayName: z.string().max(256).optional(),
    profileUrl: z.url().max(2048).optional(),
    followers: z.number().int().min(0).optional(),
  }),
  parentExternalId: z.string().max(512).optional(),
  threadExternalId: z.string().max(512).optional(),
  postedAt: z.coerce.date(),
  isPublic: z.boolean().default(true),
  engagement: z
    .object({
      likes: z.number().int().min(0).default(0),
      reposts: z.number().int().min(0).default(0),
      replies: z.number().int().min(0).default(0),
    })
    .default({ likes: 0, reposts: 0, replies: 0 }),
  /** The connected account (channel) that received it, when a connector did. */
  channelId: z.uuid().optional(),
  /** The network's payload for later reference; kept small. */
  raw: z.record(z.string(), z.unknown()).optional(),
});
export type NormalizedPost = z.infer<typeof normalizedPostSchema>;

export interface PostRejection {
  index: number;
  externalId?: string;
  reasons: string[];
}

/**
 * Checks a batch item by item: the good ones go on, each bad one comes back with its reasons, and a
 * second post with the same id in the same batch is rejected as a duplicate.
 */
export function validatePosts(items: unknown[]): { posts: NormalizedPost[]; rejected: PostRejection[] } {
  const posts: NormalizedPost[] = [];
  const rejected: PostRejection[] = [];
  const seen = new Set<string>();
  items.forEach((item, index) => {
    const parsed = normalizedPostSchema.safeParse(item);
    const externalId =
      typeof (item as { externalId?: unknown })?.externalId === "string"
        ? (item as { externalId: string }).externalId
        : undefined;
    if (!parsed.success) {
      rejected.push({
        index,
        externalId,
        reasons: parsed.error.issues.map((issue) => `${issue.path.join(".") || "post"} ${issue.message}`),
      });
      return;
    }
    const key = `${parsed.data.network}:${parsed.data.externalId}`;
    if (seen.has(key)) {
      rejected.push({
        index,
        externalId,
        reasons: [`externalId ${parsed.data.externalId} appears twice in this batch`],
      });
      return;
    }
    seen.add(key);
    posts.push(parsed.data);
  });
  return { posts, rejected };
}
