import { and, desc, eq, gte, sql } from "drizzle-orm";
import { type AuditActor, recordAudit } from "../../platform/audit/audit.js";
import type { OrgContext } from "../../platform/auth/context.js";
import type { Db, DbOrTx } from "../../platform/db/client.js";
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from "../../platform/errors.js";
import { socialIdentity } from "../contacts/schema.js";
import { channel } from "../conversations/schema.js";
import { mention } from "../listening/schema.js";
import { houseRule, type ModerationState, moderationDecision } from "./schema.js";

/** From this offensive probability a post lands in the moderation queue. */
export const offensiveQueueThreshold = 0.5;
/** A removal is the exception; its public justification must say why hiding was not enough. */
export const minJustificationLength = 20;

export interface ModeratePostProps {
  mentionId: string;
  action: "hide" | "remove" | "restore";
  /** Required for hide and remove: a published house rule. */
  houseRuleId?: string;
  /** Shown publicly in place of the post; default: the house rule's public text. */
  publicReason?: string;
  /** Required for remove: the exceptional case, stated publicly. */
  justification?: string;
  at: Date;
}

const stateOf: Record<ModeratePostProps["action"], ModerationState> = {
  hide: "hidden",
  remove: "removed",
  restore: "visible",
};

/** The mention, if it is a post on one of the organization's own channels (a network it runs an account on). */
async function ownChannelPost(tx: DbOrTx, organizationId: string, mentionId: string) {
  const [found] = await tx
    .select({ id: mention.id, network: mention.network, offensiveScore: mention.offensiveScore })
    .from(mention)
    .where(and(eq(mention.organizationId, organizationId), eq(mention.id, mentionId)));
  if (!found) throw new NotFoundError("The post");
  const [own] = await tx
    .select({ id: channel.id })
    .from(channel)
    .where(and(eq(channel.organizationId, organizationId), sql`${channel.type}::text = ${found.network}`))
    .limit(1);
  return { post: found, own: Boolean(own) };
}

export async function currentModeration(tx: DbOrTx, organizationId: string, mentionId: string) {
  const [latest] = await tx
    .select()
    .from(moderationDecision)
    .where(
      and(eq(moderationDecision.organizationId, organizationId), eq(moderationDecision.mentionId, mentionId)),
    )
    .orderBy(desc(moderationDecision.decidedAt), desc(moderationDecision.id))
    .limit(1);
  return latest;
}

/**
 * Hides or removes a post on the organization's own channels, or shows it again. Hiding cites a
 * published house rule and keeps the public reason; removing needs, on top, a public justification
 * of the exceptional case. Every decision is kept and audited.
 */
export async function moderatePost(db: Db, ctx: OrgContext, props: ModeratePostProps) {
  if (props.action === "remove" && ctx.role === "agent") {
    throw new ForbiddenError("Removing a post is for the core team and admins; hide it instead.");
  }
  return db.transaction(async (tx) => {
    const { own } = await ownChannelPost(tx, ctx.organizationId, props.mentionId);
    if (!own) {
      throw new ValidationError(
        "This post is not on one of your own channels; Konversa moderates only the organization's own channels.",
      );
    }
    let rule: typeof houseRule.$inferSelect | undefined;
    if (props.action !== "restore") {
      if (!props.houseRuleId) {
        throw new ValidationError("Choose the house rule the post breaks (houseRuleId).");
      }
      [rule] = await tx
        .select()
        .from(houseRule)
        .where(and(eq(houseRule.organizationId, ctx.organizationId), eq(houseRule.id, props.houseRuleId)));
      if (!rule) throw new ValidationError("The house rule does not exist in this organization.");
      if (!rule.isPublished) {
        throw new ValidationError(
          `The house rule "${rule.title}" is not published; publish it before citing it.`,
        );
      }
    }
    const justification = props.justification?.trim() ?? "";
    if (props.action === "remove" && justification.length < minJustificationLength) {
      throw new ValidationError(
        `Removing a post is for exceptional cases: justify it publicly in at least ${minJustificationLength} characters, or hide it instead.`,
      );
    }
    const state = stateOf[props.action];
    const current = await currentModeration(tx, ctx.organizationId, props.mentionId);
    if (current?.state === state) throw new ConflictError(`The post is ${state} already.`);
    if (current?.state === "removed" && props.action !== "restore") {
      throw new ConflictError("The post is removed already.");
    }
    const publicReason = props.action === "restore" ? "" : props.publicReason?.trim() || rule!.publicText;
    const [decision] = await tx
      .insert(moderationDecision)
      .values({
        organizationId: ctx.organizationId,
        mentionId: props.mentionId,
        state,
        houseRuleId: rule?.id ?? null,
        publicReason,
        justification: props.action === "remove" ? justification : null,
        decidedByMemberId: ctx.memberId,
        decidedAt: props.at,
      })
      .returning();
    await recordAudit(tx, ctx, {
      action: `post.${props.action === "hide" ? "hidden" : props.action === "remove" ? "removed" : "restored"}`,
      entityType: "mention",
      entityId: props.mentionId,
      details: { houseRuleId: rule?.id ?? null, from: current?.state ?? "visible", decisionId: decision!.id },
    });
    return decision!;
  });
}

