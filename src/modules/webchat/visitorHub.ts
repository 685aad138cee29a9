import type { ChatLine, ServerFrame } from "../../connectors/webchat/webchatProtocol.js";
import type { Bus } from "../../platform/bus/index.js";
import type { Db } from "../../platform/db/client.js";
import { conversationsPresenceSubject } from "../conversations/presenceAnnouncer.js";
import { type ConversationsChanged, conversationsChangedSubject } from "../conversations/workflow.js";
import { chatLines, type VisitorSession } from "./visitorSessions.js";

/** One open widget: its session, the lines it already shows, and how to send it a frame. */
export interface VisitorConnection {
  session: VisitorSession;
  shown: Set<string>;
  send(frame: ServerFrame): void;
}

interface PresenceEvent {
  organizationId: string;
  conversationId: string;
  memberName: string;
  state: string;
  /** Set on the visitor's own typing, which goes to the inbox, not back to the widget. */
  visitor?: boolean;
}

/**
 * The widgets connected to this process, by conversation. It listens to the inbox's realtime
 * subjects (from any process, through NATS when scaled out): when a conversation with an open widget
 * changes — a reply marked sent by the outbound queue, a message from another tab — the widget gets
 * the lines it does not show yet; when an agent types in it, the widget shows so.
 */
export class VisitorHub {
  private readonly byConversation = new Map<string, Set<VisitorConnection>>();
  private readonly unsubscribe: Array<() => void>;

  constructor(private readonly deps: { db: Db; bus: Pick<Bus, "subscribe"> }) {
    this.unsubscribe = [
      deps.bus.subscribe<ConversationsChanged>(conversationsChangedSubject, (change) => {
        for (const id of change.conversationIds) {
          if (this.byConversation.has(id)) void this.refresh(id);
        }
      }),
      deps.bus.subscribe<PresenceEvent>(conversationsPresenceSubject, (event) => {
        if (event.visitor || event.state !== "typing") return;
        for (const connection of this.byConversation.get(event.conversationId) ?? []) {
          connection.send({ type: "typing", author: event.memberName });
        }
      }),
    ];
  }

  /** The widget shows the conversation from now on (after the session started or resumed, or its first message). */
  attach(connection: VisitorConnection, lines: ChatLine[]) {
    for (const line of lines) connection.shown.add(line.id);
    const id = connection.session.conversationId;
    if (!id) return;
    for (const [key, set] of this.byConversation) {
      if (key !== id && set.delete(connection) && set.size === 0) this.byConversation.delete(key);
    }
    const set = this.byConversation.get(id) ?? new Set();
    set.add(connection);
    this.byConversation.set(id, set);
  }

  detach(connection: VisitorConnection) {
    for (const [key, set] of this.byConversation) {
      if (set.delete(connection) && set.size === 0) this.byConversation.delete(key);
    }
  }

  /** Sends every open widget of the conversation the lines it does not show yet. */
  async refresh(conversationId: string) {
    const connections = [...(this.byConversation.get(conversationId) ?? [])];
    if (connections.length === 0) return;
    try {
      const lines = await chatLines(this.deps.db, connections[0]!.session, conversationId);
      for (const connection of connections) {
        for (const line of lines) {
          if (connection.shown.has(line.id)) continue;
          connection.shown.add(line.id);
          connection.send({ type: "line", line });
        }
      }
    } catch {
      // The next change sends what this one could not; a widget that reconnects gets the history.
    }
  }

  close() {
    for (const stop of this.unsubscribe) stop();
    this.byConversation.clear();
  }
}
