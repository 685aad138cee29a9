import { and, eq, gte, inArray, lt, sql } from "drizzle-orm";
import type { Db, Tx } from "../../../platform/db/client.js";
import { socialIdentity } from "../../contacts/schema.js";
import { notification } from "../../notifications/schema.js";
import { type AlertType, alert, alertDelivery, alertRule, everyMention, mentionRollup } from "../schema.js";
import { judgeLastHour, judgeNegativeShare } from "./baseline.js";

/** What the evaluator needs to know of each newly stored mention. */
export interface NewMention {
  id: string;
  text?: string;
  sentiment: string;
  matchedQueryIds: string[];
  identityId: string;
  offensiveScore: number;
  postedAt: Date;
}

export interface FiredAlert {
  id: string;
  organizationId: string;
  ruleId: string;
  type: AlertType;
  title: string;
}

const hour = 3_600_000;

/**
 * Evaluates the organization's active alert rules after new mentions were stored. Each rule is
 * evaluated under a row lock, so two workers judging the same burst fire it once; the cooldown and
 * a dedupe key per situation keep a storm from paging people every minute.
 */
export async function evaluateAlerts(
  db: Db,
  props: { organizationId: string; mentions: NewMention[]; now?: Date },
): Promise<FiredAlert[]> {
  if (props.mentions.length === 0) return [];
  const now = props.now ?? new Date();
  const rules = await db
    .select({ id: alertRule.id, queryId: alertRule.queryId })
    .from(alertRule)
    .where(and(eq(alertRule.organizationId, props.organizationId), eq(alertRule.isActive, true)));
  const fired: FiredAlert[] = [];
  for (const { id, queryId } of rules) {
    const relevant = props.mentions.filter((m) => !queryId || m.matchedQueryIds.includes(queryId));
    if (relevant.length === 0) continue;
    const result = await db.transaction(async (tx) => {
      const [rule] = await tx.select().from(alertRule).where(eq(alertRule.id, id)).for("update");
      if (!rule?.isActive) return undefined;
      if (rule.lastFiredAt && rule.lastFiredAt.getTime() > now.getTime() - rule.cooldownMinutes * 60_000)
        return undefined;
      const decision = await judge(tx, rule, relevant, now);
      if (!decision) return undefined;
      const [created] = await tx
        .insert(alert)
        .values({
          organizationId: rule.organizationId,
          ruleId: rule.id,
          type: rule.type,
          title: decision.title,
          details: decision.details,
          mentionIds: decision.mentionIds,
          dedupeKey: decision.dedupeKey,
          firedAt: now,
        })
        .onConflictDoNothing()
        .returning();
      if (!created) return undefined;
      await tx.update(alertRule).set({ lastFiredAt: now }).where(eq(alertRule.id, rule.id));
      const deliveries = [
        ...rule.delivery.emails.map((target) => ({ channel: "email", target })),
        ...(rule.delivery.webhookUrl ? [{ channel: "webhook", target: rule.delivery.webhookUrl }] : []),
      ];
      if (deliveries.length > 0) {
        await tx
          .insert(alertDelivery)
          .values(
            deliveries.map((d) => ({ ...d, organizationId: rule.organizationId, alertId: created.id })),
          );
      }
      if (rule.delivery.inApp) {
        await tx.insert(notification).values({
          organizationId: rule.organizationId,
          kind: `alert.${rule.type}`,
          title: decision.title,
          body: String(decision.details.summary ?? ""),
          link: `/listening/alerts/${created.id}`,
        });
      }
      return {
        id: created.id,
        organizationId: created.organizationId,
        ruleId: rule.id,
        type: rule.type,
        title: created.title,
      };
    });
    if (result) fired.push(result);
  }
  return fired;
}

interface Decision {
  title: string;
  details: Record<string, unknown>;
  mentionIds: string[];
  dedupeKey: string;
}

