import { type AuditActor, recordAudit } from "../../platform/audit/audit.js";
import type { DbOrTx } from "../../platform/db/client.js";
import { ValidationError } from "../../platform/errors.js";
import { enqueueContactEvent } from "../crm/contactEvents.js";
import { requireContact } from "./consents.js";
import {
  type ConsentPurpose,
  type ConsentSource,
  type ConsentState,
  consentRecord,
  type LegalBasis,
} from "./schema.js";

export interface RecordConsentProps {
  contactId: string;
  purpose: ConsentPurpose;
  /** `given` or `withdrawn`; withdrawing takes exactly the same call as giving. */
  state: ConsentState;
  /** Defaults to `consent`; `service` may rest on the contract instead. */
  legalBasis?: LegalBasis;
  source: ConsentSource;
  /** The words the person saw; required when consent is given. */
  wording?: string;
  /** Required for `agent`: what proves the decision. */
  evidence?: string;
  /** When the person decided; defaults to now. */
  at?: Date;
}

/**
 * Appends one decision to the consent ledger, audited; the ledger is never updated. The actor is a
 * member, or nobody (`userId: null`) when the person ticked a box themselves (the web chat's form).
 */
export async function recordConsent(db: DbOrTx, ctx: AuditActor, props: RecordConsentProps) {
  const wording = props.wording?.trim() || null;
  const evidence = props.evidence?.trim() || null;
  if (props.state === "given" && !wording) {
    throw new ValidationError("Give the wording the person agreed to, so the consent can be proven.");
  }
  if (props.source === "agent" && !evidence) {
    throw new ValidationError(
      "An agent recording a decision must give evidence (the customer's words, a ticket, a call note).",
    );
  }
  const legalBasis = props.legalBasis ?? "consent";
  if (props.purpose !== "service" && legalBasis !== "consent") {
    throw new ValidationError(`The purpose "${props.purpose}" needs consent as its legal basis.`);
  }
  return db.transaction(async (tx) => {
    await requireContact(tx, ctx, props.contactId);
    const [row] = await tx
      .insert(consentRecord)
      .values({
        organizationId: ctx.organizationId,
        contactId: props.contactId,
        purpose: props.purpose,
        state: props.state,
        legalBasis,
        source: props.source,
        wording,
        evidence,
        recordedByUserId: ctx.userId,
        recordedAt: props.at ?? new Date(),
      })
      .returning();
    await recordAudit(tx, ctx, {
      action: props.state === "given" ? "consent.given" : "consent.withdrawn",
      entityType: "contact",
      entityId: props.contactId,
      details: { purpose: props.purpose, source: props.source, consentRecordId: row!.id },
    });
    await enqueueContactEvent(tx, {
      organizationId: ctx.organizationId,
      event: "consent.changed",
      contactId: props.contactId,
      details: { consentRecordId: row!.id, purpose: props.purpose, state: props.state },
      at: row!.recordedAt,
    });
    return row!;
  });
}
