import { and, asc, count, eq, gte, inArray, isNull, lte, ne, or, type SQL, sql } from "drizzle-orm";
import { recordAudit } from "../../platform/audit/audit.js";
import type { OrgContext } from "../../platform/auth/context.js";
import { seesAllDepartments } from "../../platform/auth/roles.js";
import type { DbOrTx } from "../../platform/db/client.js";
import { conversation } from "../conversations/schema.js";
import {
  announce,
  type InboxDeps,
  notificationsCreatedSubject,
  slaBreachedSubject,
} from "../conversations/workflow.js";
import { notifyMembers } from "../notifications/notifications.js";
import { department, member } from "../organizations/schema.js";
import { type SlaTarget, slaBreach } from "./schema.js";

const dueColumns = {
  first_response: conversation.firstResponseDueAt,
  next_response: conversation.nextResponseDueAt,
  resolution: conversation.resolutionDueAt,
} as const;

export interface DetectedBreach {
  organizationId: string;
  conversationId: string;
  target: SlaTarget;
  dueAt: Date;
}

/**
 * Records every due time that has passed without its answer, once: the conversation rows are
 * locked (others skip them), and the unique key (conversation, target, due time) makes a second
 * run — here or on another worker — find nothing new. Each breach notifies the assignee and the
 * department's lead (or, without a lead, the core team) and counts towards the breach KPIs.
 */
export async function detectSlaBreaches(deps: InboxDeps, options: { batchSize?: number } = {}) {
  const now = deps.clock.now();
  const batchSize = options.batchSize ?? 200;
  const detected: DetectedBreach[] = [];
  const notified = new Map<string, Set<string>>();
  for (;;) {
    const batch = await deps.db.transaction(async (tx) => {
      const overdue = (target: SlaTarget): SQL =>
        and(
          lte(dueColumns[target], now),
          sql`not exists (select 1 from ${slaBreach} where ${slaBreach.conversationId} = ${conversation.id} and ${slaBreach.target} = ${target} and ${slaBreach.dueAt} = ${dueColumns[target]})`,
        )!;
      const rows = await tx
        .select()
        .from(conversation)
        .where(
          and(
            ne(conversation.status, "resolved"),
            or(overdue("first_response"), overdue("next_response"), overdue("resolution")),
          ),
        )
        .orderBy(asc(conversation.id))
        .limit(batchSize)
        .for("update", { skipLocked: true });
      const found: DetectedBreach[] = [];
      for (const row of rows) {
        for (const target of Object.keys(dueColumns) as SlaTarget[]) {
          const dueAt = row[dueColumnKey[target]];
          if (!dueAt || dueAt > now) continue;
          const [inserted] = await tx
            .insert(slaBreach)
            .values({
              organizationId: row.organizationId,
              conversationId: row.id,
              target,
              dueAt,
              departmentId: row.departmentId,
              assigneeMemberId: row.assigneeMemberId,
              breachedAt: now,
            })
            .onConflictDoNothing()
            .returning({ id: slaBreach.id });
          if (!inserted) continue;
          found.push({ organizationId: row.organizationId, conversationId: row.id, target, dueAt });
          await recordAudit(
            tx,
            { organizationId: row.organizationId, userId: null },
            {
              action: "conversation.sla_breached",
              entityType: "conversation",
              entityId: row.id,
              details: { target, dueAt, breachId: inserted.id },
            },
          );
          const recipients = await breachRecipients(tx, row);
          const memberIds = await notifyMembers(tx, {
            organizationId: row.organizationId,
            memberIds: recipients,
            actorMemberId: null,
            kind: "sla.breached",
            title: `A ${target.replace("_", " ")} is overdue`,
            conversationId: row.id,
            details: { target, dueAt },
            at: now,
          });
          const set = notified.get(row.organizationId) ?? new Set<string>();
          for (const id of memberIds) set.add(id);
          notified.set(row.organizationId, set);
        }
      }
      return { found, scanned: rows.length };
    });
    detected.push(...batch.found);
    if (batch.scanned < batchSize) break;
  }
  for (const breach of detected) deps.bus.broadcast(slaBreachedSubject, breach);
  const byOrganization = new Map<string, string[]>();
  for (const b of detected) {
    byOrganization.set(b.organizationId, [...(byOrganization.get(b.organizationId) ?? []), b.conversationId]);
  }
  for (const [organizationId, conversationIds] of byOrganization) {
    announce(deps, {
      organizationId,
      conversationIds: [...new Set(conversationIds)],
      action: "conversation.sla_breached",
    });
  }
  for (const [organizationId, memberIds] of notified) {
    if (memberIds.size > 0) {
      deps.bus.broadcast(notificationsCreatedSubject, { organizationId, memberIds: [...memberIds] });
    }
  }
  return { breaches: detected };
}

const dueColumnKey = {
  first_response: "firstResponseDueAt",
  next_response: "nextResponseDueAt",
  resolution: "resolutionDueAt",
} as const;

/** The assignee, and the department's lead — or the core team when there is no lead. */
async function breachRecipients(
  tx: DbOrTx,
  row: { organizationId: string; departmentId: string | null; assigneeMemberId: string | null },
) {
  const recipients = row.assigneeMemberId ? [row.assigneeMemberId] : [];
  if (row.departmentId) {
    const [found] = await tx
      .select({ leadMemberId: department.leadMemberId })
      .from(department)
      .where(eq(department.id, row.departmentId));
    if (found?.leadMemberId) return [...recipients, found.leadMemberId];
  }
  const coreTeam = await tx
    .select({ id: member.id })
    .from(member)
    .where(and(eq(member.organizationId, row.organizationId), eq(member.role, "core_team")));
  return [...recipients, ...coreTeam.map((m) => m.id)];
}

export interface BreachStatsQuery {
  from: Date;
  to: Date;
}

/** Breaches per department and target in a period: the service-level KPI. Agents see their departments'. */
export async function slaBreachStats(db: DbOrTx, ctx: OrgContext, query: BreachStatsQuery) {
  const conditions: SQL[] = [
    eq(slaBreach.organizationId, ctx.organizationId),
    gte(slaBreach.breachedAt, query.from),
    lte(slaBreach.breachedAt, query.to),
  ];
  if (!seesAllDepartments(ctx.role)) {
    conditions.push(
      ctx.departmentIds.length > 0
        ? or(inArray(slaBreach.departmentId, ctx.departmentIds), isNull(slaBreach.departmentId))!
        : isNull(slaBreach.departmentId),
    );
  }
  const rows = await db
    .select({ departmentId: slaBreach.departmentId, target: slaBreach.target, breaches: count() })
    .from(slaBreach)
    .where(and(...conditions))
    .groupBy(slaBreach.departmentId, slaBreach.target)
    .orderBy(asc(slaBreach.departmentId), asc(slaBreach.target));
  return {
    from: query.from,
    to: query.to,
    total: rows.reduce((sum, r) => sum + Number(r.breaches), 0),
    byDepartment: rows.map((r) => ({ ...r, breaches: Number(r.breaches) })),
  };
}
