import { type ChildProcess, spawn } from "node:child_process";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

/** Starting and stopping a real Konversa (`npm start`) for the browser tests. */
export const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
export const chromiumPath = "/usr/bin/chromium";
export const chromiumArgs = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

export interface RunningKonversa {
  child: ChildProcess;
  output: () => string;
  url: string;
  email: string;
  password: string;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() =>
        typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port")),
      );
    });
  });
}

/** `npm start` on a fresh data directory, in its own process group; resolves with the printed sign-in. */
export function startKonversa(props: {
  dataDir: string;
  port: number;
  timeoutMs: number;
}): Promise<RunningKonversa> {
  const child = spawn(process.execPath, [path.join(projectRoot, "scripts/start.mjs"), "start"], {
    cwd: projectRoot,
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
    // A clean environment: no KONVERSA_ADMIN_*, so the start command generates and prints the password.
    env: {
      PATH: process.env.PATH ?? "",
      HOME: process.env.HOME ?? tmpdir(),
      PORT: String(props.port),
      KONVERSA_DATA_DIR: props.dataDir,
      LOG_LEVEL: "warn",
    },
  });
  let stdout = "";
  let stderr = "";
  const output = () => `--- stdout ---\n${stdout}\n--- stderr ---\n${stderr}`;
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`Konversa did not start within ${props.timeoutMs / 1000} s.\n${output()}`)),
      props.timeoutMs,
    );
    const check = () => {
      const url = /Konversa is running at (http\S+)/.exec(stdout)?.[1];
      if (!url) return;
      const email = /^\s*E-mail:\s+(\S+)\s*$/m.exec(stdout)?.[1];
      const password = /^\s*Password:\s+(\S+)\s*$/m.exec(stdout)?.[1];
      clearTimeout(timer);
      if (!email || !password) {
        reject(new Error(`Konversa started but printed no credentials.\n${output()}`));
        return;
      }
      resolve({ child, output, url, email, password });
    };
    child.stdout?.on("data", (chunk) => {
      stdout += chunk;
      check();
    });
    child.stderr?.on("data", (chunk) => {
      stderr += chunk;
    });
    child.once("exit", (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`Konversa exited (${signal ?? `code ${code}`}) before it was running.\n${output()}`));
    });
  });
}

/** SIGTERM to the whole process group, SIGKILL after 10 s. */
export async function stopKonversa(child: ChildProcess) {
  if (child.exitCode !== null || child.signalCode !== null || !child.pid) return;
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const group = -child.pid;
  try {
    process.kill(group, "SIGTERM");
  } catch {
    return; // already gone
  }
  const timeout = new Promise<"timeout">((resolve) => setTimeout(() => resolve("timeout"), 10_000));
  if ((await Promise.race([exited, timeout])) === "timeout") {
    try {
      process.kill(group, "SIGKILL");
    } catch {
      // gone meanwhile
    }
  }
}
