// Real `konversa worker` processes on NATS JetStream and PostgreSQL, as an operator starts them.
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { benchSecretKey } from "./pipelineDriver.js";

const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

export interface WorkerProcesses {
  /** Resolves when every worker said "Worker ready". */
  ready: Promise<void>;
  /** Stops them as an operator would (SIGTERM: the batch in hand is finished). */
  stop(): Promise<void>;
  output(): string;
}

export function startWorkers(props: {
  count: number;
  databaseUrl: string;
  natsUrl: string;
  natsPrefix: string;
}): WorkerProcesses {
  const logs: string[] = [];
  const children: ChildProcess[] = [];
  let readyCount = 0;
  let markReady: () => void;
  let fail: (error: Error) => void;
  const ready = new Promise<void>((resolve, reject) => {
    markReady = resolve;
    fail = reject;
  });
  for (let i = 0; i < props.count; i += 1) {
    const child = spawn(
      process.execPath,
      ["--import", "tsx", path.join(projectRoot, "src/cli/index.ts"), "worker"],
      {
        cwd: projectRoot,
        env: {
          PATH: process.env.PATH ?? "",
          DATABASE_URL: props.databaseUrl,
          NATS_URL: props.natsUrl,
          KONVERSA_NATS_PREFIX: props.natsPrefix,
          KONVERSA_SECRET_KEY: benchSecretKey,
          KONVERSA_DATA_DIR: mkdtempSync(path.join(tmpdir(), "konversa-bench-worker-")),
          LOG_LEVEL: "warn",
        },
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    const listen = (data: Buffer) => {
      const text = String(data);
      logs.push(`worker ${i + 1}: ${text}`);
      if (text.includes("Worker ready")) {
        readyCount += 1;
        if (readyCount === props.count) markReady!();
      }
    };
    child.stdout!.on("data", listen);
    child.stderr!.on("data", listen);
    child.once("exit", (code) => fail!(new Error(`worker ${i + 1} exited with ${code}:\n${logs.join("")}`)));
    children.push(child);
  }
  return {
    ready,
    output: () => logs.join(""),
    async stop() {
      ready.catch(() => {});
      await Promise.all(
        children.map(
          (child) =>
            new Promise<void>((resolve) => {
              if (child.exitCode !== null || child.signalCode !== null) return resolve();
              child.removeAllListeners("exit");
              child.once("exit", () => resolve());
              child.kill("SIGTERM");
              setTimeout(() => child.kill("SIGKILL"), 15_000).unref();
            }),
        ),
      );
    },
  };
}
