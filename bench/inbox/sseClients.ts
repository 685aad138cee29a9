// Many browsers of one organization, simulated: plain HTTP streaming clients of GET /api/v1/events
// in one process. Prints "ready" when all are connected; for every `conversations.changed` event
// it notes when each client saw it. On "report" (stdin) it prints, per conversation id, the
// receive times (epoch ms, sub-millisecond) of all clients, and exits.
import http from "node:http";
import { createInterface } from "node:readline";

const [url, cookie, countArg] = process.argv.slice(2);
const count = Number(countArg);
const now = () => performance.timeOrigin + performance.now();
const seen = new Map<string, number[]>();
const agent = new http.Agent({ keepAlive: false, maxSockets: Number.POSITIVE_INFINITY });
let connected = 0;

function connect() {
  const request = http.get(url!, { agent, headers: { cookie, accept: "text/event-stream" } }, (response) => {
    if (response.statusCode !== 200) {
      process.stderr.write(`events answered ${response.statusCode}\n`);
      process.exit(1);
    }
    response.setEncoding("utf8");
    let buffer = "";
    let first = true;
    response.on("data", (chunk: string) => {
      const at = now();
      if (first) {
        first = false;
        if (++connected === count) process.stdout.write("ready\n");
      }
      buffer += chunk;
      let end = buffer.indexOf("\n\n");
      while (end >= 0) {
        const frame = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        end = buffer.indexOf("\n\n");
        if (!frame.startsWith("event: conversations.changed")) continue;
        const data = frame.slice(frame.indexOf("data: ") + 6);
        for (const id of (JSON.parse(data) as { conversationIds: string[] }).conversationIds) {
          const times = seen.get(id) ?? [];
          times.push(at);
          seen.set(id, times);
        }
      }
    });
  });
  request.on("error", (error) => {
    process.stderr.write(`events connection failed: ${error.message}\n`);
    process.exit(1);
  });
}

for (let i = 0; i < count; i++) connect();
createInterface({ input: process.stdin }).on("line", (line) => {
  if (line.trim() !== "report") return;
  process.stdout.write(`${JSON.stringify(Object.fromEntries(seen))}\n`, () => process.exit(0));
});