/**
 * A routing rule holds an offensive post hidden until a person reviews it; nothing happens when
 * a person has decided on it already. Returns whether it was held.
 */
export async function holdForReview(
  tx: DbOrTx,
  actor: AuditActor,
  props: { mentionId: string; ruleId: string; at: Date },
) {
  const { own } = await ownChannelPost(tx, actor.organizationId, props.mentionId);
  if (!own) return { held: false, reason: "not a post on an own channel" };
  const current = await currentModeration(tx, actor.organizationId, props.mentionId);
  if (current) return { held: false, reason: `already ${current.state}` };
  const [decision] = await tx
    .insert(moderationDecision)
    .values({
      organizationId: actor.organizationId,
      mentionId: props.mentionId,
      state: "pending_review",
      ruleId: props.ruleId,
      decidedAt: props.at,
    })
    .returning({ id: moderationDecision.id });
  await recordAudit(tx, actor, {
    action: "post.held_for_review",
    entityType: "mention",
    entityId: props.mentionId,
    details: { ruleId: props.ruleId, decisionId: decision!.id },
  });
  return { held: true, reason: decision!.id };
}

/**
 * Offensive posts on own channels that wait for a person: not yet decided (or held by a rule),
 * most offensive first.
 */
export async function moderationQueue(db: DbOrTx, ctx: OrgContext, props: { limit: number }) {
  const latestState = sql<string | null>`(SELECT d.state FROM ${moderationDecision} d
    WHERE d.organization_id = ${mention.organizationId} AND d.mention_id = ${mention.id}
    ORDER BY d.decided_at DESC, d.id DESC LIMIT 1)`;
  const ownNetworks = sql`(SELECT c.type::text FROM ${channel} c WHERE c.organization_id = ${ctx.organizationId})`;
  const rows = await db
    .select({
      id: mention.id,
      network: mention.network,
      text: mention.text,
      url: mention.url,
      language: mention.language,
      offensiveScore: mention.offensiveScore,
      offensiveType: mention.offensiveType,
      postedAt: mention.postedAt,
      author: socialIdentity.handle,
      state: latestState,
    })
    .from(mention)
    .leftJoin(socialIdentity, eq(socialIdentity.id, mention.identityId))
    .where(
      and(
        eq(mention.organizationId, ctx.organizationId),
        gte(mention.offensiveScore, offensiveQueueThreshold),
        sql`${mention.network} IN ${ownNetworks}`,
        sql`coalesce(${latestState}, 'pending_review') = 'pending_review'`,
      ),
    )
    .orderBy(desc(mention.offensiveScore), desc(mention.postedAt))
    .limit(props.limit);
  return rows.map((r) => ({ ...r, state: (r.state ?? "unreviewed") as "pending_review" | "unreviewed" }));
}

/** Decisions, newest first, with the cited rule. */
export async function listModerationDecisions(
  db: DbOrTx,
  ctx: OrgContext,
  props: { limit: number; mentionId?: string },
) {
  return db
    .select({
      id: moderationDecision.id,
      mentionId: moderationDecision.mentionId,
      state: moderationDecision.state,
      houseRuleId: moderationDecision.houseRuleId,
      houseRuleTitle: houseRule.title,
      publicReason: moderationDecision.publicReason,
      justification: moderationDecision.justification,
      decidedByMemberId: moderationDecision.decidedByMemberId,
      ruleId: moderationDecision.ruleId,
      decidedAt: moderationDecision.decidedAt,
    })
    .from(moderationDecision)
    .leftJoin(houseRule, eq(houseRule.id, moderationDecision.houseRuleId))
    .where(
      and(
        eq(moderationDecision.organizationId, ctx.organizationId),
        props.mentionId ? eq(moderationDecision.mentionId, props.mentionId) : undefined,
      ),
    )
    .orderBy(desc(moderationDecision.decidedAt), desc(moderationDecision.id))
    .limit(props.limit);
}
