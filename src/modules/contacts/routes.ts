import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { anyRole, writerRoles } from "../../platform/auth/roles.js";
import type { Db } from "../../platform/db/client.js";
import { orgOf } from "../../platform/http/access.js";
import { idParams, isoDate, okResponse, uuidParam } from "../../platform/http/schemas.js";
import { dataUseModes } from "../organizations/schema.js";
import { dataUseModeOf } from "../privacy/dataUseModes.js";
import { recordContactAccess } from "../privacy/personalDataAccess.js";
import { consentPurposes } from "../privacy/schema.js";
import { createCompany, deleteCompany, getCompany, listCompanies, updateCompany } from "./companies.js";
import { deleteContactNote, listContactNotes, writeContactNote } from "./contactNotes.js";
import { contactRelations, createContact, getContact, listContacts, updateContact } from "./contacts.js";
import { privateNetworks } from "./identityLinker.js";
import { createSegment, deleteSegment, listSegments, segmentMembers, updateSegment } from "./segments.js";
import { contactTimeline } from "./timeline.js";

const attributes = z.record(z.string().trim().min(1).max(100), z.string().max(1000));
const contactSchema = z.object({
  id: z.uuid(),
  displayName: z.string(),
  email: z.string().nullable(),
  phone: z.string().nullable(),
  locale: z.string().nullable(),
  attributes: z.record(z.string(), z.string()),
  tags: z.array(z.string()),
  ownerUserId: z.string().nullable(),
  companyId: z.uuid().nullable(),
  createdAt: isoDate,
  updatedAt: isoDate,
});
const companySchema = z.object({
  id: z.uuid(),
  name: z.string(),
  domain: z.string().nullable(),
  attributes: z.record(z.string(), z.string()),
  createdAt: isoDate,
  updatedAt: isoDate,
});
const identitySchema = z.object({
  id: z.uuid(),
  network: z.string(),
  handle: z.string(),
  displayName: z.string().nullable(),
  profileUrl: z.string().nullable(),
  /** Mode `full` only: the public profile as the network shows it. */
  profile: z.record(z.string(), z.unknown()).nullable(),
});
const contactInput = z.object({
  displayName: z.string().trim().min(1).max(300),
  email: z.string().trim().max(320).nullable().optional(),
  phone: z.string().trim().max(50).nullable().optional(),
  locale: z.string().trim().max(20).nullable().optional(),
  attributes: attributes.optional(),
  tags: z.array(z.string().trim().min(1).max(60)).max(50).optional(),
  ownerUserId: z.string().max(100).nullable().optional(),
  companyId: z.uuid().nullable().optional(),
});
export const segmentFilterSchema = z.object({
  q: z.string().trim().max(200).optional(),
  tags: z.array(z.string().trim().min(1).max(60)).max(20).optional(),
  attributes: z.record(z.string().min(1).max(100), z.string().max(1000)).optional(),
  companyId: z.uuid().optional(),
  ownerUserId: z.string().max(100).optional(),
  consent: z
    .object({ purpose: z.enum(consentPurposes), state: z.enum(["given", "withdrawn", "none"]) })
    .optional(),
  channel: z.string().trim().max(40).optional(),
});
/** The list's query string: `tag=vip&tag=hamburg`, `attribute=plan:gold`, `consent=marketing:given`. */
const listQuery = z.object({
  q: z.string().trim().max(200).optional(),
  tag: z.union([z.string(), z.array(z.string())]).optional(),
  attribute: z.union([z.string(), z.array(z.string())]).optional(),
  companyId: z.uuid().optional(),
  ownerUserId: z.string().max(100).optional(),
  consent: z
    .string()
    .regex(/^(service|marketing|profile_enrichment|audience_matching):(given|withdrawn|none)$/, {
      message: "must be purpose:state, e.g. marketing:given",
    })
    .optional(),
  channel: z.string().max(40).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  offset: z.coerce.number().int().min(0).max(100_000).default(0),
});
const segmentSchema = z.object({
  id: z.uuid(),
  name: z.string(),
  filter: segmentFilterSchema,
  createdAt: isoDate,
  updatedAt: isoDate,
});
const noteSchema = z.object({
  id: z.uuid(),
  body: z.string(),
  authorUserId: z.string().nullable(),
  createdAt: isoDate,
});
const base = { at: isoDate, key: z.string() };
export const timelineEventSchema = z.discriminatedUnion("kind", [
  z.object({
    ...base,
    kind: z.literal("mention"),
    id: z.string(),
    network: z.string(),
    handle: z.string(),
    text: z.string(),
    url: z.string().nullable(),
    sentiment: z.string(),
  }),
  z.object({
    ...base,
    kind: z.literal("message"),
    id: z.string(),
    conversationId: z.string(),
    direction: z.enum(["incoming", "outgoing", "note"]),
    authorName: z.string(),
    body: z.string(),
  }),
  z.object({
    ...base,
    kind: z.literal("conversation"),
    id: z.string(),
    subject: z.string(),
    status: z.string(),
    channelType: z.string(),
  }),
  z.object({
    ...base,
    kind: z.literal("consent"),
    id: z.string(),
    purpose: z.string(),
    state: z.string(),
    source: z.string(),
    wording: z.string().nullable(),
  }),
  z.object({
    ...base,
    kind: z.literal("identity_link"),
    id: z.string(),
    decision: z.string(),
    source: z.string(),
    network: z.string(),
    handle: z.string(),
    reason: z.string().nullable(),
    decidedByUserId: z.string().nullable(),
  }),
  z.object({
    ...base,
    kind: z.literal("note"),
    id: z.string(),
    body: z.string(),
    authorUserId: z.string().nullable(),
  }),
  z.object({
    ...base,
    kind: z.literal("crm"),
    id: z.string(),
    action: z.string(),
    actorUserId: z.string().nullable(),
    fields: z.array(z.string()),
  }),
]);

