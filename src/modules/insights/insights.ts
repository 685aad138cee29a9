import { and, count, desc, eq, inArray, type SQL, sql } from "drizzle-orm";
import { recordAudit } from "../../platform/audit/audit.js";
import type { OrgContext } from "../../platform/auth/context.js";
import type { Role } from "../../platform/auth/roles.js";
import { user } from "../../platform/auth/schema.js";
import type { Db, DbOrTx } from "../../platform/db/client.js";
import { ForbiddenError, NotFoundError, ValidationError } from "../../platform/errors.js";
import { socialIdentity } from "../contacts/schema.js";
import { conversation } from "../conversations/schema.js";
import { mention } from "../listening/schema.js";
import { notifyMembers } from "../notifications/notifications.js";
import { department, member } from "../organizations/schema.js";
import { type InsightKind, type InsightState, insight, insightStateChange, insightStates } from "./schema.js";

/** Roles that see every department's insights; agents see their own departments' only. */
const overviewRoles: Role[] = ["owner", "admin", "core_team", "analyst", "dpo"];

function visibleInsights(ctx: OrgContext): SQL {
  const tenant = eq(insight.organizationId, ctx.organizationId);
  if (overviewRoles.includes(ctx.role)) return tenant;
  // An agent of no department has no department's insights to see.
  if (ctx.departmentIds.length === 0) return and(tenant, sql`false`)!;
  return and(tenant, inArray(insight.departmentId, ctx.departmentIds))!;
}

export interface InsightFilter {
  departmentId?: string;
  state?: InsightState;
  kind?: InsightKind;
  limit: number;
}

const summaryColumns = {
  id: insight.id,
  kind: insight.kind,
  departmentId: insight.departmentId,
  departmentName: department.name,
  note: insight.note,
  state: insight.state,
  mentionId: insight.mentionId,
  conversationId: insight.conversationId,
  createdByMemberId: insight.createdByMemberId,
  ruleId: insight.ruleId,
  createdAt: insight.createdAt,
  updatedAt: insight.updatedAt,
  mentionText: mention.text,
  mentionNetwork: mention.network,
  mentionSentiment: mention.sentiment,
  mentionUrl: mention.url,
  conversationSubject: conversation.subject,
};

/** Insight cards the caller may see, newest first. */
export async function listInsights(db: DbOrTx, ctx: OrgContext, filter: InsightFilter) {
  const rows = await db
    .select(summaryColumns)
    .from(insight)
    .innerJoin(department, eq(department.id, insight.departmentId))
    .leftJoin(mention, eq(mention.id, insight.mentionId))
    .leftJoin(conversation, eq(conversation.id, insight.conversationId))
    .where(
      and(
        visibleInsights(ctx),
        filter.departmentId ? eq(insight.departmentId, filter.departmentId) : undefined,
        filter.state ? eq(insight.state, filter.state) : undefined,
        filter.kind ? eq(insight.kind, filter.kind) : undefined,
      ),
    )
    .orderBy(desc(insight.createdAt), desc(insight.id))
    .limit(filter.limit);
  return rows.map(toSummary);
}

function toSummary(row: Awaited<ReturnType<typeof selectOne>>) {
  const { mentionText, mentionNetwork, mentionSentiment, mentionUrl, conversationSubject, ...rest } = row;
  return {
    ...rest,
    source: rest.mentionId
      ? {
          type: "mention" as const,
          text: mentionText ?? "",
          network: mentionNetwork ?? "",
          sentiment: mentionSentiment,
          url: mentionUrl,
        }
      : {
          type: "conversation" as const,
          text: conversationSubject ?? "",
          network: null,
          sentiment: null,
          url: null,
        },
  };
}

async function selectOne(db: DbOrTx, ctx: OrgContext, id: string) {
  const [row] = await db
    .select(summaryColumns)
    .from(insight)
    .innerJoin(department, eq(department.id, insight.departmentId))
    .leftJoin(mention, eq(mention.id, insight.mentionId))
    .leftJoin(conversation, eq(conversation.id, insight.conversationId))
    .where(and(visibleInsights(ctx), eq(insight.id, id)));
  if (!row) throw new NotFoundError("The insight");
  return row;
}

