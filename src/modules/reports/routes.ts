import { and, desc, eq } from "drizzle-orm";
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { anyRole } from "../../platform/auth/roles.js";
import type { Clock } from "../../platform/clock.js";
import type { Db } from "../../platform/db/client.js";
import { NotFoundError } from "../../platform/errors.js";
import { orgOf } from "../../platform/http/access.js";
import { idParams, isoDate } from "../../platform/http/schemas.js";
import { kpiKeys } from "../kpis/kpiCatalog.js";
import { kpiCuratorRoles, kpiRangeQuery } from "../kpis/routes.js";
import { assertDepartmentsBelong } from "../organizations/members.js";
import { organization } from "../organizations/schema.js";
import { briefingPdf, generateBriefing } from "./briefingGenerator.js";
import { exportKpiReport, reportContentTypes, reportFormats } from "./kpiReportExporter.js";
import { briefing } from "./schema.js";

const nullableNumber = z.number().nullable();
const briefingContentSchema = z.object({
  locale: z.enum(["de", "en"]),
  organizationName: z.string(),
  departmentName: z.string().nullable(),
  weekStart: z.string(),
  weekEnd: z.string(),
  kpis: z.array(z.object({ kpi: z.enum(kpiKeys), value: nullableNumber, previous: nullableNumber })),
  goals: z.array(
    z.object({
      kpi: z.enum(kpiKeys),
      period: z.string(),
      target: z.number(),
      actual: nullableNumber,
      met: z.boolean().nullable(),
    }),
  ),
  sentiment: z.object({ net: nullableNumber, previousNet: nullableNumber, change: nullableNumber }),
  topIssues: z.array(
    z.object({
      aspect: z.string(),
      negative: z.number(),
      mentions: z.number(),
      previousNegative: z.number(),
    }),
  ),
  storms: z.array(
    z.object({ title: z.string(), type: z.string(), firedAt: z.string(), mentions: z.number() }),
  ),
  vips: z.array(
    z.object({ handle: z.string(), network: z.string(), mentions: z.number(), negative: z.number() }),
  ),
  insights: z.array(z.object({ title: z.string(), state: z.string(), note: z.string() })).nullable(),
});
const briefingSummary = z.object({
  id: z.uuid(),
  departmentId: z.uuid().nullable(),
  departmentName: z.string().nullable(),
  weekStart: isoDate,
  generatedAt: isoDate,
  emailedTo: z.number(),
  emailedAt: isoDate.nullable(),
  emailError: z.string().nullable(),
});
export type BriefingSummary = z.infer<typeof briefingSummary>;
export type BriefingContentOut = z.infer<typeof briefingContentSchema>;
type BriefingRow = typeof briefing.$inferSelect;
const summaryOf = (b: BriefingRow) => ({
  id: b.id,
  departmentId: b.departmentId,
  departmentName: b.content.departmentName,
  weekStart: b.weekStart,
  generatedAt: b.generatedAt,
  emailedTo: b.emailedTo,
  emailedAt: b.emailedAt,
  emailError: b.emailError,
});

