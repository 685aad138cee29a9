/**
 * The message bus the pipeline runs on. Two kinds behind one interface: in-process (embedded
 * `konversa start`) and NATS JetStream (scaled out, `NATS_URL`). Work-queue subjects deliver
 * at least once to one consumer of a group; broadcast subjects reach every subscriber, at most once.
 */

export interface BusMessage<T> {
  /** The publisher's id (or a generated one); the same id is not queued twice within the dedupe window. */
  id: string;
  subject: string;
  /** The published value after a JSON round trip (a Date arrives as its ISO string). */
  data: T;
  /** 1 on the first delivery, 2 on the first retry, … */
  attempt: number;
  publishedAt: Date;
}

export interface ConsumeProps<T> {
  /** Work-queue subject, e.g. "ingest.posts"; each message goes to exactly one consumer of the group. */
  subject: string;
  /** Durable consumer name shared by all worker processes; a subject has one group. */
  group: string;
  /** The handler gets up to this many messages at once. */
  batchSize: number;
  /** How long to wait for a batch to fill once its first message is there (default 50 ms). */
  maxWaitMs?: number;
  /** After this many failed deliveries the message goes to `onDeadLetter`. */
  maxAttempts: number;
  /**
   * Batches one consumer hands the handler at once (default 1). With 2, the next batch's CPU work
   * (text analysis) overlaps the database writes of the batch in hand.
   */
  concurrency?: number;
  /**
   * Resolve: every message of the batch is done. Throw: every message is retried with backoff; a
   * message that failed before comes back alone, so one bad message cannot sink its batch-mates.
   */
  handler(batch: BusMessage<T>[]): Promise<void>;
}

export interface DeadLetter {
  subject: string;
  messageId: string;
  data: unknown;
  /** The last error's message. */
  error: string;
  /** Deliveries made, at least `maxAttempts`. */
  attempts: number;
}

export interface Consumer {
  /** Takes no new messages, waits for the batch in hand, and hands unstarted messages back to the queue. */
  stop(): Promise<void>;
}

export interface Bus {
  kind: "memory" | "nats";
  /** Durable publish: resolves when the message is stored. `id` dedupes (JetStream Nats-Msg-Id). */
  publish<T>(subject: string, data: T, options?: { id?: string }): Promise<void>;
  /** Publishes many at once; resolves when all are stored, rejects if any is not (publish again, ids dedupe). */
  publishMany<T>(subject: string, items: Array<{ data: T; id?: string }>): Promise<void>;
  consume<T>(props: ConsumeProps<T>): Promise<Consumer>;
  /** Realtime fan-out: every subscriber in every process gets every message; nothing is stored. */
  broadcast<T>(subject: string, data: T): void;
  /** Returns the unsubscribe function. */
  subscribe<T>(subject: string, listener: (data: T) => void): () => void;
  /** Stops every consumer (finishing batches in hand) and closes the connection. */
  close(): Promise<void>;
}

export interface BusLog {
  warn(obj: object, msg: string): void;
}

export interface CreateBusProps {
  /** NATS server with JetStream; unset: the in-process bus. */
  natsUrl?: string;
  /** Namespace of streams and subjects on the NATS server (default "KONVERSA"; tests use unique ones). */
  streamPrefix?: string;
  /** Stores a message the bus gave up on. If it throws, the message stays queued and is offered again later. */
  onDeadLetter(letter: DeadLetter): Promise<void>;
  log?: BusLog;
  /** First retry delay; later ones double up to `retryMaxMs` (default 100 ms and 30 s). */
  retryBaseMs?: number;
  retryMaxMs?: number;
  /** NATS: a message not answered in this time goes to another worker (default 30 s). */
  ackWaitMs?: number;
  /** How long a publish id is remembered for dedupe (default 2 minutes). */
  dedupeWindowMs?: number;
}

export const defaultStreamPrefix = "KONVERSA";
export const defaultMaxWaitMs = 50;
export const defaultDedupeWindowMs = 120_000;

const subjectPattern = /^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/;
const namePattern = /^[A-Za-z0-9_-]+$/;

/** Subjects are dot-separated tokens of letters, digits, `_` and `-` (no wildcards), the same on both kinds. */
export function assertSubject(subject: string) {
  if (!subjectPattern.test(subject)) {
    throw new Error(
      `Bus subject "${subject}" is not valid: use dot-separated words of letters, digits, "_" or "-".`,
    );
  }
}

export function assertName(what: string, name: string) {
  if (!namePattern.test(name)) {
    throw new Error(`Bus ${what} "${name}" is not valid: use letters, digits, "_" or "-".`);
  }
}

export function assertConsumeProps(props: ConsumeProps<unknown>) {
  assertSubject(props.subject);
  assertName("group", props.group);
  if (!Number.isInteger(props.batchSize) || props.batchSize < 1) {
    throw new Error(`Bus batchSize must be a whole number of at least 1, not ${props.batchSize}.`);
  }
  if (props.concurrency !== undefined && (!Number.isInteger(props.concurrency) || props.concurrency < 1)) {
    throw new Error(`Bus concurrency must be a whole number of at least 1, not ${props.concurrency}.`);
  }
  if (!Number.isInteger(props.maxAttempts) || props.maxAttempts < 1) {
    throw new Error(`Bus maxAttempts must be a whole number of at least 1, not ${props.maxAttempts}.`);
  }
}

/** The first token of a subject: one NATS stream per family ("ingest.posts" → "ingest"). */
export function subjectFamily(subject: string) {
  return subject.split(".", 1)[0];
}

/** What goes over the wire; also applied in memory so both kinds hand handlers the same values. */
export function encode(data: unknown): string {
  const json = JSON.stringify(data ?? null);
  if (json === undefined) throw new Error("Bus messages must be JSON values.");
  return json;
}
