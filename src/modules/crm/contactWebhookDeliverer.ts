import { and, eq, inArray, lte, sql } from "drizzle-orm";
import type { Clock } from "../../platform/clock.js";
import { decryptSecret } from "../../platform/crypto/secrets.js";
import { signWebhook } from "../../platform/crypto/webhookSignature.js";
import type { Db } from "../../platform/db/client.js";
import { safeFetch } from "../../platform/net/safeFetch.js";
import { backoffMs } from "../channels/replyDeliverer.js";
import { company, contact, socialIdentity } from "../contacts/schema.js";
import { dataUseModeOf } from "../privacy/dataUseModes.js";
import { consentRecord } from "../privacy/schema.js";
import { contactWebhook, contactWebhookDelivery } from "./schema.js";

export interface WebhookDeliveryDeps {
  db: Db;
  clock: Clock;
  /** Opens the webhooks' signing secrets. */
  secretsKey: Buffer;
  random?: () => number;
}

/** After this many attempts (backoff 2 s doubling to 30 min: about an hour in all) a delivery fails for good. */
export const maxWebhookAttempts = 12;
/** How long one attempt may hold a delivery before another worker may take it over. */
const leaseMs = 60_000;

type DeliveryRow = typeof contactWebhookDelivery.$inferSelect;

/**
 * Sends the due contact webhooks: claimed with a lease (rows locked, skipped by other workers),
 * signed like every Konversa webhook (HMAC-SHA256 over `<timestamp>.<body>`), POSTed through the
 * SSRF guard; a 2xx marks the delivery sent, anything else retries with backoff until the eighth
 * attempt fails it for good. A finished delivery forgets its contact id: the log keeps no person.
 */
export async function deliverContactWebhooks(deps: WebhookDeliveryDeps, props: { limit?: number } = {}) {
  const now = deps.clock.now();
  const claimed = await deps.db.transaction(async (tx) => {
    const due = await tx
      .select({ id: contactWebhookDelivery.id })
      .from(contactWebhookDelivery)
      .where(
        and(
          inArray(contactWebhookDelivery.status, ["pending", "sending"]),
          lte(contactWebhookDelivery.nextAttemptAt, now),
        ),
      )
      .orderBy(contactWebhookDelivery.nextAttemptAt, contactWebhookDelivery.occurredAt)
      .limit(props.limit ?? 50)
      .for("update", { skipLocked: true });
    if (due.length === 0) return [];
    return tx
      .update(contactWebhookDelivery)
      .set({
        status: "sending",
        attempts: sql`${contactWebhookDelivery.attempts} + 1`,
        nextAttemptAt: new Date(now.getTime() + leaseMs),
      })
      .where(
        inArray(
          contactWebhookDelivery.id,
          due.map((d) => d.id),
        ),
      )
      .returning();
  });
  claimed.sort((a, b) => a.occurredAt.getTime() - b.occurredAt.getTime());
  const outcomes: Array<{ id: string; status: "sent" | "pending" | "failed"; error?: string }> = [];
  for (const delivery of claimed) outcomes.push({ id: delivery.id, ...(await deliverOne(deps, delivery)) });
  return outcomes;
}

