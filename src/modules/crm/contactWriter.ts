import { and, eq, sql } from "drizzle-orm";
import { recordAudit } from "../../platform/audit/audit.js";
import type { OrgContext } from "../../platform/auth/context.js";
import type { Clock } from "../../platform/clock.js";
import type { Db, DbOrTx } from "../../platform/db/client.js";
import { ConflictError, NotFoundError, ValidationError } from "../../platform/errors.js";
import { contact, socialIdentity } from "../contacts/schema.js";
import { enqueueContactEvent } from "./contactEvents.js";
import {
  companiesByName,
  emailProblem,
  isAttributeName,
  localeProblem,
  normaliseEmail,
  phoneProblem,
  reasonSentences,
} from "./contactFields.js";

export interface ContactInput {
  displayName?: string;
  email?: string | null;
  phone?: string | null;
  locale?: string | null;
  tags?: string[];
  /** Merged into the stored attributes; a `null` value removes that attribute. */
  attributes?: Record<string, string | null>;
  /** The company's name; created when it does not exist; `null` detaches. */
  company?: string | null;
}

type Deps = { db: Db; clock: Clock };

function checkInput(input: ContactInput) {
  const problems: Array<{ field: string; message: string }> = [];
  const reason = (field: string, code: string | undefined) => {
    if (code) problems.push({ field, message: reasonSentences[code]! });
  };
  if (input.displayName !== undefined && !input.displayName.trim()) reason("displayName", "missing_name");
  if (input.email) reason("email", emailProblem(normaliseEmail(input.email)));
  if (input.phone) reason("phone", phoneProblem(input.phone.trim()));
  if (input.locale) reason("locale", localeProblem(input.locale.trim()));
  for (const name of Object.keys(input.attributes ?? {})) {
    if (!isAttributeName(name))
      problems.push({
        field: `attributes.${name}`,
        message: `"${name}" is not an attribute name: letters, digits, _ . - and a letter first.`,
      });
  }
  if (problems.length > 0) throw new ValidationError(problems.map((p) => p.message).join(" "), problems);
}

async function requireNoEmailTwin(tx: DbOrTx, ctx: OrgContext, email: string, exceptId?: string) {
  const [twin] = await tx
    .select({ id: contact.id })
    .from(contact)
    .where(and(eq(contact.organizationId, ctx.organizationId), sql`lower(${contact.email}) = ${email}`));
  if (twin && twin.id !== exceptId)
    throw new ConflictError(`A contact with this e-mail address exists already (${twin.id}).`);
}

async function fieldValues(
  tx: DbOrTx,
  ctx: OrgContext,
  input: ContactInput,
  stored?: typeof contact.$inferSelect,
) {
  const companyIds =
    input.company === undefined || input.company === null
      ? undefined
      : await companiesByName(tx, ctx.organizationId, [input.company]);
  const attributes = { ...(stored?.attributes ?? {}) };
  for (const [name, value] of Object.entries(input.attributes ?? {})) {
    if (value === null) delete attributes[name];
    else attributes[name] = value;
  }
  const blank = (v: string | null | undefined) => (v === undefined ? undefined : v?.trim() || null);
  return {
    ...(input.displayName !== undefined ? { displayName: input.displayName.trim() } : {}),
    ...(input.email !== undefined ? { email: input.email ? normaliseEmail(input.email) : null } : {}),
    ...(input.phone !== undefined ? { phone: blank(input.phone) } : {}),
    ...(input.locale !== undefined ? { locale: blank(input.locale) } : {}),
    ...(input.tags !== undefined
      ? { tags: [...new Set(input.tags.map((t) => t.trim()).filter(Boolean))] }
      : {}),
    ...(input.attributes !== undefined ? { attributes } : {}),
    ...(input.company === null
      ? { companyId: null }
      : companyIds
        ? { companyId: companyIds.get(input.company!.trim().toLowerCase()) ?? null }
        : {}),
  };
}

/** Creates a contact (the CRM API); e-mail addresses are unique per organization. */
export async function createContact(
  deps: Deps,
  ctx: OrgContext,
  input: ContactInput & { displayName: string },
) {
  checkInput(input);
  const at = deps.clock.now();
  return deps.db.transaction(async (tx) => {
    if (input.email) await requireNoEmailTwin(tx, ctx, normaliseEmail(input.email));
    const values = await fieldValues(tx, ctx, input);
    const [created] = await tx
      .insert(contact)
      .values({
        organizationId: ctx.organizationId,
        displayName: input.displayName.trim(),
        ...values,
        createdAt: at,
        updatedAt: at,
      })
      .returning();
    await recordAudit(tx, ctx, {
      action: "contact.created",
      entityType: "contact",
      entityId: created!.id,
      details: { via: "api" },
    });
    await enqueueContactEvent(tx, {
      organizationId: ctx.organizationId,
      event: "contact.created",
      contactId: created!.id,
      at,
    });
    return created!;
  });
}

