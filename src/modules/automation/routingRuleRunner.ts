import { randomUUID } from "node:crypto";
import { and, asc, eq, inArray } from "drizzle-orm";
import { connectors } from "../../connectors/registry.js";
import { type AuditActor, recordAudit } from "../../platform/audit/audit.js";
import { writerRoles } from "../../platform/auth/roles.js";
import type { Bus } from "../../platform/bus/index.js";
import type { Clock } from "../../platform/clock.js";
import type { Db, DbOrTx } from "../../platform/db/client.js";
import { NotFoundError, ValidationError } from "../../platform/errors.js";
import { channelAccount } from "../channels/schema.js";
import { socialIdentity } from "../contacts/schema.js";
import { fillTemplate } from "../conversations/cannedResponseRenderer.js";
import { findCannedResponse } from "../conversations/cannedResponses.js";
import { normalizeLabel } from "../conversations/conversationLabeler.js";
import { openConversation } from "../conversations/conversationOpener.js";
import { conversation, message } from "../conversations/schema.js";
import { conversationsChangedSubject, notificationsCreatedSubject } from "../conversations/workflow.js";
import { forwardInsight } from "../insights/insightForwarder.js";
import { mention } from "../listening/schema.js";
import { holdForReview } from "../moderation/moderationDecider.js";
import { notifyMembers } from "../notifications/notifications.js";
import { department, member, memberDepartment, organization } from "../organizations/schema.js";
import { evaluationContext, mentionSubjects, messageSubject } from "./routingSubjects.js";
import { evaluateRule, type RoutingSubject } from "./ruleEvaluator.js";
import type { RuleAction } from "./ruleTypes.js";
import { type ActionOutcome, routingRule, routingRuleExecution } from "./schema.js";

export interface RoutingDeps {
  db: Db;
  clock: Clock;
  bus?: Pick<Bus, "broadcast">;
}

type Rule = typeof routingRule.$inferSelect;

/** The rules that apply to this kind of item, in their order. */
async function activeRules(db: DbOrTx, organizationId: string, kind: RoutingSubject["kind"]) {
  const rows = await db
    .select()
    .from(routingRule)
    .where(and(eq(routingRule.organizationId, organizationId), eq(routingRule.isActive, true)))
    .orderBy(asc(routingRule.position), asc(routingRule.createdAt));
  return rows.filter((r) => r.appliesTo === "both" || r.appliesTo === kind);
}

/** Runs the organization's rules over new mentions (the pipeline, after analysis and storage). */
export async function routeMentions(
  deps: RoutingDeps,
  props: { organizationId: string; mentionIds: string[] },
) {
  // Most batches meet no rule at all: one cheap query, and the mentions are not read again.
  if ((await activeRules(deps.db, props.organizationId, "mention")).length === 0) return [];
  const subjects = await mentionSubjects(deps.db, props.organizationId, props.mentionIds);
  return runRoutingRules(deps, { organizationId: props.organizationId, subjects });
}

/** Runs the organization's rules over one new incoming message (the inbox, after it is stored). */
export async function routeMessage(deps: RoutingDeps, props: { organizationId: string; messageId: string }) {
  // Without rules for messages the text is not analysed again.
  if ((await activeRules(deps.db, props.organizationId, "message")).length === 0) return [];
  const subject = await messageSubject(deps.db, props.organizationId, props.messageId);
  if (!subject) return [];
  return runRoutingRules(deps, { organizationId: props.organizationId, subjects: [subject] });
}

export interface Execution {
  ruleId: string;
  itemType: RoutingSubject["kind"];
  itemId: string;
  matchedConditions: number[];
  outcomes: ActionOutcome[];
  stoppedFurtherRules: boolean;
}

/**
 * For each item, the rules in order: a matching rule runs its actions (each on its own, so one
 * failing does not stop the others) and is logged; a rule that stops further rules ends the list
 * for that item. An item a rule has run on already (redelivery) is not acted on twice.
 */
