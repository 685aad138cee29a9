import { and, asc, eq } from "drizzle-orm";
import { recordAudit } from "../../platform/audit/audit.js";
import type { OrgContext } from "../../platform/auth/context.js";
import type { Db, DbOrTx } from "../../platform/db/client.js";
import { NotFoundError, ValidationError } from "../../platform/errors.js";
import { parseQuery } from "./queryLanguage/index.js";
import { listeningQuery, type queryKinds } from "./schema.js";

export type QueryKind = (typeof queryKinds)[number];

export interface ListeningQueryInput {
  name: string;
  kind: QueryKind;
  expression: string;
  isActive?: boolean;
}

/** Refuses an expression that does not parse, saying where and how to fix it. */
export function assertValidExpression(expression: string) {
  const parsed = parseQuery(expression);
  if (!parsed.ok) {
    const { message, position, length, hint } = parsed.error;
    throw new ValidationError(
      `The query has an error at position ${position + 1}: ${message}${hint ? ` ${hint}` : ""}`,
      {
        position,
        length,
        hint,
      },
    );
  }
}

export async function listQueries(db: DbOrTx, ctx: OrgContext) {
  return db
    .select()
    .from(listeningQuery)
    .where(eq(listeningQuery.organizationId, ctx.organizationId))
    .orderBy(asc(listeningQuery.name));
}

export async function createQuery(db: Db, ctx: OrgContext, input: ListeningQueryInput) {
  assertValidExpression(input.expression);
  return db.transaction(async (tx) => {
    const [created] = await tx
      .insert(listeningQuery)
      .values({
        organizationId: ctx.organizationId,
        name: input.name.trim(),
        kind: input.kind,
        expression: input.expression,
        isActive: input.isActive ?? true,
      })
      .returning();
    await recordAudit(tx, ctx, {
      action: "listening_query.created",
      entityType: "listening_query",
      entityId: created!.id,
      details: { name: created!.name },
    });
    return created!;
  });
}

export async function updateQuery(db: Db, ctx: OrgContext, id: string, input: Partial<ListeningQueryInput>) {
  if (input.expression !== undefined) assertValidExpression(input.expression);
  return db.transaction(async (tx) => {
    const [updated] = await tx
      .update(listeningQuery)
      .set({ ...input, updatedAt: new Date() })
      .where(and(eq(listeningQuery.organizationId, ctx.organizationId), eq(listeningQuery.id, id)))
      .returning();
    if (!updated) throw new NotFoundError("The listening query");
    await recordAudit(tx, ctx, {
      action: "listening_query.updated",
      entityType: "listening_query",
      entityId: id,
      details: { fields: Object.keys(input) },
    });
    return updated;
  });
}

export async function removeQuery(db: Db, ctx: OrgContext, id: string) {
  await db.transaction(async (tx) => {
    const [removed] = await tx
      .delete(listeningQuery)
      .where(and(eq(listeningQuery.organizationId, ctx.organizationId), eq(listeningQuery.id, id)))
      .returning();
    if (!removed) throw new NotFoundError("The listening query");
    await recordAudit(tx, ctx, {
      action: "listening_query.removed",
      entityType: "listening_query",
      entityId: id,
      details: { name: removed.name },
    });
  });
}
