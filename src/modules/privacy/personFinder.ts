import { and, arrayOverlaps, eq, ilike, inArray, or, sql } from "drizzle-orm";
import { auditLog } from "../../platform/audit/schema.js";
import type { DbOrTx } from "../../platform/db/client.js";
import { contactNote, identityLinkDecision, socialIdentity } from "../contacts/schema.js";
import { conversation, message, messageAttachment } from "../conversations/schema.js";
import { findContactOutbox } from "../crm/personalData.js";
import { alert, authorRollup, deadLetter, mention } from "../listening/schema.js";
import { notification } from "../notifications/schema.js";
import { webchatSession } from "../webchat/schema.js";
import { requireContact } from "./consents.js";
import { consentRecord, contactEnrichment, optInLink, privacyRequest } from "./schema.js";

const none = ["00000000-0000-0000-0000-000000000000"];
const orNone = (ids: string[]) => (ids.length > 0 ? ids : none);

/**
 * Everything the organization stores about one person, table by table. Export and erasure both
 * start here, so what is exported is exactly what is erased.
 */
export async function findPerson(db: DbOrTx, organizationId: string, contactId: string) {
  const org = { organizationId };
  const person = await requireContact(db, org, contactId);
  const identities = await db
    .select()
    .from(socialIdentity)
    .where(and(eq(socialIdentity.organizationId, organizationId), eq(socialIdentity.contactId, contactId)));
  const identityIds = identities.map((i) => i.id);
  const consents = await db
    .select()
    .from(consentRecord)
    .where(and(eq(consentRecord.organizationId, organizationId), eq(consentRecord.contactId, contactId)));
  const conversations = await db
    .select()
    .from(conversation)
    .where(and(eq(conversation.organizationId, organizationId), eq(conversation.contactId, contactId)));
  const conversationIds = conversations.map((c) => c.id);
  const messages = await db
    .select()
    .from(message)
    .where(
      and(
        eq(message.organizationId, organizationId),
        inArray(message.conversationId, orNone(conversationIds)),
      ),
    );
  const attachments = await db
    .select()
    .from(messageAttachment)
    .where(
      and(
        eq(messageAttachment.organizationId, organizationId),
        inArray(messageAttachment.messageId, orNone(messages.map((m) => m.id))),
      ),
    );
  const mentions = await db
    .select()
    .from(mention)
    .where(and(eq(mention.organizationId, organizationId), inArray(mention.identityId, orNone(identityIds))));
  const mentionIds = mentions.map((m) => m.id);
  const alerts = await db
    .select()
    .from(alert)
    .where(
      and(eq(alert.organizationId, organizationId), arrayOverlaps(alert.mentionIds, orNone(mentionIds))),
    );
  const alertLinks = alerts.map((a) => `/listening/alerts/${a.id}`);
  const notifications = await db
    .select()
    .from(notification)
    .where(
      and(
        eq(notification.organizationId, organizationId),
        or(
          inArray(notification.conversationId, orNone(conversationIds)),
          inArray(notification.link, alertLinks.length > 0 ? alertLinks : ["-"]),
        ),
      ),
    );
  const authorRollups = await db
    .select()
    .from(authorRollup)
    .where(
      and(
        eq(authorRollup.organizationId, organizationId),
        inArray(authorRollup.identityId, orNone(identityIds)),
      ),
    );
  const enrichments = await db
    .select()
    .from(contactEnrichment)
    .where(
      and(eq(contactEnrichment.organizationId, organizationId), eq(contactEnrichment.contactId, contactId)),
    );
  const privacyRequests = await db
    .select()
    .from(privacyRequest)
    .where(
      and(eq(privacyRequest.organizationId, organizationId), eq(privacyRequest.subjectContactId, contactId)),
    );
  const notes = await db
    .select()
    .from(contactNote)
    .where(and(eq(contactNote.organizationId, organizationId), eq(contactNote.contactId, contactId)));
  // Decisions about the person as a contact, and about their identities with anybody.
  const identityDecisions = await db
    .select()
    .from(identityLinkDecision)
    .where(
      and(
        eq(identityLinkDecision.organizationId, organizationId),
        or(
          eq(identityLinkDecision.contactId, contactId),
          inArray(identityLinkDecision.identityId, orNone(identityIds)),
        ),
      ),
    );
  const optInLinks = (
    await db
      .select()
      .from(optInLink)
      .where(and(eq(optInLink.organizationId, organizationId), eq(optInLink.contactId, contactId)))
  ).map(({ tokenHash: _, ...link }) => link);
  const identifiers = identifyingValues(person, identities);
  // Raw posts the pipeline gave up on carry the author's handle inside the payload.
  const deadLetters =
    identities.length === 0
      ? []
      : await db
          .select()
          .from(deadLetter)
          .where(
            and(
              eq(deadLetter.organizationId, organizationId),
              or(
                ...identities.map((i) =>
                  ilike(sql`${deadLetter.payload}::text`, `%${escapeLike(i.handle)}%`),
                ),
              ),
            ),
          );
  const recordIds = [
    contactId,
    ...identityIds,
    ...conversationIds,
    ...messages.map((m) => m.id),
    ...mentionIds,
    ...notes.map((n) => n.id),
    ...identityDecisions.map((d) => d.id),
    ...optInLinks.map((l) => l.id),
  ];
  const auditEntries = await db
    .select()
    .from(auditLog)
    .where(
      and(
        eq(auditLog.organizationId, organizationId),
        or(
          inArray(auditLog.entityId, recordIds),
          ...recordIds.map((id) => ilike(sql`${auditLog.details}::text`, `%${id}%`)),
        ),
      ),
    );
  // Web chats the person started (name, address, website); erased with the contact (cascade).
  const webchatSessions = await db
    .select({
      id: webchatSession.id,
      channelId: webchatSession.channelId,
      conversationId: webchatSession.conversationId,
      visitorName: webchatSession.visitorName,
      visitorEmail: webchatSession.visitorEmail,
      language: webchatSession.language,
      origin: webchatSession.origin,
      emailFollowUp: webchatSession.emailFollowUp,
      createdAt: webchatSession.createdAt,
      lastSeenAt: webchatSession.lastSeenAt,
    })
    .from(webchatSession)
    .where(and(eq(webchatSession.organizationId, organizationId), eq(webchatSession.contactId, contactId)));
  const webhookDeliveries = await findContactOutbox(db, organizationId, contactId);
  return {
    contact: person,
    identities,
    consents,
    conversations,
    messages,
    attachments,
    mentions,
    alerts,
    notifications,
    authorRollups,
    enrichments,
    notes,
    identityDecisions,
    optInLinks,
    privacyRequests,
    deadLetters,
    webchatSessions,
    auditEntries,
    webhookDeliveries,
    identifiers,
  };
}

export type PersonRecords = Awaited<ReturnType<typeof findPerson>>;

/** The values that identify the person on their own: names, handles, addresses, numbers. */
function identifyingValues(
  person: { displayName: string; email: string | null; phone: string | null },
  identities: Array<{ handle: string; displayName: string | null; profileUrl: string | null }>,
): string[] {
  const values = [
    person.displayName,
    person.email,
    person.phone,
    ...identities.flatMap((i) => [i.handle, i.displayName, i.profileUrl]),
  ];
  return [...new Set(values.filter((v): v is string => typeof v === "string" && v.trim().length >= 3))];
}

export function escapeLike(value: string) {
  return value.replace(/[\\%_]/g, (c) => `\\${c}`);
}
