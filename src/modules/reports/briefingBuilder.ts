import { and, desc, eq, gte, inArray, lt, sql } from "drizzle-orm";
import type { DbOrTx } from "../../platform/db/client.js";
import { NotFoundError } from "../../platform/errors.js";
import { socialIdentity } from "../contacts/schema.js";
import { goalProgress } from "../kpis/goals.js";
import { notableInsights } from "../kpis/insightsHook.js";
import { computeKpis } from "../kpis/kpiCalculator.js";
import type { KpiKey } from "../kpis/kpiCatalog.js";
import { addInterval, startOfWeek } from "../kpis/periods.js";
import { alert, aspectRollup, authorRollup, everyMention } from "../listening/schema.js";
import { department, organization } from "../organizations/schema.js";
import type { BriefingContent } from "./briefingContent.js";

/** The KPIs a briefing lists; the organization's briefing adds the listening ones. */
export const briefingKpis: KpiKey[] = [
  "conversations",
  "questions",
  "response_rate",
  "response_rate_within_sla",
  "first_response_median",
  "response_p90",
  "sla_attainment",
  "csat_average",
  "net_sentiment",
];
const listeningKpis: KpiKey[] = [
  "mentions",
  "share_of_voice",
  "comments_per_own_post",
  "shares_per_own_post",
];

export interface BriefingScope {
  organizationId: string;
  /** null: the whole organization. */
  departmentId: string | null;
  /** Any instant of the week; the briefing covers its ISO week (Monday to Monday, UTC). */
  week: Date;
}

/**
 * Gathers a week's briefing: KPIs against last week and against the goals, the sentiment change,
 * the top issues (aspects with most negative mentions), storms, VIP activity and (when the
 * insights module is there) notable insights. Reads rollups only.
 */
export async function buildBriefingContent(db: DbOrTx, scope: BriefingScope): Promise<BriefingContent> {
  const weekStart = startOfWeek(scope.week);
  const weekEnd = addInterval("week", weekStart);
  const previousStart = addInterval("week", weekStart, -1);
  const [org] = await db
    .select({ name: organization.name, locale: organization.defaultLocale })
    .from(organization)
    .where(eq(organization.id, scope.organizationId));
  if (!org) throw new NotFoundError("The organization");
  let departmentName: string | null = null;
  if (scope.departmentId) {
    const [found] = await db
      .select({ name: department.name })
      .from(department)
      .where(and(eq(department.organizationId, scope.organizationId), eq(department.id, scope.departmentId)));
    if (!found) throw new NotFoundError("The department");
    departmentName = found.name;
  }
  const kpiScope = { organizationId: scope.organizationId, departmentId: scope.departmentId ?? undefined };
  const current = await computeKpis(db, { ...kpiScope, from: weekStart, to: weekEnd });
  const previous = await computeKpis(db, { ...kpiScope, from: previousStart, to: weekStart });
  const keys = scope.departmentId ? briefingKpis : [...briefingKpis, ...listeningKpis];
  const goals = await goalProgress(
    db,
    { organizationId: scope.organizationId },
    { now: new Date(weekEnd.getTime() - 1), periods: 2 },
  );
  const ownGoals = goals.filter((g) => g.goal.departmentId === scope.departmentId);

  const negative =
    sql<number>`coalesce(sum(${aspectRollup.mentions}) filter (where ${aspectRollup.polarity} = 'negative'), 0)`.mapWith(
      Number,
    );
  const aspectWeek = (from: Date, to: Date) =>
    db
      .select({
        aspect: aspectRollup.aspect,
        negative,
        mentions: sql<number>`sum(${aspectRollup.mentions})`.mapWith(Number),
      })
      .from(aspectRollup)
      .where(
        and(
          eq(aspectRollup.organizationId, scope.organizationId),
          eq(aspectRollup.queryId, everyMention),
          gte(aspectRollup.day, from),
          lt(aspectRollup.day, to),
        ),
      )
      .groupBy(aspectRollup.aspect);
  const thisWeek = (await aspectWeek(weekStart, weekEnd)).filter((a) => a.negative > 0);
  const lastWeek = new Map((await aspectWeek(previousStart, weekStart)).map((a) => [a.aspect, a.negative]));
  const topIssues = thisWeek
    .toSorted((a, b) => b.negative - a.negative || a.aspect.localeCompare(b.aspect))
    .slice(0, 5)
    .map((a) => ({ ...a, previousNegative: lastWeek.get(a.aspect) ?? 0 }));

  const storms = await db
    .select({ title: alert.title, type: alert.type, firedAt: alert.firedAt, mentionIds: alert.mentionIds })
    .from(alert)
    .where(
      and(
        eq(alert.organizationId, scope.organizationId),
        inArray(alert.type, ["storm", "volume_spike"]),
        gte(alert.firedAt, weekStart),
        lt(alert.firedAt, weekEnd),
      ),
    )
    .orderBy(desc(alert.firedAt))
    .limit(10);

  const vipMentions = sql<number>`sum(${authorRollup.mentions})`.mapWith(Number);
  const vips = await db
    .select({
      handle: socialIdentity.handle,
      network: socialIdentity.network,
      mentions: vipMentions,
      negative: sql<number>`sum(${authorRollup.negative})`.mapWith(Number),
    })
    .from(authorRollup)
    .innerJoin(socialIdentity, eq(socialIdentity.id, authorRollup.identityId))
    .where(
      and(
        eq(authorRollup.organizationId, scope.organizationId),
        eq(authorRollup.queryId, everyMention),
        eq(socialIdentity.isVip, true),
        gte(authorRollup.day, weekStart),
        lt(authorRollup.day, weekEnd),
      ),
    )
    .groupBy(socialIdentity.handle, socialIdentity.network)
    .orderBy(desc(vipMentions))
    .limit(10);

  const net = current.net_sentiment;
  const previousNet = previous.net_sentiment;
  return {
    locale: org.locale === "en" ? "en" : "de",
    organizationName: org.name,
    departmentName,
    weekStart: weekStart.toISOString(),
    weekEnd: weekEnd.toISOString(),
    kpis: keys.map((kpi) => ({ kpi, value: current[kpi], previous: previous[kpi] })),
    goals: ownGoals.map((g) => ({
      kpi: g.goal.kpi as KpiKey,
      period: g.goal.period,
      target: g.goal.target,
      actual: g.actual,
      met: g.met,
    })),
    sentiment: {
      net,
      previousNet,
      change: net !== null && previousNet !== null ? net - previousNet : null,
    },
    topIssues,
    storms: storms.map((s) => ({
      title: s.title,
      type: s.type,
      firedAt: s.firedAt.toISOString(),
      mentions: s.mentionIds.length,
    })),
    vips,
    insights: await notableInsights(db, {
      organizationId: scope.organizationId,
      departmentId: scope.departmentId,
      from: weekStart,
      to: weekEnd,
    }),
  };
}
