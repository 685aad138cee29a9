import { and, asc, eq } from "drizzle-orm";
import { recordAudit } from "../../platform/audit/audit.js";
import type { OrgContext } from "../../platform/auth/context.js";
import type { Db, DbOrTx } from "../../platform/db/client.js";
import { ConflictError, NotFoundError, ValidationError } from "../../platform/errors.js";
import { channel } from "../conversations/schema.js";
import { isKnownTimezone } from "./businessTime.js";
import { businessHours, type Holiday, slaPolicy, type WeeklyRange } from "./schema.js";

/**
 * The organization's service-level settings: business-hours schedules and SLA policies (one per
 * channel plus an organization default). Admins change them; every change is audited.
 */

export interface BusinessHoursInput {
  name: string;
  timezone: string;
  weeklyRanges: WeeklyRange[];
  holidays?: Holiday[];
}

function assertSchedule(input: Partial<BusinessHoursInput>) {
  if (input.timezone !== undefined && !isKnownTimezone(input.timezone)) {
    throw new ValidationError(`"${input.timezone}" is not a time zone; use an IANA name like Europe/Berlin.`);
  }
  for (const range of input.weeklyRanges ?? []) {
    if (range.end <= range.start) {
      throw new ValidationError(
        `A range on weekday ${range.weekday} ends (${range.end}) before it starts (${range.start}).`,
      );
    }
  }
  if (input.weeklyRanges && input.weeklyRanges.length === 0) {
    throw new ValidationError("Business hours need at least one opening range.");
  }
}

export async function listBusinessHours(db: DbOrTx, ctx: OrgContext) {
  return db
    .select()
    .from(businessHours)
    .where(eq(businessHours.organizationId, ctx.organizationId))
    .orderBy(asc(businessHours.name));
}

export async function createBusinessHours(db: Db, ctx: OrgContext, input: BusinessHoursInput) {
  assertSchedule(input);
  return db.transaction(async (tx) => {
    const [created] = await tx
      .insert(businessHours)
      .values({ ...input, holidays: input.holidays ?? [], organizationId: ctx.organizationId })
      .returning();
    await recordAudit(tx, ctx, {
      action: "business_hours.created",
      entityType: "business_hours",
      entityId: created!.id,
      details: { name: input.name, timezone: input.timezone },
    });
    return created!;
  });
}

export async function updateBusinessHours(
  db: Db,
  ctx: OrgContext,
  id: string,
  input: Partial<BusinessHoursInput>,
) {
  assertSchedule(input);
  return db.transaction(async (tx) => {
    const [updated] = await tx
      .update(businessHours)
      .set(input)
      .where(and(eq(businessHours.organizationId, ctx.organizationId), eq(businessHours.id, id)))
      .returning();
    if (!updated) throw new NotFoundError("The business hours");
    await recordAudit(tx, ctx, {
      action: "business_hours.updated",
      entityType: "business_hours",
      entityId: id,
      details: { fields: Object.keys(input) },
    });
    return updated;
  });
}

export async function removeBusinessHours(db: Db, ctx: OrgContext, id: string) {
  await db.transaction(async (tx) => {
    const [removed] = await tx
      .delete(businessHours)
      .where(and(eq(businessHours.organizationId, ctx.organizationId), eq(businessHours.id, id)))
      .returning({ id: businessHours.id });
    if (!removed) throw new NotFoundError("The business hours");
    await recordAudit(tx, ctx, {
      action: "business_hours.removed",
      entityType: "business_hours",
      entityId: id,
    });
  });
}

export interface SlaPolicyInput {
  name: string;
  /** null: the organization's default. */
  channelId: string | null;
  firstResponseMinutes: number;
  nextResponseMinutes: number;
  resolutionMinutes: number | null;
  immediateResponseMinutes: number;
  urgencyThreshold: number;
  businessHoursId: string | null;
}

async function assertPolicyReferences(tx: DbOrTx, ctx: OrgContext, input: Partial<SlaPolicyInput>) {
  if (input.channelId) {
    const [found] = await tx
      .select({ id: channel.id })
      .from(channel)
      .where(and(eq(channel.organizationId, ctx.organizationId), eq(channel.id, input.channelId)));
    if (!found) throw new ValidationError("That channel does not exist in this organization.");
  }
  if (input.businessHoursId) {
    const [found] = await tx
      .select({ id: businessHours.id })
      .from(businessHours)
      .where(
        and(
          eq(businessHours.organizationId, ctx.organizationId),
          eq(businessHours.id, input.businessHoursId),
        ),
      );
    if (!found) throw new ValidationError("Those business hours do not exist in this organization.");
  }
}

async function assertChannelFree(tx: DbOrTx, ctx: OrgContext, channelId: string | null, exceptId?: string) {
  const rows = await tx
    .select({ id: slaPolicy.id, channelId: slaPolicy.channelId })
    .from(slaPolicy)
    .where(eq(slaPolicy.organizationId, ctx.organizationId));
  if (rows.some((r) => r.channelId === channelId && r.id !== exceptId)) {
    throw new ConflictError(
      channelId
        ? "This channel has a policy already; change that one."
        : "The organization has a default policy already; change that one.",
    );
  }
}

export async function listSlaPolicies(db: DbOrTx, ctx: OrgContext) {
  return db
    .select()
    .from(slaPolicy)
    .where(eq(slaPolicy.organizationId, ctx.organizationId))
    .orderBy(asc(slaPolicy.name));
}

export async function createSlaPolicy(db: Db, ctx: OrgContext, input: SlaPolicyInput) {
  return db.transaction(async (tx) => {
    await assertPolicyReferences(tx, ctx, input);
    await assertChannelFree(tx, ctx, input.channelId);
    const [created] = await tx
      .insert(slaPolicy)
      .values({ ...input, organizationId: ctx.organizationId })
      .returning();
    await recordAudit(tx, ctx, {
      action: "sla_policy.created",
      entityType: "sla_policy",
      entityId: created!.id,
      details: { ...input },
    });
    return created!;
  });
}

export async function updateSlaPolicy(db: Db, ctx: OrgContext, id: string, input: Partial<SlaPolicyInput>) {
  return db.transaction(async (tx) => {
    const [existing] = await tx
      .select()
      .from(slaPolicy)
      .where(and(eq(slaPolicy.organizationId, ctx.organizationId), eq(slaPolicy.id, id)))
      .for("update");
    if (!existing) throw new NotFoundError("The SLA policy");
    await assertPolicyReferences(tx, ctx, input);
    if (input.channelId !== undefined) await assertChannelFree(tx, ctx, input.channelId, id);
    const [updated] = await tx.update(slaPolicy).set(input).where(eq(slaPolicy.id, id)).returning();
    await recordAudit(tx, ctx, {
      action: "sla_policy.updated",
      entityType: "sla_policy",
      entityId: id,
      details: { ...input },
    });
    return updated!;
  });
}

export async function removeSlaPolicy(db: Db, ctx: OrgContext, id: string) {
  await db.transaction(async (tx) => {
    const [removed] = await tx
      .delete(slaPolicy)
      .where(and(eq(slaPolicy.organizationId, ctx.organizationId), eq(slaPolicy.id, id)))
      .returning({ id: slaPolicy.id });
    if (!removed) throw new NotFoundError("The SLA policy");
    await recordAudit(tx, ctx, { action: "sla_policy.removed", entityType: "sla_policy", entityId: id });
  });
}
