import { afterEach, describe, expect, it } from "vitest";
import type { Bus, BusMessage, CreateBusProps, DeadLetter } from "./bus.js";
import { createBus } from "./index.js";
import { createMemoryBus } from "./memoryBus.js";
import {
  deleteStreams,
  natsTestServerProblem,
  natsTestUrl,
  sleep,
  uniqueStreamPrefix,
  waitUntil,
} from "./testing/natsTestServer.js";

const natsProblem = await natsTestServerProblem();
if (natsProblem && !process.env.CI) console.warn(`Bus tests on NATS are skipped: ${natsProblem}.`);

const quiet = { warn() {} };
const ackWaitMs = 2_000;

interface TestBuses {
  /** A bus as one worker process opens it. */
  open(extra?: Partial<CreateBusProps>): Promise<Bus>;
  /** A second worker on the same queues: the same bus in memory, another connection on NATS. */
  peer(of: Bus, extra?: Partial<CreateBusProps>): Promise<Bus>;
  /** How long a message that was not acknowledged could take to come back. */
  redeliveryMs: number;
  cleanUp(): Promise<void>;
}

const kinds: Array<{ name: "memory" | "nats"; buses(): TestBuses }> = [
  {
    name: "memory",
    buses() {
      const opened: Bus[] = [];
      return {
        async open(extra) {
          const bus = createMemoryBus({
            onDeadLetter: async () => {},
            log: quiet,
            retryBaseMs: 20,
            ...extra,
          });
          opened.push(bus);
          return bus;
        },
        async peer(of) {
          return of;
        },
        redeliveryMs: 200,
        async cleanUp() {
          await Promise.all(opened.map((bus) => bus.close()));
        },
      };
    },
  },
  {
    name: "nats",
    buses() {
      const prefix = uniqueStreamPrefix();
      const opened: Bus[] = [];
      const open = async (extra?: Partial<CreateBusProps>) => {
        const bus = await createBus({
          natsUrl: natsTestUrl,
          streamPrefix: prefix,
          onDeadLetter: async () => {},
          log: quiet,
          retryBaseMs: 20,
          ackWaitMs,
          ...extra,
        });
        opened.push(bus);
        return bus;
      };
      return {
        open,
        peer: (_of, extra) => open(extra),
        redeliveryMs: ackWaitMs + 500,
        async cleanUp() {
          await Promise.all(opened.map((bus) => bus.close()));
          await deleteStreams(prefix);
        },
      };
    },
  },
];

