import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { recordAudit } from "../../platform/audit/audit.js";
import { adminRoles, privacyRoles } from "../../platform/auth/roles.js";
import { orgOf } from "../../platform/http/access.js";
import { isoDate } from "../../platform/http/schemas.js";
import { changeRetentionPolicies, listRetentionPolicies } from "./retentionPolicies.js";
import { listRetentionRuns, type RetentionDeps, runRetention } from "./retentionRunner.js";
import { retentionDataTypes, retentionRunStatuses } from "./schema.js";

const policySchema = z.object({
  dataType: z.enum(retentionDataTypes),
  days: z.number().int(),
  defaultDays: z.number().int(),
  minDays: z.number().int(),
  maxDays: z.number().int(),
  isDefault: z.boolean(),
  updatedAt: isoDate.nullable(),
});
const runSchema = z.object({
  id: z.uuid(),
  trigger: z.enum(["daily", "manual"]),
  day: z.string().nullable(),
  status: z.enum(retentionRunStatuses),
  counts: z.record(z.string(), z.object({ deleted: z.number(), anonymised: z.number() })),
  error: z.string().nullable(),
  startedAt: isoDate,
  finishedAt: isoDate.nullable(),
});

/** Settings → Retention: periods per data type, the reports of the runs, and "run now". */
export const retentionRoutes: FastifyPluginAsyncZod<RetentionDeps> = async (app, deps) => {
  const { db } = deps;
  app.get(
    "/api/v1/retention/policies",
    {
      config: { access: privacyRoles },
      schema: {
        tags: ["retention"],
        summary: "How long each kind of data is kept (days), with the default and the allowed range.",
        response: { 200: z.object({ policies: z.array(policySchema) }) },
      },
    },
    async (request) => ({ policies: await listRetentionPolicies(db, orgOf(request).organizationId) }),
  );
  app.put(
    "/api/v1/retention/policies",
    {
      config: { access: adminRoles },
      schema: {
        tags: ["retention"],
        summary: "Change retention periods (days) of some data types; each change is audited.",
        body: z.object({
          periods: z.partialRecord(z.enum(retentionDataTypes), z.number().int("must be whole days")),
        }),
        response: { 200: z.object({ policies: z.array(policySchema) }) },
      },
    },
    async (request) => ({
      policies: await changeRetentionPolicies(db, orgOf(request), {
        periods: request.body.periods,
        at: deps.clock.now(),
      }),
    }),
  );
  app.get(
    "/api/v1/retention/runs",
    {
      config: { access: privacyRoles },
      schema: {
        tags: ["retention"],
        summary:
          "Reports of the retention runs, newest first: what was deleted or anonymised, per data type.",
        querystring: z.object({ limit: z.coerce.number().int().min(1).max(200).default(30) }),
        response: { 200: z.object({ runs: z.array(runSchema) }) },
      },
    },
    async (request) => ({
      runs: await listRetentionRuns(db, orgOf(request).organizationId, request.query.limit),
    }),
  );
  app.post(
    "/api/v1/retention/runs",
    {
      config: { access: adminRoles },
      schema: {
        tags: ["retention"],
        summary: "Run retention now (besides the daily run) and answer with its report.",
        response: { 201: runSchema },
      },
    },
    async (request, reply) => {
      const ctx = orgOf(request);
      const run = await runRetention(deps, { organizationId: ctx.organizationId, trigger: "manual" });
      await recordAudit(db, ctx, {
        action: "retention.ran",
        entityType: "retention_run",
        entityId: run!.id,
        details: { status: run!.status },
      });
      return reply.status(201).send(run!);
    },
  );
};
