import { Readable } from "node:stream";
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { adminRoles, privacyRoles, writerRoles } from "../../platform/auth/roles.js";
import type { Clock } from "../../platform/clock.js";
import type { Db } from "../../platform/db/client.js";
import { AppError, ValidationError } from "../../platform/errors.js";
import { orgOf } from "../../platform/http/access.js";
import { idParams, isoDate, okResponse, uuidParam } from "../../platform/http/schemas.js";
import { contactExportFormats, exportContacts } from "./contactExporter.js";
import {
  listImportIssues,
  listImports,
  maxImportBytes,
  receiveImportUpload,
  requireImport,
  startImport,
} from "./contactImporter.js";
import {
  createContactWebhook,
  deleteContactWebhook,
  listContactWebhooks,
  listWebhookDeliveries,
  updateContactWebhook,
} from "./contactWebhooks.js";
import {
  createContact,
  deleteContact,
  linkIdentity,
  listContactIdentities,
  unlinkIdentity,
  updateContact,
} from "./contactWriter.js";
import { contactEvents, importStatuses, webhookDeliveryStatuses } from "./schema.js";

export interface CrmDeps {
  db: Db;
  clock: Clock;
  secretsKey: Buffer;
  log?: { error(obj: object, msg: string): void };
}

class UnsupportedMediaTypeError extends AppError {
  override readonly status = 415;
  override readonly code = "unsupported_media_type";
}

const importSchema = z.object({
  id: z.uuid(),
  fileName: z.string(),
  bytes: z.number(),
  headers: z.array(z.string()),
  status: z.enum(importStatuses),
  rowsRead: z.number(),
  created: z.number(),
  updated: z.number(),
  skipped: z.number(),
  rejected: z.number(),
  error: z.string().nullable(),
  createdAt: isoDate,
  startedAt: isoDate.nullable(),
  finishedAt: isoDate.nullable(),
});
const mappingSchema = z.object({
  columns: z.record(z.string(), z.string().max(80)),
  onDuplicate: z.enum(["update", "skip"]).default("update"),
  tagSeparator: z.string().min(1).max(3).default(";"),
});
const contactSchema = z.object({
  id: z.uuid(),
  displayName: z.string(),
  email: z.string().nullable(),
  phone: z.string().nullable(),
  locale: z.string().nullable(),
  tags: z.array(z.string()),
  attributes: z.record(z.string(), z.string()),
  companyId: z.uuid().nullable(),
  createdAt: isoDate,
  updatedAt: isoDate,
});
const contactBody = z.object({
  displayName: z.string().trim().min(1, "must not be empty").max(200),
  email: z.string().trim().max(254).nullable().optional(),
  phone: z.string().trim().max(40).nullable().optional(),
  locale: z.string().trim().max(10).nullable().optional(),
  tags: z.array(z.string().trim().min(1).max(50)).max(50).optional(),
  attributes: z.record(z.string(), z.string().max(1000).nullable()).optional(),
  company: z.string().trim().max(200).nullable().optional(),
});
const identitySchema = z.object({
  id: z.uuid(),
  network: z.string(),
  handle: z.string(),
  displayName: z.string().nullable(),
  profileUrl: z.string().nullable(),
  contactId: z.uuid().nullable(),
  firstSeenAt: isoDate,
  lastSeenAt: isoDate,
});
const webhookSchema = z.object({
  id: z.uuid(),
  name: z.string(),
  url: z.string(),
  events: z.array(z.string()),
  allowHosts: z.array(z.string()),
  isActive: z.boolean(),
  createdAt: isoDate,
});
const webhookBody = z.object({
  name: z.string().trim().min(1).max(100),
  url: z.url().max(2048),
  events: z.array(z.enum(contactEvents)).min(1, "choose at least one event"),
  secret: z.string().min(16, "must be at least 16 characters").max(256).optional(),
  allowHosts: z.array(z.string().trim().min(1).max(253)).max(20).optional(),
  isActive: z.boolean().optional(),
});
const contactIdentityParams = z.object({ contactId: uuidParam, identityId: uuidParam });

/**
 * CRM exchange: CSV import with mapping and report, CSV/JSON export, the contact and identity API an
 * existing CRM writes through, and the webhooks that tell it about changes.
 */
