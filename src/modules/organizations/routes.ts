import { eq } from "drizzle-orm";
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { listAudit } from "../../platform/audit/audit.js";
import { adminRoles, anyRole, roles } from "../../platform/auth/roles.js";
import { user } from "../../platform/auth/schema.js";
import type { Db } from "../../platform/db/client.js";
import { ForbiddenError, ValidationError } from "../../platform/errors.js";
import { orgOf, principalOf } from "../../platform/http/access.js";
import { organizationCookie } from "../../platform/http/app.js";
import { idParams, isoDate, limitQuery, okResponse } from "../../platform/http/schemas.js";
import { createApiToken, listApiTokens, revokeApiToken } from "./apiTokens.js";
import { createDepartment, listDepartments, removeDepartment, updateDepartment } from "./departments.js";
import type { AccessDirectoryWithCaches } from "./directory.js";
import {
  acceptInvitation,
  createInvitation,
  describeInvitation,
  listInvitations,
  revokeInvitation,
} from "./invitations.js";
import { listMembers, removeMember, updateMember } from "./members.js";

export interface OrganizationRoutesOptions {
  db: Db;
  baseUrl: string;
  /** Cached lookups of memberships and organizations; cleared after every change here. */
  directory: AccessDirectoryWithCaches;
}

const role = z.enum(roles);
const departmentIds = z.array(z.uuid()).max(100);
const departmentSchema = z.object({
  id: z.uuid(),
  key: z.string(),
  name: z.string(),
  description: z.string(),
  leadMemberId: z.uuid().nullable().describe("Team lead; hears about missed service levels"),
});
const memberSchema = z.object({
  id: z.uuid(),
  userId: z.string(),
  name: z.string(),
  email: z.string(),
  role,
  departmentIds: z.array(z.uuid()),
  createdAt: isoDate,
});
const invitationSchema = z.object({
  id: z.uuid(),
  email: z.string(),
  role,
  departmentIds: z.array(z.uuid()),
  expiresAt: isoDate,
  acceptedAt: isoDate.nullable(),
  revokedAt: isoDate.nullable(),
  createdAt: isoDate,
});
const tokenSchema = z.object({
  id: z.uuid(),
  name: z.string(),
  prefix: z.string(),
  expiresAt: isoDate.nullable(),
  lastUsedAt: isoDate.nullable(),
  revokedAt: isoDate.nullable(),
  createdAt: isoDate,
});
const invitationLinkSchema = z.object({
  organizationName: z.string(),
  email: z.string(),
  role,
  hasAccount: z.boolean(),
  expiresAt: isoDate,
});
const auditPageSchema = z.object({
  entries: z.array(
    z.object({
      id: z.number(),
      actorUserId: z.string().nullable(),
      actorTokenId: z.string().nullable(),
      action: z.string(),
      entityType: z.string(),
      entityId: z.string().nullable(),
      ip: z.string().nullable(),
      details: z.record(z.string(), z.unknown()),
      at: isoDate,
    }),
  ),
  nextBefore: z.number().optional(),
});
export const meSchema = z.object({
  user: z.object({ id: z.string(), email: z.string(), name: z.string(), locale: z.string().nullable() }),
  organization: z
    .object({
      id: z.uuid(),
      name: z.string(),
      slug: z.string(),
      dataUseMode: z.enum(["full", "linked", "none"]),
      defaultLocale: z.string(),
    })
    .nullable(),
  role: role.nullable(),
  departmentIds: z.array(z.uuid()),
  organizations: z.array(z.object({ id: z.uuid(), name: z.string(), slug: z.string(), role })),
});
export type Me = z.infer<typeof meSchema>;

