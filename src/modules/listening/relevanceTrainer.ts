/**
 * A listening query's own relevance model: trained from the mentions people marked relevant or
 * not, measured on a held-out fifth, stored on the query, and applied by the pipeline to new posts.
 */
import { and, eq, isNotNull, sql } from "drizzle-orm";
import {
  decodeModel,
  encodeModel,
  ModelFormatError,
  type TaskModel,
  TextAnalyzer,
  trainRelevance,
} from "../../nlp/index.js";
import { recordAudit } from "../../platform/audit/audit.js";
import type { OrgContext } from "../../platform/auth/context.js";
import type { Db, DbOrTx } from "../../platform/db/client.js";
import { NotFoundError, ValidationError } from "../../platform/errors.js";
import { listeningQuery, mention } from "./schema.js";

/** Fewest labelled mentions of each kind before a model can learn the difference. */
export const minExamplesPerLabel = 10;
/** Share of each label held out to measure the model. */
const heldOutShare = 0.2;
/** Seed of the held-out split; changing it changes which labels are held out, nothing else. */
const splitSeed = "konversa-relevance-1";

export interface RelevanceTraining {
  examples: number;
  relevant: number;
  notRelevant: number;
  /** Share of held-out labelled mentions the model judged right (0–1). */
  accuracy: number;
  trainedAt: Date;
}

// Only the relevance head runs here; the shipped models stay unloaded.
const relevanceOnly = new TextAnalyzer({ sentiment: {}, offensive: {}, aspects: {}, relevance: null });

function judge(model: TaskModel, text: string) {
  // The model's own language as the hint: it always applies and language detection is skipped.
  return relevanceOnly.analyze(text, { relevanceModel: model, lang: model.lang }).relevance!;
}

/** Probability (0–1) that `text` is about what the model's query means. */
export function predictRelevance(model: TaskModel, text: string): number {
  return judge(model, text).probability;
}

/** FNV-1a of a stable key: the held-out split depends on the posts, not on their order or ids. */
function splitHash(key: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 16777619);
  return h >>> 0;
}

interface LabelledMention {
  key: string;
  text: string;
  relevant: boolean;
}

/** A fifth of each label goes to the test set, chosen by hash (so the same labels give the same split). */
function heldOutSplit(items: LabelledMention[]) {
  const train: LabelledMention[] = [];
  const test: LabelledMention[] = [];
  for (const label of [true, false]) {
    const ofLabel = items
      .filter((m) => m.relevant === label)
      .map((m) => ({ m, h: splitHash(`${splitSeed}:${m.key}`) }))
      .sort((a, b) => a.h - b.h || a.m.key.localeCompare(b.m.key))
      .map(({ m }) => m);
    const testCount = Math.max(1, Math.round(ofLabel.length * heldOutShare));
    test.push(...ofLabel.slice(0, testCount));
    train.push(...ofLabel.slice(testCount));
  }
  const byKey = (a: LabelledMention, b: LabelledMention) => a.key.localeCompare(b.key);
  return { train: train.sort(byKey), test: test.sort(byKey) };
}

function needMore(relevant: number, notRelevant: number): string {
  const missing = [
    relevant < minExamplesPerLabel ? `${minExamplesPerLabel - relevant} more as relevant` : null,
    notRelevant < minExamplesPerLabel ? `${minExamplesPerLabel - notRelevant} more as not relevant` : null,
  ].filter((s): s is string => s !== null);
  return (
    `Mark ${missing.join(" and ")} before training: the query's model needs at least ` +
    `${minExamplesPerLabel} labelled mentions of each kind (it has ${relevant} relevant and ${notRelevant} not relevant).`
  );
}

/**
 * Trains the query's relevance model from its labelled mentions. The accuracy is measured on a
 * held-out fifth with a model trained on the rest; the stored model is then trained on every
 * label, since with a few dozen labels each one improves it.
 */
export async function trainQueryRelevance(
  db: Db,
  ctx: OrgContext,
  queryId: string,
): Promise<RelevanceTraining> {
  const [query] = await db
    .select({ id: listeningQuery.id, name: listeningQuery.name })
    .from(listeningQuery)
    .where(and(eq(listeningQuery.organizationId, ctx.organizationId), eq(listeningQuery.id, queryId)));
  if (!query) throw new NotFoundError("The listening query");

  const rows = await db
    .select({
      network: mention.network,
      externalId: mention.externalId,
      text: mention.text,
      relevant: mention.relevant,
    })
    .from(mention)
    .where(
      and(
        eq(mention.organizationId, ctx.organizationId),
        sql`${mention.matchedQueryIds} @> array[${queryId}]::uuid[]`,
        isNotNull(mention.relevant),
      ),
    );
  const labelled: LabelledMention[] = rows.map((r) => ({
    key: `${r.network}:${r.externalId}`,
    text: r.text,
    relevant: r.relevant!,
  }));
  const relevant = labelled.filter((m) => m.relevant).length;
  const notRelevant = labelled.length - relevant;
  if (relevant < minExamplesPerLabel || notRelevant < minExamplesPerLabel) {
    throw new ValidationError(needMore(relevant, notRelevant), {
      relevant,
      notRelevant,
      required: minExamplesPerLabel,
    });
  }

  const name = `relevance-${query.id}`;
  const asExamples = (items: LabelledMention[]) => items.map((m) => ({ text: m.text, label: m.relevant }));
  const { train, test } = heldOutSplit(labelled);
  const measured = trainRelevance({ name, examples: asExamples(train) });
  const right = test.filter((m) => judge(measured, m.text).relevant === m.relevant).length;
  const accuracy = right / test.length;
  const all = [...labelled].sort((a, b) => a.key.localeCompare(b.key));
  const model = trainRelevance({ name, examples: asExamples(all) });

  const trainedAt = new Date();
  await db.transaction(async (tx) => {
    await tx
      .update(listeningQuery)
      .set({
        relevanceModel: Buffer.from(encodeModel(model)).toString("base64"),
        relevanceAccuracy: accuracy,
        relevanceTrainedAt: trainedAt,
        updatedAt: trainedAt,
      })
      .where(and(eq(listeningQuery.organizationId, ctx.organizationId), eq(listeningQuery.id, queryId)));
    await recordAudit(tx, ctx, {
      action: "listening_query.relevance_trained",
      entityType: "listening_query",
      entityId: queryId,
      details: { examples: labelled.length, relevant, notRelevant, accuracy, heldOut: test.length },
    });
  });
  return { examples: labelled.length, relevant, notRelevant, accuracy, trainedAt };
}

/** The decoded relevance models of the organization's queries that have one, by query id. */
export async function loadRelevanceModels(
  db: DbOrTx,
  organizationId: string,
): Promise<Map<string, TaskModel>> {
  const rows = await db
    .select({ id: listeningQuery.id, model: listeningQuery.relevanceModel })
    .from(listeningQuery)
    .where(and(eq(listeningQuery.organizationId, organizationId), isNotNull(listeningQuery.relevanceModel)));
  const models = new Map<string, TaskModel>();
  for (const row of rows) {
    const bytes = Buffer.from(row.model!, "base64");
    try {
      // A fresh copy: decoded weights are views on these bytes.
      models.set(row.id, decodeModel(new Uint8Array(bytes)));
    } catch (error) {
      // A model from an incompatible engine version must not stop ingestion: the query falls back
      // to the shipped model until it is trained again.
      if (!(error instanceof ModelFormatError)) throw error;
    }
  }
  return models;
}
