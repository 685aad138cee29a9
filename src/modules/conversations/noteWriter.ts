import { and, eq, inArray } from "drizzle-orm";
import { recordAudit } from "../../platform/audit/audit.js";
import type { OrgContext } from "../../platform/auth/context.js";
import { user } from "../../platform/auth/schema.js";
import type { DbOrTx } from "../../platform/db/client.js";
import { ValidationError } from "../../platform/errors.js";
import { notifyMembers } from "../notifications/notifications.js";
import { member } from "../organizations/schema.js";
import { message } from "./schema.js";
import { announce, type InboxDeps, lockConversation } from "./workflow.js";

export interface WriteNoteProps {
  conversationId: string;
  /** The note; the customer never sees it. */
  body: string;
  /** Colleagues @mentioned (picked in the editor); each gets a notification. */
  mentionedMemberIds: string[];
}

/** A private note on a conversation for the colleagues, notifying everyone it @mentions. */
export async function writeNote(deps: InboxDeps, ctx: OrgContext, props: WriteNoteProps) {
  const body = props.body.trim();
  if (!body) throw new ValidationError("A note needs some text.");
  const now = deps.clock.now();
  const result = await deps.db.transaction(async (tx) => {
    const current = await lockConversation(tx, ctx, props.conversationId);
    const mentioned = [...new Set(props.mentionedMemberIds)];
    await assertMembers(tx, ctx.organizationId, mentioned);
    const [created] = await tx
      .insert(message)
      .values({
        organizationId: ctx.organizationId,
        conversationId: current.id,
        direction: "note",
        authorName: await memberName(tx, ctx.memberId),
        authorMemberId: ctx.memberId,
        body,
        mentionedMemberIds: mentioned,
        sentAt: now,
      })
      .returning({ id: message.id, sentAt: message.sentAt });
    await recordAudit(tx, ctx, {
      action: "conversation.note_added",
      entityType: "conversation",
      entityId: current.id,
      details: { messageId: created!.id, mentionedMemberIds: mentioned },
    });
    const notified = await notifyMembers(tx, {
      organizationId: ctx.organizationId,
      memberIds: mentioned,
      actorMemberId: ctx.memberId,
      kind: "conversation.mentioned",
      title: "You were mentioned in a note",
      conversationId: current.id,
      details: { messageId: created!.id },
      at: now,
    });
    return { id: created!.id, conversationId: current.id, notified };
  });
  announce(
    deps,
    {
      organizationId: ctx.organizationId,
      conversationIds: [result.conversationId],
      action: "conversation.note_added",
    },
    { organizationId: ctx.organizationId, memberIds: result.notified },
  );
  return { id: result.id, notifiedMemberIds: result.notified };
}

async function assertMembers(tx: DbOrTx, organizationId: string, memberIds: string[]) {
  if (memberIds.length === 0) return;
  const found = await tx
    .select({ id: member.id })
    .from(member)
    .where(and(eq(member.organizationId, organizationId), inArray(member.id, memberIds)));
  if (found.length !== memberIds.length) {
    throw new ValidationError("Someone @mentioned is not a member of this organization.", { memberIds });
  }
}

/** The display name of a colleague, as it appears on their notes and replies. */
export async function memberName(tx: DbOrTx, memberId: string): Promise<string> {
  const [row] = await tx
    .select({ name: user.name })
    .from(member)
    .innerJoin(user, eq(user.id, member.userId))
    .where(eq(member.id, memberId));
  return row?.name ?? "Konversa";
}
