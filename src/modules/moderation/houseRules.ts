import { and, asc, eq } from "drizzle-orm";
import { recordAudit } from "../../platform/audit/audit.js";
import type { OrgContext } from "../../platform/auth/context.js";
import type { Db, DbOrTx } from "../../platform/db/client.js";
import { NotFoundError } from "../../platform/errors.js";
import { houseRule } from "./schema.js";

export interface HouseRuleInput {
  title: string;
  /** What the public reads (and the default public reason of a decision under this rule). */
  publicText: string;
  isPublished?: boolean;
  position?: number;
}

/** The organization's house rules in their published order. */
export async function listHouseRules(
  db: DbOrTx,
  ctx: Pick<OrgContext, "organizationId">,
  publishedOnly = false,
) {
  return db
    .select()
    .from(houseRule)
    .where(
      and(
        eq(houseRule.organizationId, ctx.organizationId),
        publishedOnly ? eq(houseRule.isPublished, true) : undefined,
      ),
    )
    .orderBy(asc(houseRule.position), asc(houseRule.createdAt));
}

export async function createHouseRule(db: Db, ctx: OrgContext, input: HouseRuleInput) {
  return db.transaction(async (tx) => {
    const [created] = await tx
      .insert(houseRule)
      .values({
        organizationId: ctx.organizationId,
        title: input.title.trim(),
        publicText: input.publicText.trim(),
        isPublished: input.isPublished ?? true,
        position: input.position ?? 0,
      })
      .returning();
    await recordAudit(tx, ctx, {
      action: "house_rule.created",
      entityType: "house_rule",
      entityId: created!.id,
      details: { title: created!.title, isPublished: created!.isPublished },
    });
    return created!;
  });
}

export async function updateHouseRule(db: Db, ctx: OrgContext, id: string, input: Partial<HouseRuleInput>) {
  return db.transaction(async (tx) => {
    const [updated] = await tx
      .update(houseRule)
      .set({
        ...(input.title !== undefined ? { title: input.title.trim() } : {}),
        ...(input.publicText !== undefined ? { publicText: input.publicText.trim() } : {}),
        ...(input.isPublished !== undefined ? { isPublished: input.isPublished } : {}),
        ...(input.position !== undefined ? { position: input.position } : {}),
        updatedAt: new Date(),
      })
      .where(and(eq(houseRule.organizationId, ctx.organizationId), eq(houseRule.id, id)))
      .returning();
    if (!updated) throw new NotFoundError("The house rule");
    await recordAudit(tx, ctx, {
      action: "house_rule.updated",
      entityType: "house_rule",
      entityId: id,
      details: { fields: Object.keys(input) },
    });
    return updated;
  });
}

/** Removes a rule; decisions made under it keep their public reason. */
export async function removeHouseRule(db: Db, ctx: OrgContext, id: string) {
  await db.transaction(async (tx) => {
    const [removed] = await tx
      .delete(houseRule)
      .where(and(eq(houseRule.organizationId, ctx.organizationId), eq(houseRule.id, id)))
      .returning({ id: houseRule.id, title: houseRule.title });
    if (!removed) throw new NotFoundError("The house rule");
    await recordAudit(tx, ctx, {
      action: "house_rule.removed",
      entityType: "house_rule",
      entityId: id,
      details: { title: removed.title },
    });
  });
}
