import { and, count, countDistinct, eq, isNotNull, notInArray } from "drizzle-orm";
import { recordAudit } from "../../platform/audit/audit.js";
import type { OrgContext } from "../../platform/auth/context.js";
import type { Db, DbOrTx } from "../../platform/db/client.js";
import { privateNetworks, unlinkInTx } from "../contacts/identityLinker.js";
import { socialIdentity } from "../contacts/schema.js";
import { type DataUseMode, organization } from "../organizations/schema.js";
import { dataUseModeOf, modeAllows } from "./dataUseModes.js";
import { contactEnrichment } from "./schema.js";

/** Social identities joined to a contact: mode `none` keeps none of them. */
function linkedSocialIdentities(db: DbOrTx, organizationId: string) {
  return db
    .select({ id: socialIdentity.id, contactId: socialIdentity.contactId })
    .from(socialIdentity)
    .where(
      and(
        eq(socialIdentity.organizationId, organizationId),
        isNotNull(socialIdentity.contactId),
        notInArray(socialIdentity.network, privateNetworks),
      ),
    );
}

/** What switching to `mode` removes, without removing it: the preview an admin confirms. */
export async function previewDataUseModeChange(db: DbOrTx, ctx: OrgContext, mode: DataUseMode) {
  const from = await dataUseModeOf(db, ctx.organizationId);
  const removesEnrichment = !modeAllows[mode].enrichment;
  const [enrichment] = removesEnrichment
    ? await db
        .select({ entries: count(), contacts: countDistinct(contactEnrichment.contactId) })
        .from(contactEnrichment)
        .where(eq(contactEnrichment.organizationId, ctx.organizationId))
    : [{ entries: 0, contacts: 0 }];
  const identityLinks = mode === "none" ? (await linkedSocialIdentities(db, ctx.organizationId)).length : 0;
  const stops: string[] = [];
  if (modeAllows[from].enrichment && !modeAllows[mode].enrichment) stops.push("profile enrichment");
  if (modeAllows[from].audienceExport && !modeAllows[mode].audienceExport) stops.push("audience export");
  return {
    from,
    to: mode,
    removes: {
      enrichmentEntries: enrichment!.entries,
      contactsAffected: enrichment!.contacts,
      identityLinks,
    },
    stops,
  };
}

/**
 * Changes the organization's data-use mode and removes what the new mode does not allow (leaving
 * `full` removes every profile enrichment), in one transaction with the audit entry.
 */
export async function changeDataUseMode(db: Db, ctx: OrgContext, props: { mode: DataUseMode }) {
  return db.transaction(async (tx) => {
    const preview = await previewDataUseModeChange(tx, ctx, props.mode);
    let removed = 0;
    if (!modeAllows[props.mode].enrichment) {
      const rows = await tx
        .delete(contactEnrichment)
        .where(and(eq(contactEnrichment.organizationId, ctx.organizationId)))
        .returning({ id: contactEnrichment.id });
      removed = rows.length;
    }
    let unlinked = 0;
    if (props.mode === "none") {
      const linked = await linkedSocialIdentities(tx, ctx.organizationId);
      for (const identity of linked) {
        await unlinkInTx(tx, ctx, {
          contactId: identity.contactId!,
          identityId: identity.id,
          reason: 'data-use mode changed to "none"',
          source: "data_use_mode",
        });
      }
      unlinked = linked.length;
    }
    await tx
      .update(organization)
      .set({ dataUseMode: props.mode })
      .where(eq(organization.id, ctx.organizationId));
    await recordAudit(tx, ctx, {
      action: "organization.data_use_mode_changed",
      entityType: "organization",
      entityId: ctx.organizationId,
      details: {
        from: preview.from,
        to: props.mode,
        enrichmentEntriesRemoved: removed,
        identitiesUnlinked: unlinked,
      },
    });
    return { ...preview, removed: { enrichmentEntries: removed, identityLinks: unlinked } };
  });
}
