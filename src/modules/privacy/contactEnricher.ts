import { and, eq } from "drizzle-orm";
import { recordAudit } from "../../platform/audit/audit.js";
import type { OrgContext } from "../../platform/auth/context.js";
import type { Db } from "../../platform/db/client.js";
import { ForbiddenError } from "../../platform/errors.js";
import { socialIdentity } from "../contacts/schema.js";
import { hasConsent, requireContact } from "./consents.js";
import { requireModeAllows } from "./dataUseModes.js";
import { contactEnrichment } from "./schema.js";

/**
 * Copies the public profile of the contact's linked identities onto the contact (mode `full` and
 * consent `profile_enrichment` only), replacing an earlier enrichment.
 */
export async function enrichContact(db: Db, ctx: OrgContext, props: { contactId: string }) {
  return db.transaction(async (tx) => {
    await requireContact(tx, ctx, props.contactId);
    await requireModeAllows(tx, ctx.organizationId, "enrichment");
    if (!(await hasConsent(tx, ctx.organizationId, props.contactId, "profile_enrichment"))) {
      throw new ForbiddenError(
        "This contact has not given consent to profile enrichment; record their consent first.",
      );
    }
    const identities = await tx
      .select()
      .from(socialIdentity)
      .where(
        and(
          eq(socialIdentity.organizationId, ctx.organizationId),
          eq(socialIdentity.contactId, props.contactId),
        ),
      );
    await tx
      .delete(contactEnrichment)
      .where(
        and(
          eq(contactEnrichment.organizationId, ctx.organizationId),
          eq(contactEnrichment.contactId, props.contactId),
        ),
      );
    const rows =
      identities.length === 0
        ? []
        : await tx
            .insert(contactEnrichment)
            .values(
              identities.map((i) => ({
                organizationId: ctx.organizationId,
                contactId: props.contactId,
                identityId: i.id,
                data: {
                  network: i.network,
                  handle: i.handle,
                  displayName: i.displayName,
                  profileUrl: i.profileUrl,
                  followers: i.followers,
                  influenceScore: i.influenceScore,
                  profile: i.profile,
                },
              })),
            )
            .returning();
    await recordAudit(tx, ctx, {
      action: "contact.enriched",
      entityType: "contact",
      entityId: props.contactId,
      details: { identities: rows.length },
    });
    return { contactId: props.contactId, entries: rows };
  });
}
