import { createHmac, timingSafeEqual } from "node:crypto";
import { createServer, type Server } from "node:http";

export interface ReceivedWebhook {
  body: string;
  json: Record<string, unknown>;
  signatureValid: boolean;
  /** When the request arrived (ms since the epoch). */
  receivedAt: number;
  /** The status code the receiver answered. */
  answered: number;
  headers: Record<string, string>;
}

/**
 * A real HTTP server on loopback that receives Konversa webhooks and checks their signature.
 * `failFirst` answers that many requests with 500 first (to see retries).
 */
export async function startWebhookReceiver(secret: string, options: { failFirst?: number } = {}) {
  const received: ReceivedWebhook[] = [];
  let failures = options.failFirst ?? 0;
  const server: Server = createServer((request, response) => {
    let body = "";
    request.on("data", (chunk) => {
      body += chunk;
    });
    request.on("end", () => {
      const timestamp = String(request.headers["x-konversa-timestamp"] ?? "");
      const expected = `sha256=${createHmac("sha256", secret).update(`${timestamp}.${body}`).digest("hex")}`;
      const given = String(request.headers["x-konversa-signature"] ?? "");
      const signatureValid =
        given.length === expected.length && timingSafeEqual(Buffer.from(given), Buffer.from(expected));
      const failing = failures > 0;
      failures -= 1;
      received.push({
        body,
        json: JSON.parse(body),
        signatureValid,
        receivedAt: Date.now(),
        answered: failing ? 500 : signatureValid ? 200 : 401,
        headers: request.headers as Record<string, string>,
      });
      response.writeHead(failing ? 500 : signatureValid ? 200 : 401).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}/hooks/konversa`,
    received,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

export async function waitFor<T>(
  probe: () => Promise<T | undefined> | T | undefined,
  what: string,
  timeoutMs = 15_000,
): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > until) throw new Error(`Timed out waiting for ${what}.`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
