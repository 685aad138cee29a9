import { gte } from "drizzle-orm";
import { routeMentions } from "../modules/automation/routingRuleRunner.js";
import { deliverPendingAlerts } from "../modules/listening/alerts/alertDeliverer.js";
import { evaluateAlerts, type FiredAlert } from "../modules/listening/alerts/alertEvaluator.js";
import { computeInfluence } from "../modules/listening/influencers.js";
import { deadLetter, mention } from "../modules/listening/schema.js";
import type { Bus, BusMessage } from "../platform/bus/index.js";
import { systemClock } from "../platform/clock.js";
import type { Db } from "../platform/db/client.js";
import { type NormalizedPost, normalizedPostSchema } from "../platform/posts/normalizedPost.js";
import { analyzePost } from "./postAnalyzer.js";
import { type AnalyzePost, type IncomingPost, ingestPosts, type StoredMention } from "./postIngester.js";
import { createQueryMatcher } from "./queryMatcher.js";

/** Work-queue subject of posts waiting for the ingest stage. */
export const ingestSubject = "ingest.posts";
/** Realtime subjects (fan-out to every serve process and browser). */
export const mentionsCreatedSubject = "events.mentions.created";
export const alertsFiredSubject = "events.alerts.fired";
export const queriesChangedSubject = "events.listening.queries_changed";

export interface IngestMessage {
  organizationId: string;
  post: NormalizedPost;
}

/** How the API hands posts to the pipeline: durably queued, deduplicated by network and external id. */
export function createIngestGateway(bus: Bus) {
  return {
    async submitPosts(organizationId: string, posts: NormalizedPost[]) {
      await bus.publishMany<IngestMessage>(
        ingestSubject,
        posts.map((post) => ({
          data: { organizationId, post },
          id: `${organizationId}:${post.network}:${post.externalId}`,
        })),
      );
    },
    queriesChanged(organizationId: string) {
      bus.broadcast(queriesChangedSubject, { organizationId });
    },
  };
}

export interface StartPipelineProps {
  db: Db;
  bus: Bus;
  secretsKey: Buffer;
  baseUrl: string;
  analyze?: AnalyzePost;
  batchSize?: number;
  /** Batches in hand at once (default 2): one is analysed while the other is written. */
  concurrency?: number;
  log?: { info(obj: object, msg: string): void; error(obj: object, msg: string): void };
}

/**
 * The pipeline stages a worker runs: store posts as mentions, evaluate alerts and deliver them, then
 * run the routing rules over the new mentions.
 * `konversa start` runs them in the same process; `konversa worker` runs them alone, several times.
 */
export async function startPipeline(props: StartPipelineProps) {
  const matcher = createQueryMatcher(props.db);
  const unsubscribe = props.bus.subscribe<{ organizationId: string }>(
    queriesChangedSubject,
    ({ organizationId }) => matcher.invalidate(organizationId),
  );
  const analyze = props.analyze ?? analyzePost;
  let delivering: Promise<unknown> = Promise.resolve();

  const consumer = await props.bus.consume<IngestMessage>({
    subject: ingestSubject,
    group: "ingest",
    batchSize: props.batchSize ?? 500,
    concurrency: props.concurrency ?? 2,
    maxWaitMs: 50,
    maxAttempts: 8,
    handler: async (batch: BusMessage<IngestMessage>[]) => {
      const items: IncomingPost[] = batch.map((m) => ({
        organizationId: m.data.organizationId,
        post: normalizedPostSchema.parse(m.data.post),
      }));
      const result = await ingestPosts(props.db, items, {
        analyze,
        matchQueries: (org, post, analysis) => matcher.match(org, post, analysis),
      });
      if (result.stored.length === 0) return;
      const byOrganization = new Map<string, StoredMention[]>();
      for (const m of result.stored)
        byOrganization.set(m.organizationId, [...(byOrganization.get(m.organizationId) ?? []), m]);
      const fired: FiredAlert[] = [];
      const texts = new Map(
        items.map((i) => [`${i.organizationId}:${i.post.network}:${i.post.externalId}`, i.post.text]),
      );
      for (const [organizationId, mentions] of byOrganization) {
        props.bus.broadcast(mentionsCreatedSubject, {
          organizationId,
          count: mentions.length,
          ids: mentions.slice(0, 100).map((m) => m.id),
        });
        fired.push(
          ...(await evaluateAlerts(props.db, {
            organizationId,
            mentions: mentions.map((m) => ({
              ...m,
              text: texts.get(`${m.organizationId}:${m.network}:${m.externalId}`),
            })),
          })),
        );
      }
      for (const a of fired) props.bus.broadcast(alertsFiredSubject, a);
      // Routing rules act on what is stored; a failing rule is logged, never a reason to redeliver.
      for (const [organizationId, mentions] of byOrganization) {
        await routeMentions(
          { db: props.db, clock: systemClock, bus: props.bus },
          { organizationId, mentionIds: mentions.map((m) => m.id) },
        ).catch((error) => props.log?.error({ err: error, organizationId }, "routing rules failed"));
      }
      if (fired.length > 0) {
        delivering = delivering
          .then(() =>
            deliverPendingAlerts(props.db, { secretsKey: props.secretsKey, baseUrl: props.baseUrl }),
          )
          .catch((error) => props.log?.error({ err: error }, "alert delivery failed"));
      }
    },
  });

  // Deliveries that failed are retried every half minute.
  const retry = setInterval(() => {
    delivering = delivering
      .then(() => deliverPendingAlerts(props.db, { secretsKey: props.secretsKey, baseUrl: props.baseUrl }))
      .catch(() => {});
  }, 30_000);
  retry.unref();

  // Influence scores follow the conversation graph; every worker may run this, it is idempotent.
  const influence = setInterval(() => {
    delivering = delivering
      .then(() => recomputeInfluence(props.db))
      .catch((error) => props.log?.error({ err: error }, "influence recompute failed"));
  }, influenceEveryMs);
  influence.unref();

  return {
    async stop() {
      clearInterval(retry);
      clearInterval(influence);
      unsubscribe();
      await consumer.stop();
      await delivering;
    },
  };
}

const influenceEveryMs = 6 * 3_600_000;

/** Recomputes the influence scores of every organization that had mentions in the last 30 days. */
export async function recomputeInfluence(db: Db, now = new Date()) {
  const active = await db
    .selectDistinct({ organizationId: mention.organizationId })
    .from(mention)
    .where(gte(mention.receivedAt, new Date(now.getTime() - 30 * 86_400_000)));
  for (const { organizationId } of active) await computeInfluence(db, { organizationId, now });
}

/** Stores a message the bus gave up on; the UI lists these with a retry button. */
export async function storeDeadLetter(
  db: Db,
  letter: { subject: string; messageId: string; data: unknown; error: string; attempts: number },
) {
  const organizationId = (letter.data as { organizationId?: string })?.organizationId ?? null;
  await db.insert(deadLetter).values({
    organizationId,
    subject: letter.subject,
    messageId: letter.messageId,
    payload: letter.data as object,
    error: letter.error,
    attempts: letter.attempts,
  });
}
