import { sql } from "drizzle-orm";
import { type DbOrTx, sqlRows } from "../../platform/db/client.js";
import { percentile } from "./histogram.js";
import { insightsHandled } from "./insightsHook.js";
import type { KpiValues } from "./kpiCatalog.js";
import { coverRange } from "./periods.js";
import {
  allChannels,
  allDepartments,
  kpiMentionRollup,
  kpiResponseHistogram,
  kpiServiceRollup,
  noDepartment,
} from "./schema.js";

/** What every KPI of a range is computed from: sums of rollup rows and response-time histograms. */
export interface KpiCounts {
  conversationsOpened: number;
  conversationsBreached: number;
  questions: number;
  answered: number;
  answeredWithinSla: number;
  firstQuestions: number;
  firstAnswered: number;
  firstAnsweredWithinSla: number;
  csatAnswers: number;
  csatSum: number;
  csatSatisfied: number;
  positive: number;
  neutral: number;
  negative: number;
  mentions: number;
  mentionPositive: number;
  mentionNeutral: number;
  mentionNegative: number;
  brandMentions: number;
  competitorMentions: number;
  ownPosts: number;
  ownPostComments: number;
  ownPostShares: number;
  first: Map<number, number>;
  all: Map<number, number>;
}

const serviceFields = [
  "conversationsOpened",
  "conversationsBreached",
  "questions",
  "answered",
  "answeredWithinSla",
  "firstQuestions",
  "firstAnswered",
  "firstAnsweredWithinSla",
  "csatAnswers",
  "csatSum",
  "csatSatisfied",
  "positive",
  "neutral",
  "negative",
] as const;

export function emptyCounts(): KpiCounts {
  return {
    conversationsOpened: 0,
    conversationsBreached: 0,
    questions: 0,
    answered: 0,
    answeredWithinSla: 0,
    firstQuestions: 0,
    firstAnswered: 0,
    firstAnsweredWithinSla: 0,
    csatAnswers: 0,
    csatSum: 0,
    csatSatisfied: 0,
    positive: 0,
    neutral: 0,
    negative: 0,
    mentions: 0,
    mentionPositive: 0,
    mentionNeutral: 0,
    mentionNegative: 0,
    brandMentions: 0,
    competitorMentions: 0,
    ownPosts: 0,
    ownPostComments: 0,
    ownPostShares: 0,
    first: new Map(),
    all: new Map(),
  };
}

function addInto(target: KpiCounts, source: KpiCounts) {
  for (const key of Object.keys(target) as Array<keyof KpiCounts>) {
    if (key === "first" || key === "all") {
      for (const [bucket, n] of source[key]) target[key].set(bucket, (target[key].get(bucket) ?? 0) + n);
    } else {
      (target[key] as number) += source[key] as number;
    }
  }
}

const share = (part: number, whole: number) => (whole === 0 ? null : part / whole);

/**
 * The KPIs from counts. `department`: the scope is one department, whose sentiment is that of its
 * conversations; the organization's is that of the mentions (docs/kpis.md).
 */
export function kpiValues(
  c: KpiCounts,
  scope: { department: boolean; insightsHandled: number | null },
): KpiValues {
  const voice = scope.department
    ? { positive: c.positive, negative: c.negative, total: c.positive + c.neutral + c.negative }
    : {
        positive: c.mentionPositive,
        negative: c.mentionNegative,
        total: c.mentionPositive + c.mentionNeutral + c.mentionNegative,
      };
  return {
    first_response_median: percentile(c.first, 0.5),
    first_response_p90: percentile(c.first, 0.9),
    response_median: percentile(c.all, 0.5),
    response_p90: percentile(c.all, 0.9),
    response_rate: share(c.answered, c.questions),
    response_rate_within_sla: share(c.answeredWithinSla, c.questions),
    sla_attainment: c.conversationsOpened === 0 ? null : 1 - c.conversationsBreached / c.conversationsOpened,
    csat_average: share(c.csatSum, c.csatAnswers),
    csat_satisfied_share: share(c.csatSatisfied, c.csatAnswers),
    conversations: c.conversationsOpened,
    questions: c.questions,
    mentions: scope.department ? null : c.mentions,
    positive_share: share(voice.positive, voice.total),
    negative_share: share(voice.negative, voice.total),
    net_sentiment: share(voice.positive - voice.negative, voice.total),
    share_of_voice: scope.department ? null : share(c.brandMentions, c.brandMentions + c.competitorMentions),
    own_posts: scope.department ? null : c.ownPosts,
    comments_per_own_post: scope.department ? null : share(c.ownPostComments, c.ownPosts),
    shares_per_own_post: scope.department ? null : share(c.ownPostShares, c.ownPosts),
    insights_handled: scope.insightsHandled,
  };
}

