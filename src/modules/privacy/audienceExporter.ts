import { and, desc, eq, inArray } from "drizzle-orm";
import { recordAudit } from "../../platform/audit/audit.js";
import type { OrgContext } from "../../platform/auth/context.js";
import { sha256Hex } from "../../platform/crypto/pseudonyms.js";
import type { Db } from "../../platform/db/client.js";
import { contact } from "../contacts/schema.js";
import { requireModeAllows } from "./dataUseModes.js";
import { consentRecord } from "./schema.js";

/** Trimmed and lower-cased, as Google Customer Match and Meta custom audiences ask before hashing. */
export function normalizeEmail(email: string): string | undefined {
  const e = email.trim().toLowerCase();
  return /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(e) ? e : undefined;
}

/**
 * E.164 (`+4915112345678`): separators dropped, `00` becomes `+`, a national number (leading 0)
 * gets the default country code. Undefined when it cannot be a phone number.
 */
export function normalizePhone(phone: string, defaultCountryCode = "49"): string | undefined {
  // "+49 (0) 30 …": the trunk zero in brackets is dialled only nationally.
  let p = phone
    .trim()
    .replace(/^(\+\d+)\s*\(0\)/, "$1")
    .replace(/[\s\-./()]/g, "");
  if (p.startsWith("00")) p = `+${p.slice(2)}`;
  else if (p.startsWith("0")) p = `+${defaultCountryCode}${p.slice(1)}`;
  else if (!p.startsWith("+")) p = `+${defaultCountryCode}${p}`;
  return /^\+[1-9]\d{6,14}$/.test(p) ? p : undefined;
}

export interface ExportAudienceProps {
  /** Country code for national phone numbers (without +). */
  defaultCountryCode?: string;
}

/**
 * A customer list for ad networks: SHA-256 of the normalised e-mail and E.164 phone of every
 * contact whose newest `audience_matching` decision is "given". Modes `linked` and `full` only.
 */
export async function exportAudience(db: Db, ctx: OrgContext, props: ExportAudienceProps = {}) {
  return db.transaction(async (tx) => {
    const mode = await requireModeAllows(tx, ctx.organizationId, "audienceExport");
    const decisions = await tx
      .selectDistinctOn([consentRecord.contactId], {
        contactId: consentRecord.contactId,
        state: consentRecord.state,
      })
      .from(consentRecord)
      .where(
        and(
          eq(consentRecord.organizationId, ctx.organizationId),
          eq(consentRecord.purpose, "audience_matching"),
        ),
      )
      .orderBy(consentRecord.contactId, desc(consentRecord.recordedAt), desc(consentRecord.id));
    const consenting = decisions.filter((d) => d.state === "given").map((d) => d.contactId);
    const contacts =
      consenting.length === 0
        ? []
        : await tx
            .select({ email: contact.email, phone: contact.phone })
            .from(contact)
            .where(and(eq(contact.organizationId, ctx.organizationId), inArray(contact.id, consenting)));
    const members = contacts
      .map((c) => {
        const email = c.email ? normalizeEmail(c.email) : undefined;
        const phone = c.phone ? normalizePhone(c.phone, props.defaultCountryCode) : undefined;
        return {
          emailSha256: email ? sha256Hex(email) : null,
          phoneSha256: phone ? sha256Hex(phone) : null,
        };
      })
      .filter((m) => m.emailSha256 || m.phoneSha256);
    await recordAudit(tx, ctx, {
      action: "audience.exported",
      entityType: "organization",
      entityId: ctx.organizationId,
      details: { members: members.length, mode },
    });
    return { mode, purpose: "audience_matching" as const, members };
  });
}
