import { eq, inArray, sql } from "drizzle-orm";
import { recordAudit } from "../../platform/audit/audit.js";
import { auditLog } from "../../platform/audit/schema.js";
import type { OrgContext } from "../../platform/auth/context.js";
import type { Db } from "../../platform/db/client.js";
import { contact, contactNote, identityLinkDecision, socialIdentity } from "../contacts/schema.js";
import { conversation } from "../conversations/schema.js";
import { eraseContactFromCrm } from "../crm/personalData.js";
import { alert, deadLetter, mention } from "../listening/schema.js";
import { notification } from "../notifications/schema.js";
import { countsOf } from "./personExporter.js";
import { findPerson } from "./personFinder.js";
import { completePrivacyRequest, requireOpenRequest } from "./privacyRequests.js";
import { optInLink } from "./schema.js";

export interface ErasePersonProps {
  /** The open erasure request; its subject is erased. */
  requestId: string;
  at?: Date;
}

const erasedMark = "[erased]";

/**
 * Erases one person (GDPR Art. 17) in one transaction: contact, identities, their mentions and
 * author rollups, their conversations and messages, consent history, enrichment, dead letters with
 * their posts, references in alerts and notifications. Audit entries about them are reduced through
 * the sanctioned path of the append-only trigger: the log keeps that something happened, not to whom.
 */
export async function erasePerson(db: Db, ctx: OrgContext, props: ErasePersonProps) {
  const at = props.at ?? new Date();
  return db.transaction(async (tx) => {
    const request = await requireOpenRequest(tx, ctx, props.requestId, "erasure");
    const records = await findPerson(tx, ctx.organizationId, request.subjectContactId);
    const counts = countsOf(records);
    const scrub = scrubberFor(records.identifiers);
    const mentionIds = new Set(records.mentions.map((m) => m.id));

    const alertsRemoved: string[] = [];
    for (const fired of records.alerts) {
      const remaining = fired.mentionIds.filter((id) => !mentionIds.has(id));
      const link = `/listening/alerts/${fired.id}`;
      if (remaining.length === 0) {
        // An alert about nobody else but this person says nothing once they are gone.
        await tx.delete(notification).where(eq(notification.link, link));
        await tx.delete(alert).where(eq(alert.id, fired.id));
        alertsRemoved.push(fired.id);
        continue;
      }
      await tx
        .update(alert)
        .set({ mentionIds: remaining, title: scrub(fired.title), details: scrub(fired.details) })
        .where(eq(alert.id, fired.id));
    }
    for (const n of records.notifications) {
      if (n.conversationId || alertsRemoved.some((id) => n.link === `/listening/alerts/${id}`)) {
        await tx.delete(notification).where(eq(notification.id, n.id));
      } else {
        await tx
          .update(notification)
          .set({ title: scrub(n.title), body: scrub(n.body), details: scrub(n.details) })
          .where(eq(notification.id, n.id));
      }
    }
    const ids = <T extends { id: string }>(rows: T[]) => rows.map((r) => r.id);
    if (records.deadLetters.length > 0)
      await tx.delete(deadLetter).where(inArray(deadLetter.id, ids(records.deadLetters)));
    if (mentionIds.size > 0) await tx.delete(mention).where(inArray(mention.id, [...mentionIds]));
    // Messages with their attachments, service-level breaches and conversation notifications go
    // with their conversation.
    if (records.conversations.length > 0)
      await tx.delete(conversation).where(inArray(conversation.id, ids(records.conversations)));
    // Notes, link decisions (also those about their identities and other contacts) and opt-in links.
    if (records.notes.length > 0)
      await tx.delete(contactNote).where(inArray(contactNote.id, ids(records.notes)));
    if (records.identityDecisions.length > 0)
      await tx
        .delete(identityLinkDecision)
        .where(inArray(identityLinkDecision.id, ids(records.identityDecisions)));
    if (records.optInLinks.length > 0)
      await tx.delete(optInLink).where(inArray(optInLink.id, ids(records.optInLinks)));
    // Author rollups and enrichment go with the identities; consent history with the contact.
    if (records.identities.length > 0)
      await tx.delete(socialIdentity).where(inArray(socialIdentity.id, ids(records.identities)));
    await tx.delete(contact).where(eq(contact.id, records.contact.id));
    const crm = await eraseContactFromCrm(tx, {
      organizationId: ctx.organizationId,
      contactId: records.contact.id,
      identifiers: records.identifiers,
      at,
    });

    const auditIds = records.auditEntries.map((e) => e.id);
    if (auditIds.length > 0) {
      await tx.execute(sql`select set_config('konversa.audit_maintenance', 'erasure', true)`);
      await tx
        .update(auditLog)
        .set({ entityId: null, details: { erased: true } })
        .where(inArray(auditLog.id, auditIds));
      await tx.execute(sql`select set_config('konversa.audit_maintenance', 'off', true)`);
    }
    await recordAudit(tx, ctx, {
      action: "person.erased",
      entityType: "privacy_request",
      entityId: request.id,
      details: { counts },
    });
    const completed = await completePrivacyRequest(tx, ctx, {
      requestId: request.id,
      proof: { counts, auditEntriesReduced: auditIds.length },
      at,
    });
    return {
      request: completed,
      /** Ids of what was removed or reduced, per table, for the caller (not stored anywhere). */
      removed: {
        contact: [records.contact.id],
        social_identity: ids(records.identities),
        consent_record: ids(records.consents),
        conversation: ids(records.conversations),
        message: ids(records.messages),
        message_attachment: ids(records.attachments),
        mention: [...mentionIds],
        alert: ids(records.alerts),
        notification: ids(records.notifications),
        author_rollup_daily: records.authorRollups.map((r) => r.identityId),
        contact_enrichment: ids(records.enrichments),
        contact_note: ids(records.notes),
        identity_link_decision: ids(records.identityDecisions),
        opt_in_link: ids(records.optInLinks),
        dead_letter: ids(records.deadLetters),
        audit_log: auditIds.map(String),
        contact_webhook_delivery: ids(records.webhookDeliveries),
      },
      /** Uploaded imports, not run yet, that named the person and were discarded. */
      discardedUploads: crm.discardedUploads,
    };
  });
}

/** Replaces every identifying value (case-insensitive) in strings, arrays and objects. */
function scrubberFor(identifiers: string[]) {
  const patterns = identifiers.map((v) => new RegExp(v.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"), "gi"));
  const scrub = <T>(value: T): T => {
    if (typeof value === "string")
      return patterns.reduce<string>((s, p) => s.replace(p, erasedMark), value) as T;
    if (Array.isArray(value)) return value.map(scrub) as T;
    if (value && typeof value === "object" && !(value instanceof Date)) {
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, scrub(v)])) as T;
    }
    return value;
  };
  return scrub;
}
