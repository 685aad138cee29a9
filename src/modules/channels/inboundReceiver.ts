import { and, eq, inArray } from "drizzle-orm";
import type { InboundMessage } from "../../connectors/connector.js";
import type { AuditActor } from "../../platform/audit/audit.js";
import type { NormalizedPost } from "../../platform/posts/normalizedPost.js";
import { routeMessage } from "../automation/routingRuleRunner.js";
import { receiveMessage } from "../conversations/messageReceiver.js";
import { conversation, message } from "../conversations/schema.js";
import type { InboxDeps } from "../conversations/workflow.js";

export interface ReceiveInboundProps {
  organizationId: string;
  channelId: string;
  messages: InboundMessage[];
  posts: NormalizedPost[];
  /** The ingest gateway: public posts become mentions there (deduplicated by network and id). */
  submitPosts(organizationId: string, posts: NormalizedPost[]): Promise<void>;
}

/**
 * Hands what a connector received to the product: posts to the ingest gateway, messages to the
 * inbox. A message already stored on this channel is skipped; one that answers a stored message
 * (the customer's or our reply) continues that conversation, any other opens a new one.
 */
export async function receiveInbound(deps: InboxDeps, props: ReceiveInboundProps) {
  if (props.posts.length > 0) await props.submitPosts(props.organizationId, props.posts);
  const actor: AuditActor = { organizationId: props.organizationId, userId: null };
  let received = 0;
  for (const m of props.messages) {
    const thread = [
      ...(m.parentExternalId ? [m.parentExternalId] : []),
      ...[...(m.threadExternalIds ?? [])].reverse(),
    ];
    const ids = [m.externalId, ...thread];
    const known = await deps.db
      .select({ externalId: message.externalId, conversationId: message.conversationId })
      .from(message)
      .innerJoin(conversation, eq(conversation.id, message.conversationId))
      .where(
        and(
          eq(message.organizationId, props.organizationId),
          eq(conversation.channelId, props.channelId),
          inArray(message.externalId, ids),
        ),
      );
    if (known.some((k) => k.externalId === m.externalId)) continue;
    // The direct parent first, then the thread's ids from the newest back (e-mail References).
    const parent = thread.map((id) => known.find((k) => k.externalId === id)).find(Boolean);
    const result = await receiveMessage(deps, actor, {
      channelId: props.channelId,
      conversationId: parent?.conversationId,
      externalId: m.externalId,
      authorName: m.authorName,
      text: m.text,
      sentAt: m.sentAt,
      isPublic: m.isPublic,
      subject: m.subject,
      attachments: m.attachments,
    });
    if (!result.duplicate) received += 1;
    if (result.messageId && !result.duplicate) {
      await routeMessage(deps, { organizationId: props.organizationId, messageId: result.messageId });
    }
  }
  return { received, posts: props.posts.length };
}
