import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  deleteStreams,
  natsTestServerProblem,
  natsTestUrl,
  uniqueStreamPrefix,
} from "../../src/platform/bus/testing/natsTestServer.js";
import { createPerson, createTestApp, type TestApp, testSecretKey } from "../support/app.js";
import { projectRoot } from "../support/cli.js";
import { countRows, testBackend } from "../support/database.js";
import { waitFor } from "../support/webhookReceiver.js";
import { type Api, runListeningScenario } from "./scenario.js";

/*
 * The scaled-out setup: the API publishes to NATS JetStream, two `konversa worker` processes run the
 * pipeline against the shared PostgreSQL. One worker is killed mid-stream. Needs PostgreSQL (the
 * embedded database cannot be shared between processes), so it runs in the "postgres" project.
 */
const natsProblem = testBackend === "postgres" ? await natsTestServerProblem() : undefined;
if (natsProblem && process.env.CI)
  throw new Error(`The scaled-out pipeline test needs NATS with JetStream in CI: ${natsProblem}`);
const runs = testBackend === "postgres" && !natsProblem;

describe.skipIf(!runs)(
  `listening end to end with NATS JetStream and two worker processes (${runs ? "postgres" : "needs PostgreSQL and NATS: runs in the postgres project"})`,
  () => {
    const prefix = uniqueStreamPrefix();
    let t: TestApp;
    let api: Api;
    const workers: ChildProcess[] = [];
    const logs: string[] = [];

    function startWorker(name: string) {
      const child = spawn(
        process.execPath,
        ["--import", "tsx", path.join(projectRoot, "src/cli/index.ts"), "worker"],
        {
          cwd: projectRoot,
          env: {
            PATH: process.env.PATH ?? "",
            DATABASE_URL: t.database.url!,
            NATS_URL: natsTestUrl,
            KONVERSA_NATS_PREFIX: prefix,
            KONVERSA_SECRET_KEY: testSecretKey,
            KONVERSA_DATA_DIR: mkdtempSync(path.join(tmpdir(), "konversa-worker-")),
            LOG_LEVEL: "warn",
          },
        },
      );
      child.stderr!.on("data", (d) => logs.push(`${name}: ${d}`));
      child.stdout!.on("data", (d) => logs.push(`${name}: ${d}`));
      workers.push(child);
      return child;
    }

    beforeAll(async () => {
      t = await createTestApp({ natsUrl: natsTestUrl, natsPrefix: prefix, withPipeline: false });
      const owner = await createPerson(t, { role: "owner", orgName: "Nordbahn Scaled" });
      const token = (
        await t.app.inject({
          method: "POST",
          url: "/api/v1/api-tokens",
          headers: owner.headers,
          payload: { name: "ingest" },
        })
      ).json().token;
      api = (method, url, payload) =>
        t.app.inject({ method, url, headers: { authorization: `Bearer ${token}` }, payload });
      const a = startWorker("worker-a");
      startWorker("worker-b");
      await waitFor(
        () => (logs.some((l) => l.includes("Worker ready")) ? true : undefined),
        "a worker to be ready",
        60_000,
      ).catch((error) => {
        throw new Error(`${error.message}\n${logs.join("")}`);
      });
      await waitFor(
        () => (logs.filter((l) => l.includes("Worker ready")).length >= 2 ? true : undefined),
        "both workers",
        60_000,
      );
      expect(a.exitCode).toBeNull();
    });

    afterAll(async () => {
      for (const worker of workers) worker.kill("SIGKILL");
      await t?.close();
      await deleteStreams(prefix).catch(() => {});
    });

    it("loses no post and counts none twice when a worker is killed mid-stream", async () => {
      await runListeningScenario({
        onTimeout: async () =>
          `${await countRows(t, "mention")} mentions stored; worker output:\n${logs.join("")}`,
        api,
        stormSize: 600,
        countMentions: () => countRows(t, "mention"),
        midStream: async () => {
          await waitFor(
            async () => ((await countRows(t, "mention")) > 100 ? true : undefined),
            "the first mentions",
            60_000,
          );
          workers[0]!.kill("SIGKILL");
        },
      });
      expect(workers[0]!.signalCode).toBe("SIGKILL");
      expect(await countRows(t, "dead_letter")).toBe(0);
    }, 180_000);
  },
);
