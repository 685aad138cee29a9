import type { BusLog, BusMessage, DeadLetter } from "./bus.js";

/**
 * What both bus kinds do with a batch in hand: run the handler, then settle every message —
 * done, retry later, or dead letter. The kinds differ only in how they settle (`Delivery`).
 */
export interface Delivery<T> {
  message: BusMessage<T>;
  /** Done; never delivered again. */
  ack(): void;
  /** Deliver again (to any consumer of the group) after `delayMs`. */
  retry(delayMs: number): void;
  /** Given up on, after the dead letter was stored. */
  drop(): void;
  /** Still working on it (NATS: resets the ack timer). */
  working?(): void;
}

export interface HandleDeliveriesProps<T> {
  deliveries: Delivery<T>[];
  handler(batch: BusMessage<T>[]): Promise<void>;
  maxAttempts: number;
  onDeadLetter(letter: DeadLetter): Promise<void>;
  retryDelay(attempt: number): number;
  log: BusLog;
  group: string;
  /** Last error per message id, so a message that comes back after a crash still names its error. */
  lastErrors: Map<string, string>;
  /** How often to tell the server the batch is still being worked on; 0: never. */
  workingEveryMs?: number;
}

/** base × 2^(attempt−1), capped, ±20 % jitter so that retries of many workers spread out. */
export function backoff(props: { baseMs: number; maxMs: number }) {
  return (attempt: number) => {
    const delay = Math.min(props.maxMs, props.baseMs * 2 ** Math.max(0, attempt - 1));
    return Math.round(delay * (0.8 + Math.random() * 0.4));
  };
}

export function errorText(error: unknown) {
  return error instanceof Error ? error.message : String(error);
}

export async function handleDeliveries<T>(props: HandleDeliveriesProps<T>) {
  const { deliveries, maxAttempts } = props;
  // Delivered more often than allowed without an answer: the handler crashed its worker or hung.
  const overdue = deliveries.filter((d) => d.message.attempt > maxAttempts);
  const fresh = deliveries.filter((d) => d.message.attempt === 1 && maxAttempts >= 1);
  const retried = deliveries.filter((d) => d.message.attempt > 1 && d.message.attempt <= maxAttempts);

  for (const d of overdue) {
    const error =
      props.lastErrors.get(d.message.id) ??
      `No result after ${d.message.attempt - 1} deliveries (a worker stopped or timed out while handling it).`;
    await deadLetter(props, d, error);
  }
  if (fresh.length > 0) await runBatch(props, fresh);
  // A message that failed before runs alone: a bad one then only takes itself to the dead letters.
  for (const d of retried) await runBatch(props, [d]);
}

async function runBatch<T>(props: HandleDeliveriesProps<T>, batch: Delivery<T>[]) {
  const heartbeat =
    props.workingEveryMs && batch.some((d) => d.working)
      ? setInterval(() => {
          for (const d of batch) d.working?.();
        }, props.workingEveryMs)
      : undefined;
  try {
    await props.handler(batch.map((d) => d.message));
  } catch (error) {
    const text = errorText(error);
    props.log.warn(
      {
        subject: batch[0].message.subject,
        group: props.group,
        messages: batch.length,
        attempt: batch[0].message.attempt,
        err: error,
      },
      "bus handler failed; the messages will be retried",
    );
    for (const d of batch) {
      if (d.message.attempt >= props.maxAttempts) {
        await deadLetter(props, d, text);
      } else {
        rememberError(props.lastErrors, d.message.id, text);
        d.retry(props.retryDelay(d.message.attempt));
      }
    }
    return;
  } finally {
    clearInterval(heartbeat);
  }
  for (const d of batch) {
    props.lastErrors.delete(d.message.id);
    d.ack();
  }
}

async function deadLetter<T>(props: HandleDeliveriesProps<T>, d: Delivery<T>, error: string) {
  const { message } = d;
  try {
    await props.onDeadLetter({
      subject: message.subject,
      messageId: message.id,
      data: message.data,
      error,
      attempts: message.attempt,
    });
  } catch (storeError) {
    // Not stored: keep the message queued and offer it again rather than lose it.
    rememberError(props.lastErrors, message.id, error);
    props.log.warn(
      { subject: message.subject, messageId: message.id, err: storeError },
      "bus could not store a dead letter; the message stays queued",
    );
    d.retry(props.retryDelay(message.attempt));
    return;
  }
  props.lastErrors.delete(message.id);
  d.drop();
}

/** Bounded: a message retried here may finish in another worker, and its entry would stay forever. */
function rememberError(lastErrors: Map<string, string>, id: string, error: string) {
  lastErrors.delete(id);
  lastErrors.set(id, error);
  if (lastErrors.size > 10_000) lastErrors.delete(lastErrors.keys().next().value as string);
}
