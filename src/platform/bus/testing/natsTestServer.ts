import { jetstreamManager } from "@nats-io/jetstream";
import { connect } from "@nats-io/transport-node";

/** The NATS server the bus tests run against (CI starts one with JetStream on this address). */
export const natsTestUrl = process.env.NATS_TEST_URL ?? "nats://127.0.0.1:4222";

/** Why the NATS tests cannot run, or undefined when a JetStream server answers. */
export async function natsTestServerProblem(): Promise<string | undefined> {
  try {
    const nc = await connect({ servers: natsTestUrl, timeout: 2_000 });
    try {
      await jetstreamManager(nc);
    } catch (error) {
      return `NATS at ${natsTestUrl} has no JetStream (${(error as Error).message}); start nats-server with -js`;
    } finally {
      await nc.close();
    }
    return undefined;
  } catch (error) {
    return `no NATS server at ${natsTestUrl} (${(error as Error).message}); start one with "nats-server -js" or set NATS_TEST_URL`;
  }
}

/** A stream prefix no other test (or CI run on the same server) uses. */
export function uniqueStreamPrefix() {
  return `KTEST_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`.toUpperCase();
}

/** Removes every stream a test created (the server is shared). */
export async function deleteStreams(prefix: string) {
  const nc = await connect({ servers: natsTestUrl, timeout: 2_000 });
  try {
    const jsm = await jetstreamManager(nc);
    for await (const stream of jsm.streams.list()) {
      if (stream.config.name.startsWith(`${prefix}_`)) await jsm.streams.delete(stream.config.name);
    }
  } finally {
    await nc.close();
  }
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Polls until `condition` holds; fails with `what` after `timeoutMs`. */
export async function waitUntil(condition: () => boolean, what: string, timeoutMs = 10_000) {
  const started = Date.now();
  while (!condition()) {
    if (Date.now() - started > timeoutMs)
      throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}.`);
    await sleep(10);
  }
}
