import { and, eq } from "drizzle-orm";
import type { DbOrTx } from "../../platform/db/client.js";
import { type ContactEvent, contactWebhook, contactWebhookDelivery } from "./schema.js";

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
  for (let i = 0; i < rows.length; i += 1000) {
    await tx.insert(contactWebhookDelivery).values(rows.slice(i, i + 1000));
  }
}
