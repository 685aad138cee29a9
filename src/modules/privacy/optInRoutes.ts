import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { adminRoles, consentRoles } from "../../platform/auth/roles.js";
import type { Db } from "../../platform/db/client.js";
import { orgOf } from "../../platform/http/access.js";
import { idParams, isoDate } from "../../platform/http/schemas.js";
import {
  createOptInCampaign,
  createOptInLink,
  describeOptInLink,
  optInTokenPattern,
  redeemOptInLink,
} from "./optInLinks.js";

const createdLink = z.object({
  id: z.uuid(),
  contactId: z.uuid(),
  identityId: z.uuid(),
  expiresAt: isoDate,
  token: z.string(),
  url: z.string(),
});
const linkOptions = {
  wording: z.string().trim().max(5000).optional(),
  locale: z.enum(["de", "en"]).default("de"),
  expiresInDays: z.coerce.number().int().min(1).max(90).default(14),
  /** Instead of days: a short-lived link handed over during a live chat or call. */
  expiresInSeconds: z.coerce.number().int().min(5).max(86_400).optional(),
};
const token = z.string().regex(optInTokenPattern, "is not an opt-in link token");

/** Personal opt-in links: created by agents or campaigns, answered by the customer on a public page. */
export const optInRoutes: FastifyPluginAsyncZod<{ db: Db; baseUrl: string }> = async (
  app,
  { db, baseUrl },
) => {
  app.post(
    "/api/v1/contacts/:contactId/opt-in-links",
    {
      config: { access: consentRoles },
      schema: {
        tags: ["privacy"],
        summary:
          "Create a personal, single-use, expiring opt-in link that asks the contact to confirm a social identity and consent; the link is shown once.",
        params: idParams("contactId"),
        body: z.object({ identityId: z.uuid(), ...linkOptions }),
        response: { 201: createdLink },
      },
    },
    async (request, reply) =>
      reply.status(201).send(
        await createOptInLink(db, orgOf(request), {
          ...request.body,
          contactId: request.params.contactId,
          baseUrl,
        }),
      ),
  );
  app.post(
    "/api/v1/opt-in-campaigns",
    {
      config: { access: adminRoles },
      schema: {
        tags: ["privacy"],
        summary: "A campaign: personal opt-in links for many contacts at once (up to 5,000).",
        body: z.object({
          campaign: z.string().trim().min(1).max(200),
          recipients: z
            .array(z.object({ contactId: z.uuid(), identityId: z.uuid() }))
            .min(1)
            .max(5000),
          ...linkOptions,
        }),
        response: {
          201: z.object({
            campaign: z.string(),
            links: z.array(createdLink),
            skipped: z.array(z.object({ contactId: z.uuid(), identityId: z.uuid(), reason: z.string() })),
          }),
        },
      },
    },
    async (request, reply) =>
      reply.status(201).send(await createOptInCampaign(db, orgOf(request), { ...request.body, baseUrl })),
  );
  app.get(
    "/api/v1/opt-in/:token",
    {
      config: { access: "public" },
      schema: {
        tags: ["privacy"],
        summary:
          "What an opt-in link asks (for the public page); used or expired links say so and show nothing else.",
        security: [],
        params: z.object({ token }),
        response: {
          200: z.object({
            state: z.enum(["open", "used", "expired", "locked"]),
            organizationName: z.string(),
            locale: z.string(),
            expiresAt: isoDate,
            identity: z
              .object({ network: z.string(), handle: z.string(), displayName: z.string().nullable() })
              .nullable(),
            wording: z.string().nullable(),
          }),
        },
      },
    },
    async (request) => describeOptInLink(db, request.params.token),
  );
  app.post(
    "/api/v1/opt-in/:token",
    {
      config: { access: "public", rateLimit: { max: 20, timeWindow: "1 minute" } },
      schema: {
        tags: ["privacy"],
        summary:
          "The customer confirms with their customer number and consent: the identity link and the consent are recorded together.",
        security: [],
        params: z.object({ token }),
        body: z.object({ customerNumber: z.string().trim().min(1).max(100), consent: z.boolean() }),
        response: { 200: z.object({ linked: z.boolean() }) },
      },
    },
    async (request) => redeemOptInLink(db, { ...request.params, ...request.body, ip: request.ip }),
  );
};