describe.each(kinds)("the $name bus", ({ name, buses: makeBuses }) => {
  if (name === "nats" && natsProblem) {
    if (process.env.CI) {
      it("reaches the NATS test server (CI must provide one)", () => {
        throw new Error(`The bus tests need NATS with JetStream in CI: ${natsProblem}.`);
      });
    } else {
      it.skip(`runs against NATS (skipped: ${natsProblem})`, () => {});
    }
    return;
  }

  let buses: TestBuses;
  const setUp = () => {
    buses = makeBuses();
    return buses;
  };
  afterEach(async () => {
    await buses?.cleanUp();
  });

  it("delivers every message exactly once to one of two competing workers", async () => {
    const { open, peer } = setUp();
    const first = await open();
    const second = await peer(first);
    const seenBy = new Map<number, string[]>();
    const handlerOf = (worker: string) => async (batch: BusMessage<{ n: number }>[]) => {
      await sleep(5);
      for (const m of batch) seenBy.set(m.data.n, [...(seenBy.get(m.data.n) ?? []), worker]);
    };
    const props = { subject: "ingest.posts", group: "ingest", batchSize: 10, maxWaitMs: 20, maxAttempts: 3 };
    await first.consume({ ...props, handler: handlerOf("first") });
    await second.consume({ ...props, handler: handlerOf("second") });

    const count = 300;
    await first.publishMany(
      "ingest.posts",
      Array.from({ length: count }, (_, n) => ({ data: { n } })),
    );
    await waitUntil(() => seenBy.size === count, "every message");
    await sleep(100);

    const deliveries = [...seenBy.values()];
    expect(deliveries.every((workers) => workers.length === 1)).toBe(true);
    const byFirst = deliveries.filter(([worker]) => worker === "first").length;
    expect(byFirst).toBeGreaterThan(0);
    expect(byFirst).toBeLessThan(count);
  });

  it("hands the handler batches of up to batchSize messages", async () => {
    const { open } = setUp();
    const bus = await open();
    await bus.publishMany(
      "ingest.posts",
      Array.from({ length: 25 }, (_, n) => ({ data: n })),
    );
    const sizes: number[] = [];
    await bus.consume<number>({
      subject: "ingest.posts",
      group: "ingest",
      batchSize: 10,
      maxWaitMs: 200,
      maxAttempts: 3,
      handler: async (batch) => {
        sizes.push(batch.length);
      },
    });
    await waitUntil(() => sizes.reduce((a, b) => a + b, 0) === 25, "all 25 messages");
    expect(Math.max(...sizes)).toBe(10);
    expect(sizes.length).toBeLessThanOrEqual(4);
  });

  it("hands one consumer up to `concurrency` batches at once, each message once", async () => {
    const { open } = setUp();
    const bus = await open();
    let inHand = 0;
    let most = 0;
    const seen: number[] = [];
    await bus.consume<number>({
      subject: "ingest.posts",
      group: "ingest",
      batchSize: 5,
      maxWaitMs: 20,
      maxAttempts: 3,
      concurrency: 2,
      handler: async (batch) => {
        inHand += 1;
        most = Math.max(most, inHand);
        await sleep(50);
        seen.push(...batch.map((m) => m.data));
        inHand -= 1;
      },
    });
    await bus.publishMany(
      "ingest.posts",
      Array.from({ length: 40 }, (_, n) => ({ data: n })),
    );
    await waitUntil(() => seen.length === 40, "all 40 messages");
    expect(most).toBe(2);
    expect(new Set(seen).size).toBe(40);
  });

  it("retries a failing message with its attempt count until it succeeds", async () => {
    const { open } = setUp();
    const deadLetters: DeadLetter[] = [];
    const bus = await open({ onDeadLetter: async (letter) => void deadLetters.push(letter) });
    const attempts: number[] = [];
    let done = false;
    await bus.consume<{ text: string }>({
      subject: "ingest.posts",
      group: "ingest",
      batchSize: 5,
      maxWaitMs: 10,
      maxAttempts: 5,
      handler: async ([message]) => {
        attempts.push(message.attempt);
        if (message.attempt < 3) throw new Error("database is restarting");
        done = true;
      },
    });
    const publishedAt = Date.now();
    await bus.publish("ingest.posts", { text: "hello" }, { id: "post-1" });
    await waitUntil(() => done, "the third attempt");

    expect(attempts).toEqual([1, 2, 3]);
    expect(deadLetters).toEqual([]);
    // Backoff: two retries of at least 0.8 × 20 ms and 0.8 × 40 ms.
    expect(Date.now() - publishedAt).toBeGreaterThanOrEqual(45);
  });

  it("dead-letters a message that keeps failing, once, and loses none of its batch-mates", async () => {
    const { open } = setUp();
    const deadLetters: DeadLetter[] = [];
    const bus = await open({ onDeadLetter: async (letter) => void deadLetters.push(letter) });
    const processed = new Set<string>();
    await bus.consume<{ text: string }>({
      subject: "ingest.posts",
      group: "ingest",
      batchSize: 10,
      maxWaitMs: 100,
      maxAttempts: 3,
      handler: async (batch) => {
        if (batch.some((m) => m.data.text === "poison")) throw new Error("cannot parse poison");
        for (const m of batch) processed.add(m.id);
      },
    });
    const items = Array.from({ length: 10 }, (_, n) => ({
      id: `post-${n}`,
      data: { text: n === 4 ? "poison" : `post ${n}` },
    }));
    await bus.publishMany("ingest.posts", items);
    await waitUntil(() => deadLetters.length === 1 && processed.size === 9, "the dead letter and nine posts");
    await sleep(300);

    expect(deadLetters).toEqual([
      {
        subject: "ingest.posts",
        messageId: "post-4",
        data: { text: "poison" },
        error: "cannot parse poison",
        attempts: 3,
      },
    ]);
    expect([...processed].sort()).toEqual(
      items
        .map((i) => i.id)
        .filter((id) => id !== "post-4")
        .sort(),
    );
  });

  it("keeps a message queued when the dead letter cannot be stored, and stores it later", async () => {
    const { open } = setUp();
    let storeFailures = 0;
    const deadLetters: DeadLetter[] = [];
    const bus = await open({
      onDeadLetter: async (letter) => {
        if (storeFailures++ < 2) throw new Error("dead-letter table unavailable");
        deadLetters.push(letter);
      },
    });
    await bus.consume({
      subject: "ingest.posts",
      group: "ingest",
      batchSize: 1,
      maxAttempts: 2,
      handler: async () => {
        throw new Error("always fails");
      },
    });
    await bus.publish("ingest.posts", { text: "x" }, { id: "post-x" });
    await waitUntil(() => deadLetters.length === 1, "the stored dead letter");
    expect(deadLetters[0]).toMatchObject({ messageId: "post-x", error: "always fails" });
    expect(deadLetters[0].attempts).toBeGreaterThanOrEqual(2);
  });

  it("queues a message published twice with the same id only once", async () => {
    const { open } = setUp();
    const bus = await open();
    const received: string[] = [];
    await bus.consume<string>({
      subject: "ingest.posts",
      group: "ingest",
      batchSize: 10,
      maxWaitMs: 10,
      maxAttempts: 3,
      handler: async (batch) => {
        received.push(...batch.map((m) => `${m.id}=${m.data}`));
      },
    });
    await bus.publish("ingest.posts", "a", { id: "a" });
    await bus.publish("ingest.posts", "a again", { id: "a" });
    await bus.publishMany("ingest.posts", [
      { id: "b", data: "b" },
      { id: "b", data: "b again" },
      { id: "c", data: "c" },
    ]);
    await waitUntil(() => received.length >= 3, "three messages");
    await sleep(300);
    expect(received.sort()).toEqual(["a=a", "b=b", "c=c"]);
  });

  it("broadcasts every message to every subscriber, in every process", async () => {
    const { open, peer } = setUp();
    const here = await open();
    const there = await peer(here);
    const got = { here: [] as number[], there: [] as number[], alsoThere: [] as number[] };
    here.subscribe<number>("events.mentions.created", (n) => got.here.push(n));
    there.subscribe<number>("events.mentions.created", (n) => got.there.push(n));
    const stopAlsoThere = there.subscribe<number>("events.mentions.created", (n) => got.alsoThere.push(n));
    // Subscriptions reach a NATS server asynchronously: ping until every subscriber hears.
    await waitUntil(() => {
      here.broadcast("events.mentions.created", -1);
      return Object.values(got).every((list) => list.includes(-1));
    }, "every subscriber");

    for (let n = 1; n <= 5; n++) here.broadcast("events.mentions.created", n);
    const numbered = (list: number[]) => list.filter((n) => n > 0);
    await waitUntil(
      () => Object.values(got).every((list) => numbered(list).length >= 5),
      "five messages each",
    );
    for (const list of Object.values(got)) expect(numbered(list)).toEqual([1, 2, 3, 4, 5]);

    stopAlsoThere();
    here.broadcast("events.mentions.created", 6);
    await waitUntil(() => got.there.includes(6), "the sixth message");
    await sleep(50);
    expect(got.alsoThere).not.toContain(6);
  });

  it("stop() finishes the batch in hand and leaves the rest to the next worker", async () => {
    const { open, redeliveryMs } = setUp();
    const bus = await open();
    const finished: string[] = [];
    let started = 0;
    const props = { subject: "ingest.posts", group: "ingest", batchSize: 1, maxWaitMs: 0, maxAttempts: 5 };
    const consumer = await bus.consume<string>({
      ...props,
      handler: async ([m]) => {
        started++;
        await sleep(300);
        finished.push(m.data);
      },
    });
    await bus.publishMany(
      "ingest.posts",
      ["one", "two", "three"].map((data) => ({ data, id: data })),
    );
    await waitUntil(() => started === 1, "the first message in hand");
    await consumer.stop();
    expect(finished).toEqual(["one"]);

    const takenOver: string[] = [];
    const handedOver = Date.now();
    await bus.consume<string>({
      ...props,
      handler: async ([m]) => {
        takenOver.push(m.data);
      },
    });
    await waitUntil(() => takenOver.length === 2, "the two unstarted messages", 1_500);
    // Promptly, not after an acknowledgement timeout.
    expect(Date.now() - handedOver).toBeLessThan(1_500);
    await sleep(redeliveryMs);
    expect(takenOver.sort()).toEqual(["three", "two"]);
  });

  it("tells which subjects and groups it accepts", async () => {
    const { open } = setUp();
    const bus = await open();
    await expect(bus.publish("ingest.*", 1)).rejects.toThrow(/not valid/);
    await expect(
      bus.consume({
        subject: "ingest.posts",
        group: "a.b",
        batchSize: 1,
        maxAttempts: 1,
        handler: async () => {},
      }),
    ).rejects.toThrow(/group "a.b" is not valid/);
    await bus.consume({
      subject: "ingest.posts",
      group: "ingest",
      batchSize: 1,
      maxAttempts: 1,
      handler: async () => {},
    });
    await expect(
      bus.consume({
        subject: "ingest.posts",
        group: "other",
        batchSize: 1,
        maxAttempts: 1,
        handler: async () => {},
      }),
    ).rejects.toThrow(/one group/);
  });
});

describe("createBus", () => {
  it("is in-process without a NATS URL", async () => {
    const bus = await createBus({ onDeadLetter: async () => {} });
    expect(bus.kind).toBe("memory");
    await bus.close();
  });

  it("says in one sentence when NATS cannot be reached", async () => {
    await expect(
      createBus({ natsUrl: "nats://user:secret@127.0.0.1:1", onDeadLetter: async () => {} }),
    ).rejects.toThrow(/^Cannot reach NATS at nats:\/\/\*\*\*@127\.0\.0\.1:1: .+\.$/);
  });
});
