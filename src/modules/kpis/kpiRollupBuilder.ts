import { and, asc, eq, gte, inArray, lt, or, type SQL, sql } from "drizzle-orm";
import { auditLog } from "../../platform/audit/schema.js";
import type { Db, DbOrTx } from "../../platform/db/client.js";
import { channelAccount } from "../channels/schema.js";
import { socialIdentity } from "../contacts/schema.js";
import { channel, conversation, message } from "../conversations/schema.js";
import { listeningQuery, mention } from "../listening/schema.js";
import { businessMinutesBetween } from "../sla/businessTime.js";
import { slaBreach } from "../sla/schema.js";
import { type EffectivePolicy, policyFor } from "../sla/slaClock.js";
import { bucketOf } from "./histogram.js";
import { addInterval, dayMs, startOfDay, startOfMonth, startOfQuarter, startOfWeek } from "./periods.js";
import {
  allChannels,
  allDepartments,
  kpiMentionRollup,
  kpiResponseHistogram,
  kpiRollupState,
  kpiServiceRollup,
  noDepartment,
  type RollupGrain,
} from "./schema.js";

export interface RollUpKpisProps {
  organizationId: string;
  /** The time of this run; the next run picks up what changed after it. */
  now: Date;
  /** Recompute exactly these days [from, to) (a rebuild), instead of what changed since the last run. */
  rebuild?: { from: Date; to: Date };
}

/** Days of history a first run rolls up at most. */
const firstRunDays = 800;
/** How many days one pass reads at once. */
const chunkDays = 31;

/**
 * Keeps the KPI rollups current: finds the days whose numbers changed since the last run
 * (conversations with new messages, replies, assignments, reopenings, CSAT answers, breaches,
 * new mentions), recomputes those days from the raw rows, and sums them again into their weeks
 * and months. Idempotent: a day is always recomputed whole.
 */
export async function rollUpKpis(db: Db, props: RollUpKpisProps) {
  const { organizationId } = props;
  const [state] = await db
    .select()
    .from(kpiRollupState)
    .where(eq(kpiRollupState.organizationId, organizationId));
  let days: Date[];
  if (props.rebuild) {
    days = daysBetween(props.rebuild.from, props.rebuild.to);
  } else if (!state) {
    days = await allDaysWithData(db, organizationId, props.now);
  } else {
    days = await changedDays(db, organizationId, state.watermark);
  }
  for (const range of contiguousRanges(days)) await recomputeDays(db, organizationId, range);
  await db
    .insert(kpiRollupState)
    .values({ organizationId, watermark: props.now, lastRunAt: props.now, daysRecomputed: days.length })
    .onConflictDoUpdate({
      target: kpiRollupState.organizationId,
      set: props.rebuild
        ? { lastRunAt: props.now, daysRecomputed: days.length }
        : { watermark: props.now, lastRunAt: props.now, daysRecomputed: days.length },
    });
  return { days: days.length };
}

function daysBetween(from: Date, to: Date): Date[] {
  const days: Date[] = [];
  for (let d = startOfDay(from); d < to; d = addInterval("day", d)) days.push(d);
  return days;
}

async function allDaysWithData(db: Db, organizationId: string, now: Date) {
  const [first] = await db
    .select({
      conversations: sql<Date | null>`(select min(${conversation.createdAt}) from ${conversation} where ${conversation.organizationId} = ${organizationId})`,
      mentions: sql<Date | null>`(select min(${mention.postedAt}) from ${mention} where ${mention.organizationId} = ${organizationId})`,
    })
    .from(sql`(select 1) as one`);
  const starts = [first?.conversations, first?.mentions].filter((d) => d != null).map((d) => new Date(d!));
  if (starts.length === 0) return [];
  const earliest = Math.max(
    Math.min(...starts.map((d) => d.getTime())),
    now.getTime() - firstRunDays * dayMs,
  );
  return daysBetween(new Date(earliest), addInterval("day", startOfDay(now)));
}