export async function runRoutingRules(
  deps: RoutingDeps,
  props: { organizationId: string; subjects: RoutingSubject[] },
): Promise<Execution[]> {
  if (props.subjects.length === 0) return [];
  const executions: Execution[] = [];
  const byKind = new Map<string, Rule[]>();
  const context = await evaluationContext(deps.db, props.organizationId);
  for (const subject of props.subjects) {
    if (!byKind.has(subject.kind))
      byKind.set(subject.kind, await activeRules(deps.db, props.organizationId, subject.kind));
    for (const rule of byKind.get(subject.kind)!) {
      const verdict = evaluateRule(rule, subject, context);
      if (!verdict.matched) continue;
      const [logged] = await deps.db
        .insert(routingRuleExecution)
        .values({
          organizationId: props.organizationId,
          ruleId: rule.id,
          ruleName: rule.name,
          itemType: subject.kind,
          itemId: subject.id,
          matchedConditions: verdict.matchedConditions,
          outcomes: [],
          stoppedFurtherRules: rule.stopsFurtherRules,
          executedAt: deps.clock.now(),
        })
        .onConflictDoNothing()
        .returning({ id: routingRuleExecution.id });
      if (logged) {
        const outcomes = await performActions(deps, { organizationId: props.organizationId, rule, subject });
        await deps.db
          .update(routingRuleExecution)
          .set({ outcomes })
          .where(eq(routingRuleExecution.id, logged.id));
        executions.push({
          ruleId: rule.id,
          itemType: subject.kind,
          itemId: subject.id,
          matchedConditions: verdict.matchedConditions,
          outcomes,
          stoppedFurtherRules: rule.stopsFurtherRules,
        });
      }
      if (rule.stopsFurtherRules) break;
    }
  }
  return executions;
}

interface ActionRun {
  organizationId: string;
  rule: Rule;
  subject: RoutingSubject;
}

/** What a rule is to the audit log: no person, the rule's id in the details. */
function ruleActor(organizationId: string): AuditActor & { memberId: null } {
  return { organizationId, userId: null, memberId: null };
}

async function performActions(deps: RoutingDeps, run: ActionRun): Promise<ActionOutcome[]> {
  const outcomes: ActionOutcome[] = [];
  // A mention becomes a conversation once, for the first action that needs one.
  const state = { conversationId: run.subject.conversationId };
  const notified = new Set<string>();
  const changedConversations = new Set<string>();
  for (const action of run.rule.actions) {
    try {
      const result = await performAction(deps, run, action, state);
      for (const id of result.notified ?? []) notified.add(id);
      if (result.conversationId) changedConversations.add(result.conversationId);
      outcomes.push({
        type: action.type,
        status: result.skipped ? "skipped" : "done",
        detail: result.detail,
      });
    } catch (error) {
      outcomes.push({
        type: action.type,
        status: "failed",
        detail: error instanceof Error ? error.message : String(error),
      });
    }
  }
  if (changedConversations.size > 0) {
    deps.bus?.broadcast(conversationsChangedSubject, {
      organizationId: run.organizationId,
      conversationIds: [...changedConversations],
      action: "conversation.routed",
    });
  }
  if (notified.size > 0) {
    deps.bus?.broadcast(notificationsCreatedSubject, {
      organizationId: run.organizationId,
      memberIds: [...notified],
    });
  }
  return outcomes;
}

interface ActionResult {
  detail: string;
  skipped?: boolean;
  notified?: string[];
  conversationId?: string;
}

