import { and, eq, sql } from "drizzle-orm";
import type { DbOrTx } from "../../platform/db/client.js";
import { type ContactEvent, contactWebhook } from "./schema.js";

export interface ContactEventProps {
  organizationId: string;
  event: ContactEvent;
  contactId: string;
  /** Ids and codes only (`identityId`, `purpose`, `state`, `reason`). */
  details?: Record<string, string>;
  at: Date;
}

/**
 * Puts a contact change into the outbox of every active webhook of the organization that listens
 * for it. Call it with the transaction of the change: the event is stored exactly when the change is.
 */
export async function enqueueContactEvent(tx: DbOrTx, props: ContactEventProps) {
  await enqueueContactEvents(tx, [props]);
}

/** The same for many changes at once (an import batch): one query for the webhooks, one insert. */
export async function enqueueContactEvents(tx: DbOrTx, events: ContactEventProps[]) {
  if (events.length === 0) return;
  const organizationId = events[0]!.organizationId;
  const hooks = await tx
    .select({ id: contactWebhook.id, events: contactWebhook.events })
    .from(contactWebhook)
    .where(and(eq(contactWebhook.organizationId, organizationId), eq(contactWebhook.isActive, true)));
  if (hooks.length === 0) return;
  const rows = events.flatMap((e) =>
    hooks
      .filter((h) => h.events.includes(e.event))
      .map((h) => ({
        organizationId: e.organizationId,
        webhookId: h.id,
        event: e.event,
        contactId: e.contactId,
        details: e.details ?? {},
        nextAttemptAt: e.at,
        occurredAt: e.at,
      })),
  );
  // One JSON parameter per thousand rows instead of thousands of bind parameters (fast on PGlite too).
  for (let i = 0; i < rows.length; i += 1000) {
    const slice = rows.slice(i, i + 1000).map((r) => ({
      organization_id: r.organizationId,
      webhook_id: r.webhookId,
      event: r.event,
      contact_id: r.contactId,
      details: r.details,
      at: r.occurredAt.toISOString(),
    }));
    await tx.execute(sql`INSERT INTO contact_webhook_delivery (organization_id, webhook_id, event, contact_id, details, next_attempt_at, occurred_at)
      SELECT r.organization_id, r.webhook_id, r.event, r.contact_id, r.details, r.at, r.at
      FROM jsonb_to_recordset(${JSON.stringify(slice)}::jsonb) AS r(organization_id uuid, webhook_id uuid, event text,
        contact_id uuid, details jsonb, at timestamptz)`);
  }
}
