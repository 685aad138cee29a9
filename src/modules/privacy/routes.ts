import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { adminRoles, consentRoles, privacyRoles } from "../../platform/auth/roles.js";
import type { Db } from "../../platform/db/client.js";
import { orgOf } from "../../platform/http/access.js";
import { idParams, isoDate, uuidParam } from "../../platform/http/schemas.js";
import { dataUseModes } from "../organizations/schema.js";
import { exportAudience } from "./audienceExporter.js";
import { recordConsent } from "./consentRecorder.js";
import { listConsents } from "./consents.js";
import { enrichContact } from "./contactEnricher.js";
import { changeDataUseMode, previewDataUseModeChange } from "./dataUseModeChanger.js";
import { listContactAccess, recordContactAccess } from "./personalDataAccess.js";
import { erasePerson } from "./personEraser.js";
import { exportPerson } from "./personExporter.js";
import { getPrivacyRequest, listPrivacyRequests, openPrivacyRequest } from "./privacyRequests.js";
import { consentPurposes, consentSources, consentStates, legalBases, privacyRequestTypes } from "./schema.js";

const consentRecordSchema = z.object({
  id: z.uuid(),
  purpose: z.enum(consentPurposes),
  state: z.enum(consentStates),
  legalBasis: z.enum(legalBases),
  source: z.enum(consentSources),
  wording: z.string().nullable(),
  evidence: z.string().nullable(),
  recordedByUserId: z.string().nullable(),
  recordedAt: isoDate,
});
const requestSchema = z.object({
  id: z.uuid(),
  type: z.enum(privacyRequestTypes),
  subjectContactId: z.uuid().nullable(),
  status: z.enum(["open", "completed"]),
  receivedAt: isoDate,
  dueAt: isoDate,
  completedAt: isoDate.nullable(),
  completedByUserId: z.string().nullable(),
  proof: z
    .object({
      counts: z.record(z.string(), z.number()),
      exportSha256: z.string().optional(),
      auditEntriesReduced: z.number().optional(),
    })
    .nullable(),
});
const previewSchema = z.object({
  from: z.enum(dataUseModes),
  to: z.enum(dataUseModes),
  removes: z.object({
    enrichmentEntries: z.number(),
    contactsAffected: z.number(),
    /** Social identities unlinked from contacts (switching to `none`). */
    identityLinks: z.number(),
  }),
  stops: z.array(z.string()),
});
const purposeParams = z.object({ contactId: uuidParam, purpose: z.enum(consentPurposes) });