async function performAction(
  deps: RoutingDeps,
  run: ActionRun,
  action: RuleAction,
  state: { conversationId: string | null },
): Promise<ActionResult> {
  const { organizationId, rule, subject } = run;
  const actor = ruleActor(organizationId);
  const now = deps.clock.now();
  const audit = (
    tx: DbOrTx,
    entry: { action: string; entityType: string; entityId: string; details?: object },
  ) => recordAudit(tx, actor, { ...entry, details: { ...entry.details, ruleId: rule.id } });
  switch (action.type) {
    case "assign": {
      if (!action.departmentId && !action.assigneeMemberId)
        throw new ValidationError("Nothing to assign to.");
      const conversationId = await ensureConversation(deps, run, state);
      return deps.db.transaction(async (tx) => {
        if (action.departmentId) await assertDepartment(tx, organizationId, action.departmentId);
        if (action.assigneeMemberId) await assertWriter(tx, organizationId, action.assigneeMemberId);
        const set = {
          ...(action.departmentId ? { departmentId: action.departmentId } : {}),
          ...(action.assigneeMemberId ? { assigneeMemberId: action.assigneeMemberId } : {}),
        };
        await tx.update(conversation).set(set).where(eq(conversation.id, conversationId));
        await audit(tx, {
          action: "conversation.assigned",
          entityType: "conversation",
          entityId: conversationId,
          details: { to: set },
        });
        const notified = action.assigneeMemberId
          ? await notifyMembers(tx, {
              organizationId,
              memberIds: [action.assigneeMemberId],
              actorMemberId: null,
              kind: "conversation.assigned",
              title: "A conversation was assigned to you",
              conversationId,
              details: { ruleId: rule.id },
              at: now,
            })
          : [];
        return { detail: `conversation ${conversationId}`, notified, conversationId };
      });
    }
    case "set_priority": {
      const conversationId = await ensureConversation(deps, run, state);
      await deps.db.transaction(async (tx) => {
        await tx
          .update(conversation)
          .set({ priority: action.priority })
          .where(eq(conversation.id, conversationId));
        await audit(tx, {
          action: "conversation.prioritized",
          entityType: "conversation",
          entityId: conversationId,
          details: { to: action.priority },
        });
      });
      return { detail: `conversation ${conversationId}: priority ${action.priority}`, conversationId };
    }
    case "add_labels": {
      const conversationId = await ensureConversation(deps, run, state);
      return deps.db.transaction(async (tx) => {
        const [current] = await tx
          .select({ labels: conversation.labels })
          .from(conversation)
          .where(eq(conversation.id, conversationId))
          .for("update");
        const labels = [
          ...new Set([...(current?.labels ?? []), ...action.labels.map(normalizeLabel)]),
        ].filter(Boolean);
        await tx.update(conversation).set({ labels }).where(eq(conversation.id, conversationId));
        await audit(tx, {
          action: "conversation.labeled",
          entityType: "conversation",
          entityId: conversationId,
          details: { from: current?.labels ?? [], to: labels },
        });
        return { detail: `conversation ${conversationId}: ${labels.join(", ")}`, conversationId };
      });
    }
    case "forward_insight":
    case "create_lead": {
      const departmentId =
        action.departmentId ??
        (action.type === "create_lead" ? await salesDepartment(deps.db, organizationId) : undefined);
      if (!departmentId) throw new ValidationError("No department to forward to.");
      const result = await deps.db.transaction((tx) =>
        forwardInsight(tx, actor, {
          departmentId,
          note: action.note || `Forwarded by the rule "${rule.name}".`,
          kind: action.type === "create_lead" ? "lead" : "insight",
          ...(subject.kind === "mention"
            ? { mentionId: subject.id }
            : { conversationId: subject.conversationId! }),
          ruleId: rule.id,
          at: now,
        }),
      );
      return { detail: `insight ${result.insight.id}`, notified: result.notified };
    }
    case "notify": {
      return deps.db.transaction(async (tx) => {
        const recipients = new Set<string>();
        if (action.memberIds.length > 0) {
          const known = await tx
            .select({ id: member.id })
            .from(member)
            .where(and(eq(member.organizationId, organizationId), inArray(member.id, action.memberIds)));
          for (const m of known) recipients.add(m.id);
        }
        if (action.departmentId) {
          const inDepartment = await tx
            .select({ id: memberDepartment.memberId })
            .from(memberDepartment)
            .where(
              and(
                eq(memberDepartment.organizationId, organizationId),
                eq(memberDepartment.departmentId, action.departmentId),
              ),
            );
          for (const m of inDepartment) recipients.add(m.id);
        }
        if (recipients.size === 0) return { detail: "nobody to notify", skipped: true };
        const notified = await notifyMembers(tx, {
          organizationId,
          memberIds: [...recipients],
          actorMemberId: null,
          kind: "automation.rule_matched",
          title: `The rule "${rule.name}" matched a new ${subject.kind}`,
          conversationId: state.conversationId ?? undefined,
          link: state.conversationId ? undefined : `/listening/mentions`,
          details: { ruleId: rule.id, itemType: subject.kind, itemId: subject.id },
          at: now,
        });
        return { detail: `${notified.length} notified`, notified };
      });
    }
    case "hide_pending_review": {
      if (subject.kind !== "mention") return { detail: "only posts can be hidden", skipped: true };
      const held = await deps.db.transaction((tx) =>
        holdForReview(tx, actor, { mentionId: subject.id, ruleId: rule.id, at: now }),
      );
      return held.held
        ? { detail: `held for review (${held.reason})` }
        : { detail: held.reason, skipped: true };
    }
    case "auto_acknowledge": {
      const conversationId = await ensureConversation(deps, run, state);
      return deps.db.transaction(async (tx) => {
        const [current] = await tx
          .select({ id: conversation.id, channelId: conversation.channelId, status: conversation.status })
          .from(conversation)
          .where(eq(conversation.id, conversationId))
          .for("update");
        const [account] = await tx
          .select({ network: channelAccount.network })
          .from(channelAccount)
          .where(
            and(
              eq(channelAccount.organizationId, organizationId),
              eq(channelAccount.channelId, current!.channelId),
            ),
          );
        if (!account || !connectors[account.network]?.outbound) {
          return { detail: "this channel cannot send replies", skipped: true };
        }
        const template = await findCannedResponse(tx, { organizationId }, action.cannedResponseId);
        const values = await acknowledgementValues(tx, organizationId, conversationId);
        const body = fillTemplate(template.body, values);
        const [sent] = await tx
          .insert(message)
          .values({
            organizationId,
            conversationId,
            direction: "outgoing",
            authorName: values["organization.name"] ?? "Konversa",
            body,
            sentAt: now,
            deliveryState: "queued",
            nextAttemptAt: now,
            idempotencyKey: randomUUID(),
          })
          .returning({ id: message.id });
        // An acknowledgement is no answer: the response clocks keep running for a person to reply.
        await tx.update(conversation).set({ lastMessageAt: now }).where(eq(conversation.id, conversationId));
        await audit(tx, {
          action: "conversation.auto_acknowledged",
          entityType: "conversation",
          entityId: conversationId,
          details: { messageId: sent!.id, cannedResponseId: template.id },
        });
        return { detail: `reply ${sent!.id} queued`, conversationId };
      });
    }
  }
}

