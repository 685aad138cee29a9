import { lookup as dnsLookup, type LookupAddress } from "node:dns";
import http from "node:http";
import https from "node:https";
import { BlockList, isIP } from "node:net";

/**
 * Fetching a URL that somebody typed in (a feed, a reply webhook) without letting it reach inside
 * our own network (SSRF): the host is resolved, and an address in a private, loopback, link-local or
 * otherwise special range is refused unless an admin allow-listed that host by name. The check runs
 * in the socket's own DNS lookup, so a second answer (DNS rebinding) cannot slip past it. Redirects
 * are followed by hand and checked again; the answer is capped in time and size.
 */
export interface SafeFetchOptions {
  method?: "GET" | "POST";
  headers?: Record<string, string>;
  body?: string;
  /** Host names (or literal addresses) an admin allowed even though they resolve to private ranges. */
  allowHosts?: readonly string[];
  timeoutMs?: number;
  maxBytes?: number;
  maxRedirects?: number;
}

export interface SafeResponse {
  status: number;
  headers: Record<string, string | undefined>;
  body: string;
  url: string;
}

export class UnsafeTargetError extends Error {
  override name = "UnsafeTargetError";
}

const blocked = new BlockList();
for (const [network, prefix] of [
  ["0.0.0.0", 8],
  ["10.0.0.0", 8],
  ["100.64.0.0", 10],
  ["127.0.0.0", 8],
  ["169.254.0.0", 16],
  ["172.16.0.0", 12],
  ["192.0.0.0", 24],
  ["192.0.2.0", 24],
  ["192.168.0.0", 16],
  ["198.18.0.0", 15],
  ["198.51.100.0", 24],
  ["203.0.113.0", 24],
  ["224.0.0.0", 4],
  ["240.0.0.0", 4],
] as const) {
  blocked.addSubnet(network, prefix, "ipv4");
}
for (const [network, prefix] of [
  ["::", 128],
  ["::1", 128],
  ["fc00::", 7],
  ["fe80::", 10],
  ["ff00::", 8],
  ["2001:db8::", 32],
  ["64:ff9b::", 96],
] as const) {
  blocked.addSubnet(network, prefix, "ipv6");
}

/** Whether an address is in a range an outside URL must not reach (private, loopback, link-local …). */
export function isPrivateAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 4) return blocked.check(address, "ipv4");
  if (family === 6) {
    const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
    if (mapped) return blocked.check(mapped[1]!, "ipv4");
    return blocked.check(address, "ipv6");
  }
  return true;
}

function guardedLookup(host: string, allowHosts: readonly string[]) {
  const allowed = allowHosts.map((h) => h.toLowerCase()).includes(host.toLowerCase());
  return (
    hostname: string,
    options: object,
    callback: (error: Error | null, address: string | LookupAddress[], family?: number) => void,
  ) => {
    dnsLookup(hostname, { ...options, all: true }, (error, addresses) => {
      if (error) return callback(error, "");
      const list = addresses as LookupAddress[];
      const refused = list.find((a) => isPrivateAddress(a.address));
      if (refused && !allowed) {
        return callback(
          new UnsafeTargetError(
            `${hostname} resolves to ${refused.address}, a private or local address; an admin can allow this host explicitly.`,
          ),
          "",
        );
      }
      if ((options as { all?: boolean }).all) return callback(null, list);
      callback(null, list[0]!.address, list[0]!.family);
    });
  };
}

export async function safeFetch(url: string, options: SafeFetchOptions = {}): Promise<SafeResponse> {
  let current = new URL(url);
  for (let redirects = 0; ; redirects += 1) {
    const response = await requestOnce(current, options);
    const location = response.headers.location;
    if (response.status >= 300 && response.status < 400 && location && (options.method ?? "GET") === "GET") {
      if (redirects >= (options.maxRedirects ?? 3)) throw new UnsafeTargetError("Too many redirects.");
      current = new URL(location, current);
      continue;
    }
    return response;
  }
}

function requestOnce(url: URL, options: SafeFetchOptions): Promise<SafeResponse> {
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    return Promise.reject(new UnsafeTargetError(`Only http and https URLs are fetched, not ${url.protocol}`));
  }
  const allowHosts = options.allowHosts ?? [];
  const host = url.hostname.replace(/^\[|\]$/g, "");
  // A literal address never goes through DNS: check it here.
  if (isIP(host) && isPrivateAddress(host) && !allowHosts.includes(host)) {
    return Promise.reject(
      new UnsafeTargetError(
        `${host} is a private or local address; an admin can allow this host explicitly.`,
      ),
    );
  }
  const maxBytes = options.maxBytes ?? 2 * 1024 * 1024;
  const client = url.protocol === "https:" ? https : http;
  return new Promise((resolve, reject) => {
    const request = client.request(
      url,
      {
        method: options.method ?? "GET",
        headers: {
          "user-agent": "Konversa/0.1 (+https://github.com/konversa)",
          ...options.headers,
          ...(options.body !== undefined
            ? { "content-length": String(Buffer.byteLength(options.body)) }
            : {}),
        },
        lookup: guardedLookup(host, allowHosts) as never,
        timeout: options.timeoutMs ?? 10_000,
      },
      (response) => {
        const chunks: Buffer[] = [];
        let size = 0;
        response.on("data", (chunk: Buffer) => {
          size += chunk.length;
          if (size > maxBytes) {
            request.destroy(new UnsafeTargetError(`The answer is larger than ${maxBytes} bytes.`));
            return;
          }
          chunks.push(chunk);
        });
        response.on("end", () => {
          const headers: Record<string, string | undefined> = {};
          for (const [name, value] of Object.entries(response.headers)) {
            headers[name] = Array.isArray(value) ? value.join(", ") : value;
          }
          resolve({
            status: response.statusCode ?? 0,
            headers,
            body: Buffer.concat(chunks).toString("utf8"),
            url: url.toString(),
          });
        });
        response.on("error", reject);
      },
    );
    request.on("timeout", () => request.destroy(new Error(`No answer from ${url.host} within the timeout.`)));
    request.on("error", reject);
    if (options.body !== undefined) request.write(options.body);
    request.end();
  });
}
