import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";

export interface PeerRequest {
  method: string;
  url: string;
  headers: IncomingMessage["headers"];
  body: string;
}

/**
 * A real HTTP server on loopback standing in for a network we cannot run here; the test gives it
 * a handler that answers as the network's documentation says, and reads what it received.
 */
export async function startHttpPeer(
  handler: (request: PeerRequest, response: ServerResponse) => void | Promise<void>,
) {
  const received: PeerRequest[] = [];
  const server: Server = createServer((request, response) => {
    let body = "";
    request.on("data", (chunk) => {
      body += chunk;
    });
    request.on("end", async () => {
      const entry = {
        method: request.method ?? "GET",
        url: request.url ?? "/",
        headers: request.headers,
        body,
      };
      received.push(entry);
      try {
        await handler(entry, response);
      } catch (error) {
        response.writeHead(500).end(String(error));
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  return {
    origin: `http://127.0.0.1:${port}`,
    received,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export function json(
  response: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
) {
  response.writeHead(status, { "content-type": "application/json", ...headers }).end(JSON.stringify(body));
}
