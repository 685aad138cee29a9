import { and, eq, sql } from "drizzle-orm";
import { recordAudit } from "../../platform/audit/audit.js";
import type { OrgContext } from "../../platform/auth/context.js";
import { hashToken, randomToken } from "../../platform/crypto/secrets.js";
import type { Db, DbOrTx } from "../../platform/db/client.js";
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from "../../platform/errors.js";
import { getContact } from "../contacts/contacts.js";
import {
  getIdentity,
  identityLinkPurpose,
  identityResolutionSettings,
  linkIdentityInTx,
  requireLinkBasis,
} from "../contacts/identityLinker.js";
import { contact } from "../contacts/schema.js";
import { organization } from "../organizations/schema.js";
import { consentRecord, optInLink } from "./schema.js";

export const optInTokenPattern = /^kvo_[A-Za-z0-9_-]{20,64}$/;
/** Wrong customer numbers before a link stops working (it is a secret, not a guessing game). */
export const maxFailedAttempts = 5;

export const defaultOptInWording = {
  de: "Ich bestätige, dass dieses Konto mir gehört, und willige ein, dass {organization} es mit meinem Kundenkonto verknüpft, um mich über diesen Kanal als Kunde zu erkennen und zu betreuen. Ich kann diese Einwilligung jederzeit widerrufen.",
  en: "I confirm that this account is mine and agree that {organization} links it to my customer account, to recognise and serve me as a customer on this channel. I can withdraw this consent at any time.",
} as const;

export interface CreateOptInLinkProps {
  contactId: string;
  identityId: string;
  /** The purpose text the customer reads; default: the standard wording in the link's language. */
  wording?: string;
  locale: "de" | "en";
  expiresInDays: number;
  /** Overrides the days: a short-lived link handed over during a live chat or call. */
  expiresInSeconds?: number;
  campaign?: string;
  baseUrl: string;
}

async function organizationName(db: DbOrTx, organizationId: string) {
  const [org] = await db
    .select({ name: organization.name })
    .from(organization)
    .where(eq(organization.id, organizationId));
  return org?.name ?? "";
}

/**
 * Creates a personal, single-use, expiring opt-in link for one contact and one identity; the
 * secret is returned once and stored only as a hash.
 */
export async function createOptInLink(db: Db, ctx: OrgContext, props: CreateOptInLinkProps) {
  return db.transaction(async (tx) => createInTx(tx, ctx, props));
}

async function createInTx(tx: DbOrTx, ctx: OrgContext, props: CreateOptInLinkProps) {
  await getContact(tx, ctx, props.contactId);
  const identity = await getIdentity(tx, ctx, props.identityId);
  if (identity.contactId) throw new ConflictError("This identity is linked to a contact already.");
  // The consent comes with the link; what must hold already is the data-use mode.
  await requireLinkBasis(tx, ctx.organizationId, {
    contactId: props.contactId,
    network: identity.network,
    consentRecordedInThisStep: true,
  });
  const wording =
    props.wording?.trim() ||
    defaultOptInWording[props.locale].replace(
      "{organization}",
      await organizationName(tx, ctx.organizationId),
    );
  const token = randomToken("kvo", 24);
  const [row] = await tx
    .insert(optInLink)
    .values({
      organizationId: ctx.organizationId,
      contactId: props.contactId,
      identityId: props.identityId,
      tokenHash: hashToken(token),
      purpose: identityLinkPurpose,
      wording,
      locale: props.locale,
      campaign: props.campaign?.trim() || null,
      expiresAt: new Date(Date.now() + (props.expiresInSeconds ?? props.expiresInDays * 86_400) * 1000),
      createdByUserId: ctx.userId,
    })
    .returning();
  await recordAudit(tx, ctx, {
    action: "opt_in_link.created",
    entityType: "contact",
    entityId: props.contactId,
    details: { optInLinkId: row!.id, identityId: props.identityId, campaign: row!.campaign },
  });
  return {
    id: row!.id,
    contactId: row!.contactId,
    identityId: row!.identityId,
    expiresAt: row!.expiresAt,
    token,
    url: `${props.baseUrl}/opt-in/${token}`,
  };
}

/**
 * A campaign: one link per (contact, identity) pair, all in one transaction; pairs whose identity is
 * linked already are reported, not created.
 */
export async function createOptInCampaign(
  db: Db,
  ctx: OrgContext,
  props: Omit<CreateOptInLinkProps, "contactId" | "identityId"> & {
    campaign: string;
    recipients: Array<{ contactId: string; identityId: string }>;
  },
) {
  if (!props.campaign.trim()) throw new ValidationError("Name the campaign, so its links can be told apart.");
  return db.transaction(async (tx) => {
    const links = [];
    const skipped = [];
    for (const recipient of props.recipients) {
      try {
        links.push(await createInTx(tx, ctx, { ...props, ...recipient }));
      } catch (error) {
        if (!(error instanceof ConflictError)) throw error;
        skipped.push({ ...recipient, reason: error.message });
      }
    }
    return { campaign: props.campaign.trim(), links, skipped };
  });
}

