import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { adminRoles, anyRole } from "../../platform/auth/roles.js";
import type { Clock } from "../../platform/clock.js";
import type { Db } from "../../platform/db/client.js";
import { ValidationError } from "../../platform/errors.js";
import { orgOf } from "../../platform/http/access.js";
import { idParams, isoDate, okResponse } from "../../platform/http/schemas.js";
import { slaTargets } from "./schema.js";
import { slaBreachStats } from "./slaBreachDetector.js";
import { defaultSlaTargets } from "./slaClock.js";
import {
  createBusinessHours,
  createSlaPolicy,
  listBusinessHours,
  listSlaPolicies,
  removeBusinessHours,
  removeSlaPolicy,
  updateBusinessHours,
  updateSlaPolicy,
} from "./slaSettings.js";

const time = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$|^24:00$/, 'is not a time like "09:00"');
const businessHoursBody = z.object({
  name: z.string().trim().min(1).max(100),
  timezone: z.string().min(1).max(64).describe("IANA time zone, e.g. Europe/Berlin"),
  weeklyRanges: z
    .array(
      z.object({
        weekday: z.number().int().min(1).max(7).describe("1 Monday … 7 Sunday"),
        start: time,
        end: time,
      }),
    )
    .min(1)
    .max(50),
  holidays: z
    .array(
      z.object({
        date: z.iso.date().describe("YYYY-MM-DD in the schedule's time zone"),
        name: z.string().max(100),
      }),
    )
    .max(200)
    .default([]),
});
const businessHoursSchema = businessHoursBody.extend({ id: z.uuid(), createdAt: isoDate });

const minutes = z
  .number()
  .int()
  .min(1)
  .max(366 * 24 * 60);
const slaPolicyBody = z.object({
  name: z.string().trim().min(1).max(100),
  channelId: z.uuid().nullable().describe("null: the organization's default for channels without a policy"),
  firstResponseMinutes: minutes.default(defaultSlaTargets.firstResponseMinutes),
  nextResponseMinutes: minutes.default(defaultSlaTargets.nextResponseMinutes),
  resolutionMinutes: minutes.nullable().default(null).describe("null: no resolution target"),
  immediateResponseMinutes: minutes
    .default(defaultSlaTargets.immediateResponseMinutes)
    .describe("Target when a message's urgency score is above the threshold"),
  urgencyThreshold: z.number().min(0).max(1).default(defaultSlaTargets.urgencyThreshold),
  businessHoursId: z.uuid().nullable().default(null).describe("null: the clocks run around the clock"),
});
const slaPolicySchema = slaPolicyBody.extend({ id: z.uuid(), createdAt: isoDate });
const slaPolicyPatch = z.object({
  name: slaPolicyBody.shape.name.optional(),
  channelId: z.uuid().nullable().optional(),
  firstResponseMinutes: minutes.optional(),
  nextResponseMinutes: minutes.optional(),
  resolutionMinutes: minutes.nullable().optional(),
  immediateResponseMinutes: minutes.optional(),
  urgencyThreshold: z.number().min(0).max(1).optional(),
  businessHoursId: z.uuid().nullable().optional(),
});

