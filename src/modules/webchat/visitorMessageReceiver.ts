import { randomUUID } from "node:crypto";
import { and, eq } from "drizzle-orm";
import { webchatLimits } from "../../connectors/webchat/webchatProtocol.js";
import type { AuditActor } from "../../platform/audit/audit.js";
import { ValidationError } from "../../platform/errors.js";
import { receiveMessage } from "../conversations/messageReceiver.js";
import { message } from "../conversations/schema.js";
import type { InboxDeps } from "../conversations/workflow.js";
import { webchatAttachment, webchatSession } from "./schema.js";
import type { VisitorSession } from "./visitorSessions.js";
import type { WebchatChannel } from "./webchatChannels.js";

export interface ReceiveVisitorMessageProps {
  chat: WebchatChannel;
  session: VisitorSession;
  /** The widget's id of the message: the same id is stored once. */
  clientId: string;
  /** As typed: markup is kept as text (the inbox and the widget never interpret it). */
  text: string;
}

/**
 * A visitor writes in the chat: the first message opens the session's conversation (private, linked
 * to the visitor's contact), later ones continue it and reopen it when it was resolved.
 */
export async function receiveVisitorMessage(deps: InboxDeps, props: ReceiveVisitorMessageProps) {
  const text = props.text.trim();
  if (!text) throw new ValidationError("Write a message first.");
  if (text.length > webchatLimits.maxMessageLength) {
    throw new ValidationError(
      `A message can have at most ${webchatLimits.maxMessageLength} characters; this one has ${text.length}. Split it into several messages.`,
    );
  }
  return storeVisitorMessage(deps, props.session, { clientId: props.clientId, text, chat: props.chat });
}

export interface ReceiveVisitorAttachmentProps {
  chat: WebchatChannel;
  session: VisitorSession;
  clientId: string;
  fileName: string;
  contentType: string;
  /** The file in base64. */
  data: string;
  /** Where agents download it (`<baseUrl>/api/v1/webchat/attachments/<id>`). */
  baseUrl: string;
}

/** Magic numbers of the binary types, so a renamed file of another kind is refused. */
const signatures: Record<string, number[][]> = {
  "image/png": [[0x89, 0x50, 0x4e, 0x47]],
  "image/jpeg": [[0xff, 0xd8, 0xff]],
  "image/gif": [[0x47, 0x49, 0x46, 0x38]],
  "image/webp": [[0x52, 0x49, 0x46, 0x46]],
  "application/pdf": [[0x25, 0x50, 0x44, 0x46]],
};

/**
 * A visitor sends a file: checked for size and type (the declared type and the file's first bytes),
 * stored, and shown in the conversation as a message naming it with the agents' download link.
 */
export async function receiveVisitorAttachment(deps: InboxDeps, props: ReceiveVisitorAttachmentProps) {
  const allowed: readonly string[] = webchatLimits.attachmentTypes;
  if (!allowed.includes(props.contentType)) {
    throw new ValidationError(
      `Files of type ${props.contentType || "unknown"} cannot be sent; send PNG, JPEG, GIF, WebP, PDF or plain text.`,
    );
  }
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(props.data)) {
    throw new ValidationError("The file did not arrive intact (not base64); try sending it again.");
  }
  const content = Buffer.from(props.data, "base64");
  if (content.length === 0) throw new ValidationError("The file is empty.");
  if (content.length > webchatLimits.maxAttachmentBytes) {
    throw new ValidationError(
      `A file can be at most ${webchatLimits.maxAttachmentBytes / 1024 / 1024} MB; this one has ${(content.length / 1024 / 1024).toFixed(1)} MB.`,
    );
  }
  const expected = signatures[props.contentType];
  if (expected && !expected.some((sig) => sig.every((byte, i) => content[i] === byte))) {
    throw new ValidationError(`The file is not really ${props.contentType}; send it in its own format.`);
  }
  const fileName = props.fileName.replace(/[\r\n\\/]/g, "_");
  const id = randomUUID();
  await deps.db.insert(webchatAttachment).values({
    id,
    organizationId: props.session.organizationId,
    sessionId: props.session.id,
    fileName,
    contentType: props.contentType,
    size: content.length,
    content: content.toString("base64"),
  });
  const size = content.length < 1024 ? `${content.length} B` : `${Math.ceil(content.length / 1024)} KB`;
  const text = `📎 ${fileName} (${size}) ${new URL(`/api/v1/webchat/attachments/${id}`, props.baseUrl).href}`;
  const stored = await storeVisitorMessage(deps, props.session, {
    clientId: props.clientId,
    text,
    chat: props.chat,
  });
  if (stored.messageId) {
    await deps.db
      .update(webchatAttachment)
      .set({ messageId: stored.messageId })
      .where(eq(webchatAttachment.id, id));
  }
  return stored;
}

async function storeVisitorMessage(
  deps: InboxDeps,
  session: VisitorSession,
  props: { clientId: string; text: string; chat: WebchatChannel },
) {
  const actor: AuditActor = { organizationId: session.organizationId, userId: null };
  const externalId = `webchat:${session.id}:${props.clientId}`;
  const received = await receiveMessage(deps, actor, {
    channelId: props.chat.channelId,
    conversationId: session.conversationId ?? undefined,
    externalId,
    authorName: session.visitorName,
    text: props.text,
    isPublic: false,
    contactId: session.contactId,
  });
  if (session.conversationId !== received.conversationId) {
    await deps.db
      .update(webchatSession)
      .set({ conversationId: received.conversationId })
      .where(eq(webchatSession.id, session.id));
    session.conversationId = received.conversationId;
  }
  let messageId = received.messageId;
  if (!messageId) {
    const [existing] = await deps.db
      .select({ id: message.id })
      .from(message)
      .where(and(eq(message.conversationId, received.conversationId), eq(message.externalId, externalId)));
    messageId = existing?.id ?? null;
  }
  return { conversationId: received.conversationId, messageId, duplicate: received.duplicate };
}
