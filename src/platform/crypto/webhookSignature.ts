import { createHmac } from "node:crypto";
import { safeEqual } from "./secrets.js";

/** The signature a webhook receiver checks: HMAC-SHA256 over `<timestamp>.<body>` with the shared secret. */
export function signWebhook(secret: string, timestamp: string, body: string): string {
  return `sha256=${createHmac("sha256", secret).update(`${timestamp}.${body}`).digest("hex")}`;
}

/** How far a signed request's timestamp may be from our time: older ones are replays. */
export const webhookToleranceMs = 5 * 60_000;

/** Checks a signed request: the signature must match and the timestamp (Unix seconds) be recent. */
export function verifyWebhook(props: {
  secret: string;
  timestamp: string | undefined;
  signature: string | undefined;
  body: string;
  now: Date;
}): "valid" | "missing" | "stale" | "mismatch" {
  if (!props.timestamp || !props.signature) return "missing";
  const seconds = Number(props.timestamp);
  if (!Number.isFinite(seconds) || Math.abs(props.now.getTime() - seconds * 1000) > webhookToleranceMs) {
    return "stale";
  }
  return safeEqual(signWebhook(props.secret, props.timestamp, props.body), props.signature)
    ? "valid"
    : "mismatch";
}