/** The days whose numbers may have changed since `since`. */
async function changedDays(db: Db, organizationId: string, since: Date): Promise<Date[]> {
  const touched = await db
    .select({ id: conversation.id })
    .from(conversation)
    .where(
      and(
        eq(conversation.organizationId, organizationId),
        or(
          gte(conversation.lastMessageAt, since),
          gte(conversation.createdAt, since),
          gte(conversation.resolvedAt, since),
          gte(conversation.csatAnsweredAt, since),
          inArray(
            sql`${conversation.id}::text`,
            db
              .select({ id: auditLog.entityId })
              .from(auditLog)
              .where(
                and(
                  eq(auditLog.organizationId, organizationId),
                  gte(auditLog.at, since),
                  eq(auditLog.entityType, "conversation"),
                ),
              ),
          ),
          inArray(
            conversation.id,
            db
              .select({ id: slaBreach.conversationId })
              .from(slaBreach)
              .where(and(eq(slaBreach.organizationId, organizationId), gte(slaBreach.breachedAt, since))),
          ),
        ),
      ),
    );
  const days = new Set<number>();
  const ids = touched.map((t) => t.id);
  for (let i = 0; i < ids.length; i += 1000) {
    const chunk = ids.slice(i, i + 1000);
    const rows = await db
      .select({
        day: sql<string>`date_trunc('day', ${message.sentAt}, 'UTC')`,
      })
      .from(message)
      .where(and(eq(message.organizationId, organizationId), inArray(message.conversationId, chunk)))
      .groupBy(sql`1`);
    for (const r of rows) days.add(new Date(r.day).getTime());
    const own = await db
      .select({ createdAt: conversation.createdAt, csatAnsweredAt: conversation.csatAnsweredAt })
      .from(conversation)
      .where(inArray(conversation.id, chunk));
    for (const c of own) {
      days.add(startOfDay(c.createdAt).getTime());
      if (c.csatAnsweredAt) days.add(startOfDay(c.csatAnsweredAt).getTime());
    }
  }
  // New mentions are posted shortly before they arrive; a backfill of old posts needs a rebuild.
  const mentionDays = await db
    .select({ day: sql<string>`date_trunc('day', ${mention.postedAt}, 'UTC')` })
    .from(mention)
    .where(
      and(
        eq(mention.organizationId, organizationId),
        gte(mention.postedAt, new Date(since.getTime() - 7 * dayMs)),
        gte(mention.receivedAt, since),
      ),
    )
    .groupBy(sql`1`);
  for (const r of mentionDays) days.add(new Date(r.day).getTime());
  return [...days].sort((a, b) => a - b).map((t) => new Date(t));
}

function contiguousRanges(days: Date[]): Array<{ from: Date; to: Date }> {
  const ranges: Array<{ from: Date; to: Date }> = [];
  for (const day of days) {
    const last = ranges.at(-1);
    if (
      last &&
      last.to.getTime() === day.getTime() &&
      last.to.getTime() - last.from.getTime() < chunkDays * dayMs
    ) {
      last.to = addInterval("day", day);
    } else {
      ranges.push({ from: day, to: addInterval("day", day) });
    }
  }
  return ranges;
}

type ServiceRow = typeof kpiServiceRollup.$inferInsert;
type HistogramRow = typeof kpiResponseHistogram.$inferInsert;

async function recomputeDays(db: Db, organizationId: string, range: { from: Date; to: Date }) {
  const { service, histogram } = await serviceContributions(db, organizationId, range);
  await db.transaction(async (tx) => {
    const inRange = (
      table: typeof kpiServiceRollup | typeof kpiResponseHistogram | typeof kpiMentionRollup,
    ) =>
      and(
        eq(table.organizationId, organizationId),
        eq(table.grain, "day"),
        gte(table.periodStart, range.from),
        lt(table.periodStart, range.to),
      );
    await tx.delete(kpiServiceRollup).where(inRange(kpiServiceRollup));
    await tx.delete(kpiResponseHistogram).where(inRange(kpiResponseHistogram));
    await tx.delete(kpiMentionRollup).where(inRange(kpiMentionRollup));
    for (let i = 0; i < service.length; i += 500)
      await tx.insert(kpiServiceRollup).values(service.slice(i, i + 500));
    for (let i = 0; i < histogram.length; i += 1000)
      await tx.insert(kpiResponseHistogram).values(histogram.slice(i, i + 1000));
    await insertMentionDays(tx, organizationId, range);
    await sumAllChannels(tx, organizationId, range);
    await sumPeriods(tx, organizationId, range);
  });
}

