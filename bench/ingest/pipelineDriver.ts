// Runs the real pipeline (ingest gateway → bus → consumer batches → ingestPosts → alerts) in this
// process on the in-memory bus, and tells when every submitted post is stored.

import {
  createIngestGateway,
  mentionsCreatedSubject,
  startPipeline,
  storeDeadLetter,
} from "../../src/pipeline/runtime.js";
import type { Bus } from "../../src/platform/bus/index.js";
import { createMemoryBus } from "../../src/platform/bus/memoryBus.js";
import { deriveKey } from "../../src/platform/crypto/secrets.js";
import type { Database } from "../../src/platform/db/client.js";
import type { NormalizedPost } from "../../src/platform/posts/normalizedPost.js";

/** The installation key of the benchmark (workers get the same, so they can decrypt webhook secrets). */
export const benchSecretKey = "42".repeat(32);
export const benchSecretsKey = deriveKey(Buffer.from(benchSecretKey, "hex"), "secrets");

export interface StoredCounter {
  stored: number;
  deadLetters: number;
  /** Resolves once `count` mentions were reported stored since the counter started. */
  until(count: number, timeoutMs?: number): Promise<void>;
}

/** Counts stored mentions from the pipeline's own "mentions created" broadcasts. */
export function countStored(bus: Bus): StoredCounter & { stop(): void } {
  const counter = {
    stored: 0,
    deadLetters: 0,
    async until(count: number, timeoutMs = 600_000) {
      const deadline = Date.now() + timeoutMs;
      while (counter.stored + counter.deadLetters < count) {
        if (Date.now() > deadline)
          throw new Error(`Timed out: ${counter.stored} of ${count} posts stored after ${timeoutMs} ms.`);
        await new Promise((resolve) => setTimeout(resolve, 2));
      }
    },
    stop: bus.subscribe<{ count: number }>(mentionsCreatedSubject, ({ count }) => {
      counter.stored += count;
    }),
  };
  return counter;
}

export async function startInProcessPipeline(database: Database) {
  const bus = createMemoryBus({
    onDeadLetter: async (letter) => {
      counter.deadLetters += 1;
      await storeDeadLetter(database.db, letter);
    },
  });
  const counter = countStored(bus);
  const pipeline = await startPipeline({
    db: database.db,
    bus,
    secretsKey: benchSecretsKey,
    baseUrl: "http://localhost:3000",
  });
  const gateway = createIngestGateway(bus);
  return {
    bus,
    gateway,
    counter,
    async stop() {
      counter.stop();
      await pipeline.stop();
      await bus.close();
    },
  };
}

/** Submits every post through the gateway and waits until all are stored; the elapsed milliseconds. */
export async function ingestAll(
  database: Database,
  organizationId: string,
  posts: NormalizedPost[],
): Promise<{ ms: number; deadLetters: number }> {
  const run = await startInProcessPipeline(database);
  try {
    const started = performance.now();
    for (let i = 0; i < posts.length; i += 5_000)
      await run.gateway.submitPosts(organizationId, posts.slice(i, i + 5_000));
    await run.counter.until(posts.length);
    return { ms: performance.now() - started, deadLetters: run.counter.deadLetters };
  } finally {
    await run.stop();
  }
}
