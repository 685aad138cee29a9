import { createHash, createHmac } from "node:crypto";

/**
 * A keyed pseudonym: HMAC-SHA256 of the network and the lower-cased handle under the
 * organization's pseudonym key. Stable for one organization (counts and rankings still work),
 * unlinkable across organizations, and not reversible without the key.
 */
export function pseudonymOf(key: Buffer, network: string, handle: string): string {
  const mac = createHmac("sha256", key).update(`${network}:${handle.trim().toLowerCase()}`).digest("hex");
  return `author-${mac.slice(0, 16)}`;
}

/** Lower-case hex SHA-256, as ad networks expect for customer lists. */
export function sha256Hex(value: string): string {
  return createHash("sha256").update(value, "utf8").digest("hex");
}