/**
 * Adds the summary day rows of [from, to): each department over every channel (`allChannels`),
 * then the whole organization (`allDepartments`) per channel and over every channel. Weeks and
 * months get theirs by summing days like any other row. The dashboard reads these instead of
 * adding up departments and channels.
 */
export async function sumAllChannels(tx: DbOrTx, organizationId: string, range: { from: Date; to: Date }) {
  const days = sql`organization_id = ${organizationId} and grain = 'day' and period_start >= ${range.from}
    and period_start < ${range.to}`;
  const serviceSums =
    sql.raw(`sum(conversations_opened), sum(conversations_breached), sum(questions), sum(answered),
      sum(answered_within_sla), sum(first_questions), sum(first_answered), sum(first_answered_within_sla),
      sum(csat_answers), sum(csat_sum), sum(csat_satisfied), sum(positive), sum(neutral), sum(negative)`);
  const serviceColumns = sql.raw(`organization_id, grain, period_start, department_key, channel,
      conversations_opened, conversations_breached, questions, answered, answered_within_sla, first_questions,
      first_answered, first_answered_within_sla, csat_answers, csat_sum, csat_satisfied, positive, neutral, negative`);
  await tx.execute(sql`
    insert into ${kpiServiceRollup} (${serviceColumns})
    select organization_id, 'day', period_start, department_key, ${allChannels}, ${serviceSums}
    from ${kpiServiceRollup} where ${days} and channel <> ${allChannels} and department_key <> ${allDepartments}
    group by organization_id, period_start, department_key`);
  await tx.execute(sql`
    insert into ${kpiServiceRollup} (${serviceColumns})
    select organization_id, 'day', period_start, ${allDepartments}, channel, ${serviceSums}
    from ${kpiServiceRollup} where ${days} and department_key <> ${allDepartments}
    group by organization_id, period_start, channel`);
  await tx.execute(sql`
    insert into ${kpiResponseHistogram} (organization_id, grain, period_start, department_key, channel, kind, bucket, responses)
    select organization_id, 'day', period_start, department_key, ${allChannels}, kind, bucket, sum(responses)
    from ${kpiResponseHistogram} where ${days} and channel <> ${allChannels} and department_key <> ${allDepartments}
    group by organization_id, period_start, department_key, kind, bucket`);
  await tx.execute(sql`
    insert into ${kpiResponseHistogram} (organization_id, grain, period_start, department_key, channel, kind, bucket, responses)
    select organization_id, 'day', period_start, ${allDepartments}, channel, kind, bucket, sum(responses)
    from ${kpiResponseHistogram} where ${days} and department_key <> ${allDepartments}
    group by organization_id, period_start, channel, kind, bucket`);
}

/** Sums the day rows of [from, to) again into every week and month they belong to. */
export async function sumPeriods(tx: DbOrTx, organizationId: string, range: { from: Date; to: Date }) {
  const weeks = new Set<number>();
  const months = new Set<number>();
  const quarters = new Set<number>();
  for (let d = startOfDay(range.from); d < range.to; d = addInterval("day", d)) {
    weeks.add(startOfWeek(d).getTime());
    months.add(startOfMonth(d).getTime());
    quarters.add(startOfQuarter(d).getTime());
  }
  for (const q of quarters)
    await sumPeriod(tx, organizationId, "quarter", new Date(q), addInterval("quarter", new Date(q)));
  for (const w of weeks)
    await sumPeriod(tx, organizationId, "week", new Date(w), addInterval("week", new Date(w)));
  for (const m of months)
    await sumPeriod(tx, organizationId, "month", new Date(m), addInterval("month", new Date(m)));
}

/** One customer question: a run of incoming messages, answered by the next outgoing one. */
interface Question {
  at: Date;
  first: boolean;
  answeredAt: Date | null;
}

