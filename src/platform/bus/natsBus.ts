import {
  AckPolicy,
  DeliverPolicy,
  type JetStreamClient,
  type JetStreamManager,
  type JsMsg,
  jetstream,
  jetstreamManager,
  RetentionPolicy,
  StorageType,
} from "@nats-io/jetstream";
import { connect, createInbox, headers, type Msg, type NatsConnection, nanos } from "@nats-io/transport-node";
import { StartupError } from "../errors.js";
import {
  assertConsumeProps,
  assertName,
  assertSubject,
  type Bus,
  type BusLog,
  type BusMessage,
  type ConsumeProps,
  type Consumer,
  type CreateBusProps,
  defaultDedupeWindowMs,
  defaultMaxWaitMs,
  defaultStreamPrefix,
  encode,
  subjectFamily,
} from "./bus.js";
import { backoff, type Delivery, errorText, handleDeliveries } from "./delivery.js";

/**
 * Where bus subjects live on the NATS server. Everything sits under the prefix, so several
 * installations (or test runs) share one server; work and fan-out subjects never overlap, so a
 * broadcast is never stored in a work queue.
 *
 *   work-queue "ingest.posts" → subject KONVERSA.work.ingest.posts in stream KONVERSA_INGEST
 *   broadcast "events.x"      → core subject KONVERSA.fanout.events.x
 */
export function natsNames(prefix: string) {
  return {
    stream: (subject: string) => `${prefix}_${subjectFamily(subject).toUpperCase()}`,
    streamSubjects: (subject: string) => {
      const family = subjectFamily(subject);
      return [`${prefix}.work.${family}`, `${prefix}.work.${family}.>`];
    },
    work: (subject: string) => `${prefix}.work.${subject}`,
    fanout: (subject: string) => `${prefix}.fanout.${subject}`,
  };
}

/** Publishes awaiting their stream ack in `publishMany`: enough to hide round trips, few enough to bound buffers. */
const publishWindow = 1_000;
/** `publishMany` gives up when no ack arrived for this long. */
const publishTimeoutMs = 10_000;

const timedOut = Symbol("timed out");

/** How long one pull request waits for messages; also the longest `stop()` waits when idle (server minimum 1 s). */
const pullExpiresMs = 1_000;

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export interface CreateNatsBusProps extends CreateBusProps {
  natsUrl: string;
}

/**
 * The scaled-out bus: one JetStream work-queue stream per subject family, one durable pull
 * consumer per group (shared by every worker process), acks per message after the handler,
 * `nak(delay)` for retries, `term` after the dead letter is stored; fan-out over core NATS.
 */