export async function updateContact(
  deps: Deps,
  ctx: OrgContext,
  props: { contactId: string; changes: ContactInput },
) {
  checkInput(props.changes);
  const at = deps.clock.now();
  return deps.db.transaction(async (tx) => {
    const stored = await requireContactRow(tx, ctx, props.contactId);
    if (props.changes.email)
      await requireNoEmailTwin(tx, ctx, normaliseEmail(props.changes.email), stored.id);
    const values = await fieldValues(tx, ctx, props.changes, stored);
    const [updated] = await tx
      .update(contact)
      .set({ ...values, updatedAt: at })
      .where(eq(contact.id, stored.id))
      .returning();
    await recordAudit(tx, ctx, {
      action: "contact.updated",
      entityType: "contact",
      entityId: stored.id,
      details: { fields: Object.keys(props.changes) },
    });
    await enqueueContactEvent(tx, {
      organizationId: ctx.organizationId,
      event: "contact.updated",
      contactId: stored.id,
      at,
    });
    return updated!;
  });
}

/**
 * Deletes a contact record (the CRM removed it). Conversations stay without their contact; this is
 * not a data-subject erasure, which goes through a privacy request (Settings → Privacy).
 */
export async function deleteContact(deps: Deps, ctx: OrgContext, contactId: string) {
  const at = deps.clock.now();
  await deps.db.transaction(async (tx) => {
    const stored = await requireContactRow(tx, ctx, contactId);
    await tx.delete(contact).where(eq(contact.id, stored.id));
    await recordAudit(tx, ctx, { action: "contact.deleted", entityType: "contact", entityId: stored.id });
    await enqueueContactEvent(tx, {
      organizationId: ctx.organizationId,
      event: "contact.deleted",
      contactId: stored.id,
      at,
    });
  });
}

export async function requireContactRow(db: DbOrTx, ctx: OrgContext, contactId: string) {
  const [found] = await db
    .select()
    .from(contact)
    .where(and(eq(contact.organizationId, ctx.organizationId), eq(contact.id, contactId)));
  if (!found) throw new NotFoundError("The contact");
  return found;
}

export async function listContactIdentities(db: DbOrTx, ctx: OrgContext, contactId: string) {
  await requireContactRow(db, ctx, contactId);
  return db
    .select()
    .from(socialIdentity)
    .where(
      and(eq(socialIdentity.organizationId, ctx.organizationId), eq(socialIdentity.contactId, contactId)),
    )
    .orderBy(socialIdentity.network, socialIdentity.handle);
}

/**
 * Links an identity to the contact: a known one by id, or an address the CRM knows (`network` and
 * `handle`, created when new). An identity linked to somebody else is refused, not moved.
 */
export async function linkIdentity(
  deps: Deps,
  ctx: OrgContext,
  props: { contactId: string; identityId?: string; network?: string; handle?: string; reason?: string },
) {
  const at = deps.clock.now();
  return deps.db.transaction(async (tx) => {
    await requireContactRow(tx, ctx, props.contactId);
    let identity: typeof socialIdentity.$inferSelect | undefined;
    if (props.identityId) {
      [identity] = await tx
        .select()
        .from(socialIdentity)
        .where(
          and(eq(socialIdentity.organizationId, ctx.organizationId), eq(socialIdentity.id, props.identityId)),
        );
      if (!identity) throw new NotFoundError("The identity");
    } else if (props.network && props.handle) {
      const handle = props.handle.trim().replace(/^@/, "").toLowerCase();
      [identity] = await tx
        .insert(socialIdentity)
        .values({
          organizationId: ctx.organizationId,
          network: props.network,
          handle,
          firstSeenAt: at,
          lastSeenAt: at,
        })
        .onConflictDoUpdate({
          target: [socialIdentity.organizationId, socialIdentity.network, socialIdentity.handle],
          set: { network: sql`excluded.network` },
        })
        .returning();
    } else {
      throw new ValidationError("Give the identity's id, or its network and handle.");
    }
    if (identity!.contactId && identity!.contactId !== props.contactId)
      throw new ConflictError("This identity is linked to another contact; unlink it there first.");
    if (identity!.contactId === props.contactId) return identity!;
    const [linked] = await tx
      .update(socialIdentity)
      .set({ contactId: props.contactId })
      .where(eq(socialIdentity.id, identity!.id))
      .returning();
    await recordAudit(tx, ctx, {
      action: "identity.linked",
      entityType: "contact",
      entityId: props.contactId,
      details: {
        identityId: identity!.id,
        network: identity!.network,
        via: "api",
        reason: props.reason ?? null,
      },
    });
    await enqueueContactEvent(tx, {
      organizationId: ctx.organizationId,
      event: "identity.linked",
      contactId: props.contactId,
      details: { identityId: identity!.id },
      at,
    });
    return linked!;
  });
}

export async function unlinkIdentity(
  deps: Deps,
  ctx: OrgContext,
  props: { contactId: string; identityId: string },
) {
  const at = deps.clock.now();
  await deps.db.transaction(async (tx) => {
    await requireContactRow(tx, ctx, props.contactId);
    const [unlinked] = await tx
      .update(socialIdentity)
      .set({ contactId: null })
      .where(
        and(
          eq(socialIdentity.organizationId, ctx.organizationId),
          eq(socialIdentity.id, props.identityId),
          eq(socialIdentity.contactId, props.contactId),
        ),
      )
      .returning({ id: socialIdentity.id });
    if (!unlinked) throw new NotFoundError("The identity of this contact");
    await recordAudit(tx, ctx, {
      action: "identity.unlinked",
      entityType: "contact",
      entityId: props.contactId,
      details: { identityId: props.identityId },
    });
    await enqueueContactEvent(tx, {
      organizationId: ctx.organizationId,
      event: "contact.updated",
      contactId: props.contactId,
      at,
    });
  });
}
