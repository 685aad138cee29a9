import { recordAudit } from "../../platform/audit/audit.js";
import type { OrgContext } from "../../platform/auth/context.js";
import { sha256Hex } from "../../platform/crypto/pseudonyms.js";
import type { Db } from "../../platform/db/client.js";
import { recordContactAccess } from "./personalDataAccess.js";
import { findPerson, type PersonRecords } from "./personFinder.js";
import { completePrivacyRequest, requireOpenRequest } from "./privacyRequests.js";

export interface ExportPersonProps {
  /** The open export request; its subject is exported. */
  requestId: string;
  at?: Date;
}

/**
 * Answers an access/portability request (GDPR Art. 15, 20): every record about the person as
 * JSON, with a short summary a person can read, and completes the request with a digest as proof.
 */
export async function exportPerson(db: Db, ctx: OrgContext, props: ExportPersonProps) {
  const at = props.at ?? new Date();
  return db.transaction(async (tx) => {
    const request = await requireOpenRequest(tx, ctx, props.requestId, "export");
    // Recorded first, so the export itself shows up in the access log it hands over.
    await recordContactAccess(tx, ctx, { contactIds: [request.subjectContactId], via: "export" });
    const records = await findPerson(tx, ctx.organizationId, request.subjectContactId);
    const document = exportDocument(records, at);
    const json = JSON.stringify(document);
    const counts = countsOf(records);
    const completed = await completePrivacyRequest(tx, ctx, {
      requestId: request.id,
      proof: { counts, exportSha256: sha256Hex(json) },
      at,
    });
    await recordAudit(tx, ctx, {
      action: "privacy_request.exported",
      entityType: "privacy_request",
      entityId: request.id,
      details: { counts },
    });
    return { request: completed, export: document, summary: summaryOf(records, at) };
  });
}

/** Rows per table, the shape of the proof of both export and erasure. */
export function countsOf(records: PersonRecords): Record<string, number> {
  return {
    contact: 1,
    social_identity: records.identities.length,
    consent_record: records.consents.length,
    conversation: records.conversations.length,
    message: records.messages.length,
    message_attachment: records.attachments.length,
    mention: records.mentions.length,
    alert: records.alerts.length,
    notification: records.notifications.length,
    author_rollup_daily: records.authorRollups.length,
    contact_enrichment: records.enrichments.length,
    contact_note: records.notes.length,
    identity_link_decision: records.identityDecisions.length,
    opt_in_link: records.optInLinks.length,
    privacy_request: records.privacyRequests.length,
    dead_letter: records.deadLetters.length,
    audit_log: records.auditEntries.length,
    contact_webhook_delivery: records.webhookDeliveries.length,
  };
}

function exportDocument(records: PersonRecords, at: Date) {
  const { identifiers: _, messages, attachments, ...rest } = records;
  return {
    format: "konversa.person-export/v1",
    exportedAt: at.toISOString(),
    ...rest,
    conversations: records.conversations.map((c) => ({
      ...c,
      messages: messages
        .filter((m) => m.conversationId === c.id)
        .map((m) => ({
          ...m,
          // The files themselves, base64-encoded (they are within the channel's size limits).
          attachments: attachments
            .filter((a) => a.messageId === m.id)
            .map(({ content, ...a }) => ({
              ...a,
              contentBase64: content ? content.toString("base64") : null,
            })),
        })),
    })),
    alerts: records.alerts.map((a) => ({
      ...a,
      // Only the person's own mentions; the others belong to other people.
      mentionIds: a.mentionIds.filter((id) => records.mentions.some((m) => m.id === id)),
    })),
  };
}

function summaryOf(records: PersonRecords, at: Date): string {
  const c = records.contact;
  const purposes = [...new Set(records.consents.map((r) => r.purpose))].map((p) => {
    const latest = records.consents.filter((r) => r.purpose === p).at(-1)!;
    return `${p}: ${latest.state} (${latest.recordedAt.toISOString().slice(0, 10)})`;
  });
  return [
    `Data stored about ${c.displayName}, as of ${at.toISOString().slice(0, 10)}:`,
    `- Contact details: name${c.email ? ", e-mail" : ""}${c.phone ? ", phone" : ""}${c.locale ? ", language" : ""}.`,
    `- Accounts on networks: ${records.identities.map((i) => `${i.network} (${i.handle})`).join(", ") || "none"}.`,
    `- Conversations with us: ${records.conversations.length}, with ${records.messages.length} messages and ${records.attachments.length} attached files.`,
    `- Public posts of yours that we collected: ${records.mentions.length}.`,
    `- Consent decisions: ${purposes.join("; ") || "none recorded"}.`,
    `- Profile data added from social networks: ${records.enrichments.length} entries.`,
    `- Notes our staff wrote about you: ${records.notes.length}.`,
    `- Decisions about which accounts are yours: ${records.identityDecisions.length}; opt-in links sent to you: ${records.optInLinks.length}.`,
    `- Times our staff opened your record or changed it (audit log): ${records.auditEntries.length}.`,
    `- Changes of your record waiting to be passed on to our CRM system: ${records.webhookDeliveries.length}.`,
    "The attached JSON file holds every one of these records in full.",
  ].join("\n");
}