async function judge(
  tx: Tx,
  rule: typeof alertRule.$inferSelect,
  mentions: NewMention[],
  now: Date,
): Promise<Decision | undefined> {
  const currentHour = new Date(Math.floor(now.getTime() / hour) * hour);
  const queryId = rule.queryId ?? everyMention;
  switch (rule.type) {
    case "volume_spike": {
      const series = await hourlySeries(tx, {
        organizationId: rule.organizationId,
        queryId,
        until: currentHour,
        hours: 28 * 24,
      });
      const judgement = judgeLastHour(
        series.map((h) => h.total),
        rule.config,
      );
      if (!judgement.spike) return undefined;
      return {
        title: `${rule.name}: ${judgement.observed} mentions this hour (usually about ${Math.round(judgement.expected)})`,
        details: {
          ...judgement,
          summary: `Volume spike: ${judgement.observed} mentions, expected ${judgement.expected.toFixed(1)}.`,
        },
        mentionIds: mentions.slice(0, 50).map((m) => m.id),
        dedupeKey: `hour:${currentHour.toISOString()}`,
      };
    }
    case "storm": {
      const series = await hourlySeries(tx, {
        organizationId: rule.organizationId,
        queryId,
        until: currentHour,
        hours: 7 * 24,
      });
      const current = series.at(-1)!;
      const history = series.slice(0, -1);
      const judgement = judgeNegativeShare({
        negative: current.negative,
        total: current.total,
        baselineNegative: history.reduce((s, h) => s + h.negative, 0),
        baselineTotal: history.reduce((s, h) => s + h.total, 0),
        threshold: rule.config.threshold,
        minCount: rule.config.minCount,
        minShare: rule.config.minShare,
      });
      if (!judgement.spike) return undefined;
      return {
        title: `${rule.name}: storm warning, ${current.negative} negative of ${current.total} mentions this hour`,
        details: {
          ...judgement,
          negative: current.negative,
          total: current.total,
          summary: `${Math.round(judgement.share * 100)} % negative this hour against ${Math.round(judgement.baselineShare * 100)} % usually.`,
        },
        mentionIds: mentions
          .filter((m) => m.sentiment === "negative")
          .slice(0, 50)
          .map((m) => m.id),
        dedupeKey: `hour:${currentHour.toISOString()}`,
      };
    }
    case "keyword": {
      const words = (rule.config.keywords ?? []).map((k) => k.toLowerCase()).filter(Boolean);
      const hits = mentions.filter(
        (m) =>
          m.text &&
          words.some((w) =>
            new RegExp(`(^|[^\\p{L}\\p{N}])${escapeRegExp(w)}($|[^\\p{L}\\p{N}])`, "iu").test(m.text!),
          ),
      );
      if (hits.length === 0) return undefined;
      return {
        title: `${rule.name}: ${hits.length} mention${hits.length === 1 ? "" : "s"} with ${words.join(", ")}`,
        details: { keywords: words, summary: `Keyword found in ${hits.length} new mention(s).` },
        mentionIds: hits.map((m) => m.id),
        dedupeKey: `mentions:${hits
          .map((m) => m.id)
          .sort()
          .join(",")}`,
      };
    }
    case "vip_mention": {
      const vips = await tx
        .select({ id: socialIdentity.id, handle: socialIdentity.handle })
        .from(socialIdentity)
        .where(
          and(
            inArray(socialIdentity.id, [...new Set(mentions.map((m) => m.identityId))]),
            eq(socialIdentity.isVip, true),
          ),
        );
      const hits = mentions.filter((m) => vips.some((v) => v.id === m.identityId));
      if (hits.length === 0) return undefined;
      return {
        title: `${rule.name}: VIP ${vips.map((v) => `@${v.handle}`).join(", ")} mentioned us`,
        details: { vips: vips.map((v) => v.handle), summary: "A VIP author wrote about us." },
        mentionIds: hits.map((m) => m.id),
        dedupeKey: `mentions:${hits
          .map((m) => m.id)
          .sort()
          .join(",")}`,
      };
    }
    case "offensive": {
      const minimum = rule.config.minOffensive ?? 0.8;
      const hits = mentions.filter((m) => m.offensiveScore >= minimum);
      if (hits.length === 0) return undefined;
      return {
        title: `${rule.name}: ${hits.length} offensive mention${hits.length === 1 ? "" : "s"} to review`,
        details: { minimum, summary: "Offensive content waits for moderation." },
        mentionIds: hits.map((m) => m.id),
        dedupeKey: `mentions:${hits
          .map((m) => m.id)
          .sort()
          .join(",")}`,
      };
    }
  }
}

/** Hourly totals and negatives from the rollups, oldest first, zero-filled, ending with `until`'s hour. */
async function hourlySeries(
  tx: Tx,
  props: { organizationId: string; queryId: string; until: Date; hours: number },
) {
  const from = new Date(props.until.getTime() - (props.hours - 1) * hour);
  const rows = await tx
    .select({
      hour: mentionRollup.hour,
      total: sql<number>`sum(${mentionRollup.mentions})`.mapWith(Number),
      negative:
        sql<number>`coalesce(sum(${mentionRollup.mentions}) FILTER (WHERE ${mentionRollup.sentiment} = 'negative'), 0)`.mapWith(
          Number,
        ),
    })
    .from(mentionRollup)
    .where(
      and(
        eq(mentionRollup.organizationId, props.organizationId),
        eq(mentionRollup.queryId, props.queryId),
        gte(mentionRollup.hour, from),
        lt(mentionRollup.hour, new Date(props.until.getTime() + hour)),
      ),
    )
    .groupBy(mentionRollup.hour);
  const byHour = new Map(rows.map((r) => [new Date(r.hour).getTime(), r]));
  return Array.from({ length: props.hours }, (_, i) => {
    const at = from.getTime() + i * hour;
    const row = byHour.get(at);
    return { hour: new Date(at), total: row?.total ?? 0, negative: row?.negative ?? 0 };
  });
}

function escapeRegExp(text: string) {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
