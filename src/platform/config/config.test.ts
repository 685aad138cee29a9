import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { ConfigError } from "../errors.js";
import { loadConfig } from "./config.js";

const noFile = path.join(tmpdir(), "konversa-no-such-config.json");

describe("configuration", () => {
  it("uses defaults when nothing is set", () => {
    const config = loadConfig({ env: {}, file: undefined, overrides: {} });
    expect(config.port).toBe(3000);
    expect(config.baseUrl).toBe("http://localhost:3000");
    expect(config.databaseUrl).toBeUndefined();
  });

  it("names the setting and what is wrong in one sentence", () => {
    expect(() => loadConfig({ env: { DATABASE_URL: "mysql://x", KONVERSA_CONFIG: undefined } })).toThrow(
      new ConfigError('DATABASE_URL is not a postgres:// URL (got "mysql://x").'),
    );
    expect(() => loadConfig({ env: { PORT: "70000" } })).toThrow(/^PORT is not a port number/);
    expect(() => loadConfig({ env: { KONVERSA_SECRET_KEY: "short" } })).toThrow(
      /^KONVERSA_SECRET_KEY is not 32 bytes/,
    );
  });

  it("reads konversa.config.json and lets the environment win", () => {
    const dir = mkdtempSync(path.join(tmpdir(), "konversa-config-"));
    const file = path.join(dir, "konversa.config.json");
    writeFileSync(file, JSON.stringify({ port: 4100, logLevel: "warn" }));
    expect(loadConfig({ env: {}, file }).port).toBe(4100);
    expect(loadConfig({ env: { PORT: "4200" }, file }).port).toBe(4200);
    writeFileSync(file, JSON.stringify({ prot: 1 }));
    expect(() => loadConfig({ env: {}, file })).toThrow(/unknown setting "prot"/);
    writeFileSync(file, JSON.stringify({ port: "abc" }));
    expect(() => loadConfig({ env: {}, file })).toThrow(/^port in .* is not a port number/);
    writeFileSync(file, "{nope");
    expect(() => loadConfig({ env: {}, file })).toThrow(/is not valid JSON/);
  });

  it("complains about a named config file that is missing", () => {
    expect(() => loadConfig({ env: { KONVERSA_CONFIG: noFile } })).toThrow(/does not exist/);
  });
});
