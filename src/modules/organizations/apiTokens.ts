import { and, desc, eq, isNull } from "drizzle-orm";
import { recordAudit } from "../../platform/audit/audit.js";
import type { OrgContext } from "../../platform/auth/context.js";
import { hashToken, randomToken } from "../../platform/crypto/secrets.js";
import type { Db, DbOrTx } from "../../platform/db/client.js";
import { NotFoundError } from "../../platform/errors.js";
import { apiToken } from "./schema.js";

export interface CreateApiTokenProps {
  name: string;
  /** Days until it stops working; none: until revoked. */
  expiresInDays?: number;
}

/**
 * A personal API token acts as its creator in this organization with the creator's role. The token
 * is returned once; only its SHA-256 is stored.
 */
export async function createApiToken(db: Db, ctx: OrgContext, props: CreateApiTokenProps) {
  const token = randomToken("kvt");
  return db.transaction(async (tx) => {
    const [created] = await tx
      .insert(apiToken)
      .values({
        organizationId: ctx.organizationId,
        userId: ctx.userId,
        name: props.name.trim(),
        tokenHash: hashToken(token),
        prefix: token.slice(0, 10),
        expiresAt: props.expiresInDays ? new Date(Date.now() + props.expiresInDays * 86_400_000) : null,
      })
      .returning();
    await recordAudit(tx, ctx, {
      action: "api_token.created",
      entityType: "api_token",
      entityId: created!.id,
      details: { name: created!.name },
    });
    return { ...publicToken(created!), token };
  });
}

/** The caller's own tokens in this organization. */
export async function listApiTokens(db: DbOrTx, ctx: OrgContext) {
  const rows = await db
    .select()
    .from(apiToken)
    .where(and(eq(apiToken.organizationId, ctx.organizationId), eq(apiToken.userId, ctx.userId)))
    .orderBy(desc(apiToken.createdAt));
  return rows.map(publicToken);
}

export async function revokeApiToken(db: Db, ctx: OrgContext, id: string) {
  await db.transaction(async (tx) => {
    const [revoked] = await tx
      .update(apiToken)
      .set({ revokedAt: new Date() })
      .where(
        and(
          eq(apiToken.organizationId, ctx.organizationId),
          eq(apiToken.userId, ctx.userId),
          eq(apiToken.id, id),
          isNull(apiToken.revokedAt),
        ),
      )
      .returning();
    if (!revoked) throw new NotFoundError("The API token");
    await recordAudit(tx, ctx, { action: "api_token.revoked", entityType: "api_token", entityId: id });
  });
}

function publicToken(row: typeof apiToken.$inferSelect) {
  return {
    id: row.id,
    name: row.name,
    prefix: row.prefix,
    expiresAt: row.expiresAt,
    lastUsedAt: row.lastUsedAt,
    revokedAt: row.revokedAt,
    createdAt: row.createdAt,
  };
}
