import { Readable } from "node:stream";
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { anyRole } from "../../platform/auth/roles.js";
import type { Db } from "../../platform/db/client.js";
import { orgOf } from "../../platform/http/access.js";
import { countMentions, exportFormats, exportMentions } from "./mentionExport.js";
import { mentionFilterQuery } from "./routes.js";

const contentTypes = { csv: "text/csv; charset=utf-8", jsonl: "application/x-ndjson; charset=utf-8" };

/** Mention export: the filtered set of `GET /api/v1/mentions` as a streamed file, and its size. */
export const mentionExportRoutes: FastifyPluginAsyncZod<{ db: Db }> = async (app, { db }) => {
  app.get(
    "/api/v1/mentions/export",
    {
      config: { access: anyRole },
      schema: {
        tags: ["listening"],
        summary:
          "Download the filtered mentions as CSV (header, RFC 4180, formula-safe) or JSON Lines, streamed newest first.",
        querystring: mentionFilterQuery.extend({ format: z.enum(exportFormats).default("csv") }),
        produces: ["text/csv", "application/x-ndjson"],
      },
    },
    async (request, reply) => {
      const { format, ...filters } = request.query;
      const date = new Date().toISOString().slice(0, 10);
      // Pages are pulled as the client reads, so a slow download never piles rows up in memory.
      const body = Readable.from(exportMentions(db, orgOf(request), { filters, format }), {
        objectMode: false,
      });
      return reply
        .type(contentTypes[format])
        .header("content-disposition", `attachment; filename="mentions-${date}.${format}"`)
        .send(body);
    },
  );
  app.get(
    "/api/v1/mentions/count",
    {
      config: { access: anyRole },
      schema: {
        tags: ["listening"],
        summary: "How many mentions the filters select (for the progress of an export).",
        querystring: mentionFilterQuery,
        response: { 200: z.object({ count: z.number().int() }) },
      },
    },
    async (request) => ({ count: await countMentions(db, orgOf(request), request.query) }),
  );
};
