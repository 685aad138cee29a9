import type { OrgContext } from "../../platform/auth/context.js";
import { memberName } from "./noteWriter.js";
import { findVisibleConversation, type InboxDeps } from "./workflow.js";

export const presenceStates = ["viewing", "typing"] as const;
export type PresenceState = (typeof presenceStates)[number];

export const conversationsPresenceSubject = "events.conversations.presence";

export interface AnnouncePresenceProps {
  /** The conversation the member has open; it must be visible to them. */
  conversationId: string;
  /** viewing: the conversation is open; typing: a reply or note is being written. */
  state: PresenceState;
}

/**
 * Tells colleagues who else works on a conversation right now ("Anna is typing"), so two people do
 * not answer the same customer. Nothing is stored; the event carries ids and the member's name, no text.
 */
export async function announcePresence(deps: InboxDeps, ctx: OrgContext, props: AnnouncePresenceProps) {
  const found = await findVisibleConversation(deps.db, ctx, props.conversationId);
  deps.bus.broadcast(conversationsPresenceSubject, {
    organizationId: ctx.organizationId,
    conversationId: found.id,
    memberId: ctx.memberId,
    memberName: await memberName(deps.db, ctx.memberId),
    state: props.state,
    at: deps.clock.now().toISOString(),
  });
}
