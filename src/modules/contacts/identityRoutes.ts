import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { adminRoles, consentRoles } from "../../platform/auth/roles.js";
import type { Db } from "../../platform/db/client.js";
import { orgOf } from "../../platform/http/access.js";
import { idParams, isoDate, uuidParam } from "../../platform/http/schemas.js";
import {
  autoLinkIdentities,
  candidateQueue,
  candidatesForContact,
  scorePairNow,
} from "./identityCandidates.js";
import {
  addIdentity,
  confirmIdentity,
  identityResolutionSettings,
  rejectIdentity,
  saveIdentityResolutionSettings,
  unlinkIdentity,
} from "./identityLinker.js";

const evidenceSchema = z.object({ kind: z.string() }).catchall(z.unknown());
const candidateIdentity = z.object({
  id: z.uuid(),
  network: z.string(),
  handle: z.string(),
  displayName: z.string().nullable(),
  profileUrl: z.string().nullable(),
  followers: z.number().nullable(),
  lastSeenAt: isoDate,
});
const candidateSchema = z.object({
  identityId: z.uuid(),
  contactId: z.uuid(),
  score: z.number(),
  likely: z.boolean(),
  evidence: z.array(evidenceSchema),
  identity: candidateIdentity,
});
const decisionSchema = z.object({
  id: z.uuid(),
  identityId: z.uuid(),
  contactId: z.uuid(),
  decision: z.enum(["confirmed", "rejected", "unlinked"]),
  source: z.string(),
  score: z.number().nullable(),
  reason: z.string().nullable(),
  decidedByUserId: z.string().nullable(),
  decidedAt: isoDate,
});
const settingsSchema = z.object({
  certainty: z.number().min(0.5).max(1),
  autoLinkCertainty: z.number().min(0.5).max(1).nullable(),
  customerNumberAttribute: z.string().trim().min(1).max(100),
});

/** Identity resolution: candidates with score and evidence, an agent's decisions, the thresholds. */
export const identityRoutes: FastifyPluginAsyncZod<{ db: Db }> = async (app, { db }) => {
  app.get(
    "/api/v1/contacts/:contactId/identity-candidates",
    {
      config: { access: consentRoles },
      schema: {
        tags: ["identities"],
        summary:
          "Social identities that may be this contact, best first, each with a score and its evidence (modes linked and full).",
        params: idParams("contactId"),
        response: { 200: z.object({ certainty: z.number(), candidates: z.array(candidateSchema) }) },
      },
    },
    async (request) => candidatesForContact(db, orgOf(request), request.params.contactId),
  );
  app.get(
    "/api/v1/identity-candidates",
    {
      config: { access: consentRoles },
      schema: {
        tags: ["identities"],
        summary: "Candidates across the organization: recent unlinked identities against every contact.",
        querystring: z.object({
          minScore: z.coerce.number().min(0).max(1).optional(),
          limit: z.coerce.number().int().min(1).max(500).default(100),
        }),
        response: {
          200: z.object({
            certainty: z.number(),
            /** Why the list is empty when the data-use mode switches identity resolution off. */
            notice: z.string().optional(),
            candidates: z.array(
              candidateSchema.extend({ contact: z.object({ id: z.uuid(), displayName: z.string() }) }),
            ),
          }),
        },
      },
    },
    async (request) => candidateQueue(db, orgOf(request), request.query),
  );
  app.post(
    "/api/v1/contacts/:contactId/identity-decisions",
    {
      config: { access: consentRoles },
      schema: {
        tags: ["identities"],
        summary:
          "Confirm (link) or reject a candidate, with the reason; a link needs the legal basis (mode and consent).",
        params: idParams("contactId"),
        body: z.object({
          identityId: z.uuid(),
          decision: z.enum(["confirm", "reject"]),
          reason: z.string().trim().max(2000).optional(),
        }),
        response: { 201: decisionSchema },
      },
    },
    async (request, reply) => {
      const ctx = orgOf(request);
      const pair = { contactId: request.params.contactId, identityId: request.body.identityId };
      // The score and evidence at the moment of the decision are kept with it.
      const scored = await scorePairNow(db, ctx, pair).catch(() => ({ score: null, evidence: [] }));
      const props = { ...pair, ...scored, reason: request.body.reason };
      const decision =
        request.body.decision === "confirm"
          ? await confirmIdentity(db, ctx, props)
          : await rejectIdentity(db, ctx, props);
      return reply.status(201).send(decision);
    },
  );
  app.post(
    "/api/v1/contacts/:contactId/identities",
    {
      config: { access: consentRoles },
      schema: {
        tags: ["identities"],
        summary:
          "Add an identity the customer told us about and link it (same legal basis as a confirmation).",
        params: idParams("contactId"),
        body: z.object({
          network: z.string().trim().min(1).max(40),
          handle: z.string().trim().min(1).max(320),
          displayName: z.string().trim().max(300).optional(),
          reason: z.string().trim().max(2000).optional(),
        }),
        response: {
          201: z.object({
            id: z.uuid(),
            network: z.string(),
            handle: z.string(),
            contactId: z.uuid().nullable(),
          }),
        },
      },
    },
    async (request, reply) =>
      reply
        .status(201)
        .send(
          await addIdentity(db, orgOf(request), { contactId: request.params.contactId, ...request.body }),
        ),
  );
  app.delete(
    "/api/v1/contacts/:contactId/identities/:identityId",
    {
      config: { access: consentRoles },
      schema: {
        tags: ["identities"],
        summary: "Unlink an identity from the contact (recorded in the timeline).",
        params: z.object({ contactId: uuidParam, identityId: uuidParam }),
        querystring: z.object({ reason: z.string().trim().max(2000).optional() }),
        response: { 200: decisionSchema },
      },
    },
    async (request) =>
      unlinkIdentity(db, orgOf(request), { ...request.params, reason: request.query.reason }),
  );
  app.get(
    "/api/v1/settings/identity-resolution",
    {
      config: { access: consentRoles },
      schema: {
        tags: ["identities"],
        summary:
          "Certainty of likely candidates, of automatic links (null: never), and the customer-number attribute.",
        response: { 200: settingsSchema },
      },
    },
    async (request) => identityResolutionSettings(db, orgOf(request).organizationId),
  );
  app.put(
    "/api/v1/settings/identity-resolution",
    {
      config: { access: adminRoles },
      schema: {
        tags: ["identities"],
        summary: "Change the identity-resolution thresholds.",
        body: settingsSchema,
        response: { 200: settingsSchema },
      },
    },
    async (request) => saveIdentityResolutionSettings(db, orgOf(request), request.body),
  );
  app.post(
    "/api/v1/identity-candidates/auto-link",
    {
      config: { access: adminRoles },
      schema: {
        tags: ["identities"],
        summary:
          "Link the candidates at or above the automatic certainty that have their legal basis; nothing when it is not set.",
        response: {
          200: z.object({
            linked: z.number(),
            withoutLegalBasis: z.number(),
            belowCertainty: z.number(),
            autoLinkCertainty: z.number().nullable(),
          }),
        },
      },
    },
    async (request) => autoLinkIdentities(db, orgOf(request)),
  );
};

export type IdentityCandidate = z.infer<typeof candidateSchema>;
