import type { OrgContext } from "../../platform/auth/context.js";
import { AppError, ValidationError } from "../../platform/errors.js";
import { assignConversation } from "./conversationAssigner.js";
import { labelConversation } from "./conversationLabeler.js";
import { changeConversationStatus } from "./conversationStatusChanger.js";
import type { InboxDeps } from "./workflow.js";

export type BulkAction =
  | { type: "assign"; assigneeMemberId?: string | null; departmentId?: string | null }
  | { type: "resolve" }
  | { type: "label"; add?: string[]; remove?: string[] }
  | { type: "snooze"; until: Date };

export interface BulkUpdateProps {
  /** The selection in the inbox. */
  conversationIds: string[];
  action: BulkAction;
}

export const maxBulkSelection = 100;

export interface BulkItemResult {
  conversationId: string;
  ok: boolean;
  error?: { code: string; message: string };
}

/**
 * Applies one work action to a selection, each conversation in its own transaction with its own
 * audit entry, so one that fails (not visible, already gone, not allowed) does not hold up the rest.
 */
export async function updateConversations(deps: InboxDeps, ctx: OrgContext, props: BulkUpdateProps) {
  const ids = [...new Set(props.conversationIds)];
  if (ids.length === 0) throw new ValidationError("Select at least one conversation.");
  if (ids.length > maxBulkSelection) {
    throw new ValidationError(`Select at most ${maxBulkSelection} conversations at once.`);
  }
  const results: BulkItemResult[] = [];
  for (const conversationId of ids) {
    try {
      await applyOne(deps, ctx, conversationId, props.action);
      results.push({ conversationId, ok: true });
    } catch (error) {
      if (!(error instanceof AppError)) throw error;
      results.push({ conversationId, ok: false, error: { code: error.code, message: error.message } });
    }
  }
  return {
    results,
    succeeded: results.filter((r) => r.ok).length,
    failed: results.filter((r) => !r.ok).length,
  };
}

async function applyOne(deps: InboxDeps, ctx: OrgContext, conversationId: string, action: BulkAction) {
  switch (action.type) {
    case "assign":
      return assignConversation(deps, ctx, {
        conversationId,
        assigneeMemberId: action.assigneeMemberId,
        departmentId: action.departmentId,
      });
    case "resolve":
      return changeConversationStatus(deps, ctx, { conversationId, status: "resolved" });
    case "label":
      return labelConversation(deps, ctx, { conversationId, add: action.add, remove: action.remove });
    case "snooze":
      return changeConversationStatus(deps, ctx, {
        conversationId,
        status: "snoozed",
        snoozedUntil: action.until,
      });
  }
}
