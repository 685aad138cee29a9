import { and, asc, eq, ilike, inArray, or, type SQL, sql } from "drizzle-orm";
import { recordAudit } from "../../platform/audit/audit.js";
import type { OrgContext } from "../../platform/auth/context.js";
import type { Db, DbOrTx } from "../../platform/db/client.js";
import { NotFoundError, ValidationError } from "../../platform/errors.js";
import { enqueueContactEvent } from "../crm/contactEvents.js";
import { member } from "../organizations/schema.js";
import { consentRecord } from "../privacy/schema.js";
import { company, contact, type SegmentFilter, socialIdentity } from "./schema.js";

export interface ListContactsQuery extends SegmentFilter {
  limit: number;
  offset?: number;
}

const likePattern = (q: string) => `%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

/** The where-clause of a contact filter (segments and the contact list share it). */
export function contactFilterConditions(organizationId: string, filter: SegmentFilter): SQL[] {
  const conditions: SQL[] = [eq(contact.organizationId, organizationId)];
  if (filter.q) {
    const pattern = likePattern(filter.q);
    conditions.push(or(ilike(contact.displayName, pattern), ilike(contact.email, pattern))!);
  }
  if (filter.tags && filter.tags.length > 0) {
    conditions.push(sql`${contact.tags} @> ${sql.param(filter.tags.map(normalizeTag))}::text[]`);
  }
  for (const [key, value] of Object.entries(filter.attributes ?? {})) {
    conditions.push(sql`${contact.attributes} ->> ${key} = ${value}`);
  }
  if (filter.companyId) conditions.push(eq(contact.companyId, filter.companyId));
  if (filter.ownerUserId) conditions.push(eq(contact.ownerUserId, filter.ownerUserId));
  if (filter.channel) {
    conditions.push(
      sql`exists (select 1 from ${socialIdentity} where ${socialIdentity.contactId} = ${contact.id} and ${socialIdentity.network} = ${filter.channel})`,
    );
  }
  if (filter.consent) {
    const latest = sql`(select ${consentRecord.state} from ${consentRecord}
      where ${consentRecord.organizationId} = ${organizationId} and ${consentRecord.contactId} = ${contact.id}
        and ${consentRecord.purpose} = ${filter.consent.purpose}
      order by ${consentRecord.recordedAt} desc, ${consentRecord.id} desc limit 1)`;
    conditions.push(
      filter.consent.state === "none" ? sql`${latest} is null` : sql`${latest} = ${filter.consent.state}`,
    );
  }
  return conditions;
}

export async function listContacts(db: DbOrTx, ctx: OrgContext, query: ListContactsQuery) {
  const rows = await db
    .select()
    .from(contact)
    .where(and(...contactFilterConditions(ctx.organizationId, query)))
    .orderBy(asc(contact.displayName), asc(contact.id))
    .limit(query.limit)
    .offset(query.offset ?? 0);
  return { contacts: rows };
}

export async function getContact(db: DbOrTx, ctx: OrgContext, id: string) {
  const rows = await db
    .select()
    .from(contact)
    .where(and(eq(contact.organizationId, ctx.organizationId), eq(contact.id, id)))
    .limit(1);
  if (!rows[0]) throw new NotFoundError("The contact");
  return rows[0];
}

/** Tags are compared lower-case and without surrounding blanks. */
export function normalizeTag(tag: string): string {
  return tag.trim().toLowerCase();
}

export interface ContactInput {
  displayName?: string;
  email?: string | null;
  phone?: string | null;
  locale?: string | null;
  /** Replaces all custom attributes. */
  attributes?: Record<string, string>;
  /** Replaces all tags. */
  tags?: string[];
  ownerUserId?: string | null;
  companyId?: string | null;
}

/** The owner must be a member and the company must be this organization's. */
async function checkReferences(db: DbOrTx, ctx: OrgContext, input: ContactInput) {
  if (input.ownerUserId) {
    const [found] = await db
      .select({ id: member.id })
      .from(member)
      .where(and(eq(member.organizationId, ctx.organizationId), eq(member.userId, input.ownerUserId)));
    if (!found) throw new ValidationError("The owner must be a member of this organization.");
  }
  if (input.companyId) {
    const [found] = await db
      .select({ id: company.id })
      .from(company)
      .where(and(eq(company.organizationId, ctx.organizationId), eq(company.id, input.companyId)));
    if (!found) throw new ValidationError("The company does not exist in this organization.");
  }
}

function cleaned(input: ContactInput) {
  const text = (v: string | null | undefined) => (v === undefined ? undefined : v?.trim() || null);
  return {
    displayName: input.displayName?.trim(),
    email: text(input.email),
    phone: text(input.phone),
    locale: text(input.locale),
    attributes: input.attributes,
    tags: input.tags ? [...new Set(input.tags.map(normalizeTag).filter(Boolean))] : undefined,
    ownerUserId: input.ownerUserId,
    companyId: input.companyId,
  };
}

/** Creates a contact, audited as a CRM event of the contact. */
export async function createContact(db: Db, ctx: OrgContext, input: ContactInput & { displayName: string }) {
  const values = cleaned(input);
  if (!values.displayName) throw new ValidationError("A contact needs a name.");
  return db.transaction(async (tx) => {
    await checkReferences(tx, ctx, input);
    const [row] = await tx
      .insert(contact)
      .values({ ...values, displayName: values.displayName!, organizationId: ctx.organizationId })
      .returning();
    await recordAudit(tx, ctx, {
      action: "contact.created",
      entityType: "contact",
      entityId: row!.id,
      details: { fields: Object.keys(input) },
    });
    await enqueueContactEvent(tx, {
      organizationId: ctx.organizationId,
      event: "contact.created",
      contactId: row!.id,
      at: new Date(),
    });
    return row!;
  });
}

/** Changes the given fields of a contact; the audit entry names the fields, not their values. */
export async function updateContact(db: Db, ctx: OrgContext, id: string, input: ContactInput) {
  const values = cleaned(input);
  if (values.displayName === "") throw new ValidationError("A contact needs a name.");
  return db.transaction(async (tx) => {
    await getContact(tx, ctx, id);
    await checkReferences(tx, ctx, input);
    const changes = Object.fromEntries(Object.entries(values).filter(([, v]) => v !== undefined));
    const [row] = await tx
      .update(contact)
      .set({ ...changes, updatedAt: new Date() })
      .where(and(eq(contact.organizationId, ctx.organizationId), eq(contact.id, id)))
      .returning();
    await recordAudit(tx, ctx, {
      action: "contact.updated",
      entityType: "contact",
      entityId: id,
      details: { fields: Object.keys(changes) },
    });
    await enqueueContactEvent(tx, {
      organizationId: ctx.organizationId,
      event: "contact.updated",
      contactId: id,
      at: new Date(),
    });
    return row!;
  });
}

/** The company and the linked identities of contacts, for the detail view. */
export async function contactRelations(db: DbOrTx, ctx: OrgContext, contactIds: string[]) {
  if (contactIds.length === 0) return { companies: [], identities: [] };
  const rows = await db
    .select()
    .from(contact)
    .where(and(eq(contact.organizationId, ctx.organizationId), inArray(contact.id, contactIds)));
  const companyIds = [...new Set(rows.map((r) => r.companyId).filter((id): id is string => Boolean(id)))];
  const companies =
    companyIds.length === 0
      ? []
      : await db
          .select()
          .from(company)
          .where(and(eq(company.organizationId, ctx.organizationId), inArray(company.id, companyIds)));
  const identities = await db
    .select()
    .from(socialIdentity)
    .where(
      and(
        eq(socialIdentity.organizationId, ctx.organizationId),
        inArray(socialIdentity.contactId, contactIds),
      ),
    )
    .orderBy(asc(socialIdentity.network), asc(socialIdentity.handle));
  return { companies, identities };
}
