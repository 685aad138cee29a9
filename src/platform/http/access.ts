import type { FastifyRequest } from "fastify";
import type { OrgContext, Principal } from "../auth/context.js";
import type { Role } from "../auth/roles.js";
import { UnauthorizedError } from "../errors.js";

/**
 * What a route requires, declared on every route as `config: { access }`:
 * - "public": anybody (health, sign-in, invitation links);
 * - "signed-in": a person with a session or token, in no particular organization;
 * - a list of roles: a member of the current organization with one of these roles.
 * A route without a declaration is refused when it is registered.
 */
export type RouteAccess = "public" | "signed-in" | readonly Role[];

declare module "fastify" {
  interface FastifyContextConfig {
    access?: RouteAccess;
  }
  interface FastifyRequest {
    principal?: Principal;
    org?: OrgContext;
  }
}

/** The organization context of a request whose route requires roles (set by the access hook). */
export function orgOf(request: FastifyRequest): OrgContext {
  if (!request.org) throw new UnauthorizedError();
  return request.org;
}

export function principalOf(request: FastifyRequest): Principal {
  if (!request.principal) throw new UnauthorizedError();
  return request.principal;
}