/**
 * Reads the conversations that add to the days of `range` and turns their messages into
 * questions and answers (docs/kpis.md: "questions").
 */
async function serviceContributions(db: Db, organizationId: string, range: { from: Date; to: Date }) {
  const within = (column: SQL | typeof conversation.createdAt) =>
    sql`(${column} >= ${range.from} and ${column} < ${range.to})`;
  const conversations = await db
    .select({
      id: conversation.id,
      channelId: conversation.channelId,
      channelType: channel.type,
      departmentId: conversation.departmentId,
      createdAt: conversation.createdAt,
      sentiment: conversation.sentiment,
      csatScore: conversation.csatScore,
      csatRequestedAt: conversation.csatRequestedAt,
      csatAnsweredAt: conversation.csatAnsweredAt,
      breached: sql<boolean>`exists (select 1 from ${slaBreach} where ${slaBreach.conversationId} = ${conversation.id})`,
    })
    .from(conversation)
    .innerJoin(channel, eq(channel.id, conversation.channelId))
    .where(
      and(
        eq(conversation.organizationId, organizationId),
        or(
          within(conversation.createdAt),
          within(conversation.csatAnsweredAt as unknown as typeof conversation.createdAt),
          sql`exists (select 1 from ${message} where ${message.conversationId} = ${conversation.id} and ${message.direction} = 'incoming' and ${message.sentAt} >= ${range.from} and ${message.sentAt} < ${range.to})`,
        ),
      ),
    );
  const policies = new Map<string, EffectivePolicy>();
  const service = new Map<string, ServiceRow>();
  const histogram = new Map<string, HistogramRow>();
  const inRange = (at: Date) => at >= range.from && at < range.to;
  const rowFor = (at: Date, departmentKey: string, channelType: string) => {
    const periodStart = startOfDay(at);
    const key = `${periodStart.getTime()}|${departmentKey}|${channelType}`;
    let row = service.get(key);
    if (!row) {
      row = { organizationId, grain: "day", periodStart, departmentKey, channel: channelType };
      service.set(key, row);
    }
    return row;
  };
  const count = (row: ServiceRow, field: keyof ServiceRow, by = 1) => {
    (row as Record<string, unknown>)[field] = ((row[field] as number | undefined) ?? 0) + by;
  };
  const addResponse = (
    at: Date,
    departmentKey: string,
    channelType: string,
    kind: "first" | "all",
    minutes: number,
  ) => {
    const periodStart = startOfDay(at);
    const bucket = bucketOf(minutes);
    const key = `${periodStart.getTime()}|${departmentKey}|${channelType}|${kind}|${bucket}`;
    const row = histogram.get(key);
    if (row) row.responses += 1;
    else
      histogram.set(key, {
        organizationId,
        grain: "day",
        periodStart,
        departmentKey,
        channel: channelType,
        kind,
        bucket,
        responses: 1,
      });
  };
  for (let i = 0; i < conversations.length; i += 500) {
    const chunk = conversations.slice(i, i + 500);
    const messages = await db
      .select({
        conversationId: message.conversationId,
        direction: message.direction,
        sentAt: message.sentAt,
        deliveryState: message.deliveryState,
      })
      .from(message)
      .where(
        and(
          inArray(
            message.conversationId,
            chunk.map((c) => c.id),
          ),
          inArray(message.direction, ["incoming", "outgoing"]),
        ),
      )
      .orderBy(asc(message.conversationId), asc(message.sentAt), asc(message.direction));
    const byConversation = new Map<string, typeof messages>();
    for (const m of messages) {
      const list = byConversation.get(m.conversationId) ?? [];
      list.push(m);
      byConversation.set(m.conversationId, list);
    }
    for (const c of chunk) {
      const departmentKey = c.departmentId ?? noDepartment;
      const channelType = c.channelType as string;
      let policy = policies.get(c.channelId);
      if (!policy) {
        policy = await policyFor(db, organizationId, c.channelId);
        policies.set(c.channelId, policy);
      }
      if (inRange(c.createdAt)) {
        const row = rowFor(c.createdAt, departmentKey, channelType);
        count(row, "conversationsOpened");
        if (c.breached) count(row, "conversationsBreached");
        if (c.sentiment === "positive" || c.sentiment === "negative" || c.sentiment === "neutral")
          count(row, c.sentiment);
      }
      if (c.csatScore !== null && c.csatAnsweredAt && inRange(c.csatAnsweredAt)) {
        const row = rowFor(c.csatAnsweredAt, departmentKey, channelType);
        count(row, "csatAnswers");
        count(row, "csatSum", c.csatScore);
        if (c.csatScore >= 4) count(row, "csatSatisfied");
      }
      for (const q of questionsOf(byConversation.get(c.id) ?? [], c)) {
        if (!inRange(q.at)) continue;
        const row = rowFor(q.at, departmentKey, channelType);
        count(row, "questions");
        if (q.first) count(row, "firstQuestions");
        if (!q.answeredAt) continue;
        const minutes = businessMinutesBetween(q.at, q.answeredAt, policy.schedule);
        const target = q.first ? policy.firstResponseMinutes : policy.nextResponseMinutes;
        count(row, "answered");
        if (minutes <= target) count(row, "answeredWithinSla");
        addResponse(q.at, departmentKey, channelType, "all", minutes);
        if (q.first) {
          count(row, "firstAnswered");
          if (minutes <= target) count(row, "firstAnsweredWithinSla");
          addResponse(q.at, departmentKey, channelType, "first", minutes);
        }
      }
    }
  }
  return { service: [...service.values()], histogram: [...histogram.values()] };
}