async function findByToken(db: DbOrTx, token: string) {
  const [row] = await db
    .select()
    .from(optInLink)
    .where(eq(optInLink.tokenHash, hashToken(token)));
  if (!row) throw new NotFoundError("This opt-in link");
  return row;
}

function stateOf(row: typeof optInLink.$inferSelect, now: Date): "open" | "used" | "expired" | "locked" {
  if (row.usedAt) return "used";
  if (row.failedAttempts >= maxFailedAttempts) return "locked";
  if (row.expiresAt <= now) return "expired";
  return "open";
}

/** What the public page shows: whose account, the purpose text, and whether the link still works. */
export async function describeOptInLink(db: DbOrTx, token: string, now = new Date()) {
  const row = await findByToken(db, token);
  const state = stateOf(row, now);
  const identity = await getIdentity(db, { organizationId: row.organizationId }, row.identityId);
  return {
    state,
    organizationName: await organizationName(db, row.organizationId),
    locale: row.locale,
    expiresAt: row.expiresAt,
    // Only an open link shows what it is about; a used or expired one reveals nothing.
    identity:
      state === "open"
        ? { network: identity.network, handle: identity.handle, displayName: identity.displayName }
        : null,
    wording: state === "open" ? row.wording : null,
  };
}

const normalizeNumber = (s: string) => s.replace(/[\s\-./]/g, "").toUpperCase();

/**
 * The customer confirms: the customer number must match the contact's, then the consent (source
 * `opt_in_link`, the wording shown) and the identity link are recorded in one transaction and the
 * link is spent. A used, expired or locked link is refused with a sentence that says so.
 */
export async function redeemOptInLink(
  db: Db,
  props: { token: string; customerNumber: string; consent: boolean; ip?: string; now?: Date },
) {
  const now = props.now ?? new Date();
  if (!props.consent) throw new ValidationError("Tick the consent box to link your account.");
  const outcome = await db.transaction(async (tx) => {
    const found = await findByToken(tx, props.token);
    const [row] = await tx.select().from(optInLink).where(eq(optInLink.id, found.id)).for("update");
    const state = stateOf(row!, now);
    if (state === "used")
      throw new ConflictError("This link has been used already. Each link works only once.");
    if (state === "expired") throw new ConflictError("This link has expired. Ask us for a new one.");
    if (state === "locked")
      throw new ForbiddenError(
        "This link is blocked after too many wrong customer numbers. Ask us for a new one.",
      );
    const actor = { organizationId: row!.organizationId, userId: null, ip: props.ip };
    const settings = await identityResolutionSettings(tx, row!.organizationId);
    const [person] = await tx
      .select()
      .from(contact)
      .where(and(eq(contact.organizationId, row!.organizationId), eq(contact.id, row!.contactId)));
    const expected = person?.attributes[settings.customerNumberAttribute];
    if (!expected || normalizeNumber(expected) !== normalizeNumber(props.customerNumber)) {
      await tx
        .update(optInLink)
        .set({ failedAttempts: sql`${optInLink.failedAttempts} + 1` })
        .where(eq(optInLink.id, row!.id));
      return { ok: false as const, left: maxFailedAttempts - row!.failedAttempts - 1 };
    }
    const [consent] = await tx
      .insert(consentRecord)
      .values({
        organizationId: row!.organizationId,
        contactId: row!.contactId,
        purpose: row!.purpose,
        state: "given",
        legalBasis: "consent",
        source: "opt_in_link",
        wording: row!.wording,
        evidence: `opt-in link ${row!.id}`,
        recordedAt: now,
      })
      .returning();
    await recordAudit(tx, actor, {
      action: "consent.given",
      entityType: "contact",
      entityId: row!.contactId,
      details: { purpose: row!.purpose, source: "opt_in_link", consentRecordId: consent!.id },
    });
    await linkIdentityInTx(tx, actor, {
      identityId: row!.identityId,
      contactId: row!.contactId,
      reason: "The customer confirmed the account with their customer number (opt-in link).",
      source: "opt_in_link",
      consentRecordedInThisStep: true,
    });
    await tx.update(optInLink).set({ usedAt: now }).where(eq(optInLink.id, row!.id));
    return { ok: true as const };
  });
  if (!outcome.ok) {
    throw new ValidationError(
      outcome.left > 0
        ? `This customer number does not match our records. Check it (it is on your invoice or customer card); ${outcome.left} attempts left.`
        : "This customer number does not match our records, and the link is now blocked. Ask us for a new one.",
    );
  }
  return { linked: true };
}
