import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { adminRoles, anyRole } from "../../platform/auth/roles.js";
import type { Clock } from "../../platform/clock.js";
import type { Db } from "../../platform/db/client.js";
import { orgOf } from "../../platform/http/access.js";
import { idParams, isoDate, okResponse } from "../../platform/http/schemas.js";
import { createGoal, listGoals, removeGoal, updateGoal } from "./goals.js";
import { type KpiKey, kpiKeys } from "./kpiCatalog.js";
import { kpiDashboard } from "./kpiDashboard.js";
import { rollUpKpis } from "./kpiRollupBuilder.js";
import { goalPeriods } from "./schema.js";

/** Who sets goals and rebuilds rollups: administrators and the Social Media Core Team. */
export const kpiCuratorRoles = adminRoles.concat("core_team");

export const kpiValuesSchema = z.object(
  Object.fromEntries(kpiKeys.map((k) => [k, z.number().nullable()])) as Record<
    KpiKey,
    z.ZodNullable<z.ZodNumber>
  >,
);
const goalSchema = z.object({
  id: z.uuid(),
  departmentId: z.uuid().nullable(),
  kpi: z.enum(kpiKeys),
  target: z.number(),
  period: z.enum(goalPeriods),
  createdAt: isoDate,
  updatedAt: isoDate,
});
const goalOut = (g: {
  id: string;
  departmentId: string | null;
  kpi: string;
  target: number;
  period: (typeof goalPeriods)[number];
  createdAt: Date;
  updatedAt: Date;
}) => ({
  id: g.id,
  departmentId: g.departmentId,
  kpi: g.kpi as KpiKey,
  target: g.target,
  period: g.period,
  createdAt: g.createdAt,
  updatedAt: g.updatedAt,
});
const kpiDashboardSchema = z.object({
  from: isoDate,
  to: isoDate,
  interval: z.enum(["day", "week", "month", "quarter"]),
  overall: kpiValuesSchema,
  departments: z.array(
    z.object({ departmentId: z.uuid().nullable(), name: z.string(), values: kpiValuesSchema }),
  ),
  trend: z.array(z.object({ from: isoDate, to: isoDate, values: kpiValuesSchema })),
  goals: z.array(
    z.object({
      goal: goalSchema,
      actual: z.number().nullable(),
      met: z.boolean().nullable(),
      periodStart: isoDate,
      trend: z.array(
        z.object({
          periodStart: isoDate,
          actual: z.number().nullable(),
          met: z.boolean().nullable(),
        }),
      ),
    }),
  ),
});
export type KpiDashboard = z.infer<typeof kpiDashboardSchema>;
export type KpiGoal = z.infer<typeof goalSchema>;

export const kpiRangeQuery = z.object({
  from: z.coerce.date({ message: "must be a date (ISO 8601), e.g. 2026-01-01" }),
  to: z.coerce.date({ message: "must be a date (ISO 8601), e.g. 2026-02-01" }),
  departmentId: z.uuid().optional(),
  channel: z
    .string()
    .regex(/^[a-z][a-z0-9_]{0,39}$/, "must be a channel type such as email or bluesky")
    .optional(),
  interval: z.enum(["day", "week", "month", "quarter"]).optional(),
});

/** KPI dashboard, goals and the rollups behind them. */
export const kpiRoutes: FastifyPluginAsyncZod<{ db: Db; clock: Clock }> = async (app, { db, clock }) => {
  app.get(
    "/api/v1/kpis",
    {
      config: { access: anyRole },
      schema: {
        tags: ["kpis"],
        summary:
          "KPIs of a range (per department and overall, optionally one channel), their trend, and target vs actual of the goals.",
        querystring: kpiRangeQuery,
        response: {
          200: kpiDashboardSchema,
        },
      },
    },
    async (request) => {
      const result = await kpiDashboard(db, orgOf(request), { ...request.query, now: clock.now() });
      return { ...result, goals: result.goals.map((g) => ({ ...g, goal: goalOut(g.goal) })) };
    },
  );
  app.get(
    "/api/v1/kpis/goals",
    {
      config: { access: anyRole },
      schema: {
        tags: ["kpis"],
        summary: "Every KPI goal of the organization.",
        response: { 200: z.array(goalSchema) },
      },
    },
    async (request) => (await listGoals(db, orgOf(request))).map(goalOut),
  );
  app.post(
    "/api/v1/kpis/goals",
    {
      config: { access: kpiCuratorRoles },
      schema: {
        tags: ["kpis"],
        summary: "Set a target for a KPI over a week, month or quarter, for a department or (null) everyone.",
        body: z.object({
          departmentId: z.uuid().nullable().default(null),
          kpi: z.enum(kpiKeys),
          target: z.number(),
          period: z.enum(goalPeriods),
        }),
        response: { 201: goalSchema },
      },
    },
    async (request, reply) => {
      const created = await createGoal(db, orgOf(request), request.body);
      return reply.code(201).send(goalOut(created));
    },
  );
  app.patch(
    "/api/v1/kpis/goals/:goalId",
    {
      config: { access: kpiCuratorRoles },
      schema: {
        tags: ["kpis"],
        summary: "Change a goal's target.",
        params: idParams("goalId"),
        body: z.object({ target: z.number() }),
        response: { 200: goalSchema },
      },
    },
    async (request) => goalOut(await updateGoal(db, orgOf(request), request.params.goalId, request.body)),
  );
  app.delete(
    "/api/v1/kpis/goals/:goalId",
    {
      config: { access: kpiCuratorRoles },
      schema: {
        tags: ["kpis"],
        summary: "Remove a goal.",
        params: idParams("goalId"),
        response: { 200: okResponse },
      },
    },
    async (request) => {
      await removeGoal(db, orgOf(request), request.params.goalId);
      return { ok: true as const };
    },
  );
  app.post(
    "/api/v1/kpis/rollups/refresh",
    {
      config: { access: kpiCuratorRoles },
      schema: {
        tags: ["kpis"],
        summary:
          "Bring the KPI rollups up to date now (they refresh every few minutes by themselves); with from/to, recompute those days (after an import of old data).",
        body: z
          .object({ from: z.coerce.date().optional(), to: z.coerce.date().optional() })
          .refine(
            (b) => (b.from === undefined) === (b.to === undefined),
            "Give both from and to, or neither.",
          )
          .default({}),
        response: { 200: z.object({ days: z.number() }) },
      },
    },
    async (request) => {
      const { from, to } = request.body;
      return rollUpKpis(db, {
        organizationId: orgOf(request).organizationId,
        now: clock.now(),
        rebuild: from && to ? { from, to } : undefined,
      });
    },
  );
};
