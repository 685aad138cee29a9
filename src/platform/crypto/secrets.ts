import {
  createCipheriv,
  createDecipheriv,
  createHash,
  createHmac,
  randomBytes,
  timingSafeEqual,
} from "node:crypto";
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";

/**
 * The installation's master key: from KONVERSA_SECRET_KEY, else generated once into
 * `<dataDir>/secret.key` (mode 0600). Purpose keys are derived from it so that one leaked
 * purpose key (say, session signing) does not open the encrypted channel credentials.
 */
export function loadOrCreateMasterKey(props: { configured?: Buffer; dataDir: string }): Buffer {
  if (props.configured) return props.configured;
  const file = path.join(props.dataDir, "secret.key");
  if (existsSync(file)) {
    const key = Buffer.from(readFileSync(file, "utf8").trim(), "hex");
    if (key.length !== 32)
      throw new Error(`${file} does not hold a 32-byte hex key; remove it or set KONVERSA_SECRET_KEY.`);
    return key;
  }
  mkdirSync(props.dataDir, { recursive: true });
  const key = randomBytes(32);
  writeFileSync(file, key.toString("hex"), { mode: 0o600 });
  chmodSync(file, 0o600);
  return key;
}

export function deriveKey(master: Buffer, purpose: string): Buffer {
  return createHmac("sha256", master).update(`konversa:${purpose}`).digest();
}

/** AES-256-GCM; the result is `v1:<iv>:<tag>:<ciphertext>` in base64url, safe to store as text. */
export function encryptSecret(key: Buffer, plaintext: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", key, iv);
  const body = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
  return ["v1", iv, cipher.getAuthTag(), body]
    .map((p) => (typeof p === "string" ? p : p.toString("base64url")))
    .join(":");
}

export function decryptSecret(key: Buffer, stored: string): string {
  const [version, iv, tag, body] = stored.split(":");
  if (version !== "v1" || !iv || !tag || body === undefined)
    throw new Error("The stored secret has an unknown format.");
  const decipher = createDecipheriv("aes-256-gcm", key, Buffer.from(iv, "base64url"));
  decipher.setAuthTag(Buffer.from(tag, "base64url"));
  return Buffer.concat([decipher.update(Buffer.from(body, "base64url")), decipher.final()]).toString("utf8");
}

/** Tokens we hand out once (API tokens, invitation links) are stored only as this hash. */
export function hashToken(token: string): string {
  return createHash("sha256").update(token).digest("hex");
}

export function randomToken(prefix: string, bytes = 32): string {
  return `${prefix}_${randomBytes(bytes).toString("base64url")}`;
}

export function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
