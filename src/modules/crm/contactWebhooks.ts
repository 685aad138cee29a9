import { randomBytes } from "node:crypto";
import { and, desc, eq, lt, type SQL } from "drizzle-orm";
import { recordAudit } from "../../platform/audit/audit.js";
import type { OrgContext } from "../../platform/auth/context.js";
import { encryptSecret } from "../../platform/crypto/secrets.js";
import type { Db, DbOrTx } from "../../platform/db/client.js";
import { NotFoundError, ValidationError } from "../../platform/errors.js";
import { type ContactEvent, contactWebhook, contactWebhookDelivery } from "./schema.js";

export interface ContactWebhookInput {
  name: string;
  url: string;
  events: ContactEvent[];
  /** At least 16 characters; generated (and shown once) when omitted. */
  secret?: string;
  allowHosts?: string[];
  isActive?: boolean;
}

const publicColumns = {
  id: contactWebhook.id,
  name: contactWebhook.name,
  url: contactWebhook.url,
  events: contactWebhook.events,
  allowHosts: contactWebhook.allowHosts,
  isActive: contactWebhook.isActive,
  createdAt: contactWebhook.createdAt,
};

function checkUrl(url: string) {
  const parsed = URL.canParse(url) ? new URL(url) : undefined;
  if (!parsed || (parsed.protocol !== "https:" && parsed.protocol !== "http:")) {
    throw new ValidationError("The webhook URL must be an http or https address.", [{ field: "url" }]);
  }
  if (parsed.username || parsed.password) {
    throw new ValidationError("Put no user name or password into the URL; the signature authenticates.", [
      { field: "url" },
    ]);
  }
}

/** Registers an endpoint for contact events; the signing secret is returned this once. */
export async function createContactWebhook(
  db: Db,
  ctx: OrgContext,
  props: { input: ContactWebhookInput; secretsKey: Buffer },
) {
  const { input } = props;
  checkUrl(input.url);
  const secret = input.secret ?? `kvwh_${randomBytes(24).toString("base64url")}`;
  return db.transaction(async (tx) => {
    const [created] = await tx
      .insert(contactWebhook)
      .values({
        organizationId: ctx.organizationId,
        name: input.name,
        url: input.url,
        events: [...new Set(input.events)],
        allowHosts: input.allowHosts ?? [],
        isActive: input.isActive ?? true,
        secretEncrypted: encryptSecret(props.secretsKey, secret),
      })
      .returning(publicColumns);
    await recordAudit(tx, ctx, {
      action: "contact_webhook.created",
      entityType: "contact_webhook",
      entityId: created!.id,
      details: { host: new URL(input.url).host, events: created!.events },
    });
    return { ...created!, secret };
  });
}

export async function listContactWebhooks(db: DbOrTx, ctx: OrgContext) {
  return db
    .select(publicColumns)
    .from(contactWebhook)
    .where(eq(contactWebhook.organizationId, ctx.organizationId))
    .orderBy(contactWebhook.createdAt);
}

async function requireWebhook(db: DbOrTx, ctx: OrgContext, id: string) {
  const [found] = await db
    .select(publicColumns)
    .from(contactWebhook)
    .where(and(eq(contactWebhook.organizationId, ctx.organizationId), eq(contactWebhook.id, id)));
  if (!found) throw new NotFoundError("The webhook");
  return found;
}

export async function updateContactWebhook(
  db: Db,
  ctx: OrgContext,
  props: { webhookId: string; changes: Partial<Omit<ContactWebhookInput, "secret">> },
) {
  if (props.changes.url) checkUrl(props.changes.url);
  return db.transaction(async (tx) => {
    await requireWebhook(tx, ctx, props.webhookId);
    const [updated] = await tx
      .update(contactWebhook)
      .set(props.changes)
      .where(eq(contactWebhook.id, props.webhookId))
      .returning(publicColumns);
    await recordAudit(tx, ctx, {
      action: "contact_webhook.updated",
      entityType: "contact_webhook",
      entityId: props.webhookId,
      details: { changed: Object.keys(props.changes) },
    });
    return updated!;
  });
}

export async function deleteContactWebhook(db: Db, ctx: OrgContext, webhookId: string) {
  await db.transaction(async (tx) => {
    await requireWebhook(tx, ctx, webhookId);
    await tx.delete(contactWebhook).where(eq(contactWebhook.id, webhookId));
    await recordAudit(tx, ctx, {
      action: "contact_webhook.deleted",
      entityType: "contact_webhook",
      entityId: webhookId,
    });
  });
}

/** The delivery log of one webhook, newest first (event, state, attempts, the endpoint's answer). */
export async function listWebhookDeliveries(
  db: DbOrTx,
  ctx: OrgContext,
  props: { webhookId: string; limit: number; before?: Date },
) {
  await requireWebhook(db, ctx, props.webhookId);
  const conditions: SQL[] = [
    eq(contactWebhookDelivery.organizationId, ctx.organizationId),
    eq(contactWebhookDelivery.webhookId, props.webhookId),
  ];
  if (props.before) conditions.push(lt(contactWebhookDelivery.occurredAt, props.before));
  return db
    .select({
      id: contactWebhookDelivery.id,
      event: contactWebhookDelivery.event,
      status: contactWebhookDelivery.status,
      attempts: contactWebhookDelivery.attempts,
      nextAttemptAt: contactWebhookDelivery.nextAttemptAt,
      lastStatusCode: contactWebhookDelivery.lastStatusCode,
      lastError: contactWebhookDelivery.lastError,
      occurredAt: contactWebhookDelivery.occurredAt,
      deliveredAt: contactWebhookDelivery.deliveredAt,
    })
    .from(contactWebhookDelivery)
    .where(and(...conditions))
    .orderBy(desc(contactWebhookDelivery.occurredAt))
    .limit(props.limit);
}
