import { and, eq } from "drizzle-orm";
import { recordAudit } from "../../platform/audit/audit.js";
import type { OrgContext } from "../../platform/auth/context.js";
import type { Db, DbOrTx, Tx } from "../../platform/db/client.js";
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from "../../platform/errors.js";
import { enqueueContactEvent } from "../crm/contactEvents.js";
import { hasConsent } from "../privacy/consents.js";
import { dataUseModeOf } from "../privacy/dataUseModes.js";
import { getContact } from "./contacts.js";
import type { Evidence } from "./identityMatching.js";
import {
  type IdentityLinkSource,
  identityLinkDecision,
  identityResolutionSetting,
  socialIdentity,
} from "./schema.js";

/** Channels the customer writes to us on privately: the address is contract data, not social data. */
export const privateNetworks = ["email", "webchat", "phone", "sms", "whatsapp"];
/** The consent purpose a link of a public social identity to a contact rests on. */
export const identityLinkPurpose = "service" as const;

export async function getIdentity(db: DbOrTx, ctx: Pick<OrgContext, "organizationId">, id: string) {
  const [found] = await db
    .select()
    .from(socialIdentity)
    .where(and(eq(socialIdentity.organizationId, ctx.organizationId), eq(socialIdentity.id, id)));
  if (!found) throw new NotFoundError("The identity");
  return found;
}

/**
 * Whether the law lets this organization join the identity to the contact: private channels
 * always; a public social identity only in data-use mode `linked` or `full` and with the contact's
 * consent to `service` (what the opt-in link asks for). Refuses with what to do instead.
 */
export async function requireLinkBasis(
  db: DbOrTx,
  organizationId: string,
  props: { contactId: string; network: string; consentRecordedInThisStep?: boolean },
) {
  if (privateNetworks.includes(props.network)) return;
  const mode = await dataUseModeOf(db, organizationId);
  if (mode === "none") {
    throw new ForbiddenError(
      'Linking social identities to contacts is switched off: this organization\'s data-use mode is "none". An owner or admin can change it to "linked" or "full" under Settings → Privacy.',
    );
  }
  if (props.consentRecordedInThisStep) return;
  if (!(await hasConsent(db, organizationId, props.contactId, identityLinkPurpose))) {
    throw new ForbiddenError(
      `This contact has not consented to "${identityLinkPurpose}" yet, so their social identity cannot be linked. Send them an opt-in link, or record their consent with evidence first.`,
    );
  }
}

export interface DecideProps {
  identityId: string;
  contactId: string;
  /** Why (an agent's sentence, "automatic: …", "opt-in link"). Required for agents. */
  reason?: string;
  score?: number | null;
  evidence?: Evidence[];
  source: IdentityLinkSource;
  /** Set by the opt-in flow, which records the consent in the same transaction. */
  consentRecordedInThisStep?: boolean;
}

/** Links the identity to the contact and records who, when and why; the caller's transaction. */
export async function linkIdentityInTx(
  tx: Tx,
  ctx: Pick<OrgContext, "organizationId"> & { userId: string | null; tokenId?: string; ip?: string },
  props: DecideProps,
) {
  const identity = await getIdentity(tx, ctx, props.identityId);
  if (identity.contactId === props.contactId) {
    throw new ConflictError("This identity is linked to this contact already.");
  }
  if (identity.contactId) {
    throw new ConflictError(
      "This identity is linked to another contact; unlink it there first, so no two people share one account.",
    );
  }
  await requireLinkBasis(tx, ctx.organizationId, {
    contactId: props.contactId,
    network: identity.network,
    consentRecordedInThisStep: props.consentRecordedInThisStep,
  });
  await tx
    .update(socialIdentity)
    .set({ contactId: props.contactId })
    .where(and(eq(socialIdentity.organizationId, ctx.organizationId), eq(socialIdentity.id, identity.id)));
  const [decision] = await tx
    .insert(identityLinkDecision)
    .values({
      organizationId: ctx.organizationId,
      identityId: identity.id,
      contactId: props.contactId,
      decision: "confirmed",
      source: props.source,
      score: props.score ?? null,
      evidence: (props.evidence ?? []) as Array<Record<string, unknown>>,
      reason: props.reason?.trim() || null,
      decidedByUserId: ctx.userId,
    })
    .returning();
  await recordAudit(tx, ctx, {
    action: "identity.linked",
    entityType: "contact",
    entityId: props.contactId,
    details: { identityId: identity.id, decisionId: decision!.id, source: props.source },
  });
  // An existing CRM hears of the link in the same transaction (outbox).
  await enqueueContactEvent(tx, {
    organizationId: ctx.organizationId,
    event: "identity.linked",
    contactId: props.contactId,
    details: { identityId: identity.id },
    at: new Date(),
  });
  return decision!;
}

/** An agent confirms a candidate: the link, with their reason, audited. */
export async function confirmIdentity(db: Db, ctx: OrgContext, props: Omit<DecideProps, "source">) {
  if (!props.reason?.trim())
    throw new ValidationError("Say why this identity is this contact (the reason is kept).");
  return db.transaction(async (tx) => {
    await getContact(tx, ctx, props.contactId);
    return linkIdentityInTx(tx, ctx, { ...props, source: "agent" });
  });
}

