import { and, asc, desc, eq, inArray, lt, max } from "drizzle-orm";
import { recordAudit } from "../../platform/audit/audit.js";
import type { OrgContext } from "../../platform/auth/context.js";
import type { Db, DbOrTx } from "../../platform/db/client.js";
import { NotFoundError, ValidationError } from "../../platform/errors.js";
import { cannedResponse } from "../conversations/schema.js";
import { listeningQuery } from "../listening/schema.js";
import { department, member } from "../organizations/schema.js";
import { businessHours } from "../sla/schema.js";
import { evaluationContext, maxDryRunMentions, recentMentionSubjects } from "./routingSubjects.js";
import { evaluateRule, type RuleShape } from "./ruleEvaluator.js";
import type { RuleAction, RuleCondition } from "./ruleTypes.js";
import { routingRule, routingRuleExecution } from "./schema.js";

export interface RoutingRuleInput {
  name: string;
  isActive?: boolean;
  appliesTo?: "mention" | "message" | "both";
  match?: "all" | "any";
  conditions: RuleCondition[];
  actions: RuleAction[];
  stopsFurtherRules?: boolean;
}

export async function listRoutingRules(db: DbOrTx, ctx: OrgContext) {
  return db
    .select()
    .from(routingRule)
    .where(eq(routingRule.organizationId, ctx.organizationId))
    .orderBy(asc(routingRule.position), asc(routingRule.createdAt));
}

/** Every id a rule names belongs to the organization, so a rule cannot reach into another tenant. */
async function assertReferencesBelong(tx: DbOrTx, ctx: OrgContext, input: Partial<RoutingRuleInput>) {
  const ids = {
    query: new Set<string>(),
    hours: new Set<string>(),
    department: new Set<string>(),
    member: new Set<string>(),
    canned: new Set<string>(),
  };
  for (const c of input.conditions ?? []) {
    if (c.type === "query") for (const id of c.queryIds) ids.query.add(id);
    if (c.type === "business_hours") ids.hours.add(c.businessHoursId);
  }
  for (const a of input.actions ?? []) {
    if (
      (a.type === "assign" ||
        a.type === "forward_insight" ||
        a.type === "create_lead" ||
        a.type === "notify") &&
      a.departmentId
    )
      ids.department.add(a.departmentId);
    if (a.type === "assign" && a.assigneeMemberId) ids.member.add(a.assigneeMemberId);
    if (a.type === "notify") for (const id of a.memberIds) ids.member.add(id);
    if (a.type === "auto_acknowledge") ids.canned.add(a.cannedResponseId);
  }
  const check = async (
    wanted: Set<string>,
    table:
      | typeof listeningQuery
      | typeof businessHours
      | typeof department
      | typeof member
      | typeof cannedResponse,
    what: string,
  ) => {
    if (wanted.size === 0) return;
    const found = await tx
      .select({ id: table.id })
      .from(table)
      .where(and(eq(table.organizationId, ctx.organizationId), inArray(table.id, [...wanted])));
    if (found.length !== wanted.size)
      throw new ValidationError(`The rule names ${what} that does not exist in this organization.`);
  };
  await check(ids.query, listeningQuery, "a listening query");
  await check(ids.hours, businessHours, "business hours");
  await check(ids.department, department, "a department");
  await check(ids.member, member, "a colleague");
  await check(ids.canned, cannedResponse, "a canned response");
}

function assertUseful(input: Partial<RoutingRuleInput>) {
  if (input.actions && input.actions.length === 0 && !input.stopsFurtherRules) {
    throw new ValidationError("A rule needs at least one action (or to stop further rules).");
  }
}

/** Adds a rule at the end of the list. */
export async function createRoutingRule(db: Db, ctx: OrgContext, input: RoutingRuleInput) {
  assertUseful(input);
  return db.transaction(async (tx) => {
    await assertReferencesBelong(tx, ctx, input);
    const [last] = await tx
      .select({ position: max(routingRule.position) })
      .from(routingRule)
      .where(eq(routingRule.organizationId, ctx.organizationId));
    const [created] = await tx
      .insert(routingRule)
      .values({
        organizationId: ctx.organizationId,
        name: input.name.trim(),
        position: (last?.position ?? 0) + 1,
        isActive: input.isActive ?? true,
        appliesTo: input.appliesTo ?? "both",
        match: input.match ?? "all",
        conditions: input.conditions,
        actions: input.actions,
        stopsFurtherRules: input.stopsFurtherRules ?? false,
      })
      .returning();
    await recordAudit(tx, ctx, {
      action: "routing_rule.created",
      entityType: "routing_rule",
      entityId: created!.id,
      details: { name: created!.name, conditions: input.conditions.length, actions: input.actions.length },
    });
    return created!;
  });
}

