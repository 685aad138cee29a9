import { useEffect, useRef } from "react";

/**
 * The organization's server-sent events (`/api/v1/events`): one EventSource for the whole app,
 * opened while any component listens. Events carry ids and counts; pages load what they show.
 */
export type RealtimeEvent = "mentions.created" | "alerts.fired" | "notifications.created";
const events: RealtimeEvent[] = ["mentions.created", "alerts.fired", "notifications.created"];
export interface RealtimePayload {
  count?: number;
  ids?: string[];
  [key: string]: unknown;
}
type Listener = (payload: RealtimePayload) => void;

const listeners = new Map<RealtimeEvent, Set<Listener>>();
let source: EventSource | undefined;

function open() {
  if (source || typeof EventSource === "undefined") return;
  source = new EventSource("/api/v1/events", { withCredentials: true });
  for (const event of events) {
    source.addEventListener(event, (message) => {
      let payload: RealtimePayload = {};
      try {
        payload = JSON.parse((message as MessageEvent<string>).data) as RealtimePayload;
      } catch {
        // A malformed event still says that something happened.
      }
      for (const listener of listeners.get(event) ?? []) listener(payload);
    });
  }
}

function closeWhenUnused() {
  const used = [...listeners.values()].some((set) => set.size > 0);
  if (!used && source) {
    source.close();
    source = undefined;
  }
}

/** Calls `onEvent` for each event of this type while the component is mounted. */
export function useRealtime(event: RealtimeEvent, onEvent: Listener, enabled = true) {
  const handler = useRef(onEvent);
  handler.current = onEvent;
  useEffect(() => {
    if (!enabled) return;
    const listener: Listener = (payload) => handler.current(payload);
    const set = listeners.get(event) ?? new Set();
    set.add(listener);
    listeners.set(event, set);
    open();
    return () => {
      set.delete(listener);
      closeWhenUnused();
    };
  }, [event, enabled]);
}
