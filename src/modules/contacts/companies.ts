import { and, asc, count, eq, ilike } from "drizzle-orm";
import { recordAudit } from "../../platform/audit/audit.js";
import type { OrgContext } from "../../platform/auth/context.js";
import type { Db, DbOrTx } from "../../platform/db/client.js";
import { NotFoundError, ValidationError } from "../../platform/errors.js";
import { company, contact } from "./schema.js";

export interface CompanyInput {
  name?: string;
  domain?: string | null;
  /** Replaces all custom attributes. */
  attributes?: Record<string, string>;
}

/** Companies by name, with how many contacts work there. */
export async function listCompanies(db: DbOrTx, ctx: OrgContext, query: { q?: string; limit: number }) {
  const rows = await db
    .select()
    .from(company)
    .where(
      and(
        eq(company.organizationId, ctx.organizationId),
        query.q ? ilike(company.name, `%${query.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`) : undefined,
      ),
    )
    .orderBy(asc(company.name), asc(company.id))
    .limit(query.limit);
  const counts = await db
    .select({ companyId: contact.companyId, contacts: count() })
    .from(contact)
    .where(eq(contact.organizationId, ctx.organizationId))
    .groupBy(contact.companyId);
  const byCompany = new Map(counts.map((c) => [c.companyId, c.contacts]));
  return { companies: rows.map((r) => ({ ...r, contacts: byCompany.get(r.id) ?? 0 })) };
}

export async function getCompany(db: DbOrTx, ctx: OrgContext, id: string) {
  const [found] = await db
    .select()
    .from(company)
    .where(and(eq(company.organizationId, ctx.organizationId), eq(company.id, id)));
  if (!found) throw new NotFoundError("The company");
  const people = await db
    .select({ id: contact.id, displayName: contact.displayName, email: contact.email })
    .from(contact)
    .where(and(eq(contact.organizationId, ctx.organizationId), eq(contact.companyId, id)))
    .orderBy(asc(contact.displayName));
  return { ...found, members: people };
}

function cleaned(input: CompanyInput) {
  return {
    name: input.name?.trim(),
    domain: input.domain === undefined ? undefined : input.domain?.trim().toLowerCase() || null,
    attributes: input.attributes,
  };
}

export async function createCompany(db: Db, ctx: OrgContext, input: CompanyInput & { name: string }) {
  const values = cleaned(input);
  if (!values.name) throw new ValidationError("A company needs a name.");
  return db.transaction(async (tx) => {
    const [row] = await tx
      .insert(company)
      .values({ ...values, name: values.name!, organizationId: ctx.organizationId })
      .returning();
    await recordAudit(tx, ctx, { action: "company.created", entityType: "company", entityId: row!.id });
    return row!;
  });
}

export async function updateCompany(db: Db, ctx: OrgContext, id: string, input: CompanyInput) {
  const values = cleaned(input);
  if (values.name === "") throw new ValidationError("A company needs a name.");
  return db.transaction(async (tx) => {
    const changes = Object.fromEntries(Object.entries(values).filter(([, v]) => v !== undefined));
    const [row] = await tx
      .update(company)
      .set({ ...changes, updatedAt: new Date() })
      .where(and(eq(company.organizationId, ctx.organizationId), eq(company.id, id)))
      .returning();
    if (!row) throw new NotFoundError("The company");
    await recordAudit(tx, ctx, {
      action: "company.updated",
      entityType: "company",
      entityId: id,
      details: { fields: Object.keys(changes) },
    });
    return row;
  });
}

/** Deletes a company; its contacts stay, without a company. */
export async function deleteCompany(db: Db, ctx: OrgContext, id: string) {
  return db.transaction(async (tx) => {
    const [row] = await tx
      .delete(company)
      .where(and(eq(company.organizationId, ctx.organizationId), eq(company.id, id)))
      .returning({ id: company.id });
    if (!row) throw new NotFoundError("The company");
    await recordAudit(tx, ctx, { action: "company.deleted", entityType: "company", entityId: id });
  });
}