export async function updateRoutingRule(
  db: Db,
  ctx: OrgContext,
  id: string,
  input: Partial<RoutingRuleInput>,
) {
  assertUseful(input);
  return db.transaction(async (tx) => {
    await assertReferencesBelong(tx, ctx, input);
    const [updated] = await tx
      .update(routingRule)
      .set({ ...input, ...(input.name ? { name: input.name.trim() } : {}), updatedAt: new Date() })
      .where(and(eq(routingRule.organizationId, ctx.organizationId), eq(routingRule.id, id)))
      .returning();
    if (!updated) throw new NotFoundError("The routing rule");
    await recordAudit(tx, ctx, {
      action: "routing_rule.updated",
      entityType: "routing_rule",
      entityId: id,
      details: { fields: Object.keys(input) },
    });
    return updated;
  });
}

export async function removeRoutingRule(db: Db, ctx: OrgContext, id: string) {
  await db.transaction(async (tx) => {
    const [removed] = await tx
      .delete(routingRule)
      .where(and(eq(routingRule.organizationId, ctx.organizationId), eq(routingRule.id, id)))
      .returning({ id: routingRule.id, name: routingRule.name });
    if (!removed) throw new NotFoundError("The routing rule");
    await recordAudit(tx, ctx, {
      action: "routing_rule.removed",
      entityType: "routing_rule",
      entityId: id,
      details: { name: removed.name },
    });
  });
}

/** Puts the rules in this order (every rule of the organization, each once). */
export async function reorderRoutingRules(db: Db, ctx: OrgContext, ruleIds: string[]) {
  return db.transaction(async (tx) => {
    const existing = await tx
      .select({ id: routingRule.id })
      .from(routingRule)
      .where(eq(routingRule.organizationId, ctx.organizationId))
      .for("update");
    const known = new Set(existing.map((r) => r.id));
    if (
      ruleIds.length !== known.size ||
      new Set(ruleIds).size !== ruleIds.length ||
      !ruleIds.every((id) => known.has(id))
    ) {
      throw new ValidationError("List every rule of the organization exactly once, in the new order.");
    }
    for (const [index, id] of ruleIds.entries()) {
      await tx
        .update(routingRule)
        .set({ position: index + 1 })
        .where(eq(routingRule.id, id));
    }
    await recordAudit(tx, ctx, {
      action: "routing_rule.reordered",
      entityType: "routing_rule",
      details: { order: ruleIds },
    });
    return listRoutingRules(tx, ctx);
  });
}

/**
 * Which of the organization's last `limit` mentions (at most 1,000) the rule's conditions would
 * have matched. Nothing is changed; actions do not run.
 */
export async function dryRunRule(
  db: DbOrTx,
  ctx: OrgContext,
  props: { rule: RuleShape; limit: number; sampleSize?: number },
) {
  const limit = Math.min(Math.max(1, props.limit), maxDryRunMentions);
  await assertReferencesBelong(db, ctx, { conditions: props.rule.conditions });
  const [subjects, context] = await Promise.all([
    recentMentionSubjects(db, ctx.organizationId, limit),
    evaluationContext(db, ctx.organizationId),
  ]);
  const matches = subjects.flatMap((subject) => {
    const verdict = evaluateRule(props.rule, subject, context);
    return verdict.matched ? [{ subject, matchedConditions: verdict.matchedConditions }] : [];
  });
  return {
    checked: subjects.length,
    matched: matches.length,
    mentions: matches.slice(0, props.sampleSize ?? 50).map(({ subject, matchedConditions }) => ({
      id: subject.id,
      network: subject.network,
      text: subject.text.slice(0, 280),
      sentiment: subject.sentiment,
      postedAt: subject.at,
      matchedConditions,
    })),
  };
}

/** The execution log, newest first; `before` is the last id's `executedAt` of the previous page. */
export async function listRuleExecutions(
  db: DbOrTx,
  ctx: OrgContext,
  props: { ruleId?: string; itemId?: string; before?: Date; limit: number },
) {
  return db
    .select()
    .from(routingRuleExecution)
    .where(
      and(
        eq(routingRuleExecution.organizationId, ctx.organizationId),
        props.ruleId ? eq(routingRuleExecution.ruleId, props.ruleId) : undefined,
        props.itemId ? eq(routingRuleExecution.itemId, props.itemId) : undefined,
        props.before ? lt(routingRuleExecution.executedAt, props.before) : undefined,
      ),
    )
    .orderBy(desc(routingRuleExecution.executedAt), desc(routingRuleExecution.id))
    .limit(props.limit);
}
