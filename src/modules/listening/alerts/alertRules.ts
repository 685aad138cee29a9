import { and, desc, eq, inArray, isNull } from "drizzle-orm";
import { recordAudit } from "../../../platform/audit/audit.js";
import type { OrgContext } from "../../../platform/auth/context.js";
import { encryptSecret } from "../../../platform/crypto/secrets.js";
import type { Db, DbOrTx } from "../../../platform/db/client.js";
import { NotFoundError, ValidationError } from "../../../platform/errors.js";
import {
  type AlertRuleConfig,
  type AlertType,
  alert,
  alertDelivery,
  alertRule,
  listeningQuery,
} from "../schema.js";

export interface AlertRuleInput {
  name: string;
  type: AlertType;
  queryId?: string | null;
  config?: AlertRuleConfig;
  inApp?: boolean;
  emails?: string[];
  webhookUrl?: string | null;
  /** Write-only; stored encrypted. */
  webhookSecret?: string;
  cooldownMinutes?: number;
  isActive?: boolean;
}

function publicRule(row: typeof alertRule.$inferSelect) {
  const { webhookSecretEncrypted, ...delivery } = row.delivery;
  return { ...row, delivery: { ...delivery, webhookSecretSet: Boolean(webhookSecretEncrypted) } };
}

export async function listAlertRules(db: DbOrTx, ctx: OrgContext) {
  const rows = await db
    .select()
    .from(alertRule)
    .where(eq(alertRule.organizationId, ctx.organizationId))
    .orderBy(alertRule.name);
  return rows.map(publicRule);
}

async function assertQueryBelongs(tx: DbOrTx, ctx: OrgContext, queryId: string | null | undefined) {
  if (!queryId) return;
  const rows = await tx
    .select({ id: listeningQuery.id })
    .from(listeningQuery)
    .where(and(eq(listeningQuery.organizationId, ctx.organizationId), eq(listeningQuery.id, queryId)));
  if (rows.length === 0)
    throw new ValidationError("The listening query of this rule does not exist in this organization.");
}

export async function saveAlertRule(
  db: Db,
  ctx: OrgContext,
  props: { id?: string; input: AlertRuleInput; secretsKey: Buffer },
) {
  const { input } = props;
  if (input.type === "keyword" && !(input.config?.keywords?.length ?? 0) && !props.id) {
    throw new ValidationError("A keyword alert needs at least one keyword in config.keywords.");
  }
  return db.transaction(async (tx) => {
    await assertQueryBelongs(tx, ctx, input.queryId);
    const existing = props.id
      ? (
          await tx
            .select()
            .from(alertRule)
            .where(and(eq(alertRule.organizationId, ctx.organizationId), eq(alertRule.id, props.id)))
        )[0]
      : undefined;
    if (props.id && !existing) throw new NotFoundError("The alert rule");
    const delivery = {
      inApp: input.inApp ?? existing?.delivery.inApp ?? true,
      emails: input.emails ?? existing?.delivery.emails ?? [],
      webhookUrl: input.webhookUrl === null ? undefined : (input.webhookUrl ?? existing?.delivery.webhookUrl),
      webhookSecretEncrypted:
        input.webhookSecret !== undefined
          ? encryptSecret(props.secretsKey, input.webhookSecret)
          : existing?.delivery.webhookSecretEncrypted,
    };
    const values = {
      name: input.name ?? existing?.name,
      type: input.type ?? existing?.type,
      queryId: input.queryId === undefined ? (existing?.queryId ?? null) : input.queryId,
      config: input.config ?? existing?.config ?? {},
      delivery,
      cooldownMinutes: input.cooldownMinutes ?? existing?.cooldownMinutes ?? 360,
      isActive: input.isActive ?? existing?.isActive ?? true,
    };
    const [saved] = existing
      ? await tx.update(alertRule).set(values).where(eq(alertRule.id, existing.id)).returning()
      : await tx
          .insert(alertRule)
          .values({ ...values, organizationId: ctx.organizationId })
          .returning();
    await recordAudit(tx, ctx, {
      action: existing ? "alert_rule.updated" : "alert_rule.created",
      entityType: "alert_rule",
      entityId: saved!.id,
      details: { type: saved!.type },
    });
    return publicRule(saved!);
  });
}

export async function removeAlertRule(db: Db, ctx: OrgContext, id: string) {
  await db.transaction(async (tx) => {
    const [removed] = await tx
      .delete(alertRule)
      .where(and(eq(alertRule.organizationId, ctx.organizationId), eq(alertRule.id, id)))
      .returning();
    if (!removed) throw new NotFoundError("The alert rule");
    await recordAudit(tx, ctx, { action: "alert_rule.removed", entityType: "alert_rule", entityId: id });
  });
}

export async function listAlerts(db: DbOrTx, ctx: OrgContext, query: { open?: boolean; limit: number }) {
  const conditions = [eq(alert.organizationId, ctx.organizationId)];
  if (query.open) conditions.push(isNull(alert.acknowledgedAt));
  const rows = await db
    .select()
    .from(alert)
    .where(and(...conditions))
    .orderBy(desc(alert.firedAt))
    .limit(query.limit);
  const deliveries = rows.length
    ? await db
        .select()
        .from(alertDelivery)
        .where(
          and(
            eq(alertDelivery.organizationId, ctx.organizationId),
            inArray(
              alertDelivery.alertId,
              rows.map((a) => a.id),
            ),
          ),
        )
    : [];
  return rows.map((a) => ({
    ...a,
    deliveries: deliveries
      .filter((d) => d.alertId === a.id)
      .map((d) => ({
        channel: d.channel,
        target: d.target,
        status: d.status,
        attempts: d.attempts,
        lastError: d.lastError,
        sentAt: d.sentAt,
      })),
  }));
}

export async function acknowledgeAlert(db: Db, ctx: OrgContext, id: string) {
  await db.transaction(async (tx) => {
    const [updated] = await tx
      .update(alert)
      .set({ acknowledgedAt: new Date() })
      .where(and(eq(alert.organizationId, ctx.organizationId), eq(alert.id, id)))
      .returning({ id: alert.id });
    if (!updated) throw new NotFoundError("The alert");
    await recordAudit(tx, ctx, { action: "alert.acknowledged", entityType: "alert", entityId: id });
  });
}
