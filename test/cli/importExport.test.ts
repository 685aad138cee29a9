import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createPerson, createTestApp, type TestApp } from "../support/app.js";
import { projectRoot, runCli } from "../support/cli.js";
import { waitFor } from "../support/webhookReceiver.js";

let t: TestApp;
let url: string;
let token: string;
let dir: string;

/** The test app on a real loopback port, so the CLI talks to it like to any server. */
async function startServer() {
  const app = await createTestApp({ withPipeline: true });
  await app.app.listen({ port: 0, host: "127.0.0.1" });
  const { port } = app.app.server.address() as AddressInfo;
  return { app, url: `http://127.0.0.1:${port}` };
}

type ProxyAction = "forward" | "hold" | "rate-limit";

/**
 * A pass-through proxy in front of the server that records the posts of every forwarded ingest
 * request, and can hold a request forever or answer 429 (to interrupt and to slow an import).
 */
async function startProxy(target: string) {
  const forwarded: string[][] = [];
  const held: ServerResponse[] = [];
  let posts = 0;
  let decide: (n: number) => ProxyAction = () => "forward";
  const relay = async (request: IncomingMessage, response: ServerResponse) => {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    if (request.method === "POST") {
      posts++;
      const action = decide(posts);
      if (action === "hold") {
        held.push(response);
        return;
      }
      if (action === "rate-limit") {
        response
          .writeHead(429, { "retry-after": "0", "content-type": "application/json" })
          .end(JSON.stringify({ error: { code: "rate_limited", message: "Too many requests." } }));
        return;
      }
      forwarded.push(JSON.parse(body.toString()).posts.map((p: { externalId: string }) => p.externalId));
    }
    const upstream = await fetch(`${target}${request.url}`, {
      method: request.method,
      headers: {
        authorization: String(request.headers.authorization ?? ""),
        "content-type": String(request.headers["content-type"] ?? "application/json"),
      },
      body: request.method === "GET" ? undefined : body,
    });
    response.writeHead(upstream.status, { "content-type": upstream.headers.get("content-type") ?? "" });
    response.end(Buffer.from(await upstream.arrayBuffer()));
  };
  const server: Server = createServer((request, response) => {
    void relay(request, response);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    forwarded,
    held,
    set decide(f: (n: number) => ProxyAction) {
      decide = f;
    },
    close: () => {
      for (const response of held) response.destroy();
      server.closeAllConnections();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

const api = (pathAndQuery: string) =>
  t.app.inject({ method: "GET", url: pathAndQuery, headers: { authorization: `Bearer ${token}` } });
const countOf = async (query: string) =>
  (await api(`/api/v1/mentions/count?${query}`)).json().count as number;
const waitForCount = (query: string, n: number) =>
  waitFor(
    async () => ((await countOf(query)) === n ? true : undefined),
    `${n} mentions for ${query}`,
    30_000,
  );

/** The CLI is slow to start on a busy machine (it loads the whole program); allow for that. */
const run = (args: string[]) => runCli(args, { timeoutMs: 180_000 });
const cli = (args: string[]) => run([...args, "--url", url, "--token", token]);

function rejectedLines(file: string): Array<{ line: number; reasons: string[]; row: string }> {
  return readFileSync(`${file}.rejected.jsonl`, "utf8")
    .trimEnd()
    .split("\n")
    .map((line) => JSON.parse(line));
}

function post(network: string, externalId: string, text: string, extra: Record<string, unknown> = {}) {
  return {
    network,
    externalId,
    text,
    author: { handle: "pendlerin.bsky.social", displayName: "Pendlerin", followers: 12 },
    postedAt: "2024-03-01T07:30:00Z",
    ...extra,
  };
}

beforeAll(async () => {
  const started = await startServer();
  t = started.app;
  url = started.url;
  const owner = await createPerson(t, { role: "owner", orgName: "Nordbahn Import" });
  token = (
    await t.app.inject({
      method: "POST",
      url: "/api/v1/api-tokens",
      headers: owner.headers,
      payload: { name: "import" },
    })
  ).json().token;
  dir = mkdtempSync(path.join(tmpdir(), "konversa-import-"));
});
afterAll(async () => t?.close());

// The CLI starts slowly (it loads the whole program), so the cases run side by side.
describe.concurrent("konversa import and export against a running server", () => {
  it("imports JSON Lines, writing each bad row with its line and reasons to the rejected file (exit 3)", async () => {
    const file = path.join(dir, "posts.jsonl");
    const lines = [
      JSON.stringify(post("bluesky", "j-1", "Nordbahn pünktlich heute, danke!")),
      "{ this is not json",
      JSON.stringify({
        network: "bluesky",
        text: "ohne id",
        author: { handle: "x" },
        postedAt: "2024-03-01",
      }),
      JSON.stringify(post("bluesky", "j-4", "falsche Typen", { postedAt: "gestern", author: "niemand" })),
      JSON.stringify(post("bluesky", "j-5", "x".repeat(10 * 1024 * 1024))),
      JSON.stringify(post("bluesky", "j-1", "dieselbe id noch einmal")),
      "",
      JSON.stringify(post("mastodon", "j-8", "Der Zug nach Kiel fällt schon wieder aus.")),
    ];
    writeFileSync(file, `${lines.join("\n")}\n`);

    const result = await cli(["import", file]);
    expect(result.stderr).not.toMatch(/unexpected error/);
    expect(result.code).toBe(3);
    expect(result.stdout).toContain("2 of 7 rows accepted, 5 rejected");
    expect(result.stderr).toMatch(/imported 2 of ~7 rows \(100 %\), 5 rejected/);

    const rejected = rejectedLines(file);
    expect(rejected.map((r) => r.line)).toEqual([2, 3, 4, 5, 6]);
    expect(rejected[0]!.reasons[0]).toMatch(/^not valid JSON/);
    expect(rejected[0]!.row).toBe("{ this is not json");
    expect(rejected[1]!.reasons.join(" ")).toMatch(/externalId/);
    expect(rejected[2]!.reasons.join(" ")).toMatch(/postedAt|author/);
    expect(rejected[3]!.reasons.join(" ")).toMatch(/longer than 100000/);
    expect(rejected[3]!.row).toBe(lines[4]);
    expect(rejected[4]!.reasons.join(" ")).toMatch(/twice in this batch/);

    await waitForCount("q=Nordbahn pünktlich", 1);
    await waitForCount("network=mastodon&q=Kiel", 1);
  }, 240_000);

  it("imports CSV with a BOM, CRLF and quoted commas, quotes and line breaks; bad records are rejected", async () => {
    const file = path.join(dir, "posts.csv");
    const csv = [
      "network,externalId,text,authorHandle,authorFollowers,postedAt,likes,isPublic",
      'forum,c-1,"Zug 7:15 fällt aus, wieder ""Störung"".\r\nZweite Zeile",fahrgast1,10,2024-03-02T06:00:00Z,3,true',
      "forum,c-2,Klimaanlage kaputt im Wagen 5,fahrgast2,,2024-03-02T06:05:00Z,,",
      "forum,c-4,zu viele,felder,1,2024-03-02T06:15:00Z,0,true,extra",
      "forum,c-5,Follower sind keine Zahl,fahrgast5,viele,2024-03-02T06:20:00Z,0,true",
      // An unclosed quote runs to the end of the file, so it comes last here.
      'forum,c-6,"nie geschlossen,fahrgast6,1,2024-03-02T06:10:00Z,0,true',
    ].join("\r\n");
    writeFileSync(file, `\uFEFF${csv}\r\n`);
    const result = await cli(["import", file]);
    expect(result.code).toBe(3);
    expect(result.stdout).toContain("2 of 5 rows accepted, 3 rejected");
    const rejected = rejectedLines(file);
    // c-1 spans lines 2 and 3: a line break inside quotes belongs to the field.
    expect(rejected.map((r) => r.line)).toEqual([5, 6, 7]);
    expect(rejected[0]!.reasons[0]).toMatch(/9 fields, the header 8/);
    expect(rejected[1]!.reasons.join(" ")).toMatch(/author\.followers/);
    expect(rejected[2]!.reasons[0]).toMatch(/never closed/);
    expect(rejected[2]!.row).toBe('forum,c-6,"nie geschlossen,fahrgast6,1,2024-03-02T06:10:00Z,0,true\r');

    await waitForCount("network=forum", 2);
    const [stored] = (await api("/api/v1/mentions?network=forum&q=Störung")).json().mentions;
    expect(stored.text).toBe('Zug 7:15 fällt aus, wieder "Störung".\r\nZweite Zeile');
    expect(stored.likes).toBe(3);
    expect(stored.author.followers).toBe(10);
  }, 240_000);

  it("a CSV with columns it does not know stops before sending anything, naming them (exit 1)", async () => {
    const file = path.join(dir, "unknown.csv");
    writeFileSync(
      file,
      "network,externalId,text,authorHandle,postedAt,Stimmung,Ort\nforum,u-1,a,b,2024-01-01,c,d\n",
    );
    const proxy = await startProxy(url);
    try {
      const result = await run(["import", file, "--url", proxy.url, "--token", token]);
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(
        /konversa: .*unknown\.csv has columns the import does not know: "Stimmung", "Ort"/,
      );
      expect(proxy.forwarded).toEqual([]);
    } finally {
      await proxy.close();
    }
  }, 240_000);

  it("an import killed mid-way resumes after the last acknowledged line and sends no row twice", async () => {
    const file = path.join(dir, "resume.jsonl");
    const total = 55;
    writeFileSync(
      file,
      Array.from({ length: total }, (_, i) =>
        JSON.stringify(post("rss", `r-${i + 1}`, `Meldung ${i + 1} zur Nordbahn`)),
      ).join("\n"),
    );
    const proxy = await startProxy(url);
    let child: ChildProcess | undefined;
    try {
      // The third batch never gets an answer; the import is killed while waiting for it.
      proxy.decide = (n) => (n === 3 ? "hold" : "forward");
      child = spawn(
        process.execPath,
        [
          "--import",
          "tsx",
          path.join(projectRoot, "src/cli/index.ts"),
          "import",
          file,
          "--batch",
          "10",
          "--url",
          proxy.url,
          "--token",
          token,
        ],
        { cwd: projectRoot, env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "/tmp" } },
      );
      await waitFor(() => (proxy.held.length > 0 ? true : undefined), "the third batch", 150_000);
      child.kill("SIGKILL");
      await once(child, "close");
      const checkpoint = JSON.parse(readFileSync(`${file}.konversa-import.json`, "utf8"));
      expect(checkpoint).toMatchObject({ line: 20, accepted: 20, rejected: 0, done: false });

      // Resumed; its first request is rate-limited once and retried after Retry-After.
      proxy.decide = (n) => (n === 4 ? "rate-limit" : "forward");
      const resumed = await run(["import", file, "--batch", "10", "--url", proxy.url, "--token", token]);
      expect(resumed.code).toBe(0);
      expect(resumed.stderr).toContain("Resuming");
      expect(resumed.stderr).toMatch(/429 Too many requests; retrying in 0\.0 s/);
      expect(resumed.stdout).toContain(`${total} of ${total} rows accepted, 0 rejected`);
      const sent = proxy.forwarded.flat();
      expect(sent).toHaveLength(total);
      expect(new Set(sent).size).toBe(total);

      // Done: running it again sends nothing.
      const again = await run(["import", file, "--url", proxy.url, "--token", token]);
      expect(again.code).toBe(0);
      expect(again.stderr).toMatch(/imported completely before/);
      expect(proxy.forwarded.flat()).toHaveLength(total);
      await waitForCount("network=rss", total);
    } finally {
      child?.kill("SIGKILL");
      await proxy.close();
    }
  }, 240_000);

  it("tells the exit codes in --help, and says in one sentence when the server is unreachable or the token is wrong (exit 1)", async () => {
    const file = path.join(dir, "one.jsonl");
    writeFileSync(file, `${JSON.stringify(post("x", "o-1", "eins"))}\n`);
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const deadUrl = `http://127.0.0.1:${(closed.address() as AddressInfo).port}`;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const [help, unreachable, badToken, noToken] = await Promise.all([
      run(["import", "--help"]),
      run(["import", file, "--restart", "--url", deadUrl, "--token", token]),
      run(["export", "mentions", "--out", path.join(dir, "x.csv"), "--url", url, "--token", "kvt_wrong"]),
      run(["import", file, "--restart", "--url", url]),
    ]);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/3 some rows were rejected/);
    expect(unreachable.code).toBe(1);
    expect(unreachable.stderr.trim()).toBe(
      `konversa: Cannot reach the Konversa server at ${deadUrl} (connection refused); start it with "konversa start" or pass --url.`,
    );
    const tokenSentence =
      "konversa: the API token is missing or invalid; create one in Settings → API tokens and pass --token";
    expect(badToken.code).toBe(1);
    expect(badToken.stderr.trim()).toBe(tokenSentence);
    expect(noToken.code).toBe(1);
    expect(noToken.stderr.trim()).toBe(tokenSentence);
    expect(existsSync(path.join(dir, "x.csv"))).toBe(false);
  }, 240_000);

  it("exports the filtered mentions to CSV and JSON Lines with progress", async () => {
    const seeded = await t.app.inject({
      method: "POST",
      url: "/api/v1/ingest/posts",
      headers: { authorization: `Bearer ${token}` },
      payload: {
        posts: Array.from({ length: 55 }, (_, i) =>
          post("webhook", `w-${i + 1}`, `Meldung ${i + 1} zur Nordbahn`),
        ),
      },
    });
    expect(seeded.statusCode).toBe(202);
    await waitForCount("network=webhook", 55);
    const csvFile = path.join(dir, "webhook.csv");
    const jsonlFile = path.join(dir, "webhook.jsonl");
    const [csv, jsonl] = await Promise.all([
      cli(["export", "mentions", "--out", csvFile, "--network", "webhook", "--search", "Meldung"]),
      cli(["export", "mentions", "--out", jsonlFile, "--network", "webhook", "--from", "2024-03-01"]),
    ]);
    expect(csv.code).toBe(0);
    expect(csv.stderr).toMatch(/exported 55 of 55 mentions \(100 %\)/);
    expect(csv.stdout).toContain(`Exported 55 mentions to ${csvFile}.`);
    const csvLines = readFileSync(csvFile, "utf8").split("\r\n");
    expect(csvLines[0]).toMatch(/^\uFEFFid,network,externalId,postedAt,/);
    expect(csvLines.filter((l) => l.includes(",webhook,w-"))).toHaveLength(55);
    expect(jsonl.code).toBe(0);
    const mentions = readFileSync(jsonlFile, "utf8")
      .trimEnd()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(mentions).toHaveLength(55);
    expect(new Set(mentions.map((m) => m.externalId)).size).toBe(55);
    expect(existsSync(`${jsonlFile}.part`)).toBe(false);
  }, 240_000);
});