export interface KpiQuery {
  organizationId: string;
  /** The periods to compute, each [from, to) to the day. */
  points: Array<{ from: Date; to: Date }>;
  /** Only this department (else every department). */
  departmentId?: string;
  /** Only this channel type (`email`, `bluesky` …). */
  channel?: string;
  /** Also keep the counts of each department apart. */
  byDepartment?: boolean;
  /** Skip the response-time histograms when no percentile is wanted. */
  withPercentiles?: boolean;
}

export interface PointCounts {
  total: KpiCounts;
  /** By department key (`noDepartment` for conversations without one), when asked for. */
  departments: Map<string, KpiCounts>;
}

/** Sums the rollups for each point: whole months, weeks and days that exactly cover it. */
export async function loadKpiCounts(db: DbOrTx, query: KpiQuery): Promise<PointCounts[]> {
  const result: PointCounts[] = query.points.map(() => ({ total: emptyCounts(), departments: new Map() }));
  const segments = query.points.flatMap((p, point) => coverRange(p.from, p.to).map((s) => ({ ...s, point })));
  if (segments.length === 0) return result;
  const seg = sql`(values ${sql.join(
    segments.map((s) => sql`(${s.point}::int, ${s.grain}::text, ${s.start.toISOString()}::timestamptz)`),
    sql`, `,
  )}) as seg(point, grain, start)`;
  // The rollup tables are read under the alias r.
  // Without a channel filter the service tables are read from their all-channels rows.
  const mentionConditions = [sql`r.organization_id = ${query.organizationId}`];
  if (query.channel) mentionConditions.push(sql`r.channel = ${query.channel}`);
  const mentionFilter = sql.join(mentionConditions, sql` and `);
  const conditions = [
    sql`r.organization_id = ${query.organizationId}`,
    sql`r.channel = ${query.channel ?? allChannels}`,
  ];
  // One department, every department apart, or the organization's summary rows.
  if (query.departmentId) conditions.push(sql`r.department_key = ${query.departmentId}`);
  else if (query.byDepartment) conditions.push(sql`r.department_key <> ${allDepartments}`);
  else conditions.push(sql`r.department_key = ${allDepartments}`);
  // Bounds on the rollup key, so the rows are found through the primary key.
  const starts = segments.map((s) => s.start.getTime());
  conditions.push(sql`r.grain in (${sql.join([...new Set(segments.map((s) => sql`${s.grain}`))], sql`, `)})`);
  conditions.push(sql`r.period_start >= ${new Date(Math.min(...starts)).toISOString()}::timestamptz`);
  conditions.push(sql`r.period_start <= ${new Date(Math.max(...starts)).toISOString()}::timestamptz`);
  const filter = sql.join(conditions, sql` and `);
  const byDepartment = query.byDepartment === true;
  const department = byDepartment ? sql`r.department_key` : sql`null::uuid`;
  const counts = (point: number, departmentKey: string | null) => {
    const target = result[point]!;
    if (departmentKey === null) return target.total;
    let c = target.departments.get(departmentKey);
    if (!c) {
      c = emptyCounts();
      target.departments.set(departmentKey, c);
    }
    return c;
  };
  const service = await sqlRows<Record<string, unknown>>(
    db,
    sql`
    select seg.point, ${department} as department_key,
      sum(r.conversations_opened) as "conversationsOpened", sum(r.conversations_breached) as "conversationsBreached",
      sum(r.questions) as "questions", sum(r.answered) as "answered", sum(r.answered_within_sla) as "answeredWithinSla",
      sum(r.first_questions) as "firstQuestions", sum(r.first_answered) as "firstAnswered",
      sum(r.first_answered_within_sla) as "firstAnsweredWithinSla", sum(r.csat_answers) as "csatAnswers",
      sum(r.csat_sum) as "csatSum", sum(r.csat_satisfied) as "csatSatisfied", sum(r.positive) as "positive",
      sum(r.neutral) as "neutral", sum(r.negative) as "negative"
    from ${kpiServiceRollup} r join ${seg} on r.grain = seg.grain and r.period_start = seg.start
    where ${filter}
    group by 1, 2`,
  );
  for (const row of service) {
    const c = counts(Number(row.point), (row.department_key as string | null) ?? null);
    for (const field of serviceFields) c[field] = Number(row[field] ?? 0);
  }
  if (query.withPercentiles !== false) {
    const histogram = await sqlRows<Record<string, unknown>>(
      db,
      sql`
      select seg.point, ${department} as department_key, r.kind, r.bucket, sum(r.responses) as responses
      from ${kpiResponseHistogram} r join ${seg} on r.grain = seg.grain and r.period_start = seg.start
      where ${filter}
      group by 1, 2, 3, 4`,
    );
    for (const row of histogram) {
      const c = counts(Number(row.point), (row.department_key as string | null) ?? null);
      c[row.kind === "first" ? "first" : "all"].set(Number(row.bucket), Number(row.responses));
    }
  }
  if (!query.departmentId) {
    const mentions = await sqlRows<Record<string, unknown>>(
      db,
      sql`
      select seg.point, sum(r.mentions) as mentions, sum(r.positive) as positive, sum(r.neutral) as neutral,
        sum(r.negative) as negative, sum(r.brand_mentions) as brand, sum(r.competitor_mentions) as competitor,
        sum(r.own_posts) as own_posts, sum(r.own_post_comments) as comments, sum(r.own_post_shares) as shares
      from ${kpiMentionRollup} r join ${seg} on r.grain = seg.grain and r.period_start = seg.start
      where ${mentionFilter}
      group by 1`,
    );
    for (const row of mentions) {
      const c = result[Number(row.point)]!.total;
      c.mentions = Number(row.mentions);
      c.mentionPositive = Number(row.positive);
      c.mentionNeutral = Number(row.neutral);
      c.mentionNegative = Number(row.negative);
      c.brandMentions = Number(row.brand);
      c.competitorMentions = Number(row.competitor);
      c.ownPosts = Number(row.own_posts);
      c.ownPostComments = Number(row.comments);
      c.ownPostShares = Number(row.shares);
    }
  }
  if (byDepartment) {
    for (const point of result) for (const c of point.departments.values()) addInto(point.total, c);
  }
  return result;
}

export interface KpiScope {
  organizationId: string;
  from: Date;
  to: Date;
  departmentId?: string;
  channel?: string;
}

/** The KPIs of one range, for one department or the organization. */
export async function computeKpis(db: DbOrTx, scope: KpiScope): Promise<KpiValues> {
  const [counts] = await loadKpiCounts(db, {
    organizationId: scope.organizationId,
    points: [{ from: scope.from, to: scope.to }],
    departmentId: scope.departmentId,
    channel: scope.channel,
  });
  const handled = await insightsHandled(db, {
    organizationId: scope.organizationId,
    departmentId: scope.departmentId ?? null,
    from: scope.from,
    to: scope.to,
  });
  return kpiValues(counts!.total, { department: Boolean(scope.departmentId), insightsHandled: handled });
}

export { noDepartment };