/** People, roles, departments, invitations, API tokens and the audit log of an organization. */
export const organizationRoutes: FastifyPluginAsyncZod<OrganizationRoutesOptions> = async (
  app,
  { db, baseUrl, directory },
) => {
  const forgetAccess = () => directory.forget();
  app.get(
    "/api/v1/me",
    {
      config: { access: "signed-in" },
      schema: {
        tags: ["account"],
        summary: "The signed-in person with their current organization and role.",
        response: { 200: meSchema },
      },
    },
    async (request) => {
      const principal = principalOf(request);
      const organizations = await directory.organizationsOf(principal.userId);
      const wanted = principal.tokenOrganizationId ?? principal.activeOrganizationId;
      const current =
        organizations.find((o) => o.id === wanted) ??
        (principal.tokenOrganizationId ? undefined : organizations[0]);
      const org = current ? await directory.organization(current.id) : undefined;
      const membership = current ? await directory.membership(principal.userId, current.id) : undefined;
      const profile = await directory.profile(principal.userId);
      return {
        user: {
          id: principal.userId,
          email: principal.email,
          name: principal.name,
          locale: profile?.locale ?? null,
        },
        organization: org
          ? {
              id: org.id,
              name: org.name,
              slug: org.slug,
              dataUseMode: org.dataUseMode,
              defaultLocale: org.defaultLocale,
            }
          : null,
        role: membership?.role ?? null,
        departmentIds: membership?.departmentIds ?? [],
        organizations,
      };
    },
  );

  app.put(
    "/api/v1/me/organization",
    {
      config: { access: "signed-in" },
      schema: {
        tags: ["account"],
        summary:
          "Switch the organization this browser works in (a cookie; membership is checked on every request).",
        body: z.object({ organizationId: z.uuid() }),
        response: { 200: okResponse },
      },
    },
    async (request, reply) => {
      const principal = principalOf(request);
      if (principal.via !== "session") {
        throw new ValidationError("An API token belongs to one organization; it cannot switch.");
      }
      const mine = await directory.organizationsOf(principal.userId);
      if (!mine.some((o) => o.id === request.body.organizationId)) {
        throw new ForbiddenError("You are not a member of that organization.");
      }
      const secure = baseUrl.startsWith("https://") ? "; Secure" : "";
      reply.header(
        "set-cookie",
        `${organizationCookie}=${request.body.organizationId}; Path=/; HttpOnly; SameSite=Lax; Max-Age=31536000${secure}`,
      );
      return { ok: true as const };
    },
  );

  app.patch(
    "/api/v1/me",
    {
      config: { access: "signed-in" },
      schema: {
        tags: ["account"],
        summary: "Change your display name or language.",
        body: z.object({
          name: z.string().trim().min(1).max(200).optional(),
          locale: z.enum(["de", "en"]).optional(),
        }),
        response: { 200: okResponse },
      },
    },
    async (request) => {
      const principal = principalOf(request);
      await db
        .update(user)
        .set({ ...request.body, updatedAt: new Date() })
        .where(eq(user.id, principal.userId));
      forgetAccess();
      return { ok: true as const };
    },
  );

  app.get(
    "/api/v1/members",
    {
      config: { access: anyRole },
      schema: {
        tags: ["organization"],
        summary: "Members with role and departments.",
        response: { 200: z.array(memberSchema) },
      },
    },
    async (request) => listMembers(db, orgOf(request)),
  );
  app.patch(
    "/api/v1/members/:memberId",
    {
      config: { access: adminRoles },
      schema: {
        tags: ["organization"],
        summary: "Change a member's role or departments.",
        params: idParams("memberId"),
        body: z.object({ role: role.optional(), departmentIds: departmentIds.optional() }),
        response: { 200: z.object({ id: z.uuid() }) },
      },
    },
    async (request) => {
      const result = await updateMember(db, orgOf(request), {
        memberId: request.params.memberId,
        ...request.body,
      });
      forgetAccess();
      return result;
    },
  );
  app.delete(
    "/api/v1/members/:memberId",
    {
      config: { access: adminRoles },
      schema: {
        tags: ["organization"],
        summary: "Remove a member.",
        params: idParams("memberId"),
        response: { 200: okResponse },
      },
    },
    async (request) => {
      await removeMember(db, orgOf(request), request.params.memberId);
      forgetAccess();
      return { ok: true as const };
    },
  );

  app.get(
    "/api/v1/departments",
    {
      config: { access: anyRole },
      schema: {
        tags: ["organization"],
        summary: "Departments.",
        response: { 200: z.array(departmentSchema) },
      },
    },
    async (request) => listDepartments(db, orgOf(request)),
  );
  const departmentBody = z.object({
    name: z.string().trim().min(1).max(100),
    description: z.string().max(1000).optional(),
    leadMemberId: z.uuid().nullable().optional(),
  });
  app.post(
    "/api/v1/departments",
    {
      config: { access: adminRoles },
      schema: {
        tags: ["organization"],
        summary: "Add a department.",
        body: departmentBody,
        response: { 201: departmentSchema },
      },
    },
    async (request, reply) =>
      reply.status(201).send(await createDepartment(db, orgOf(request), request.body)),
  );
  app.patch(
    "/api/v1/departments/:departmentId",
    {
      config: { access: adminRoles },
      schema: {
        tags: ["organization"],
        summary: "Rename or describe a department.",
        params: idParams("departmentId"),
        body: departmentBody.partial(),
        response: { 200: departmentSchema },
      },
    },
    async (request) => updateDepartment(db, orgOf(request), request.params.departmentId, request.body),
  );
  app.delete(
    "/api/v1/departments/:departmentId",
    {
      config: { access: adminRoles },
      schema: {
        tags: ["organization"],
        summary: "Remove a department.",
        params: idParams("departmentId"),
        response: { 200: okResponse },
      },
    },
    async (request) => {
      await removeDepartment(db, orgOf(request), request.params.departmentId);
      forgetAccess();
      return { ok: true as const };
    },
  );

  app.get(
    "/api/v1/invitations",
    {
      config: { access: adminRoles },
      schema: {
        tags: ["organization"],
        summary: "Invitations.",
        response: { 200: z.array(invitationSchema) },
      },
    },
    async (request) => listInvitations(db, orgOf(request)),
  );
  app.post(
    "/api/v1/invitations",
    {
      config: { access: adminRoles },
      schema: {
        tags: ["organization"],
        summary: "Invite a person by link; the link is shown once.",
        body: z.object({ email: z.email(), role, departmentIds: departmentIds.default([]) }),
        response: { 201: invitationSchema.extend({ url: z.string(), token: z.string() }) },
      },
    },
    async (request, reply) =>
      reply.status(201).send(await createInvitation(db, orgOf(request), { ...request.body, baseUrl })),
  );
  app.delete(
    "/api/v1/invitations/:invitationId",
    {
      config: { access: adminRoles },
      schema: {
        tags: ["organization"],
        summary: "Revoke an open invitation.",
        params: idParams("invitationId"),
        response: { 200: okResponse },
      },
    },
    async (request) => {
      await revokeInvitation(db, orgOf(request), request.params.invitationId);
      return { ok: true as const };
    },
  );
  const invitationToken = z.string().regex(/^kvi_[A-Za-z0-9_-]{20,64}$/, "is not an invitation link token");
  app.get(
    "/api/v1/invitation-links/:token",
    {
      config: { access: "public" },
      schema: {
        tags: ["organization"],
        summary: "What an invitation link offers, before accepting it.",
        security: [],
        params: z.object({ token: invitationToken }),
        response: {
          200: invitationLinkSchema,
        },
      },
    },
    async (request) => describeInvitation(db, request.params.token),
  );
  app.post(
    "/api/v1/invitation-links/:token/accept",
    {
      config: { access: "public", rateLimit: { max: 20, timeWindow: "1 minute" } },
      schema: {
        tags: ["organization"],
        summary: "Accept an invitation as a new person (creates the account).",
        security: [],
        params: z.object({ token: invitationToken }),
        body: z.object({ name: z.string().trim().min(1).max(200), password: z.string().min(10).max(256) }),
        response: { 200: z.object({ organizationId: z.uuid(), email: z.string() }) },
      },
    },
    async (request) => {
      const result = await acceptInvitation(db, { token: request.params.token, ...request.body });
      forgetAccess();
      return { organizationId: result.organizationId, email: result.email };
    },
  );
  app.post(
    "/api/v1/invitation-links/:token/join",
    {
      config: { access: "signed-in" },
      schema: {
        tags: ["organization"],
        summary: "Accept an invitation with the account you are signed in with.",
        params: z.object({ token: invitationToken }),
        response: { 200: z.object({ organizationId: z.uuid(), email: z.string() }) },
      },
    },
    async (request) => {
      const principal = principalOf(request);
      const result = await acceptInvitation(db, {
        token: request.params.token,
        signedInUserId: principal.userId,
      });
      forgetAccess();
      return { organizationId: result.organizationId, email: result.email };
    },
  );

  app.get(
    "/api/v1/api-tokens",
    {
      config: { access: anyRole },
      schema: {
        tags: ["account"],
        summary: "Your personal API tokens in this organization.",
        response: { 200: z.array(tokenSchema) },
      },
    },
    async (request) => listApiTokens(db, orgOf(request)),
  );
  app.post(
    "/api/v1/api-tokens",
    {
      config: { access: anyRole },
      schema: {
        tags: ["account"],
        summary: "Create a personal API token; it is shown once.",
        body: z.object({
          name: z.string().trim().min(1).max(100),
          expiresInDays: z.number().int().min(1).max(3650).optional(),
        }),
        response: { 201: tokenSchema.extend({ token: z.string() }) },
      },
    },
    async (request, reply) => reply.status(201).send(await createApiToken(db, orgOf(request), request.body)),
  );
  app.delete(
    "/api/v1/api-tokens/:tokenId",
    {
      config: { access: anyRole },
      schema: {
        tags: ["account"],
        summary: "Revoke one of your API tokens.",
        params: idParams("tokenId"),
        response: { 200: okResponse },
      },
    },
    async (request) => {
      await revokeApiToken(db, orgOf(request), request.params.tokenId);
      forgetAccess();
      return { ok: true as const };
    },
  );

  app.get(
    "/api/v1/audit",
    {
      config: { access: adminRoles },
      schema: {
        tags: ["organization"],
        summary: "The audit log, newest first, with filters.",
        querystring: z.object({
          action: z.string().max(100).optional(),
          entityType: z.string().max(100).optional(),
          actorUserId: z.string().max(100).optional(),
          from: z.coerce.date().optional(),
          to: z.coerce.date().optional(),
          before: z.coerce.number().int().positive().optional(),
          limit: limitQuery,
        }),
        response: {
          200: auditPageSchema,
        },
      },
    },
    async (request) => listAudit(db, orgOf(request), request.query),
  );
};

export type Member = z.infer<typeof memberSchema>;
export type Department = z.infer<typeof departmentSchema>;
export type Invitation = z.infer<typeof invitationSchema>;
export type ApiTokenInfo = z.infer<typeof tokenSchema>;

export type AuditPage = z.infer<typeof auditPageSchema>;
export type InvitationLinkInfo = z.infer<typeof invitationLinkSchema>;
