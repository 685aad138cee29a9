/**
 * A worker process for the bus tests: consumes "ingest.posts" as group "ingest" on NATS and
 * appends "<id> <attempt>" per handled message to OUT_FILE, like an idempotent pipeline stage
 * would record what it stored. Run: node --import tsx src/platform/bus/testing/busWorker.ts
 */
import { appendFileSync } from "node:fs";
import { createBus } from "../index.js";

const env = (name: string) => {
  const value = process.env[name];
  if (!value) throw new Error(`busWorker needs ${name}.`);
  return value;
};

const outFile = env("OUT_FILE");
const bus = await createBus({
  natsUrl: env("NATS_URL"),
  streamPrefix: env("STREAM_PREFIX"),
  ackWaitMs: Number(env("ACK_WAIT_MS")),
  onDeadLetter: async (letter) => appendFileSync(outFile, `dead ${letter.messageId}\n`),
});
const consumer = await bus.consume<{ n: number }>({
  subject: "ingest.posts",
  group: "ingest",
  batchSize: Number(process.env.BATCH_SIZE ?? 20),
  maxWaitMs: 20,
  maxAttempts: 5,
  handler: async (batch) => {
    await new Promise((resolve) => setTimeout(resolve, Number(process.env.BATCH_MS ?? 20)));
    appendFileSync(outFile, batch.map((m) => `${m.id} ${m.attempt}\n`).join(""));
  },
});
console.log("ready");
process.once("SIGTERM", async () => {
  await consumer.stop();
  await bus.close();
  process.exit(0);
});
