import { eq } from "drizzle-orm";
import { recordAudit } from "../../platform/audit/audit.js";
import type { Db } from "../../platform/db/client.js";
import { ConflictError, ValidationError } from "../../platform/errors.js";
import { type DataUseMode, department, member, organization } from "./schema.js";

/** The departments every new organization starts with; admins rename, add and remove them. */
export const defaultDepartments = [
  { key: "marketing", name: "Marketing" },
  { key: "service", name: "Service" },
  { key: "sales", name: "Sales" },
  { key: "communications", name: "Communications" },
  { key: "rnd", name: "R&D" },
  { key: "hr", name: "HR" },
] as const;

export interface CreateOrganizationProps {
  name: string;
  /** URL-safe short name; derived from the name when omitted. */
  slug?: string;
  /** The person who becomes its first owner. */
  ownerUserId: string;
  dataUseMode?: DataUseMode;
  defaultLocale?: "de" | "en";
}

/** Creates an organization with its default departments and its first owner, audited. */
export async function createOrganization(db: Db, props: CreateOrganizationProps) {
  const name = props.name.trim();
  if (!name) throw new ValidationError("The organization needs a name.");
  const derived = slugify(name);
  const slug = props.slug ?? (derived.length < 2 ? `${derived}-org` : derived);
  if (!/^[a-z0-9][a-z0-9-]{1,62}$/.test(slug)) {
    throw new ValidationError(
      `"${slug}" is not a usable short name: use 2–63 lowercase letters, digits and dashes.`,
    );
  }
  return db.transaction(async (tx) => {
    const taken = await tx
      .select({ id: organization.id })
      .from(organization)
      .where(eq(organization.slug, slug))
      .limit(1);
    if (taken.length > 0) throw new ConflictError(`The short name "${slug}" is taken; choose another.`);
    const [org] = await tx
      .insert(organization)
      .values({
        name,
        slug,
        dataUseMode: props.dataUseMode ?? "none",
        defaultLocale: props.defaultLocale ?? "de",
      })
      .returning();
    const [owner] = await tx
      .insert(member)
      .values({ organizationId: org!.id, userId: props.ownerUserId, role: "owner" })
      .returning();
    await tx.insert(department).values(defaultDepartments.map((d) => ({ ...d, organizationId: org!.id })));
    const ctx = { organizationId: org!.id, userId: props.ownerUserId };
    await recordAudit(tx, ctx, {
      action: "organization.created",
      entityType: "organization",
      entityId: org!.id,
      details: { slug },
    });
    await recordAudit(tx, ctx, {
      action: "member.added",
      entityType: "member",
      entityId: owner!.id,
      details: { role: "owner" },
    });
    return org!;
  });
}

export function slugify(name: string): string {
  return (
    name
      .toLowerCase()
      .normalize("NFKD")
      .replace(/ß/g, "ss")
      .replace(/[\u0300-\u036f]/g, "")
      .replace(/[^a-z0-9]+/g, "-")
      .replace(/^-+|-+$/g, "")
      .slice(0, 63) || "org"
  );
}
