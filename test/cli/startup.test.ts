import { mkdtempSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { runCli } from "../support/cli.js";

const dataDir = () => mkdtempSync(path.join(tmpdir(), "konversa-cli-"));

/** The lines a person sees on stderr, without progress lines. */
function complaint(stderr: string): string[] {
  return stderr.split("\n").filter((line) => line.startsWith("konversa:"));
}

describe("the process stops with one clear sentence when it cannot start", () => {
  it("a wrong setting: exit code 2 naming the setting", async () => {
    const result = await runCli(["migrate"], {
      env: { DATABASE_URL: "mysql://localhost/db", KONVERSA_DATA_DIR: dataDir() },
    });
    expect(result.code).toBe(2);
    expect(complaint(result.stderr)).toEqual([
      'konversa: DATABASE_URL is not a postgres:// URL (got "mysql://localhost/db").',
    ]);
    const port = await runCli(["serve"], { env: { PORT: "eighty", KONVERSA_DATA_DIR: dataDir() } });
    expect(port.code).toBe(2);
    expect(complaint(port.stderr)[0]).toMatch(/^konversa: PORT is not a port number/);
  });

  it("an unreachable database: exit code 1 saying where it looked", async () => {
    const result = await runCli(["serve"], {
      env: { DATABASE_URL: "postgres://konversa:secret@127.0.0.1:1/konversa", KONVERSA_DATA_DIR: dataDir() },
    });
    expect(result.code).toBe(1);
    expect(complaint(result.stderr)).toEqual([
      "konversa: Cannot reach the database at postgres://konversa:***@127.0.0.1:1/konversa: connection refused.",
    ]);
  });

  it("a port in use: exit code 1 telling how to choose another", async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, "127.0.0.1", resolve));
    const port = (blocker.address() as { port: number }).port;
    try {
      const result = await runCli(["serve"], {
        env: { PORT: String(port), HOST: "127.0.0.1", KONVERSA_DATA_DIR: dataDir() },
      });
      expect(result.code).toBe(1);
      expect(complaint(result.stderr)).toEqual([
        `konversa: Port ${port} is in use; set PORT to a free port or stop the program using it.`,
      ]);
    } finally {
      blocker.close();
    }
  });

  it("shows help for every command", async () => {
    const help = await runCli(["--help"]);
    expect(help.code).toBe(0);
    for (const command of ["start", "serve", "worker", "migrate", "user", "demo", "nlp"])
      expect(help.stdout).toContain(command);
    const userHelp = await runCli(["user", "create", "--help"]);
    expect(userHelp.stdout).toMatch(/--email.*--org.*--role/s);
  });

  it("creates a person from the command line and refuses an unknown role", async () => {
    const dir = dataDir();
    const created = await runCli(
      ["user", "create", "--email", "ops@example.test", "--org", "acme", "--role", "owner"],
      { env: { KONVERSA_DATA_DIR: dir } },
    );
    expect(created.code).toBe(0);
    expect(created.stdout).toMatch(/Created ops@example.test as owner in acme/);
    expect(created.stdout).toMatch(/Password \(shown once\): \S{10,}/);
    const wrong = await runCli(
      ["user", "create", "--email", "x@example.test", "--org", "acme", "--role", "boss"],
      { env: { KONVERSA_DATA_DIR: dir } },
    );
    expect(wrong.code).not.toBe(0);
    expect(wrong.stderr).toMatch(/Allowed choices are owner, admin, core_team, agent, analyst/);
  });
});
