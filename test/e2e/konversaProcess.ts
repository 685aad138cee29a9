import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { type Browser, chromium } from "playwright-core";

/**
 * What every browser test needs: Konversa started the way a person starts it (`npm start` on a fresh
 * data directory, credentials read from its output) and Debian's Chromium driven by Playwright.
 */
export const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
export const artifacts = path.join(projectRoot, "test-results", "e2e");
const chromiumPath = "/usr/bin/chromium";
const startTimeoutMs = 150_000;

export interface Running {
  child: ChildProcess | undefined;
  output: () => string;
  url: string;
  email: string;
  password: string;
  /** Stops the process (when this test started it) and removes its data directory. */
  stop: () => Promise<void>;
}

function freePort(): Promise<number> {
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

/** `npm start` as `node scripts/start.mjs start`, in its own process group so all of it can be stopped. */
async function startKonversa(): Promise<Running> {
  const port = await freePort();
  const dataDir = mkdtempSync(path.join(tmpdir(), "konversa-e2e-"));
  const child = spawn(process.execPath, [path.join(projectRoot, "scripts/start.mjs"), "start"], {
    cwd: projectRoot,
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
    // A clean environment: no KONVERSA_ADMIN_*, so the start command generates and prints the password.
    env: {
      PATH: process.env.PATH ?? "",
      HOME: process.env.HOME ?? tmpdir(),
      PORT: String(port),
      KONVERSA_DATA_DIR: dataDir,
      LOG_LEVEL: "warn",
    },
  });
  let stdout = "";
  let stderr = "";
  const output = () => `--- stdout ---\n${stdout}\n--- stderr ---\n${stderr}`;
  const stop = async () => {
    await stopProcessGroup(child);
    rmSync(dataDir, { recursive: true, force: true });
  };
  return new Promise((resolve, reject) => {
    const fail = (error: Error) => {
      void stop();
      reject(error);
    };
    const timer = setTimeout(
      () => fail(new Error(`Konversa did not start within ${startTimeoutMs / 1000} s.\n${output()}`)),
      startTimeoutMs,
    );
    const check = () => {
      const url = /Konversa is running at (http\S+)/.exec(stdout)?.[1];
      if (!url) return;
      const email = /^\s*E-mail:\s+(\S+)\s*$/m.exec(stdout)?.[1];
      const password = /^\s*Password:\s+(\S+)\s*$/m.exec(stdout)?.[1];
      clearTimeout(timer);
      if (!email || !password) {
        fail(new Error(`Konversa started but printed no credentials.\n${output()}`));
        return;
      }
      resolve({ child, output, url, email, password, stop });
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
      fail(new Error(`Konversa exited (${signal ?? `code ${code}`}) before it was running.\n${output()}`));
    });
  });
}

/**
 * For working on the UI: KONVERSA_E2E_URL (e.g. the `npm run dev:web` server) with
 * KONVERSA_E2E_EMAIL and KONVERSA_E2E_PASSWORD runs the same steps against a running instance.
 */
function existingInstance(): Running {
  const { KONVERSA_E2E_URL: url, KONVERSA_E2E_EMAIL: email, KONVERSA_E2E_PASSWORD: password } = process.env;
  if (!url || !email || !password)
    throw new Error("Set KONVERSA_E2E_URL, KONVERSA_E2E_EMAIL and KONVERSA_E2E_PASSWORD.");
  return { child: undefined, output: () => "", url, email, password, stop: async () => {} };
}

/** A fresh Konversa of its own, or the running instance that KONVERSA_E2E_URL names. */
export function konversaForTest(): Promise<Running> {
  return process.env.KONVERSA_E2E_URL ? Promise.resolve(existingInstance()) : startKonversa();
}

async function stopProcessGroup(child: ChildProcess) {
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

/** Debian's Chromium, headless, with nothing that phones home. */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(chromiumPath)) {
    throw new Error(
      `The browser tests drive Debian's Chromium at ${chromiumPath}, which is missing. Install it with \`apt-get install chromium\`.`,
    );
  }
  mkdirSync(artifacts, { recursive: true });
  return chromium.launch({
    executablePath: chromiumPath,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
}