/** Weekly briefings (web page, PDF, e-mail) and ad-hoc KPI reports (CSV, XLSX, PDF). */
export const reportRoutes: FastifyPluginAsyncZod<{
  db: Db;
  clock: Clock;
  secretsKey: Buffer;
  baseUrl: string;
}> = async (app, deps) => {
  const { db, clock } = deps;
  const findBriefing = async (organizationId: string, id: string) => {
    const [found] = await db
      .select()
      .from(briefing)
      .where(and(eq(briefing.organizationId, organizationId), eq(briefing.id, id)));
    if (!found) throw new NotFoundError("The briefing");
    return found;
  };
  app.get(
    "/api/v1/reports/briefings",
    {
      config: { access: anyRole },
      schema: {
        tags: ["reports"],
        summary: "The weekly briefings, newest week first.",
        querystring: z.object({ departmentId: z.uuid().optional() }),
        response: { 200: z.array(briefingSummary) },
      },
    },
    async (request) => {
      const ctx = orgOf(request);
      const rows = await db
        .select()
        .from(briefing)
        .where(
          and(
            eq(briefing.organizationId, ctx.organizationId),
            request.query.departmentId ? eq(briefing.departmentId, request.query.departmentId) : undefined,
          ),
        )
        .orderBy(desc(briefing.weekStart), desc(briefing.generatedAt))
        .limit(200);
      return rows.map(summaryOf);
    },
  );
  app.get(
    "/api/v1/reports/briefings/:briefingId",
    {
      config: { access: anyRole },
      schema: {
        tags: ["reports"],
        summary: "One briefing with its content (the web page).",
        params: idParams("briefingId"),
        response: { 200: briefingSummary.extend({ content: briefingContentSchema }) },
      },
    },
    async (request) => {
      const found = await findBriefing(orgOf(request).organizationId, request.params.briefingId);
      return { ...summaryOf(found), content: found.content };
    },
  );
  app.get(
    "/api/v1/reports/briefings/:briefingId/pdf",
    {
      config: { access: anyRole },
      schema: {
        tags: ["reports"],
        summary: "One briefing as PDF.",
        params: idParams("briefingId"),
        produces: ["application/pdf"],
      },
    },
    async (request, reply) => {
      const found = await findBriefing(orgOf(request).organizationId, request.params.briefingId);
      return reply
        .type("application/pdf")
        .header(
          "content-disposition",
          `attachment; filename="briefing-${found.weekStart.toISOString().slice(0, 10)}.pdf"`,
        )
        .send(await briefingPdf(found.content));
    },
  );
  app.post(
    "/api/v1/reports/briefings",
    {
      config: { access: kpiCuratorRoles },
      schema: {
        tags: ["reports"],
        summary:
          "Generate a week's briefing now (again), for a department or (null) the whole organization, and e-mail it unless told not to.",
        body: z.object({
          departmentId: z.uuid().nullable().default(null),
          week: z.coerce.date().optional().describe("Any day of the week; default: last week"),
          email: z.boolean().default(true),
        }),
        response: { 201: briefingSummary },
      },
    },
    async (request, reply) => {
      const ctx = orgOf(request);
      if (request.body.departmentId)
        await assertDepartmentsBelong(db, ctx.organizationId, [request.body.departmentId]);
      const week = request.body.week ?? new Date(clock.now().getTime() - 7 * 86_400_000);
      const created = await generateBriefing(deps, {
        organizationId: ctx.organizationId,
        departmentId: request.body.departmentId,
        week,
        email: request.body.email,
        actorUserId: ctx.userId,
      });
      return reply.code(201).send(summaryOf(created));
    },
  );
  app.get(
    "/api/v1/reports/kpis",
    {
      config: { access: anyRole },
      schema: {
        tags: ["reports"],
        summary:
          "An ad-hoc KPI report of a range (overall and per department, with the trend) as CSV, XLSX or PDF.",
        querystring: kpiRangeQuery.extend({
          format: z.enum(reportFormats).default("csv"),
          locale: z.enum(["de", "en"]).optional(),
        }),
        produces: Object.values(reportContentTypes),
      },
    },
    async (request, reply) => {
      const ctx = orgOf(request);
      const { format, locale, ...range } = request.query;
      const [org] = await db
        .select({ locale: organization.defaultLocale })
        .from(organization)
        .where(eq(organization.id, ctx.organizationId));
      const body = await exportKpiReport(db, ctx, {
        ...range,
        now: clock.now(),
        format,
        locale: locale ?? (org?.locale === "en" ? "en" : "de"),
      });
      return reply
        .type(reportContentTypes[format])
        .header(
          "content-disposition",
          `attachment; filename="kpis-${range.from.toISOString().slice(0, 10)}.${format}"`,
        )
        .send(body);
    },
  );
};