/** An agent rejects a candidate: recorded, and the pair is never proposed again. */
export async function rejectIdentity(db: Db, ctx: OrgContext, props: Omit<DecideProps, "source">) {
  return db.transaction(async (tx) => {
    await getContact(tx, ctx, props.contactId);
    const identity = await getIdentity(tx, ctx, props.identityId);
    const [decision] = await tx
      .insert(identityLinkDecision)
      .values({
        organizationId: ctx.organizationId,
        identityId: identity.id,
        contactId: props.contactId,
        decision: "rejected",
        source: "agent",
        score: props.score ?? null,
        evidence: (props.evidence ?? []) as Array<Record<string, unknown>>,
        reason: props.reason?.trim() || null,
        decidedByUserId: ctx.userId,
      })
      .returning();
    await recordAudit(tx, ctx, {
      action: "identity.rejected",
      entityType: "contact",
      entityId: props.contactId,
      details: { identityId: identity.id, decisionId: decision!.id },
    });
    return decision!;
  });
}

/** Separates an identity from its contact (the customer asked, or it was a mistake). */
export async function unlinkIdentity(
  db: Db,
  ctx: OrgContext,
  props: { contactId: string; identityId: string; reason?: string },
) {
  return db.transaction(async (tx) => {
    const identity = await getIdentity(tx, ctx, props.identityId);
    if (identity.contactId !== props.contactId) throw new NotFoundError("The identity of this contact");
    return unlinkInTx(tx, ctx, { ...props, source: "agent" });
  });
}

export async function unlinkInTx(
  tx: Tx,
  ctx: Pick<OrgContext, "organizationId" | "tokenId" | "ip"> & { userId: string | null },
  props: { contactId: string; identityId: string; reason?: string; source: IdentityLinkSource },
) {
  await tx
    .update(socialIdentity)
    .set({ contactId: null })
    .where(
      and(eq(socialIdentity.organizationId, ctx.organizationId), eq(socialIdentity.id, props.identityId)),
    );
  const [decision] = await tx
    .insert(identityLinkDecision)
    .values({
      organizationId: ctx.organizationId,
      identityId: props.identityId,
      contactId: props.contactId,
      decision: "unlinked",
      source: props.source,
      reason: props.reason?.trim() || null,
      decidedByUserId: ctx.userId,
    })
    .returning();
  await recordAudit(tx, ctx, {
    action: "identity.unlinked",
    entityType: "contact",
    entityId: props.contactId,
    details: { identityId: props.identityId, decisionId: decision!.id, source: props.source },
  });
  return decision!;
}

/**
 * Adds an identity the customer told us about (an e-mail address, their Bluesky handle) and links
 * it, under the same legal basis as a confirmed candidate.
 */
export async function addIdentity(
  db: Db,
  ctx: OrgContext,
  props: { contactId: string; network: string; handle: string; displayName?: string; reason?: string },
) {
  const handle = props.handle.trim().replace(/^@/, "").toLowerCase();
  if (!handle) throw new ValidationError("An identity needs a handle or address.");
  return db.transaction(async (tx) => {
    await getContact(tx, ctx, props.contactId);
    await requireLinkBasis(tx, ctx.organizationId, { contactId: props.contactId, network: props.network });
    await tx
      .insert(socialIdentity)
      .values({
        organizationId: ctx.organizationId,
        network: props.network,
        handle,
        displayName: props.displayName?.trim() || null,
      })
      .onConflictDoNothing();
    const [identity] = await tx
      .select()
      .from(socialIdentity)
      .where(
        and(
          eq(socialIdentity.organizationId, ctx.organizationId),
          eq(socialIdentity.network, props.network),
          eq(socialIdentity.handle, handle),
        ),
      );
    await linkIdentityInTx(tx, ctx, {
      identityId: identity!.id,
      contactId: props.contactId,
      reason: props.reason ?? "added by an agent",
      source: "agent",
    });
    return getIdentity(tx, ctx, identity!.id);
  });
}

export interface IdentityResolutionSettings {
  certainty: number;
  autoLinkCertainty: number | null;
  customerNumberAttribute: string;
}

export async function identityResolutionSettings(
  db: DbOrTx,
  organizationId: string,
): Promise<IdentityResolutionSettings> {
  const [row] = await db
    .select()
    .from(identityResolutionSetting)
    .where(eq(identityResolutionSetting.organizationId, organizationId));
  return {
    certainty: row?.certainty ?? 0.8,
    autoLinkCertainty: row?.autoLinkCertainty ?? null,
    customerNumberAttribute: row?.customerNumberAttribute ?? "customer_number",
  };
}

/** Saves the thresholds; automatic linking can never start below the certainty of a likely candidate. */
export async function saveIdentityResolutionSettings(
  db: Db,
  ctx: OrgContext,
  input: IdentityResolutionSettings,
) {
  if (input.autoLinkCertainty !== null && input.autoLinkCertainty < Math.max(input.certainty, 0.9)) {
    throw new ValidationError(
      "Automatic linking needs a certainty of at least 0.9 and not below the certainty of likely candidates; leave it empty to link only by hand.",
    );
  }
  return db.transaction(async (tx) => {
    const values = {
      ...input,
      customerNumberAttribute: input.customerNumberAttribute.trim(),
      updatedAt: new Date(),
    };
    await tx
      .insert(identityResolutionSetting)
      .values({ organizationId: ctx.organizationId, ...values })
      .onConflictDoUpdate({ target: identityResolutionSetting.organizationId, set: values });
    await recordAudit(tx, ctx, {
      action: "identity_resolution.settings_changed",
      entityType: "organization",
      entityId: ctx.organizationId,
      details: { certainty: input.certainty, autoLinkCertainty: input.autoLinkCertainty },
    });
    return identityResolutionSettings(tx, ctx.organizationId);
  });
}