export const crmRoutes: FastifyPluginAsyncZod<CrmDeps> = async (app, deps) => {
  const { db, clock } = deps;
  // The CSV file arrives as the raw body and is streamed into storage, never buffered whole.
  app.addContentTypeParser(
    ["text/csv", "application/csv", "application/vnd.ms-excel", "text/plain"],
    (_request, payload, done) => done(null, payload),
  );

  app.post(
    "/api/v1/crm/imports",
    {
      config: { access: adminRoles },
      bodyLimit: maxImportBytes,
      schema: {
        tags: ["crm"],
        summary:
          "Upload a CSV file of contacts (body: the file, Content-Type text/csv); answers its columns, first rows and a suggested mapping.",
        querystring: z.object({ fileName: z.string().max(200).default("contacts.csv") }),
        consumes: ["text/csv"],
        response: {
          201: z.object({
            import: importSchema,
            preview: z.array(z.array(z.string())),
            suggestedMapping: z.record(z.string(), z.string()),
          }),
        },
      },
    },
    async (request, reply) => {
      if (!(request.body instanceof Readable)) {
        throw new UnsupportedMediaTypeError(
          "Send the CSV file itself as the body, with Content-Type: text/csv.",
        );
      }
      const result = await receiveImportUpload({ db, clock }, orgOf(request), {
        file: request.body,
        fileName: request.query.fileName,
      });
      return reply.status(201).send(result);
    },
  );
  app.get(
    "/api/v1/crm/imports",
    {
      config: { access: adminRoles },
      schema: {
        tags: ["crm"],
        summary: "Contact imports, newest first, with their progress.",
        response: { 200: z.object({ imports: z.array(importSchema) }) },
      },
    },
    async (request) => ({ imports: await listImports(db, orgOf(request)) }),
  );
  app.get(
    "/api/v1/crm/imports/:importId",
    {
      config: { access: adminRoles },
      schema: {
        tags: ["crm"],
        summary: "One import: its state and counts (poll this while it runs).",
        params: idParams("importId"),
        response: { 200: importSchema },
      },
    },
    async (request) => requireImport(db, orgOf(request), request.params.importId),
  );
  app.post(
    "/api/v1/crm/imports/:importId/run",
    {
      config: { access: adminRoles },
      schema: {
        tags: ["crm"],
        summary:
          "Run an uploaded import with a column mapping (displayName, email, phone, locale, tags, company, attribute:<name>, ignore).",
        params: idParams("importId"),
        body: mappingSchema,
        response: { 202: importSchema },
      },
    },
    async (request, reply) => {
      const { import: started } = await startImport(
        { db, clock, onError: (error) => deps.log?.error({ err: error }, "contact import failed") },
        orgOf(request),
        { importId: request.params.importId, mapping: request.body },
      );
      return reply.status(202).send(started);
    },
  );
  app.get(
    "/api/v1/crm/imports/:importId/issues",
    {
      config: { access: adminRoles },
      schema: {
        tags: ["crm"],
        summary:
          "The import's report: rejected and skipped lines with line number and reason (never the values).",
        params: idParams("importId"),
        querystring: z.object({
          afterLine: z.coerce.number().int().min(0).optional(),
          limit: z.coerce.number().int().min(1).max(1000).default(200),
        }),
        response: {
          200: z.object({
            issues: z.array(
              z.object({
                line: z.number(),
                outcome: z.enum(["rejected", "skipped"]),
                reason: z.string(),
                field: z.string().nullable(),
                duplicateOfLine: z.number().nullable(),
              }),
            ),
          }),
        },
      },
    },
    async (request) => ({
      issues: await listImportIssues(db, orgOf(request), {
        importId: request.params.importId,
        ...request.query,
      }),
    }),
  );

  app.get(
    "/api/v1/crm/contacts/export",
    {
      config: { access: privacyRoles },
      schema: {
        tags: ["crm"],
        summary:
          "Download every contact as CSV or JSON (streamed) with current consents; identities only in data-use mode full. Audited.",
        querystring: z.object({ format: z.enum(contactExportFormats).default("csv") }),
        produces: ["text/csv", "application/json"],
      },
    },
    async (request, reply) => {
      const { format } = request.query;
      const date = clock.now().toISOString().slice(0, 10);
      const body = Readable.from(exportContacts({ db, clock }, orgOf(request), { format }), {
        objectMode: false,
      });
      return reply
        .type(format === "csv" ? "text/csv; charset=utf-8" : "application/json; charset=utf-8")
        .header("content-disposition", `attachment; filename="contacts-${date}.${format}"`)
        .send(body);
    },
  );

  app.post(
    "/api/v1/crm/contacts",
    {
      config: { access: writerRoles },
      schema: {
        tags: ["crm"],
        summary: "Create a contact (sends contact.created to the webhooks).",
        body: contactBody,
        response: { 201: contactSchema },
      },
    },
    async (request, reply) =>
      reply.status(201).send(await createContact({ db, clock }, orgOf(request), request.body)),
  );
  app.patch(
    "/api/v1/crm/contacts/:contactId",
    {
      config: { access: writerRoles },
      schema: {
        tags: ["crm"],
        summary:
          "Change a contact's fields; attributes are merged (null removes one). Sends contact.updated.",
        params: idParams("contactId"),
        body: contactBody.partial(),
        response: { 200: contactSchema },
      },
    },
    async (request) =>
      updateContact({ db, clock }, orgOf(request), {
        contactId: request.params.contactId,
        changes: request.body,
      }),
  );
  app.delete(
    "/api/v1/crm/contacts/:contactId",
    {
      config: { access: adminRoles },
      schema: {
        tags: ["crm"],
        summary:
          "Delete a contact record (the CRM removed it; sends contact.deleted). A person's erasure is a privacy request instead.",
        params: idParams("contactId"),
        response: { 200: okResponse },
      },
    },
    async (request) => {
      await deleteContact({ db, clock }, orgOf(request), request.params.contactId);
      return { ok: true as const };
    },
  );
  app.get(
    "/api/v1/crm/contacts/:contactId/identities",
    {
      config: { access: writerRoles },
      schema: {
        tags: ["crm"],
        summary: "The contact's identities on networks.",
        params: idParams("contactId"),
        response: { 200: z.object({ identities: z.array(identitySchema) }) },
      },
    },
    async (request) => ({
      identities: await listContactIdentities(db, orgOf(request), request.params.contactId),
    }),
  );
  app.post(
    "/api/v1/crm/contacts/:contactId/identities",
    {
      config: { access: writerRoles },
      schema: {
        tags: ["crm"],
        summary:
          "Link an identity to the contact: a known one by id, or network + handle (created when new). Sends identity.linked.",
        params: idParams("contactId"),
        body: z.object({
          identityId: z.uuid().optional(),
          network: z.string().trim().min(1).max(40).optional(),
          handle: z.string().trim().min(1).max(320).optional(),
          reason: z.string().trim().max(500).optional(),
        }),
        response: { 201: identitySchema },
      },
    },
    async (request, reply) => {
      const body = request.body;
      if (!body.identityId && !(body.network && body.handle))
        throw new ValidationError("Give the identity's id, or its network and handle.");
      return reply
        .status(201)
        .send(
          await linkIdentity({ db, clock }, orgOf(request), { contactId: request.params.contactId, ...body }),
        );
    },
  );
  app.delete(
    "/api/v1/crm/contacts/:contactId/identities/:identityId",
    {
      config: { access: writerRoles },
      schema: {
        tags: ["crm"],
        summary: "Unlink an identity from the contact (the identity stays, unlinked).",
        params: contactIdentityParams,
        response: { 200: okResponse },
      },
    },
    async (request) => {
      await unlinkIdentity({ db, clock }, orgOf(request), request.params);
      return { ok: true as const };
    },
  );

  app.get(
    "/api/v1/crm/webhooks",
    {
      config: { access: adminRoles },
      schema: {
        tags: ["crm"],
        summary: "Endpoints that hear about contact changes.",
        response: { 200: z.object({ webhooks: z.array(webhookSchema) }) },
      },
    },
    async (request) => ({ webhooks: await listContactWebhooks(db, orgOf(request)) }),
  );
  app.post(
    "/api/v1/crm/webhooks",
    {
      config: { access: adminRoles },
      schema: {
        tags: ["crm"],
        summary: "Register an endpoint for contact events; the signing secret is in the answer this once.",
        body: webhookBody,
        response: { 201: webhookSchema.extend({ secret: z.string() }) },
      },
    },
    async (request, reply) =>
      reply.status(201).send(
        await createContactWebhook(db, orgOf(request), {
          input: request.body,
          secretsKey: deps.secretsKey,
        }),
      ),
  );
  app.patch(
    "/api/v1/crm/webhooks/:webhookId",
    {
      config: { access: adminRoles },
      schema: {
        tags: ["crm"],
        summary: "Change an endpoint (name, URL, events, allowed hosts, active).",
        params: idParams("webhookId"),
        body: webhookBody.omit({ secret: true }).partial(),
        response: { 200: webhookSchema },
      },
    },
    async (request) =>
      updateContactWebhook(db, orgOf(request), {
        webhookId: request.params.webhookId,
        changes: request.body,
      }),
  );
  app.delete(
    "/api/v1/crm/webhooks/:webhookId",
    {
      config: { access: adminRoles },
      schema: {
        tags: ["crm"],
        summary: "Remove an endpoint and its delivery log.",
        params: idParams("webhookId"),
        response: { 200: okResponse },
      },
    },
    async (request) => {
      await deleteContactWebhook(db, orgOf(request), request.params.webhookId);
      return { ok: true as const };
    },
  );
  app.get(
    "/api/v1/crm/webhooks/:webhookId/deliveries",
    {
      config: { access: adminRoles },
      schema: {
        tags: ["crm"],
        summary: "The endpoint's delivery log, newest first: event, state, attempts, the endpoint's answer.",
        params: idParams("webhookId"),
        querystring: z.object({
          before: z.coerce.date().optional(),
          limit: z.coerce.number().int().min(1).max(200).default(50),
        }),
        response: {
          200: z.object({
            deliveries: z.array(
              z.object({
                id: z.uuid(),
                event: z.enum(contactEvents),
                status: z.enum(webhookDeliveryStatuses),
                attempts: z.number(),
                nextAttemptAt: isoDate,
                lastStatusCode: z.number().nullable(),
                lastError: z.string().nullable(),
                occurredAt: isoDate,
                deliveredAt: isoDate.nullable(),
              }),
            ),
          }),
        },
      },
    },
    async (request) => ({
      deliveries: await listWebhookDeliveries(db, orgOf(request), {
        webhookId: request.params.webhookId,
        ...request.query,
      }),
    }),
  );
};
