import {
  assertConsumeProps,
  assertSubject,
  type Bus,
  type BusLog,
  type BusMessage,
  type ConsumeProps,
  type CreateBusProps,
  defaultDedupeWindowMs,
  defaultMaxWaitMs,
  encode,
  subjectFamily,
} from "./bus.js";
import { backoff, type Delivery, errorText, handleDeliveries } from "./delivery.js";

/** A queued message; `json` keeps the value as NATS would carry it, so handlers see the same data. */
interface Envelope {
  id: string;
  subject: string;
  json: string;
  deliveries: number;
  publishedAt: Date;
}

/** The messages of one work-queue subject, shared by the consumers that compete for them. */
class WorkQueue {
  ready: Envelope[] = [];
  group: string | undefined;
  private waiters = new Set<() => void>();

  push(envelope: Envelope) {
    this.ready.push(envelope);
    this.wake();
  }

  wake() {
    for (const waiter of this.waiters) waiter();
  }

  /** Resolves when `count` messages are ready, after `ms`, or when `stopped()` turns true (on `wake`). */
  waitFor(count: number, ms: number, stopped: () => boolean) {
    return new Promise<void>((resolve) => {
      const done = () => {
        this.waiters.delete(check);
        clearTimeout(timer);
        resolve();
      };
      const check = () => {
        if (this.ready.length >= count || stopped()) done();
      };
      const timer = Number.isFinite(ms) ? setTimeout(done, ms) : undefined;
      this.waiters.add(check);
      check();
    });
  }
}

/**
 * The in-process bus of embedded Konversa: the same contract as the NATS bus (competing
 * consumers, batches, retries with backoff, dead letters, dedupe by id) for one process. Queued
 * messages live as long as the process.
 */
export function createMemoryBus(props: CreateBusProps): Bus {
  const log: BusLog = props.log ?? { warn: (obj, msg) => console.warn(msg, obj) };
  const retryDelay = backoff({ baseMs: props.retryBaseMs ?? 100, maxMs: props.retryMaxMs ?? 30_000 });
  const dedupeWindowMs = props.dedupeWindowMs ?? defaultDedupeWindowMs;
  const queues = new Map<string, WorkQueue>();
  /** Per subject family, like a JetStream stream: id → when it may be used again. */
  const seenIds = new Map<string, Map<string, number>>();
  const listeners = new Map<string, Set<(data: never) => void>>();
  const retryTimers = new Set<NodeJS.Timeout>();
  const consumers = new Set<{ stop(): Promise<void> }>();
  const lastErrors = new Map<string, string>();
  let closed = false;

  const queueOf = (subject: string) => {
    let queue = queues.get(subject);
    if (!queue) {
      queue = new WorkQueue();
      queues.set(subject, queue);
    }
    return queue;
  };

  const isDuplicate = (subject: string, id: string) => {
    const family = subjectFamily(subject);
    let seen = seenIds.get(family);
    if (!seen) {
      seen = new Map();
      seenIds.set(family, seen);
    }
    const now = Date.now();
    // Insertion order is expiry order: forget what left the window.
    for (const [oldId, until] of seen) {
      if (until > now) break;
      seen.delete(oldId);
    }
    if (seen.has(id)) return true;
    seen.set(id, now + dedupeWindowMs);
    return false;
  };

  const enqueue = (subject: string, data: unknown, id: string | undefined) => {
    const json = encode(data);
    const messageId = id ?? crypto.randomUUID();
    if (isDuplicate(subject, messageId)) return;
    queueOf(subject).push({ id: messageId, subject, json, deliveries: 0, publishedAt: new Date() });
  };

  const assertOpen = () => {
    if (closed) throw new Error("The bus is closed.");
  };

  return {
    kind: "memory",

    async publish(subject, data, options) {
      assertOpen();
      assertSubject(subject);
      enqueue(subject, data, options?.id);
    },

    async publishMany(subject, items) {
      assertOpen();
      assertSubject(subject);
      for (const item of items) enqueue(subject, item.data, item.id);
    },

    async consume<T>(consumeProps: ConsumeProps<T>) {
      assertOpen();
      assertConsumeProps(consumeProps as ConsumeProps<unknown>);
      const { subject, group, batchSize, maxAttempts, handler } = consumeProps;
      const maxWaitMs = consumeProps.maxWaitMs ?? defaultMaxWaitMs;
      const queue = queueOf(subject);
      if (queue.group !== undefined && queue.group !== group) {
        throw new Error(
          `Bus subject "${subject}" is already consumed by group "${queue.group}"; a work-queue subject has one group.`,
        );
      }
      queue.group = group;
      let stopping = false;
      const stopped = () => stopping;

      const toDelivery = (envelope: Envelope): Delivery<T> => {
        envelope.deliveries += 1;
        const message: BusMessage<T> = {
          id: envelope.id,
          subject,
          data: JSON.parse(envelope.json) as T,
          attempt: envelope.deliveries,
          publishedAt: envelope.publishedAt,
        };
        return {
          message,
          ack() {},
          drop() {},
          retry(delayMs) {
            const timer = setTimeout(() => {
              retryTimers.delete(timer);
              queue.push(envelope);
            }, delayMs);
            retryTimers.add(timer);
          },
        };
      };

      const run = async () => {
        while (!stopping) {
          if (queue.ready.length === 0) {
            await queue.waitFor(1, Number.POSITIVE_INFINITY, stopped);
            continue;
          }
          if (queue.ready.length < batchSize && maxWaitMs > 0)
            await queue.waitFor(batchSize, maxWaitMs, stopped);
          if (stopping) break;
          const taken = queue.ready.splice(0, batchSize);
          if (taken.length === 0) continue;
          try {
            await handleDeliveries({
              deliveries: taken.map(toDelivery),
              handler,
              maxAttempts,
              onDeadLetter: props.onDeadLetter,
              retryDelay,
              log,
              group,
              lastErrors,
            });
          } catch (error) {
            // Only a bug in the bus gets here; keep the messages rather than lose them.
            log.warn({ subject, group, err: error }, `bus consumer failed: ${errorText(error)}`);
            for (const envelope of taken) queue.push(envelope);
          }
        }
      };
      const running = Promise.all(Array.from({ length: consumeProps.concurrency ?? 1 }, run));

      const consumer = {
        async stop() {
          stopping = true;
          queue.wake();
          await running;
          consumers.delete(consumer);
        },
      };
      consumers.add(consumer);
      return consumer;
    },

    broadcast(subject, data) {
      assertOpen();
      assertSubject(subject);
      const json = encode(data);
      const targets = listeners.get(subject);
      if (!targets || targets.size === 0) return;
      // Asynchronous like NATS: the broadcaster never runs (or fails in) a listener.
      queueMicrotask(() => {
        for (const listener of targets) {
          try {
            listener(JSON.parse(json) as never);
          } catch (error) {
            log.warn({ subject, err: error }, "bus subscriber failed");
          }
        }
      });
    },

    subscribe<T>(subject: string, listener: (data: T) => void) {
      assertSubject(subject);
      let targets = listeners.get(subject);
      if (!targets) {
        targets = new Set();
        listeners.set(subject, targets);
      }
      const entry = listener as (data: never) => void;
      targets.add(entry);
      return () => {
        targets.delete(entry);
      };
    },

    async close() {
      if (closed) return;
      closed = true;
      await Promise.all([...consumers].map((c) => c.stop()));
      for (const timer of retryTimers) clearTimeout(timer);
      retryTimers.clear();
      listeners.clear();
    },
  };
}