/** Service levels: business hours, SLA policies (admins change them), and the breach KPI. */
export const slaRoutes: FastifyPluginAsyncZod<{ db: Db; clock: Clock }> = async (app, { db, clock }) => {
  app.get(
    "/api/v1/sla/business-hours",
    {
      config: { access: anyRole },
      schema: {
        tags: ["sla"],
        summary: "Business-hours schedules.",
        response: { 200: z.array(businessHoursSchema) },
      },
    },
    async (request) => listBusinessHours(db, orgOf(request)),
  );
  app.post(
    "/api/v1/sla/business-hours",
    {
      config: { access: adminRoles },
      schema: {
        tags: ["sla"],
        summary: "Add a business-hours schedule (weekly ranges in a time zone, holidays).",
        body: businessHoursBody,
        response: { 201: businessHoursSchema },
      },
    },
    async (request, reply) =>
      reply.status(201).send(await createBusinessHours(db, orgOf(request), request.body)),
  );
  app.patch(
    "/api/v1/sla/business-hours/:businessHoursId",
    {
      config: { access: adminRoles },
      schema: {
        tags: ["sla"],
        summary: "Change a business-hours schedule; running due times keep their value.",
        params: idParams("businessHoursId"),
        body: businessHoursBody.partial(),
        response: { 200: businessHoursSchema },
      },
    },
    async (request) => updateBusinessHours(db, orgOf(request), request.params.businessHoursId, request.body),
  );
  app.delete(
    "/api/v1/sla/business-hours/:businessHoursId",
    {
      config: { access: adminRoles },
      schema: {
        tags: ["sla"],
        summary: "Remove a business-hours schedule; policies using it run around the clock.",
        params: idParams("businessHoursId"),
        response: { 200: okResponse },
      },
    },
    async (request) => {
      await removeBusinessHours(db, orgOf(request), request.params.businessHoursId);
      return { ok: true as const };
    },
  );

  app.get(
    "/api/v1/sla/policies",
    {
      config: { access: anyRole },
      schema: {
        tags: ["sla"],
        summary:
          "SLA policies; without any, the defaults apply (first response in 24 h, 15 min when urgent).",
        response: { 200: z.array(slaPolicySchema) },
      },
    },
    async (request) => listSlaPolicies(db, orgOf(request)),
  );
  app.post(
    "/api/v1/sla/policies",
    {
      config: { access: adminRoles },
      schema: {
        tags: ["sla"],
        summary: "Add a policy for a channel, or the organization's default (channelId null).",
        body: slaPolicyBody,
        response: { 201: slaPolicySchema },
      },
    },
    async (request, reply) => reply.status(201).send(await createSlaPolicy(db, orgOf(request), request.body)),
  );
  app.patch(
    "/api/v1/sla/policies/:slaPolicyId",
    {
      config: { access: adminRoles },
      schema: {
        tags: ["sla"],
        summary: "Change a policy; it applies to due times started afterwards.",
        params: idParams("slaPolicyId"),
        body: slaPolicyPatch,
        response: { 200: slaPolicySchema },
      },
    },
    async (request) => updateSlaPolicy(db, orgOf(request), request.params.slaPolicyId, request.body),
  );
  app.delete(
    "/api/v1/sla/policies/:slaPolicyId",
    {
      config: { access: adminRoles },
      schema: {
        tags: ["sla"],
        summary: "Remove a policy.",
        params: idParams("slaPolicyId"),
        response: { 200: okResponse },
      },
    },
    async (request) => {
      await removeSlaPolicy(db, orgOf(request), request.params.slaPolicyId);
      return { ok: true as const };
    },
  );

  app.get(
    "/api/v1/sla/breaches/stats",
    {
      config: { access: anyRole },
      schema: {
        tags: ["sla"],
        summary: "Missed due times per department and target in a period (the service-level KPI).",
        querystring: z.object({
          from: z.coerce.date().optional().describe("Default: 30 days before to"),
          to: z.coerce.date().optional().describe("Default: now"),
        }),
        response: {
          200: z.object({
            from: isoDate,
            to: isoDate,
            total: z.number().int(),
            byDepartment: z.array(
              z.object({
                departmentId: z.uuid().nullable(),
                target: z.enum(slaTargets),
                breaches: z.number().int(),
              }),
            ),
          }),
        },
      },
    },
    async (request) => {
      const to = request.query.to ?? clock.now();
      const from = request.query.from ?? new Date(to.getTime() - 30 * 86_400_000);
      if (from >= to) throw new ValidationError("from must lie before to.");
      return slaBreachStats(db, orgOf(request), { from, to });
    },
  );
};