/**
 * The questions of one conversation. A question starts with the customer's first message after
 * the organization's last answer (or the conversation's start, or a reopening); the first
 * outgoing message that was not a failed delivery answers it. The answer to the satisfaction
 * question is not a question.
 */
export function questionsOf(
  messages: Array<{ direction: string; sentAt: Date; deliveryState: string | null }>,
  csat: { csatRequestedAt: Date | null; csatAnsweredAt: Date | null },
): Question[] {
  let csatAnswerIndex = -1;
  if (csat.csatAnsweredAt) {
    messages.forEach((m, i) => {
      if (
        m.direction === "incoming" &&
        m.sentAt <= csat.csatAnsweredAt! &&
        (!csat.csatRequestedAt || m.sentAt >= csat.csatRequestedAt)
      )
        csatAnswerIndex = i;
    });
  }
  const questions: Question[] = [];
  let open: Question | null = null;
  messages.forEach((m, i) => {
    if (m.direction === "incoming" && i !== csatAnswerIndex) {
      if (!open) {
        open = { at: m.sentAt, first: questions.length === 0, answeredAt: null };
        questions.push(open);
      }
    } else if (m.direction === "outgoing" && m.deliveryState !== "failed" && open) {
      open.answeredAt = m.sentAt;
      open = null;
    }
  });
  return questions;
}

function uuidArray(ids: string[]): SQL {
  if (ids.length === 0) return sql`'{}'::uuid[]`;
  return sql`array[${sql.join(
    ids.map((id) => sql`${id}`),
    sql`, `,
  )}]::uuid[]`;
}

/** The listening counts of the days of `range`, straight from the mentions of those days. */
async function insertMentionDays(tx: DbOrTx, organizationId: string, range: { from: Date; to: Date }) {
  const queries = await tx
    .select({ id: listeningQuery.id, kind: listeningQuery.kind })
    .from(listeningQuery)
    .where(eq(listeningQuery.organizationId, organizationId));
  const brand = uuidArray(queries.filter((q) => q.kind === "brand").map((q) => q.id));
  const competitor = uuidArray(queries.filter((q) => q.kind === "competitor").map((q) => q.id));
  const own = uuidArray((await ownIdentities(tx, organizationId)).map((i) => i.id));
  const isOwn = sql`${mention.identityId} = any(${own})`;
  await tx.execute(sql`
    insert into ${kpiMentionRollup} (organization_id, grain, period_start, channel, mentions, positive, neutral,
      negative, brand_mentions, competitor_mentions, own_posts, own_post_comments, own_post_shares, own_post_likes)
    select ${organizationId}, 'day', date_trunc('day', ${mention.postedAt}, 'UTC'), ${mention.network}, count(*),
      count(*) filter (where ${mention.sentiment} = 'positive'),
      count(*) filter (where ${mention.sentiment} = 'neutral'),
      count(*) filter (where ${mention.sentiment} = 'negative'),
      count(*) filter (where ${mention.matchedQueryIds} && ${brand}),
      count(*) filter (where ${mention.matchedQueryIds} && ${competitor}),
      count(*) filter (where ${isOwn}),
      coalesce(sum(${mention.replies}) filter (where ${isOwn}), 0),
      coalesce(sum(${mention.reposts}) filter (where ${isOwn}), 0),
      coalesce(sum(${mention.likes}) filter (where ${isOwn}), 0)
    from ${mention}
    where ${mention.organizationId} = ${organizationId} and ${mention.postedAt} >= ${range.from}
      and ${mention.postedAt} < ${range.to}
    group by 3, 4`);
}

