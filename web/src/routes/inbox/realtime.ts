import { useQueryClient } from "@tanstack/react-query";
import { useEffect, useSyncExternalStore } from "react";

/**
 * The inbox listens to the organization's event stream: a changed conversation is fetched again
 * (list and open view), and colleagues' presence ("viewing", "typing") is kept for a few seconds.
 */
export interface Presence {
  conversationId: string;
  memberId: string;
  memberName: string;
  state: "viewing" | "typing";
  receivedAt: number;
}

/** How long a presence counts without being repeated; the browser repeats "viewing" every 10 s. */
const presenceLifetimeMs = { viewing: 25_000, typing: 6_000 } as const;

let presences: Presence[] = [];
const listeners = new Set<() => void>();

function setPresences(next: Presence[]) {
  presences = next;
  for (const listener of listeners) listener();
}

function subscribe(listener: () => void) {
  listeners.add(listener);
  // Forget presences that were not repeated in time.
  const timer = setInterval(() => {
    const now = Date.now();
    const alive = presences.filter((p) => now - p.receivedAt < presenceLifetimeMs[p.state]);
    if (alive.length !== presences.length) setPresences(alive);
  }, 1_000);
  return () => {
    listeners.delete(listener);
    clearInterval(timer);
  };
}

/** Colleagues present in a conversation, typing first; one entry per member. */
export function usePresence(conversationId: string, ownMemberId: string | undefined): Presence[] {
  const all = useSyncExternalStore(subscribe, () => presences);
  return all
    .filter((p) => p.conversationId === conversationId && p.memberId !== ownMemberId)
    .sort((a, b) => (a.state === b.state ? 0 : a.state === "typing" ? -1 : 1));
}

function parse<T>(event: Event): T | undefined {
  try {
    return JSON.parse((event as MessageEvent<string>).data) as T;
  } catch {
    return undefined;
  }
}

/** Opens the event stream while the inbox is shown. */
export function useInboxRealtime() {
  const queryClient = useQueryClient();
  useEffect(() => {
    const source = new EventSource("/api/v1/events");
    source.addEventListener("conversations.changed", (event) => {
      const change = parse<{ conversationIds?: string[] }>(event);
      void queryClient.invalidateQueries({ queryKey: ["conversations"] });
      for (const id of change?.conversationIds ?? []) {
        void queryClient.invalidateQueries({ queryKey: ["conversation", id] });
        // Whoever typed has sent it.
        setPresences(presences.filter((p) => !(p.conversationId === id && p.state === "typing")));
      }
    });
    source.addEventListener("sla.breached", () => {
      void queryClient.invalidateQueries({ queryKey: ["conversations"] });
    });
    source.addEventListener("conversations.presence", (event) => {
      const presence = parse<Omit<Presence, "receivedAt">>(event);
      if (!presence) return;
      const others = presences.filter(
        (p) => !(p.conversationId === presence.conversationId && p.memberId === presence.memberId),
      );
      setPresences([...others, { ...presence, receivedAt: Date.now() }]);
    });
    return () => source.close();
  }, [queryClient]);
}
