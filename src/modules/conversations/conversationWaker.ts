import { and, eq, lte } from "drizzle-orm";
import { recordAudit } from "../../platform/audit/audit.js";
import { conversation } from "./schema.js";
import { announce, type InboxDeps } from "./workflow.js";

/**
 * Opens every snoozed conversation whose time has come. Run by the inbox timer; safe to run on
 * several workers at once: the UPDATE locks each row and re-checks the status, so a conversation
 * wakes once.
 */
export async function wakeSnoozedConversations(deps: InboxDeps) {
  const now = deps.clock.now();
  const woken = await deps.db.transaction(async (tx) => {
    const rows = await tx
      .update(conversation)
      .set({ status: "open", snoozedUntil: null })
      .where(and(eq(conversation.status, "snoozed"), lte(conversation.snoozedUntil, now)))
      .returning({ id: conversation.id, organizationId: conversation.organizationId });
    for (const row of rows) {
      await recordAudit(
        tx,
        { organizationId: row.organizationId, userId: null },
        { action: "conversation.woke", entityType: "conversation", entityId: row.id, details: { at: now } },
      );
    }
    return rows;
  });
  const byOrganization = new Map<string, string[]>();
  for (const row of woken) {
    byOrganization.set(row.organizationId, [...(byOrganization.get(row.organizationId) ?? []), row.id]);
  }
  for (const [organizationId, conversationIds] of byOrganization) {
    announce(deps, { organizationId, conversationIds, action: "conversation.woke" });
  }
  return { woken: woken.length };
}
