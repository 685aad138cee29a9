import { and, arrayOverlaps, desc, eq, type SQL, sql } from "drizzle-orm";
import { findPii } from "../../nlp/index.js";
import { recordAudit } from "../../platform/audit/audit.js";
import type { OrgContext } from "../../platform/auth/context.js";
import { pseudonymOf } from "../../platform/crypto/pseudonyms.js";
import { type Db, type DbOrTx, sqlRows } from "../../platform/db/client.js";
import { ConflictError, NotFoundError } from "../../platform/errors.js";
import { socialIdentity } from "../contacts/schema.js";
import { listeningQuery, mention } from "../listening/schema.js";
import { organizationPseudonymKey } from "../privacy/authorPseudonymiser.js";
import { vocItem } from "./schema.js";

/**
 * The text as employees read it: personal data the analysis finds (e-mail, phone, IBAN, address)
 * replaced by its type, and @handles of people by a placeholder.
 */
export function maskPersonalData(text: string): string {
  const spans = findPii(text).toSorted((a, b) => b.start - a.start);
  let masked = text;
  let lastStart = Number.POSITIVE_INFINITY;
  for (const span of spans) {
    if (span.end > lastStart) continue; // overlapping spans: the later one is masked already
    masked = `${masked.slice(0, span.start)}[${span.type}]${masked.slice(span.end)}`;
    lastStart = span.start;
  }
  return masked.replace(/(^|[^\p{L}\p{N}_])@[\p{L}\p{N}_.-]+(?:@[\p{L}\p{N}.-]+)?/gu, "$1@[person]");
}

/**
 * The core team shares a mention with every employee: it is stored pseudonymised (the author's
 * keyed pseudonym, the text masked), so the stream holds no personal data.
 */
export async function shareToVoc(
  db: Db,
  ctx: OrgContext,
  props: { mentionId: string; note?: string; secretsKey: Buffer; at: Date },
) {
  return db.transaction(async (tx) => {
    const [found] = await tx
      .select({ mention, handle: socialIdentity.handle })
      .from(mention)
      .leftJoin(socialIdentity, eq(socialIdentity.id, mention.identityId))
      .where(and(eq(mention.organizationId, ctx.organizationId), eq(mention.id, props.mentionId)));
    if (!found) throw new NotFoundError("The mention");
    const key = await organizationPseudonymKey(tx, {
      organizationId: ctx.organizationId,
      secretsKey: props.secretsKey,
    });
    const m = found.mention;
    const [created] = await tx
      .insert(vocItem)
      .values({
        organizationId: ctx.organizationId,
        mentionId: m.id,
        authorPseudonym: pseudonymOf(key, m.network, found.handle ?? m.externalId),
        maskedText: maskPersonalData(m.text),
        network: m.network,
        language: m.language,
        sentiment: m.sentiment,
        aspects: m.aspects.map(({ category, polarity }) => ({ category, polarity })),
        queryIds: m.matchedQueryIds,
        curatorNote: props.note?.trim() ?? "",
        sharedByMemberId: ctx.memberId,
        postedAt: m.postedAt,
        sharedAt: props.at,
      })
      .onConflictDoNothing()
      .returning({ id: vocItem.id });
    if (!created) throw new ConflictError("This mention is in the voice of the customer already.");
    await recordAudit(tx, ctx, {
      action: "voc.shared",
      entityType: "voc_item",
      entityId: created.id,
      details: { mentionId: m.id },
    });
    return { id: created.id };
  });
}

export async function unshareFromVoc(db: Db, ctx: OrgContext, vocItemId: string) {
  await db.transaction(async (tx) => {
    const [removed] = await tx
      .delete(vocItem)
      .where(and(eq(vocItem.organizationId, ctx.organizationId), eq(vocItem.id, vocItemId)))
      .returning({ id: vocItem.id, mentionId: vocItem.mentionId });
    if (!removed) throw new NotFoundError("The shared item");
    await recordAudit(tx, ctx, {
      action: "voc.unshared",
      entityType: "voc_item",
      entityId: removed.id,
      details: { mentionId: removed.mentionId },
    });
  });
}

export interface VocFilter {
  /** A listening query (product, campaign) the mention matched. */
  queryId?: string;
  aspect?: string;
  sentiment?: "negative" | "neutral" | "positive";
  limit: number;
}

/** The curated stream, newest first: pseudonyms and masked text only. */
export async function vocStream(db: DbOrTx, ctx: OrgContext, filter: VocFilter) {
  const conditions: SQL[] = [eq(vocItem.organizationId, ctx.organizationId)];
  if (filter.queryId) conditions.push(arrayOverlaps(vocItem.queryIds, [filter.queryId]));
  if (filter.aspect)
    conditions.push(sql`${vocItem.aspects} @> ${JSON.stringify([{ category: filter.aspect }])}::jsonb`);
  if (filter.sentiment) conditions.push(eq(vocItem.sentiment, filter.sentiment));
  const rows = await db
    .select({
      id: vocItem.id,
      authorPseudonym: vocItem.authorPseudonym,
      text: vocItem.maskedText,
      network: vocItem.network,
      language: vocItem.language,
      sentiment: vocItem.sentiment,
      aspects: vocItem.aspects,
      queryIds: vocItem.queryIds,
      curatorNote: vocItem.curatorNote,
      postedAt: vocItem.postedAt,
      sharedAt: vocItem.sharedAt,
    })
    .from(vocItem)
    .where(and(...conditions))
    .orderBy(desc(vocItem.sharedAt), desc(vocItem.id))
    .limit(filter.limit);
  const queries = await db
    .select({ id: listeningQuery.id, name: listeningQuery.name })
    .from(listeningQuery)
    .where(eq(listeningQuery.organizationId, ctx.organizationId));
  const names = new Map(queries.map((q) => [q.id, q.name]));
  return rows.map(({ queryIds, ...row }) => ({
    ...row,
    products: queryIds.flatMap((id) => (names.has(id) ? [{ id, name: names.get(id)! }] : [])),
  }));
}

/** What the stream can be filtered by: products (queries) and aspects that occur in it. */
export async function vocFacets(db: DbOrTx, ctx: OrgContext) {
  const queries = await db
    .select({ id: listeningQuery.id, name: listeningQuery.name })
    .from(listeningQuery)
    .where(eq(listeningQuery.organizationId, ctx.organizationId))
    .orderBy(listeningQuery.name);
  const aspects = await sqlRows<{ aspect: string }>(
    db,
    sql`SELECT DISTINCT a->>'category' AS aspect FROM ${vocItem}, jsonb_array_elements(${vocItem.aspects}) a
        WHERE ${vocItem.organizationId} = ${ctx.organizationId} ORDER BY 1`,
  );
  return { products: queries, aspects: aspects.map((r) => r.aspect) };
}