export async function createNatsBus(props: CreateNatsBusProps): Promise<Bus> {
  const prefix = props.streamPrefix ?? defaultStreamPrefix;
  assertName("stream prefix", prefix);
  const names = natsNames(prefix);
  const log: BusLog = props.log ?? { warn: (obj, msg) => console.warn(msg, obj) };
  const retryDelay = backoff({ baseMs: props.retryBaseMs ?? 100, maxMs: props.retryMaxMs ?? 30_000 });
  const ackWaitMs = props.ackWaitMs ?? 30_000;
  const dedupeWindowMs = props.dedupeWindowMs ?? defaultDedupeWindowMs;
  const { nc, jsm, js } = await open(props.natsUrl);

  const streams = new Map<string, Promise<string>>();
  const consumers = new Set<Consumer>();
  const lastErrors = new Map<string, string>();
  let closed = false;

  /** Creates the family's stream on first use; concurrent creators with the same config all succeed. */
  const streamFor = (subject: string) => {
    const name = names.stream(subject);
    let ready = streams.get(name);
    if (!ready) {
      ready = ensureStream(jsm, {
        name,
        subjects: names.streamSubjects(subject),
        duplicateWindowMs: dedupeWindowMs,
      });
      ready.catch(() => streams.delete(name));
      streams.set(name, ready);
    }
    return ready;
  };

  const assertOpen = () => {
    if (closed) throw new Error("The bus is closed.");
  };

  return {
    kind: "nats",

    async publish(subject, data, options) {
      assertOpen();
      assertSubject(subject);
      await streamFor(subject);
      await js.publish(names.work(subject), encode(data), { msgID: options?.id ?? crypto.randomUUID() });
    },

    async publishMany(subject, items) {
      assertOpen();
      assertSubject(subject);
      if (items.length === 0) return;
      await streamFor(subject);
      await publishPipelined(nc, {
        subject: names.work(subject),
        messages: items.map((item) => ({ json: encode(item.data), id: item.id ?? crypto.randomUUID() })),
      });
    },

    async consume<T>(consumeProps: ConsumeProps<T>) {
      assertOpen();
      assertConsumeProps(consumeProps as ConsumeProps<unknown>);
      const { subject, group, batchSize, maxAttempts, handler } = consumeProps;
      const maxWaitMs = consumeProps.maxWaitMs ?? defaultMaxWaitMs;
      const stream = await streamFor(subject);
      await ensureConsumer(jsm, {
        stream,
        group,
        subject,
        filterSubject: names.work(subject),
        ackWaitMs,
        // Each loop holds about two batches (one in hand, one buffered); leave room for several workers.
        maxAckPending: Math.max(1000, batchSize * 10 * (consumeProps.concurrency ?? 1)),
      });
      const pullConsumer = await js.consumers.get(stream, group);
      let stopping = false;

      const toDelivery = (m: JsMsg): Delivery<T> => {
        const message: BusMessage<T> = {
          id: m.headers?.get("Nats-Msg-Id") || `${stream}:${m.seq}`,
          subject,
          data: m.json<T>(),
          attempt: m.info.deliveryCount,
          publishedAt: m.time,
        };
        return {
          message,
          ack: () => m.ack(),
          retry: (delayMs) => m.nak(delayMs),
          drop: () => m.term(),
          working: () => m.working(),
        };
      };

      const handle = async (batch: JsMsg[]) => {
        const deliveries: Delivery<T>[] = [];
        for (const m of batch) {
          try {
            deliveries.push(toDelivery(m));
          } catch (error) {
            await deadLetterUnreadable(m, subject, error);
          }
        }
        await handleDeliveries({
          deliveries,
          handler,
          maxAttempts,
          onDeadLetter: props.onDeadLetter,
          retryDelay,
          log,
          group,
          lastErrors,
          workingEveryMs: Math.max(500, Math.floor(ackWaitMs / 3)),
        });
      };

      /** Not JSON (published by something else): nothing a retry could fix. */
      const deadLetterUnreadable = async (m: JsMsg, subject: string, error: unknown) => {
        try {
          await props.onDeadLetter({
            subject,
            messageId: m.headers?.get("Nats-Msg-Id") || `${stream}:${m.seq}`,
            data: m.string(),
            error: `Not a JSON message: ${errorText(error)}`,
            attempts: m.info.deliveryCount,
          });
          m.term();
        } catch (storeError) {
          log.warn(
            { subject, err: storeError },
            "bus could not store a dead letter; the message stays queued",
          );
          m.nak(retryDelay(m.info.deliveryCount));
        }
      };

      /**
       * One pull request at a time, read to its end: a request the server still holds when a worker
       * stops would hand messages to a closed inbox, and they would wait out the ack timer.
       */
      const run = async () => {
        while (!stopping && !nc.isClosed()) {
          try {
            const pulled = await pullConsumer.fetch({ max_messages: batchSize, expires: pullExpiresMs });
            await readPull(pulled);
          } catch (error) {
            if (stopping || nc.isClosed()) return;
            log.warn({ subject, group, err: error }, `bus consumer could not pull: ${errorText(error)}`);
            await sleep(1_000);
          }
        }
      };

      const readPull = async (pulled: AsyncIterable<JsMsg>) => {
        const reader = readInBackground(pulled);
        while (true) {
          const first = await reader.next();
          if (first === undefined || first === timedOut) return;
          const batch = [first];
          if (batchSize > 1 && !stopping) {
            const deadline = Date.now() + maxWaitMs;
            while (batch.length < batchSize) {
              const m = await reader.next(Math.max(0, deadline - Date.now()));
              if (m === undefined || m === timedOut) break;
              batch.push(m);
            }
          }
          if (stopping) {
            // Arrived but not started: straight back to the other workers.
            for (const m of batch) m.nak();
          } else {
            await handle(batch);
          }
        }
      };

      // Each loop has its own pull request in flight, so `concurrency` batches are handled at once.
      const running = Promise.all(Array.from({ length: consumeProps.concurrency ?? 1 }, run));

      const consumer: Consumer = {
        async stop() {
          stopping = true;
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
      try {
        nc.publish(names.fanout(subject), encode(data));
      } catch (error) {
        log.warn({ subject, err: error }, "bus broadcast failed");
      }
    },

    subscribe<T>(subject: string, listener: (data: T) => void) {
      assertSubject(subject);
      const subscription = nc.subscribe(names.fanout(subject), {
        callback: (error, msg) => {
          if (error) return log.warn({ subject, err: error }, "bus subscription failed");
          try {
            listener(msg.json<T>());
          } catch (listenerError) {
            log.warn({ subject, err: listenerError }, "bus subscriber failed");
          }
        },
      });
      return () => {
        if (!subscription.isClosed()) subscription.unsubscribe();
      };
    },

    async close() {
      if (closed) return;
      closed = true;
      await Promise.all([...consumers].map((c) => c.stop()));
      // Drain sends the last acks before the connection closes.
      if (!nc.isClosed()) await nc.drain();
    },
  };
}

/**
 * Reads a pull request to its end in the background, whatever the handler is doing. A pull left
 * unread while a long batch is handled misses its idle heartbeats and fails, and the messages it
 * had buffered come back only after the ack wait, one at a time. An error is thrown once every
 * message received before it was taken.
 */
function readInBackground(pulled: AsyncIterable<JsMsg>) {
  const queue: JsMsg[] = [];
  let done = false;
  let failure: unknown;
  let wake: (() => void) | undefined;
  const signal = () => {
    const w = wake;
    wake = undefined;
    w?.();
  };
  void (async () => {
    try {
      for await (const m of pulled) {
        queue.push(m);
        signal();
      }
    } catch (error) {
      failure = error;
    } finally {
      done = true;
      signal();
    }
  })();
  return {
    /** The next message; `undefined` when the pull ended, `timedOut` after `ms` without one. */
    async next(ms = Number.POSITIVE_INFINITY): Promise<JsMsg | undefined | typeof timedOut> {
      for (;;) {
        const m = queue.shift();
        if (m) return m;
        if (done) {
          if (failure) throw failure;
          return undefined;
        }
        let timer: NodeJS.Timeout | undefined;
        const arrived = await new Promise<boolean>((resolve) => {
          wake = () => resolve(true);
          if (Number.isFinite(ms)) timer = setTimeout(() => resolve(false), ms);
        });
        clearTimeout(timer);
        if (!arrived) {
          wake = undefined;
          return timedOut;
        }
      }
    },
  };
}

/** Connects and checks JetStream, or says in one sentence why not. */
async function open(
  url: string,
): Promise<{ nc: NatsConnection; jsm: JetStreamManager; js: JetStreamClient }> {
  const shown = redact(url);
  let nc: NatsConnection;
  try {
    // Once connected, keep reconnecting: a worker outlives a NATS restart.
    nc = await connect({
      servers: url,
      name: "konversa",
      timeout: 5_000,
      maxReconnectAttempts: -1,
      // An Error with a stack per request costs a third of the publish time.
      noAsyncTraces: true,
    });
  } catch (error) {
    throw new StartupError(`Cannot reach NATS at ${shown}: ${reason(error)}.`);
  }
  try {
    const jsm = await jetstreamManager(nc);
    return { nc, jsm, js: jetstream(nc) };
  } catch (error) {
    await nc.close();
    throw new StartupError(
      `Cannot use JetStream on NATS at ${shown}: ${reason(error)} (start nats-server with -js).`,
    );
  }
}

function reason(error: unknown) {
  const own = errorText(error);
  const cause = error instanceof Error && error.cause instanceof Error ? error.cause.message : "";
  return (cause && !own.includes(cause) ? `${own} (${cause})` : own).replace(/\.$/, "");
}

/** A URL may carry a user and password; error messages and logs must not. */
function redact(url: string) {
  return url.replace(/\/\/[^/@]*@/, "//***@");
}

async function ensureStream(
  jsm: JetStreamManager,
  props: { name: string; subjects: string[]; duplicateWindowMs: number },
) {
  try {
    await jsm.streams.add({
      name: props.name,
      subjects: props.subjects,
      retention: RetentionPolicy.Workqueue,
      storage: StorageType.File,
      duplicate_window: nanos(props.duplicateWindowMs),
    });
  } catch (error) {
    // Already there with settings an operator changed (limits, replicas): use it as it is.
    try {
      await jsm.streams.info(props.name);
    } catch {
      throw error;
    }
  }
  return props.name;
}

async function ensureConsumer(
  jsm: JetStreamManager,
  props: {
    stream: string;
    group: string;
    subject: string;
    filterSubject: string;
    ackWaitMs: number;
    maxAckPending: number;
  },
) {
  const settings = {
    ack_wait: nanos(props.ackWaitMs),
    max_ack_pending: props.maxAckPending,
    // Attempts are counted by the bus, which stores the dead letter before it lets go of a message.
    max_deliver: -1,
  };
  try {
    await jsm.consumers.add(props.stream, {
      durable_name: props.group,
      filter_subject: props.filterSubject,
      ack_policy: AckPolicy.Explicit,
      deliver_policy: DeliverPolicy.All,
      ...settings,
    });
    return;
  } catch (addError) {
    try {
      const info = await jsm.consumers.info(props.stream, props.group);
      if (info.config.filter_subject !== props.filterSubject) throw addError;
    } catch {
      throw new Error(
        `Cannot consume bus subject "${props.subject}" as group "${props.group}": ${errorText(addError)} (a work-queue subject has one group).`,
      );
    }
  }
  // The durable exists with other settings (an older worker's): bring it to ours.
  await jsm.consumers.update(props.stream, props.group, settings);
}

/**
 * JetStream's asynchronous publish: every message is sent with its own reply subject and the
 * stream acks are collected on one subscription, at most `publishWindow` outstanding. Per-message
 * `js.publish` costs a request object, a timer and an Error each and runs at half the rate.
 * Rejects when any message was not stored; publishing again is safe, the ids dedupe.
 */
async function publishPipelined(
  nc: NatsConnection,
  props: { subject: string; messages: Array<{ json: string; id: string }> },
) {
  const { subject, messages } = props;
  const inbox = createInbox();
  let sent = 0;
  let stored = 0;
  let failure: Error | undefined;
  let settle!: () => void;
  const settled = new Promise<void>((resolve) => {
    settle = resolve;
  });
  let idle: NodeJS.Timeout | undefined;
  const armIdleTimer = () => {
    clearTimeout(idle);
    idle = setTimeout(() => {
      failure ??= new Error(
        `NATS stored ${stored} of ${messages.length} messages on ${subject}; no acknowledgement came for ${publishTimeoutMs / 1000} s.`,
      );
      settle();
    }, publishTimeoutMs);
  };
  const sendMore = () => {
    while (!failure && sent < messages.length && sent - stored < publishWindow) {
      const { json, id } = messages[sent];
      const h = headers();
      h.set("Nats-Msg-Id", id);
      nc.publish(subject, json, { reply: `${inbox}.${sent}`, headers: h });
      sent++;
    }
  };
  const onAck = (msg: Msg) => {
    const ack = msg.headers?.hasError
      ? { error: { description: `${msg.headers.code} ${msg.headers.description}` } }
      : (msg.json<{ error?: { description?: string } }>() ?? {});
    if (ack.error) {
      failure ??= new Error(
        `NATS did not store a message on ${subject}: ${ack.error.description ?? "unknown error"}.`,
      );
      return settle();
    }
    stored++;
    if (stored === messages.length) return settle();
    armIdleTimer();
    sendMore();
  };
  const subscription = nc.subscribe(`${inbox}.*`, {
    callback: (error, msg) => {
      if (error) {
        failure ??= error;
        return settle();
      }
      try {
        onAck(msg);
      } catch (ackError) {
        failure ??= ackError as Error;
        settle();
      }
    },
  });
  try {
    armIdleTimer();
    sendMore();
    await settled;
  } finally {
    clearTimeout(idle);
    subscription.unsubscribe();
  }
  if (failure) throw failure;
}
