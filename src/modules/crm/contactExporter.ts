import { and, asc, eq, gt, inArray, type SQL, sql } from "drizzle-orm";
import { recordAudit } from "../../platform/audit/audit.js";
import type { OrgContext } from "../../platform/auth/context.js";
import type { Clock } from "../../platform/clock.js";
import { type Db, sqlRows } from "../../platform/db/client.js";
import { company, contact, socialIdentity } from "../contacts/schema.js";
import { csvRecord } from "../listening/mentionExport.js";
import type { DataUseMode } from "../organizations/schema.js";
import { dataUseModeOf } from "../privacy/dataUseModes.js";
import { type ConsentPurpose, consentPurposes } from "../privacy/schema.js";

export const contactExportFormats = ["csv", "json"] as const;
export type ContactExportFormat = (typeof contactExportFormats)[number];

const pageSize = 500;

/**
 * One page of contacts (keyset by id) with their company, current consent per purpose and — in
 * data-use mode `full` only — their identities on networks; in `linked` and `none` social data stays
 * out of the customer record, so only the number of identities is given.
 */
async function contactPage(db: Db, organizationId: string, mode: DataUseMode, after: string | undefined) {
  const conditions: SQL[] = [eq(contact.organizationId, organizationId)];
  if (after) conditions.push(gt(contact.id, after));
  const rows = await db
    .select({ contact, companyName: company.name })
    .from(contact)
    .leftJoin(company, eq(company.id, contact.companyId))
    .where(and(...conditions))
    .orderBy(asc(contact.id))
    .limit(pageSize);
  const ids = rows.map((r) => r.contact.id);
  if (ids.length === 0) return [];
  const identities = await db
    .select({
      id: socialIdentity.id,
      contactId: socialIdentity.contactId,
      network: socialIdentity.network,
      handle: socialIdentity.handle,
      displayName: socialIdentity.displayName,
    })
    .from(socialIdentity)
    .where(and(eq(socialIdentity.organizationId, organizationId), inArray(socialIdentity.contactId, ids)))
    .orderBy(socialIdentity.network, socialIdentity.handle);
  const consents = await sqlRows<{ contact_id: string; purpose: ConsentPurpose; state: string }>(
    db,
    sql`SELECT DISTINCT ON (contact_id, purpose) contact_id, purpose, state FROM consent_record
      WHERE organization_id = ${organizationId} AND contact_id IN (${sql.join(
        ids.map((id) => sql`${id}::uuid`),
        sql`, `,
      )})
      ORDER BY contact_id, purpose, recorded_at DESC, id DESC`,
  );
  return rows.map(({ contact: c, companyName }) => {
    const own = identities.filter((i) => i.contactId === c.id);
    return {
      id: c.id,
      displayName: c.displayName,
      email: c.email,
      phone: c.phone,
      locale: c.locale,
      tags: c.tags,
      attributes: c.attributes,
      company: companyName,
      createdAt: c.createdAt.toISOString(),
      updatedAt: c.updatedAt.toISOString(),
      consents: Object.fromEntries(
        consentPurposes.map((p) => [
          p,
          consents.find((r) => r.contact_id === c.id && r.purpose === p)?.state ?? "none",
        ]),
      ) as Record<ConsentPurpose, string>,
      identityCount: own.length,
      ...(mode === "full" ? { identities: own.map(({ contactId: _, ...identity }) => identity) } : {}),
    };
  });
}

async function* contactPages(db: Db, organizationId: string, mode: DataUseMode) {
  let after: string | undefined;
  for (;;) {
    const page = await contactPage(db, organizationId, mode, after);
    if (page.length === 0) return;
    yield page;
    if (page.length < pageSize) return;
    after = page.at(-1)!.id;
  }
}

/**
 * Exports every contact of the organization as CSV (the import's columns, so a file goes back in
 * unchanged) or JSON, streamed page by page. The export is audited with its format, mode and size
 * once the last page has been read.
 */
export async function* exportContacts(
  deps: { db: Db; clock: Clock },
  ctx: OrgContext,
  props: { format: ContactExportFormat },
): AsyncGenerator<string> {
  const { db } = deps;
  const mode = await dataUseModeOf(db, ctx.organizationId);
  let exported = 0;
  if (props.format === "csv") {
    const keys = await sqlRows<{ key: string }>(
      db,
      sql`SELECT DISTINCT jsonb_object_keys(attributes) AS key FROM contact WHERE organization_id = ${ctx.organizationId} ORDER BY 1`,
    );
    const attributeKeys = keys.map((k) => k.key);
    const header = [
      "id",
      "name",
      "email",
      "phone",
      "locale",
      "tags",
      "company",
      "createdAt",
      "updatedAt",
      // Column names in the file's camelCase (consent:audienceMatching), like createdAt.
      ...consentPurposes.map((p) => `consent:${p.replace(/_(\w)/g, (_, c: string) => c.toUpperCase())}`),
      ...(mode === "full" ? ["identities"] : ["identityCount"]),
      ...attributeKeys.map((k) => `attr:${k}`),
    ];
    yield `\uFEFF${csvRecord(header)}`;
    for await (const page of contactPages(db, ctx.organizationId, mode)) {
      exported += page.length;
      yield page
        .map((c) =>
          csvRecord([
            c.id,
            c.displayName,
            c.email,
            c.phone,
            c.locale,
            c.tags.join(";"),
            c.company,
            c.createdAt,
            c.updatedAt,
            ...consentPurposes.map((p) => c.consents[p]),
            c.identities ? c.identities.map((i) => `${i.network}:${i.handle}`).join(";") : c.identityCount,
            ...attributeKeys.map((k) => c.attributes[k]),
          ]),
        )
        .join("");
    }
  } else {
    yield `{"format":"konversa.contacts/v1","exportedAt":${JSON.stringify(deps.clock.now().toISOString())},"dataUseMode":${JSON.stringify(mode)},"contacts":[`;
    for await (const page of contactPages(db, ctx.organizationId, mode)) {
      yield `${exported > 0 ? "," : ""}${page.map((c) => JSON.stringify(c)).join(",")}`;
      exported += page.length;
    }
    yield "]}";
  }
  await recordAudit(db, ctx, {
    action: "contacts.exported",
    entityType: "organization",
    entityId: ctx.organizationId,
    details: { format: props.format, dataUseMode: mode, contacts: exported },
  });
}