/** The conversation of the item: a message's own, or the one a mention is (or becomes) in the inbox. */
async function ensureConversation(
  deps: RoutingDeps,
  run: ActionRun,
  state: { conversationId: string | null },
) {
  if (state.conversationId) return state.conversationId;
  const [found] = await deps.db
    .select({ mention, handle: socialIdentity.handle, displayName: socialIdentity.displayName })
    .from(mention)
    .leftJoin(socialIdentity, eq(socialIdentity.id, mention.identityId))
    .where(and(eq(mention.organizationId, run.organizationId), eq(mention.id, run.subject.id)));
  if (!found) throw new NotFoundError("The mention");
  const m = found.mention;
  const [existing] = await deps.db
    .select({ id: conversation.id })
    .from(message)
    .innerJoin(conversation, eq(conversation.id, message.conversationId))
    .where(and(eq(message.organizationId, run.organizationId), eq(message.externalId, m.externalId)))
    .limit(1);
  state.conversationId =
    existing?.id ??
    (
      await openConversation(deps, ruleActor(run.organizationId), {
        network: m.network,
        externalId: m.externalId,
        authorName: found.displayName ?? (found.handle ? `@${found.handle}` : "unknown"),
        text: m.text,
        postedAt: m.postedAt,
        isPublic: true,
        language: m.language,
        sentiment: m.sentiment,
        urgency: m.urgency,
        hasPii: m.hasPii,
        source: { type: "routing_rule", id: run.rule.id },
      })
    ).id;
  return state.conversationId;
}

async function acknowledgementValues(tx: DbOrTx, organizationId: string, conversationId: string) {
  const [org] = await tx
    .select({ name: organization.name })
    .from(organization)
    .where(eq(organization.id, organizationId));
  const [first] = await tx
    .select({ authorName: message.authorName })
    .from(message)
    .where(and(eq(message.conversationId, conversationId), eq(message.direction, "incoming")))
    .orderBy(asc(message.sentAt))
    .limit(1);
  const customer = first?.authorName.replace(/^@/, "") ?? null;
  return {
    "contact.name": customer,
    "contact.first_name": customer?.split(/\s+/)[0] ?? null,
    "agent.name": org?.name ?? null,
    "agent.first_name": org?.name ?? null,
    "organization.name": org?.name ?? null,
  };
}

async function salesDepartment(db: DbOrTx, organizationId: string) {
  const [sales] = await db
    .select({ id: department.id })
    .from(department)
    .where(and(eq(department.organizationId, organizationId), eq(department.key, "sales")));
  return sales?.id;
}

async function assertDepartment(tx: DbOrTx, organizationId: string, departmentId: string) {
  const [found] = await tx
    .select({ id: department.id })
    .from(department)
    .where(and(eq(department.organizationId, organizationId), eq(department.id, departmentId)));
  if (!found) throw new ValidationError("The department of this rule no longer exists.");
}

async function assertWriter(tx: DbOrTx, organizationId: string, memberId: string) {
  const [found] = await tx
    .select({ role: member.role })
    .from(member)
    .where(and(eq(member.organizationId, organizationId), eq(member.id, memberId)));
  if (!found) throw new ValidationError("The colleague of this rule is no longer a member.");
  if (!writerRoles.includes(found.role)) {
    throw new ValidationError(`A member with role "${found.role}" cannot work conversations.`);
  }
}
