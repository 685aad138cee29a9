import { and, asc, eq, gt, isNull, or } from "drizzle-orm";
import type { AccessDirectory, Membership, Principal } from "../../platform/auth/context.js";
import type { Role } from "../../platform/auth/roles.js";
import { user } from "../../platform/auth/schema.js";
import { TtlCache } from "../../platform/cache.js";
import { hashToken } from "../../platform/crypto/secrets.js";
import type { Db } from "../../platform/db/client.js";
import { listOrganizationsOfUser } from "./members.js";
import { apiToken, member, memberDepartment, organization } from "./schema.js";

/** How long a lookup is reused within one process; other processes see a change within this time. */
const CACHE_MS = 5_000;

export type AccessDirectoryWithCaches = ReturnType<typeof createAccessDirectory>;

/**
 * Answers the HTTP layer's "who is this and what may they do here" from short-lived caches, so an
 * authenticated request usually costs no query. Changes made in this process call `forget()`.
 */
export function createAccessDirectory(db: Db) {
  const memberships = new TtlCache<string, Membership | undefined>(CACHE_MS);
  const tokens = new TtlCache<string, Principal | undefined>(CACHE_MS);
  const organizationsOfUser = new TtlCache<string, Awaited<ReturnType<typeof listOrganizationsOfUser>>>(
    CACHE_MS,
  );
  const organizations = new TtlCache<string, typeof organization.$inferSelect | undefined>(CACHE_MS);
  const profiles = new TtlCache<string, { locale: string | null } | undefined>(CACHE_MS);
  const lastUse = new Map<string, number>();

  async function loadMembership(
    userId: string,
    organizationId?: string | null,
  ): Promise<Membership | undefined> {
    if (organizationId && !isUuid(organizationId)) return undefined;
    const rows = await db
      .select({ organizationId: member.organizationId, memberId: member.id, role: member.role })
      .from(member)
      .where(
        organizationId
          ? and(eq(member.userId, userId), eq(member.organizationId, organizationId))
          : eq(member.userId, userId),
      )
      .orderBy(asc(member.createdAt))
      .limit(1);
    const row = rows[0];
    if (!row) return undefined;
    const departments = await db
      .select({ id: memberDepartment.departmentId })
      .from(memberDepartment)
      .where(eq(memberDepartment.memberId, row.memberId));
    return { ...row, role: row.role as Role, departmentIds: departments.map((d) => d.id) };
  }

  async function loadTokenOwner(token: string): Promise<Principal | undefined> {
    const now = new Date();
    const rows = await db
      .select({
        tokenId: apiToken.id,
        organizationId: apiToken.organizationId,
        userId: apiToken.userId,
        email: user.email,
        name: user.name,
      })
      .from(apiToken)
      .innerJoin(user, eq(user.id, apiToken.userId))
      .where(
        and(
          eq(apiToken.tokenHash, hashToken(token)),
          isNull(apiToken.revokedAt),
          or(isNull(apiToken.expiresAt), gt(apiToken.expiresAt, now)),
        ),
      )
      .limit(1);
    const row = rows[0];
    if (!row) return undefined;
    // Last use is kept to the minute; it helps a person spot a forgotten token, it is no audit record.
    if ((lastUse.get(row.tokenId) ?? 0) < Date.now() - 60_000) {
      lastUse.set(row.tokenId, Date.now());
      await db.update(apiToken).set({ lastUsedAt: now }).where(eq(apiToken.id, row.tokenId));
    }
    return {
      userId: row.userId,
      email: row.email,
      name: row.name,
      via: "token",
      tokenId: row.tokenId,
      tokenOrganizationId: row.organizationId,
    };
  }

  return {
    membership: (userId: string, organizationId?: string | null) =>
      memberships.getOrLoad(`${userId}:${organizationId ?? ""}`, () =>
        loadMembership(userId, organizationId),
      ),
    verifyApiToken: (token: string) => tokens.getOrLoad(hashToken(token), () => loadTokenOwner(token)),
    organizationsOf: (userId: string) =>
      organizationsOfUser.getOrLoad(userId, () => listOrganizationsOfUser(db, userId)),
    organization: (organizationId: string) =>
      organizations.getOrLoad(organizationId, async () => {
        const rows = await db.select().from(organization).where(eq(organization.id, organizationId));
        return rows[0];
      }),
    profile: (userId: string) =>
      profiles.getOrLoad(userId, async () => {
        const rows = await db.select({ locale: user.locale }).from(user).where(eq(user.id, userId));
        return rows[0];
      }),
    forget() {
      for (const cache of [memberships, tokens, organizationsOfUser, organizations, profiles]) cache.clear();
    },
  } satisfies AccessDirectory & Record<string, unknown>;
}

export function isUuid(value: string): boolean {
  return /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(value);
}
