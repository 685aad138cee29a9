import { and, eq, inArray, sql } from "drizzle-orm";
import type { DbOrTx } from "../../platform/db/client.js";
import { company } from "../contacts/schema.js";

/**
 * The checks a contact's fields pass, whether they come from the API or from a CSV line. Each answers
 * a reason code (what the import report and the API errors say) or undefined when the value is fine.
 */
export const contactLimits = { name: 200, email: 254, phone: 40, tag: 50, tags: 50, attribute: 1000 };

const emailPattern = /^[^\s@"<>(),;:\\[\]]+@[^\s@"<>(),;:\\[\]]+\.[^\s@"<>(),;:\\[\].]{2,}$/;
const phonePattern = /^\+?[0-9 ()\-./]{4,}$/;
const localePattern = /^[a-z]{2,3}(-[A-Z]{2})?$/;
const attributeNamePattern = /^[A-Za-z][A-Za-z0-9_.-]{0,63}$/;

export function normaliseEmail(value: string) {
  return value.trim().toLowerCase();
}

export function emailProblem(value: string): string | undefined {
  if (value.length > contactLimits.email || !emailPattern.test(value)) return "invalid_email";
  return undefined;
}

export function phoneProblem(value: string): string | undefined {
  const digits = value.replace(/\D/g, "");
  if (value.length > contactLimits.phone || !phonePattern.test(value) || digits.length < 4)
    return "invalid_phone";
  return undefined;
}

export function localeProblem(value: string): string | undefined {
  return localePattern.test(value) ? undefined : "invalid_locale";
}

export function isAttributeName(name: string) {
  return attributeNamePattern.test(name);
}

/** What the reason codes mean, in the words the API and the import report use. */
export const reasonSentences: Record<string, string> = {
  missing_name: "The name is empty.",
  invalid_email: "The e-mail address is not valid.",
  invalid_phone: "The phone number is not valid (digits, spaces, + ( ) - . / only).",
  invalid_locale: "The language is not a code like de or en-GB.",
  too_long: "A value is longer than allowed.",
  duplicate_in_file: "The same e-mail address appears on an earlier line of the file.",
  duplicate_existing: "A contact with this e-mail address exists and duplicates are skipped.",
  malformed_row: "The line could not be read as CSV (quotes or number of columns).",
};

/** Company ids by name (case-insensitive), creating the companies that do not exist yet. */
export async function companiesByName(tx: DbOrTx, organizationId: string, names: string[]) {
  const wanted = [...new Set(names.map((n) => n.trim()).filter(Boolean))];
  const ids = new Map<string, string>();
  if (wanted.length === 0) return ids;
  const lower = wanted.map((n) => n.toLowerCase());
  const existing = await tx
    .select({ id: company.id, name: company.name })
    .from(company)
    .where(and(eq(company.organizationId, organizationId), inArray(sql`lower(${company.name})`, lower)));
  for (const row of existing) if (!ids.has(row.name.toLowerCase())) ids.set(row.name.toLowerCase(), row.id);
  const missing = wanted.filter((n) => !ids.has(n.toLowerCase()));
  const unique = [...new Map(missing.map((n) => [n.toLowerCase(), n])).values()];
  if (unique.length > 0) {
    const created = await tx
      .insert(company)
      .values(unique.map((name) => ({ organizationId, name })))
      .returning({ id: company.id, name: company.name });
    for (const row of created) ids.set(row.name.toLowerCase(), row.id);
  }
  return ids;
}