/** Consent ledger, data-subject requests, the personal-data access log, data-use mode, audiences. */
export const privacyRoutes: FastifyPluginAsyncZod<{ db: Db }> = async (app, { db }) => {
  app.get(
    "/api/v1/contacts/:contactId/consents",
    {
      config: { access: consentRoles },
      schema: {
        tags: ["privacy"],
        summary: "The contact's current consent per purpose and the full history of decisions.",
        params: idParams("contactId"),
        response: {
          200: z.object({
            current: z.array(
              z.object({
                purpose: z.enum(consentPurposes),
                state: z.enum(["given", "withdrawn", "none"]),
                legalBasis: z.enum(legalBases).nullable(),
                since: isoDate.nullable(),
              }),
            ),
            history: z.array(consentRecordSchema),
          }),
        },
      },
    },
    async (request) => {
      const ctx = orgOf(request);
      const result = await listConsents(db, ctx, request.params.contactId);
      await recordContactAccess(db, ctx, { contactIds: [request.params.contactId], via: "consents" });
      return result;
    },
  );
  app.put(
    "/api/v1/contacts/:contactId/consents/:purpose",
    {
      config: { access: consentRoles },
      schema: {
        tags: ["privacy"],
        summary: "Record that the contact gave or withdrew consent for a purpose (appends to the ledger).",
        params: purposeParams,
        body: z.object({
          state: z.enum(consentStates),
          legalBasis: z.enum(legalBases).optional(),
          source: z.enum(consentSources),
          wording: z.string().max(5000).optional(),
          evidence: z.string().max(5000).optional(),
        }),
        response: { 201: consentRecordSchema },
      },
    },
    async (request, reply) => {
      const row = await recordConsent(db, orgOf(request), { ...request.params, ...request.body });
      return reply.status(201).send(row);
    },
  );
  app.post(
    "/api/v1/contacts/:contactId/enrichment",
    {
      config: { access: consentRoles },
      schema: {
        tags: ["privacy"],
        summary:
          "Copy the public profiles of the contact's identities onto the contact (mode full, consent profile_enrichment).",
        params: idParams("contactId"),
        response: {
          200: z.object({
            contactId: z.uuid(),
            entries: z.array(
              z.object({ id: z.uuid(), identityId: z.uuid(), data: z.record(z.string(), z.unknown()) }),
            ),
          }),
        },
      },
    },
    async (request) => enrichContact(db, orgOf(request), request.params),
  );

  app.get(
    "/api/v1/privacy/requests",
    {
      config: { access: privacyRoles },
      schema: {
        tags: ["privacy"],
        summary: "Data-subject requests (export, erasure), newest first, with their deadlines.",
        response: { 200: z.object({ requests: z.array(requestSchema) }) },
      },
    },
    async (request) => ({ requests: await listPrivacyRequests(db, orgOf(request)) }),
  );
  app.post(
    "/api/v1/privacy/requests",
    {
      config: { access: privacyRoles },
      schema: {
        tags: ["privacy"],
        summary: "Open a data-subject request about a contact; it is due in 30 days.",
        body: z.object({
          type: z.enum(privacyRequestTypes),
          contactId: z.uuid(),
          receivedAt: z.coerce.date().optional(),
        }),
        response: { 201: requestSchema },
      },
    },
    async (request, reply) =>
      reply.status(201).send(await openPrivacyRequest(db, orgOf(request), request.body)),
  );
  app.get(
    "/api/v1/privacy/requests/:requestId",
    {
      config: { access: privacyRoles },
      schema: {
        tags: ["privacy"],
        summary: "One data-subject request with its completion proof.",
        params: idParams("requestId"),
        response: { 200: requestSchema },
      },
    },
    async (request) => getPrivacyRequest(db, orgOf(request), request.params.requestId),
  );
  app.post(
    "/api/v1/privacy/requests/:requestId/export",
    {
      config: { access: privacyRoles },
      schema: {
        tags: ["privacy"],
        summary: "Answer an export request: everything about the person as JSON, with a readable summary.",
        params: idParams("requestId"),
        response: {
          200: z.object({
            request: requestSchema,
            summary: z.string(),
            export: z.record(z.string(), z.unknown()),
          }),
        },
      },
    },
    async (request) => exportPerson(db, orgOf(request), { requestId: request.params.requestId }),
  );
  app.post(
    "/api/v1/privacy/requests/:requestId/erasure",
    {
      config: { access: privacyRoles },
      schema: {
        tags: ["privacy"],
        summary: "Answer an erasure request: erase everything about the person; the request keeps the proof.",
        params: idParams("requestId"),
        response: { 200: z.object({ request: requestSchema }) },
      },
    },
    async (request) => {
      const { request: done } = await erasePerson(db, orgOf(request), {
        requestId: request.params.requestId,
      });
      return { request: done };
    },
  );

  app.get(
    "/api/v1/privacy/access-log",
    {
      config: { access: privacyRoles },
      schema: {
        tags: ["privacy"],
        summary: "Who opened which contact, newest first.",
        querystring: z.object({
          contactId: z.uuid().optional(),
          before: z.coerce.number().int().positive().optional(),
          limit: z.coerce.number().int().min(1).max(500).default(100),
        }),
        response: {
          200: z.object({
            entries: z.array(
              z.object({
                id: z.number(),
                contactId: z.string().nullable(),
                actorUserId: z.string().nullable(),
                via: z.string(),
                at: isoDate,
              }),
            ),
            nextBefore: z.number().optional(),
          }),
        },
      },
    },
    async (request) => listContactAccess(db, orgOf(request), request.query),
  );

  app.get(
    "/api/v1/privacy/data-use-mode/preview",
    {
      config: { access: privacyRoles },
      schema: {
        tags: ["privacy"],
        summary: "What switching the data-use mode would remove and stop, before anything is removed.",
        querystring: z.object({ mode: z.enum(dataUseModes) }),
        response: { 200: previewSchema },
      },
    },
    async (request) => previewDataUseModeChange(db, orgOf(request), request.query.mode),
  );
  app.put(
    "/api/v1/privacy/data-use-mode",
    {
      config: { access: adminRoles },
      schema: {
        tags: ["privacy"],
        summary: "Change the data-use mode; removes what the new mode does not allow (see the preview).",
        body: z.object({ mode: z.enum(dataUseModes) }),
        response: {
          200: previewSchema.extend({
            removed: z.object({ enrichmentEntries: z.number(), identityLinks: z.number() }),
          }),
        },
      },
    },
    async (request) => changeDataUseMode(db, orgOf(request), request.body),
  );

  app.post(
    "/api/v1/privacy/audiences",
    {
      config: { access: adminRoles },
      schema: {
        tags: ["privacy"],
        summary:
          "Customer list for ad networks: SHA-256 of normalised e-mail and E.164 phone of contacts who consented to audience matching.",
        body: z.object({
          defaultCountryCode: z
            .string()
            .regex(/^[1-9]\d{0,2}$/)
            .optional(),
        }),
        response: {
          200: z.object({
            mode: z.enum(dataUseModes),
            purpose: z.literal("audience_matching"),
            members: z.array(
              z.object({ emailSha256: z.string().nullable(), phoneSha256: z.string().nullable() }),
            ),
          }),
        },
      },
    },
    async (request) => exportAudience(db, orgOf(request), request.body),
  );
};