function toFilter(query: z.infer<typeof listQuery>) {
  const many = (v: string | string[] | undefined) => (v === undefined ? [] : Array.isArray(v) ? v : [v]);
  const attributePairs = many(query.attribute).map((pair) => {
    const at = pair.indexOf(":");
    return at > 0 ? [pair.slice(0, at), pair.slice(at + 1)] : [pair, ""];
  });
  const [purpose, state] = query.consent?.split(":") ?? [];
  return {
    q: query.q,
    tags: many(query.tag),
    attributes: Object.fromEntries(attributePairs),
    companyId: query.companyId,
    ownerUserId: query.ownerUserId,
    channel: query.channel,
    consent: purpose
      ? {
          purpose: purpose as (typeof consentPurposes)[number],
          state: state as "given" | "withdrawn" | "none",
        }
      : undefined,
    limit: query.limit,
    offset: query.offset,
  };
}

export const contactRoutes: FastifyPluginAsyncZod<{ db: Db }> = async (app, { db }) => {
  app.get(
    "/api/v1/contacts",
    {
      config: { access: anyRole },
      schema: {
        tags: ["contacts"],
        summary:
          "Contacts, by name; filter by name or e-mail (q), tags, attributes, company, owner, consent and channel.",
        querystring: listQuery,
        response: { 200: z.object({ contacts: z.array(contactSchema) }) },
      },
    },
    async (request) => {
      const ctx = orgOf(request);
      const result = await listContacts(db, ctx, toFilter(request.query));
      await recordContactAccess(db, ctx, { contactIds: result.contacts.map((c) => c.id), via: "list" });
      return result;
    },
  );
  app.post(
    "/api/v1/contacts",
    {
      config: { access: writerRoles },
      schema: {
        tags: ["contacts"],
        summary: "Create a contact.",
        body: contactInput,
        response: { 201: contactSchema },
      },
    },
    async (request, reply) => reply.status(201).send(await createContact(db, orgOf(request), request.body)),
  );
  app.get(
    "/api/v1/contacts/:contactId",
    {
      config: { access: anyRole },
      schema: {
        tags: ["contacts"],
        summary:
          "One contact with company and identities; what the identities show depends on the data-use mode. Audited as personal-data access.",
        params: idParams("contactId"),
        response: {
          200: contactSchema.extend({
            company: companySchema.nullable(),
            identities: z.array(identitySchema),
            dataUseMode: z.enum(dataUseModes),
          }),
        },
      },
    },
    async (request) => {
      const ctx = orgOf(request);
      const found = await getContact(db, ctx, request.params.contactId);
      await recordContactAccess(db, ctx, { contactIds: [found.id], via: "detail" });
      const mode = await dataUseModeOf(db, ctx.organizationId);
      const { companies, identities } = await contactRelations(db, ctx, [found.id]);
      const firm = companies[0];
      return {
        ...found,
        // Exactly the schema's fields: a nullable object is matched strictly when serialised.
        company: firm
          ? {
              id: firm.id,
              name: firm.name,
              domain: firm.domain,
              attributes: firm.attributes,
              createdAt: firm.createdAt,
              updatedAt: firm.updatedAt,
            }
          : null,
        dataUseMode: mode,
        // `none`: only the addresses a conversation needs; `linked`: social identities without profile data.
        identities: identities
          .filter((i) => mode !== "none" || privateNetworks.includes(i.network))
          .map((i) => ({
            id: i.id,
            network: i.network,
            handle: i.handle,
            displayName: i.displayName,
            profileUrl: i.profileUrl,
            profile: mode === "full" ? i.profile : null,
          })),
      };
    },
  );
  app.patch(
    "/api/v1/contacts/:contactId",
    {
      config: { access: writerRoles },
      schema: {
        tags: ["contacts"],
        summary: "Change a contact: details, attributes, tags, owner, company.",
        params: idParams("contactId"),
        body: contactInput.partial(),
        response: { 200: contactSchema },
      },
    },
    async (request) => updateContact(db, orgOf(request), request.params.contactId, request.body),
  );
  app.get(
    "/api/v1/contacts/:contactId/timeline",
    {
      config: { access: anyRole },
      schema: {
        tags: ["contacts"],
        summary:
          "The contact's timeline, newest first: mentions (mode full), messages, conversations, consent, identity links, notes, CRM events.",
        params: idParams("contactId"),
        querystring: z.object({
          before: z.string().max(200).optional(),
          limit: z.coerce.number().int().min(1).max(200).default(50),
        }),
        response: {
          200: z.object({
            mode: z.enum(dataUseModes),
            omitted: z.array(z.string()),
            events: z.array(timelineEventSchema),
            nextBefore: z.string().optional(),
          }),
        },
      },
    },
    async (request) => {
      const ctx = orgOf(request);
      const result = await contactTimeline(db, ctx, {
        contactId: request.params.contactId,
        ...request.query,
      });
      await recordContactAccess(db, ctx, { contactIds: [request.params.contactId], via: "detail" });
      return result;
    },
  );

  app.get(
    "/api/v1/contacts/:contactId/notes",
    {
      config: { access: anyRole },
      schema: {
        tags: ["contacts"],
        summary: "Notes on the contact, newest first.",
        params: idParams("contactId"),
        response: { 200: z.object({ notes: z.array(noteSchema) }) },
      },
    },
    async (request) => ({ notes: await listContactNotes(db, orgOf(request), request.params.contactId) }),
  );
  app.post(
    "/api/v1/contacts/:contactId/notes",
    {
      config: { access: writerRoles },
      schema: {
        tags: ["contacts"],
        summary: "Write a note on the contact.",
        params: idParams("contactId"),
        body: z.object({ body: z.string().trim().min(1).max(10_000) }),
        response: { 201: noteSchema },
      },
    },
    async (request, reply) =>
      reply.status(201).send(
        await writeContactNote(db, orgOf(request), {
          contactId: request.params.contactId,
          ...request.body,
        }),
      ),
  );
  app.delete(
    "/api/v1/contacts/:contactId/notes/:noteId",
    {
      config: { access: writerRoles },
      schema: {
        tags: ["contacts"],
        summary: "Delete a note.",
        params: z.object({ contactId: uuidParam, noteId: uuidParam }),
        response: { 200: okResponse },
      },
    },
    async (request) => {
      await deleteContactNote(db, orgOf(request), request.params);
      return { ok: true as const };
    },
  );

  app.get(
    "/api/v1/companies",
    {
      config: { access: anyRole },
      schema: {
        tags: ["contacts"],
        summary: "Companies (B2B), by name, with their number of contacts.",
        querystring: z.object({
          q: z.string().trim().max(200).optional(),
          limit: z.coerce.number().int().min(1).max(500).default(100),
        }),
        response: { 200: z.object({ companies: z.array(companySchema.extend({ contacts: z.number() })) }) },
      },
    },
    async (request) => listCompanies(db, orgOf(request), request.query),
  );
  const companyInput = z.object({
    name: z.string().trim().min(1).max(300),
    domain: z.string().trim().max(253).nullable().optional(),
    attributes: attributes.optional(),
  });
  app.post(
    "/api/v1/companies",
    {
      config: { access: writerRoles },
      schema: {
        tags: ["contacts"],
        summary: "Create a company.",
        body: companyInput,
        response: { 201: companySchema },
      },
    },
    async (request, reply) => reply.status(201).send(await createCompany(db, orgOf(request), request.body)),
  );
  app.get(
    "/api/v1/companies/:companyId",
    {
      config: { access: anyRole },
      schema: {
        tags: ["contacts"],
        summary: "One company and its contacts.",
        params: idParams("companyId"),
        response: {
          200: companySchema.extend({
            members: z.array(
              z.object({ id: z.uuid(), displayName: z.string(), email: z.string().nullable() }),
            ),
          }),
        },
      },
    },
    async (request) => {
      const ctx = orgOf(request);
      const found = await getCompany(db, ctx, request.params.companyId);
      await recordContactAccess(db, ctx, { contactIds: found.members.map((m) => m.id), via: "list" });
      return found;
    },
  );
  app.patch(
    "/api/v1/companies/:companyId",
    {
      config: { access: writerRoles },
      schema: {
        tags: ["contacts"],
        summary: "Change a company.",
        params: idParams("companyId"),
        body: companyInput.partial(),
        response: { 200: companySchema },
      },
    },
    async (request) => updateCompany(db, orgOf(request), request.params.companyId, request.body),
  );
  app.delete(
    "/api/v1/companies/:companyId",
    {
      config: { access: writerRoles },
      schema: {
        tags: ["contacts"],
        summary: "Delete a company; its contacts stay, without a company.",
        params: idParams("companyId"),
        response: { 200: okResponse },
      },
    },
    async (request) => {
      await deleteCompany(db, orgOf(request), request.params.companyId);
      return { ok: true as const };
    },
  );

  app.get(
    "/api/v1/segments",
    {
      config: { access: anyRole },
      schema: {
        tags: ["contacts"],
        summary: "Segments (saved contact filters) with their current number of members.",
        response: { 200: z.object({ segments: z.array(segmentSchema.extend({ members: z.number() })) }) },
      },
    },
    async (request) => ({ segments: await listSegments(db, orgOf(request)) }),
  );
  const segmentInput = z.object({ name: z.string().trim().min(1).max(200), filter: segmentFilterSchema });
  app.post(
    "/api/v1/segments",
    {
      config: { access: writerRoles },
      schema: {
        tags: ["contacts"],
        summary: "Save a segment.",
        body: segmentInput,
        response: { 201: segmentSchema },
      },
    },
    async (request, reply) => reply.status(201).send(await createSegment(db, orgOf(request), request.body)),
  );
  app.patch(
    "/api/v1/segments/:segmentId",
    {
      config: { access: writerRoles },
      schema: {
        tags: ["contacts"],
        summary: "Rename a segment or change its filter.",
        params: idParams("segmentId"),
        body: segmentInput.partial(),
        response: { 200: segmentSchema },
      },
    },
    async (request) => updateSegment(db, orgOf(request), request.params.segmentId, request.body),
  );
  app.delete(
    "/api/v1/segments/:segmentId",
    {
      config: { access: writerRoles },
      schema: {
        tags: ["contacts"],
        summary: "Delete a segment (its contacts stay).",
        params: idParams("segmentId"),
        response: { 200: okResponse },
      },
    },
    async (request) => {
      await deleteSegment(db, orgOf(request), request.params.segmentId);
      return { ok: true as const };
    },
  );
  app.get(
    "/api/v1/segments/:segmentId/members",
    {
      config: { access: anyRole },
      schema: {
        tags: ["contacts"],
        summary: "The contacts the segment holds now.",
        params: idParams("segmentId"),
        querystring: z.object({
          limit: z.coerce.number().int().min(1).max(200).default(50),
          offset: z.coerce.number().int().min(0).max(100_000).default(0),
        }),
        response: {
          200: z.object({ segment: segmentSchema, total: z.number(), contacts: z.array(contactSchema) }),
        },
      },
    },
    async (request) => {
      const ctx = orgOf(request);
      const result = await segmentMembers(db, ctx, { segmentId: request.params.segmentId, ...request.query });
      await recordContactAccess(db, ctx, { contactIds: result.contacts.map((c) => c.id), via: "list" });
      return result;
    },
  );
};

export type Contact = z.infer<typeof contactSchema>;
export type Company = z.infer<typeof companySchema>;
export type Segment = z.infer<typeof segmentSchema>;
export type TimelineEventView = z.infer<typeof timelineEventSchema>;
