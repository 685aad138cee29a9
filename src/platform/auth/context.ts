import type { Role } from "./roles.js";

/** Who is calling, once the session cookie or API token is checked. */
export interface Principal {
  userId: string;
  email: string;
  name: string;
  via: "session" | "token";
  sessionId?: string;
  tokenId?: string;
  /** An API token belongs to exactly one organization. */
  tokenOrganizationId?: string;
  activeOrganizationId?: string | null;
}

/**
 * The organization a request acts in. Every repository function takes it first, so no query can
 * be written without naming the tenant.
 */
export interface OrgContext {
  organizationId: string;
  userId: string;
  memberId: string;
  role: Role;
  departmentIds: string[];
  tokenId?: string;
  ip?: string;
}

export interface Membership {
  organizationId: string;
  memberId: string;
  role: Role;
  departmentIds: string[];
}

/** How the HTTP layer learns about memberships and tokens without importing the modules. */
export interface AccessDirectory {
  /** The membership of the user in `organizationId`, or their first one when none is asked for. */
  membership(
    userId: string,
    organizationId?: string | null,
  ): Membership | undefined | Promise<Membership | undefined>;
  /** The owner of a personal API token, or undefined when it is unknown, revoked or expired. */
  verifyApiToken(token: string): Principal | undefined | Promise<Principal | undefined>;
}