async function deliverOne(
  deps: WebhookDeliveryDeps,
  delivery: DeliveryRow,
): Promise<{ status: "sent" | "pending" | "failed"; error?: string }> {
  const [hook] = await deps.db.select().from(contactWebhook).where(eq(contactWebhook.id, delivery.webhookId));
  let statusCode: number | null = null;
  let error: string;
  try {
    if (!hook) throw new Error("The webhook was removed.");
    const body = JSON.stringify(await webhookPayload(deps.db, delivery));
    const timestamp = String(Math.floor(deps.clock.now().getTime() / 1000));
    const secret = decryptSecret(deps.secretsKey, hook.secretEncrypted);
    const response = await safeFetch(hook.url, {
      method: "POST",
      body,
      allowHosts: hook.allowHosts,
      timeoutMs: 10_000,
      maxBytes: 64 * 1024,
      headers: {
        "content-type": "application/json",
        "user-agent": "Konversa-Webhooks/1",
        "x-konversa-event": delivery.event,
        "x-konversa-delivery": delivery.id,
        "idempotency-key": delivery.id,
        "x-konversa-timestamp": timestamp,
        "x-konversa-signature": signWebhook(secret, timestamp, body),
      },
    });
    statusCode = response.status;
    if (response.status >= 200 && response.status < 300) {
      await finish(deps, delivery.id, {
        status: "sent",
        lastStatusCode: statusCode,
        lastError: null,
        deliveredAt: deps.clock.now(),
        contactId: null,
        details: {},
      });
      return { status: "sent" };
    }
    error = `The endpoint answered ${response.status}.`;
  } catch (caught) {
    error = (caught as Error).message.split("\n")[0]!.slice(0, 300);
  }
  if (delivery.attempts >= maxWebhookAttempts || !hook) {
    const final = hook ? `Gave up after ${delivery.attempts} attempts: ${error}` : error;
    await finish(deps, delivery.id, {
      status: "failed",
      lastStatusCode: statusCode,
      lastError: final,
      contactId: null,
      details: {},
    });
    return { status: "failed", error: final };
  }
  await finish(deps, delivery.id, {
    status: "pending",
    lastStatusCode: statusCode,
    lastError: error,
    nextAttemptAt: new Date(deps.clock.now().getTime() + backoffMs(delivery.attempts, deps.random)),
  });
  return { status: "pending", error };
}

async function finish(deps: WebhookDeliveryDeps, id: string, values: Partial<DeliveryRow>) {
  await deps.db.update(contactWebhookDelivery).set(values).where(eq(contactWebhookDelivery.id, id));
}

/**
 * The body of one delivery. The contact is read when the delivery is made (the newest state, or
 * `null` once it is gone); social handles go out only in data-use mode `full`.
 */
export async function webhookPayload(db: Db, delivery: DeliveryRow) {
  const base = {
    id: delivery.id,
    event: delivery.event,
    occurredAt: delivery.occurredAt.toISOString(),
    organizationId: delivery.organizationId,
  };
  if (delivery.event === "contact.deleted" || !delivery.contactId) {
    return {
      ...base,
      contact: delivery.contactId ? { id: delivery.contactId } : null,
      reason: delivery.details.reason ?? "deleted",
    };
  }
  const [row] = await db
    .select({ contact, companyName: company.name })
    .from(contact)
    .leftJoin(company, eq(company.id, contact.companyId))
    .where(and(eq(contact.organizationId, delivery.organizationId), eq(contact.id, delivery.contactId)));
  const snapshot = row
    ? {
        id: row.contact.id,
        displayName: row.contact.displayName,
        email: row.contact.email,
        phone: row.contact.phone,
        locale: row.contact.locale,
        tags: row.contact.tags,
        attributes: row.contact.attributes,
        company: row.companyName,
        createdAt: row.contact.createdAt.toISOString(),
        updatedAt: row.contact.updatedAt.toISOString(),
      }
    : null;
  if (delivery.event === "identity.linked") {
    const [identity] = delivery.details.identityId
      ? await db.select().from(socialIdentity).where(eq(socialIdentity.id, delivery.details.identityId))
      : [];
    const full = (await dataUseModeOf(db, delivery.organizationId)) === "full";
    return {
      ...base,
      contact: snapshot,
      identity: identity
        ? {
            id: identity.id,
            network: identity.network,
            ...(full ? { handle: identity.handle, displayName: identity.displayName } : {}),
          }
        : null,
    };
  }
  if (delivery.event === "consent.changed") {
    const [decision] = delivery.details.consentRecordId
      ? await db.select().from(consentRecord).where(eq(consentRecord.id, delivery.details.consentRecordId))
      : [];
    return {
      ...base,
      contact: snapshot,
      consent: decision
        ? {
            purpose: decision.purpose,
            state: decision.state,
            legalBasis: decision.legalBasis,
            source: decision.source,
            recordedAt: decision.recordedAt.toISOString(),
          }
        : null,
    };
  }
  return { ...base, contact: snapshot };
}
