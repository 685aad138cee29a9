import { isIP } from "node:net";
import { and, asc, eq } from "drizzle-orm";
import { recordAudit } from "../../platform/audit/audit.js";
import type { OrgContext } from "../../platform/auth/context.js";
import type { Db, DbOrTx } from "../../platform/db/client.js";
import { ConflictError, NotFoundError, ValidationError } from "../../platform/errors.js";
import { allowedPrivateHost } from "./schema.js";

/** At most this many hosts per organization: an allow-list, not a way around the guard. */
export const maxAllowedPrivateHosts = 50;

/** The hosts every connector of the organization may reach although they are private. */
export async function allowedHostsFor(db: DbOrTx, organizationId: string): Promise<string[]> {
  const rows = await db
    .select({ host: allowedPrivateHost.host })
    .from(allowedPrivateHost)
    .where(eq(allowedPrivateHost.organizationId, organizationId));
  return rows.map((r) => r.host);
}

export async function listAllowedPrivateHosts(db: Db, ctx: OrgContext) {
  return db
    .select({
      id: allowedPrivateHost.id,
      host: allowedPrivateHost.host,
      createdAt: allowedPrivateHost.createdAt,
    })
    .from(allowedPrivateHost)
    .where(eq(allowedPrivateHost.organizationId, ctx.organizationId))
    .orderBy(asc(allowedPrivateHost.host));
}

/** A host name or literal address as the SSRF guard compares it: lower case, no scheme, port or path. */
export function normalizeHost(input: string): string {
  const host = input
    .trim()
    .toLowerCase()
    .replace(/^\[|\]$/g, "");
  if (isIP(host)) return host;
  if (
    !/^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/.test(host)
  ) {
    throw new ValidationError(
      `"${input.trim()}" is not a host name or address; write it without scheme, port or path (intranet.example, 10.0.0.5).`,
    );
  }
  return host;
}

/** Allows one private host for the organization's connectors; audited. */
export async function allowPrivateHost(db: Db, ctx: OrgContext, input: string) {
  const host = normalizeHost(input);
  return db.transaction(async (tx) => {
    const existing = await allowedHostsFor(tx, ctx.organizationId);
    if (existing.includes(host)) throw new ConflictError(`${host} is already allowed.`);
    if (existing.length >= maxAllowedPrivateHosts) {
      throw new ValidationError(`At most ${maxAllowedPrivateHosts} hosts can be allowed; remove one first.`);
    }
    const [created] = await tx
      .insert(allowedPrivateHost)
      .values({ organizationId: ctx.organizationId, host })
      .returning({
        id: allowedPrivateHost.id,
        host: allowedPrivateHost.host,
        createdAt: allowedPrivateHost.createdAt,
      });
    await recordAudit(tx, ctx, {
      action: "allowed_private_host.added",
      entityType: "allowed_private_host",
      entityId: created!.id,
      details: { host },
    });
    return created!;
  });
}

/** Takes a host off the list; connectors that needed it fail at their next request. Audited. */
export async function removePrivateHost(db: Db, ctx: OrgContext, id: string) {
  await db.transaction(async (tx) => {
    const [deleted] = await tx
      .delete(allowedPrivateHost)
      .where(and(eq(allowedPrivateHost.organizationId, ctx.organizationId), eq(allowedPrivateHost.id, id)))
      .returning({ id: allowedPrivateHost.id, host: allowedPrivateHost.host });
    if (!deleted) throw new NotFoundError("The allowed host");
    await recordAudit(tx, ctx, {
      action: "allowed_private_host.removed",
      entityType: "allowed_private_host",
      entityId: deleted.id,
      details: { host: deleted.host },
    });
  });
}
