import { eq } from "drizzle-orm";
import { recordAudit } from "../../platform/audit/audit.js";
import type { OrgContext } from "../../platform/auth/context.js";
import type { Db, DbOrTx } from "../../platform/db/client.js";
import { ValidationError } from "../../platform/errors.js";
import { type RetentionDataType, retentionDataTypes, retentionPolicy } from "./schema.js";

/**
 * Default period and allowed range per data type, in days. The defaults follow common German
 * practice: raw public posts a year, service conversations two years after they were resolved,
 * audit entries and data-subject requests three years (the regular limitation period, § 195 BGB,
 * during which the organization may have to prove what it did).
 */
export const retentionRules: Record<
  RetentionDataType,
  { defaultDays: number; minDays: number; maxDays: number }
> = {
  mentions: { defaultDays: 365, minDays: 30, maxDays: 3650 },
  author_handles: { defaultDays: 90, minDays: 1, maxDays: 3650 },
  dead_letters: { defaultDays: 90, minDays: 7, maxDays: 3650 },
  conversations: { defaultDays: 730, minDays: 30, maxDays: 3650 },
  alerts: { defaultDays: 365, minDays: 30, maxDays: 3650 },
  notifications: { defaultDays: 90, minDays: 7, maxDays: 3650 },
  audit_entries: { defaultDays: 1095, minDays: 365, maxDays: 3650 },
  privacy_requests: { defaultDays: 1095, minDays: 365, maxDays: 3650 },
  crm_imports: { defaultDays: 30, minDays: 1, maxDays: 365 },
  webhook_deliveries: { defaultDays: 30, minDays: 1, maxDays: 365 },
};

export interface RetentionPolicyView {
  dataType: RetentionDataType;
  days: number;
  defaultDays: number;
  minDays: number;
  maxDays: number;
  isDefault: boolean;
  updatedAt: Date | null;
}

/** Every data type with the organization's period (its own, or the default). */
export async function listRetentionPolicies(
  db: DbOrTx,
  organizationId: string,
): Promise<RetentionPolicyView[]> {
  const own = await db
    .select()
    .from(retentionPolicy)
    .where(eq(retentionPolicy.organizationId, organizationId));
  return retentionDataTypes.map((dataType) => {
    const row = own.find((r) => r.dataType === dataType);
    const rule = retentionRules[dataType];
    return {
      dataType,
      days: row?.days ?? rule.defaultDays,
      ...rule,
      isDefault: !row,
      updatedAt: row?.updatedAt ?? null,
    };
  });
}

export async function retentionDaysOf(db: DbOrTx, organizationId: string) {
  const policies = await listRetentionPolicies(db, organizationId);
  return Object.fromEntries(policies.map((p) => [p.dataType, p.days])) as Record<RetentionDataType, number>;
}

export interface ChangeRetentionProps {
  /** New periods in days for some data types; the others stay as they are. */
  periods: Partial<Record<RetentionDataType, number>>;
  at?: Date;
}

/** Sets periods, each checked against its allowed range; every change is audited with old and new value. */
export async function changeRetentionPolicies(db: Db, ctx: OrgContext, props: ChangeRetentionProps) {
  const problems: Array<{ field: string; message: string }> = [];
  for (const [dataType, days] of Object.entries(props.periods) as Array<[RetentionDataType, number]>) {
    const rule = retentionRules[dataType];
    if (!Number.isInteger(days) || days < rule.minDays || days > rule.maxDays) {
      problems.push({
        field: dataType,
        message: `${dataType}: keep between ${rule.minDays} and ${rule.maxDays} days (a whole number), not ${days}.`,
      });
    }
  }
  if (problems.length > 0) {
    throw new ValidationError(problems.map((p) => p.message).join(" "), problems);
  }
  const at = props.at ?? new Date();
  return db.transaction(async (tx) => {
    const before = await retentionDaysOf(tx, ctx.organizationId);
    for (const [dataType, days] of Object.entries(props.periods) as Array<[RetentionDataType, number]>) {
      if (before[dataType] === days) continue;
      await tx
        .insert(retentionPolicy)
        .values({
          organizationId: ctx.organizationId,
          dataType,
          days,
          updatedByUserId: ctx.userId,
          updatedAt: at,
        })
        .onConflictDoUpdate({
          target: [retentionPolicy.organizationId, retentionPolicy.dataType],
          set: { days, updatedByUserId: ctx.userId, updatedAt: at },
        });
      await recordAudit(tx, ctx, {
        action: "retention.policy_changed",
        entityType: "retention_policy",
        entityId: dataType,
        details: { dataType, from: before[dataType], to: days },
      });
    }
    return listRetentionPolicies(tx, ctx.organizationId);
  });
}
