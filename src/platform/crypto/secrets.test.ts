import { mkdtempSync, readFileSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { decryptSecret, deriveKey, encryptSecret, loadOrCreateMasterKey } from "./secrets.js";

describe("secrets at rest", () => {
  it("encrypts with AES-256-GCM and refuses a tampered value", () => {
    const key = deriveKey(Buffer.alloc(32, 7), "channel-credentials");
    const stored = encryptSecret(key, "app-password-123");
    expect(stored).not.toContain("app-password-123");
    expect(decryptSecret(key, stored)).toBe("app-password-123");
    const parts = stored.split(":");
    parts[3] = Buffer.from("tampered").toString("base64url");
    expect(() => decryptSecret(key, parts.join(":"))).toThrow();
    expect(() => decryptSecret(deriveKey(Buffer.alloc(32, 8), "channel-credentials"), stored)).toThrow();
  });

  it("generates the master key once, readable only by its owner", () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), "konversa-key-"));
    const first = loadOrCreateMasterKey({ dataDir });
    const second = loadOrCreateMasterKey({ dataDir });
    expect(first.equals(second)).toBe(true);
    expect(statSync(path.join(dataDir, "secret.key")).mode & 0o777).toBe(0o600);
    expect(readFileSync(path.join(dataDir, "secret.key"), "utf8")).toHaveLength(64);
  });
});