/**
 * The organization's own accounts as authors: the social identities whose handle is the display
 * name of one of its connected channel accounts on the same network (a leading @ ignored).
 */
export async function ownIdentities(db: DbOrTx, organizationId: string) {
  return db
    .select({ id: socialIdentity.id, handle: socialIdentity.handle, network: socialIdentity.network })
    .from(socialIdentity)
    .innerJoin(
      channelAccount,
      and(
        eq(channelAccount.organizationId, socialIdentity.organizationId),
        eq(channelAccount.network, socialIdentity.network),
        sql`lower(ltrim(${channelAccount.displayName}, '@')) = lower(ltrim(${socialIdentity.handle}, '@'))`,
      ),
    )
    .where(eq(socialIdentity.organizationId, organizationId));
}

/** A week's or month's rows: the sums of its day rows. */
async function sumPeriod(tx: DbOrTx, organizationId: string, grain: RollupGrain, start: Date, end: Date) {
  for (const table of [kpiServiceRollup, kpiResponseHistogram, kpiMentionRollup]) {
    await tx
      .delete(table)
      .where(
        and(eq(table.organizationId, organizationId), eq(table.grain, grain), eq(table.periodStart, start)),
      );
  }
  const days = sql`organization_id = ${organizationId} and grain = 'day' and period_start >= ${start} and period_start < ${end}`;
  await tx.execute(sql`
    insert into ${kpiServiceRollup} (organization_id, grain, period_start, department_key, channel,
      conversations_opened, conversations_breached, questions, answered, answered_within_sla, first_questions,
      first_answered, first_answered_within_sla, csat_answers, csat_sum, csat_satisfied, positive, neutral, negative)
    select organization_id, ${grain}, ${start}, department_key, channel,
      sum(conversations_opened), sum(conversations_breached), sum(questions), sum(answered), sum(answered_within_sla),
      sum(first_questions), sum(first_answered), sum(first_answered_within_sla), sum(csat_answers), sum(csat_sum),
      sum(csat_satisfied), sum(positive), sum(neutral), sum(negative)
    from ${kpiServiceRollup} where ${days} group by organization_id, department_key, channel`);
  await tx.execute(sql`
    insert into ${kpiResponseHistogram} (organization_id, grain, period_start, department_key, channel, kind, bucket, responses)
    select organization_id, ${grain}, ${start}, department_key, channel, kind, bucket, sum(responses)
    from ${kpiResponseHistogram} where ${days} group by organization_id, department_key, channel, kind, bucket`);
  await tx.execute(sql`
    insert into ${kpiMentionRollup} (organization_id, grain, period_start, channel, mentions, positive, neutral,
      negative, brand_mentions, competitor_mentions, own_posts, own_post_comments, own_post_shares, own_post_likes)
    select organization_id, ${grain}, ${start}, channel, sum(mentions), sum(positive), sum(neutral), sum(negative),
      sum(brand_mentions), sum(competitor_mentions), sum(own_posts), sum(own_post_comments), sum(own_post_shares),
      sum(own_post_likes)
    from ${kpiMentionRollup} where ${days} group by organization_id, channel`);
}