/** One insight card with its state history and the mention's author. */
export async function getInsight(db: DbOrTx, ctx: OrgContext, id: string) {
  const row = await selectOne(db, ctx, id);
  const history = await db
    .select({
      fromState: insightStateChange.fromState,
      toState: insightStateChange.toState,
      memberId: insightStateChange.memberId,
      memberName: user.name,
      comment: insightStateChange.comment,
      at: insightStateChange.at,
    })
    .from(insightStateChange)
    .leftJoin(member, eq(member.id, insightStateChange.memberId))
    .leftJoin(user, eq(user.id, member.userId))
    .where(
      and(eq(insightStateChange.organizationId, ctx.organizationId), eq(insightStateChange.insightId, id)),
    )
    .orderBy(insightStateChange.at, insightStateChange.id);
  let author: string | null = null;
  if (row.mentionId) {
    const [found] = await db
      .select({ handle: socialIdentity.handle })
      .from(mention)
      .innerJoin(socialIdentity, eq(socialIdentity.id, mention.identityId))
      .where(and(eq(mention.organizationId, ctx.organizationId), eq(mention.id, row.mentionId)));
    author = found ? `@${found.handle}` : null;
  }
  return { ...toSummary(row), author, history };
}

/** Insights per department and state, for the core team's overview. */
export async function insightOverview(db: DbOrTx, ctx: OrgContext) {
  const rows = await db
    .select({ departmentId: insight.departmentId, state: insight.state, count: count() })
    .from(insight)
    .where(visibleInsights(ctx))
    .groupBy(insight.departmentId, insight.state);
  const departments = await db
    .select({ id: department.id, name: department.name })
    .from(department)
    .where(eq(department.organizationId, ctx.organizationId))
    .orderBy(department.name);
  return departments
    .map((d) => {
      const states = Object.fromEntries(insightStates.map((s) => [s, 0])) as Record<InsightState, number>;
      for (const row of rows) if (row.departmentId === d.id) states[row.state] = Number(row.count);
      return {
        departmentId: d.id,
        departmentName: d.name,
        states,
        total: Object.values(states).reduce((a, b) => a + b, 0),
      };
    })
    .filter((d) => overviewRoles.includes(ctx.role) || ctx.departmentIds.includes(d.departmentId));
}

const allowedMoves: Record<InsightState, InsightState[]> = {
  new: ["acknowledged", "in_progress", "done"],
  acknowledged: ["in_progress", "done"],
  in_progress: ["done", "acknowledged"],
  done: ["in_progress"],
};

/**
 * The department moves its insight along: acknowledged, in progress, done (or back into progress).
 * Agents of the department and the core team may; the forwarder hears about it.
 */
export async function changeInsightState(
  db: Db,
  ctx: OrgContext,
  props: { insightId: string; state: InsightState; comment?: string; at: Date },
) {
  return db.transaction(async (tx) => {
    const [current] = await tx
      .select()
      .from(insight)
      .where(and(visibleInsights(ctx), eq(insight.id, props.insightId)))
      .for("update");
    if (!current) throw new NotFoundError("The insight");
    if (ctx.role === "analyst" || ctx.role === "dpo") {
      throw new ForbiddenError(`A member with role "${ctx.role}" reads insights but cannot change them.`);
    }
    if (current.state === props.state) return { id: current.id, state: current.state };
    if (!allowedMoves[current.state].includes(props.state)) {
      throw new ValidationError(
        `An insight that is "${current.state}" can move to ${allowedMoves[current.state].join(", ")}, not "${props.state}".`,
      );
    }
    await tx
      .update(insight)
      .set({ state: props.state, updatedAt: props.at })
      .where(eq(insight.id, current.id));
    await tx.insert(insightStateChange).values({
      organizationId: ctx.organizationId,
      insightId: current.id,
      fromState: current.state,
      toState: props.state,
      memberId: ctx.memberId,
      comment: props.comment?.trim() ?? "",
      at: props.at,
    });
    await recordAudit(tx, ctx, {
      action: "insight.state_changed",
      entityType: "insight",
      entityId: current.id,
      details: { from: current.state, to: props.state },
    });
    if (current.createdByMemberId) {
      await notifyMembers(tx, {
        organizationId: ctx.organizationId,
        memberIds: [current.createdByMemberId],
        actorMemberId: ctx.memberId,
        kind: "insight.state_changed",
        title: `An insight you forwarded is now ${props.state.replace("_", " ")}`,
        link: `/insights/${current.id}`,
        details: { insightId: current.id, state: props.state },
        at: props.at,
      });
    }
    return { id: current.id, state: props.state };
  });
}
