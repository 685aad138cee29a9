import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { anyRole } from "../../platform/auth/roles.js";
import type { Db } from "../../platform/db/client.js";
import { orgOf } from "../../platform/http/access.js";
import { idParams, isoDate } from "../../platform/http/schemas.js";
import { recordContactAccess } from "../privacy/personalDataAccess.js";
import { getContact, listContacts } from "./contacts.js";

const contactSchema = z.object({
  id: z.uuid(),
  displayName: z.string(),
  email: z.string().nullable(),
  phone: z.string().nullable(),
  locale: z.string().nullable(),
  createdAt: isoDate,
  updatedAt: isoDate,
});

export const contactRoutes: FastifyPluginAsyncZod<{ db: Db }> = async (app, { db }) => {
  app.get(
    "/api/v1/contacts",
    {
      config: { access: anyRole },
      schema: {
        tags: ["contacts"],
        summary: "Contacts, by name; search by name or e-mail.",
        querystring: z.object({
          q: z.string().trim().max(200).optional(),
          limit: z.coerce.number().int().min(1).max(200).default(50),
        }),
        response: { 200: z.object({ contacts: z.array(contactSchema) }) },
      },
    },
    async (request) => {
      const ctx = orgOf(request);
      const result = await listContacts(db, ctx, request.query);
      await recordContactAccess(db, ctx, { contactIds: result.contacts.map((c) => c.id), via: "list" });
      return result;
    },
  );
  app.get(
    "/api/v1/contacts/:contactId",
    {
      config: { access: anyRole },
      schema: {
        tags: ["contacts"],
        summary: "One contact.",
        params: idParams("contactId"),
        response: { 200: contactSchema },
      },
    },
    async (request) => {
      const ctx = orgOf(request);
      const found = await getContact(db, ctx, request.params.contactId);
      await recordContactAccess(db, ctx, { contactIds: [found.id], via: "detail" });
      return found;
    },
  );
};

export type Contact = z.infer<typeof contactSchema>;
