import { createHash, randomBytes } from "node:crypto";
import { and, desc, eq, or } from "drizzle-orm";
import type { ChatLine } from "../../connectors/webchat/webchatProtocol.js";
import { type AuditActor, recordAudit } from "../../platform/audit/audit.js";
import type { Clock } from "../../platform/clock.js";
import type { Db, DbOrTx } from "../../platform/db/client.js";
import { contact } from "../contacts/schema.js";
import { message } from "../conversations/schema.js";
import { recordConsent } from "../privacy/consentRecorder.js";
import { webchatSession } from "./schema.js";
import type { WebchatChannel } from "./webchatChannels.js";

export type VisitorSession = typeof webchatSession.$inferSelect;

/** The token only the visitor's browser knows; the database keeps its SHA-256. */
export function hashVisitorToken(token: string) {
  return createHash("sha256").update(token).digest("hex");
}

export interface StartVisitorSessionProps {
  chat: WebchatChannel;
  /** The website the form was sent from (already checked against the allowed origins). */
  origin: string;
  name: string;
  email: string;
  language: "de" | "en";
  /** Whether someone could answer when the form was sent; if not, answers go by e-mail. */
  online: boolean;
}

/**
 * The pre-chat form was sent with the consent box ticked: the visitor becomes a contact of their
 * own, the consent is appended to the ledger with the privacy text they were shown (source: the web
 * chat's checkbox), and a session with a fresh token starts — all in one transaction, audited.
 */
export async function startVisitorSession(deps: { db: Db; clock: Clock }, props: StartVisitorSessionProps) {
  const now = deps.clock.now();
  const token = randomBytes(32).toString("base64url");
  const actor: AuditActor = { organizationId: props.chat.organizationId, userId: null };
  const session = await deps.db.transaction(async (tx) => {
    const [visitor] = await tx
      .insert(contact)
      .values({
        organizationId: props.chat.organizationId,
        displayName: props.name,
        email: props.email.toLowerCase(),
        locale: props.language,
        createdAt: now,
        updatedAt: now,
      })
      .returning({ id: contact.id });
    await recordAudit(tx, actor, {
      action: "contact.created",
      entityType: "contact",
      entityId: visitor!.id,
      details: { from: "webchat", channelId: props.chat.channelId },
    });
    await recordConsent(tx, actor, {
      contactId: visitor!.id,
      purpose: "service",
      state: "given",
      legalBasis: "consent",
      source: "web_chat_checkbox",
      wording: props.chat.settings.privacyText,
      at: now,
    });
    const [created] = await tx
      .insert(webchatSession)
      .values({
        organizationId: props.chat.organizationId,
        channelId: props.chat.channelId,
        contactId: visitor!.id,
        tokenHash: hashVisitorToken(token),
        visitorName: props.name,
        visitorEmail: props.email.toLowerCase(),
        language: props.language,
        origin: props.origin,
        emailFollowUp: !props.online,
        createdAt: now,
        lastSeenAt: now,
      })
      .returning();
    await recordAudit(tx, actor, {
      action: "webchat.session_started",
      entityType: "channel",
      entityId: props.chat.channelId,
      details: { sessionId: created!.id, contactId: visitor!.id, emailFollowUp: !props.online },
    });
    return created!;
  });
  return { session, token };
}

/** The session a returning visitor's token belongs to on this chat, or undefined. */
export async function resumeVisitorSession(
  deps: { db: Db; clock: Clock },
  props: { chat: WebchatChannel; token: string },
): Promise<VisitorSession | undefined> {
  const [found] = await deps.db
    .update(webchatSession)
    .set({ lastSeenAt: deps.clock.now() })
    .where(
      and(
        eq(webchatSession.channelId, props.chat.channelId),
        eq(webchatSession.tokenHash, hashVisitorToken(props.token)),
      ),
    )
    .returning();
  return found;
}

/** How many of the newest lines a widget is shown when it (re)connects. */
const historyLength = 100;

/** What the visitor sees of the conversation: their messages and the replies that were sent. */
export async function chatLines(db: DbOrTx, session: VisitorSession, conversationId?: string | null) {
  const id = conversationId ?? session.conversationId;
  if (!id) return [];
  const rows = await db
    .select()
    .from(message)
    .where(
      and(
        eq(message.organizationId, session.organizationId),
        eq(message.conversationId, id),
        or(
          eq(message.direction, "incoming"),
          and(eq(message.direction, "outgoing"), eq(message.deliveryState, "sent")),
        ),
      ),
    )
    .orderBy(desc(message.sentAt), desc(message.id))
    .limit(historyLength);
  return rows.reverse().map((row) => toLine(row, session.id));
}

const clientIdPattern = /^webchat:([0-9a-f-]{36}):(.+)$/;

function toLine(row: typeof message.$inferSelect, sessionId: string): ChatLine {
  const own = row.externalId ? clientIdPattern.exec(row.externalId) : null;
  return {
    id: row.id,
    from: row.direction === "incoming" ? "visitor" : "agent",
    author: row.authorName,
    text: row.body,
    sentAt: row.sentAt.toISOString(),
    ...(own && own[1] === sessionId ? { clientId: own[2] } : {}),
  };
}
