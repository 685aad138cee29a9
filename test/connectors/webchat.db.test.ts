import { createHash } from "node:crypto";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import type { ServerFrame } from "../../src/connectors/webchat/webchatProtocol.js";
import { webchatLimits } from "../../src/connectors/webchat/webchatProtocol.js";
import { contact } from "../../src/modules/contacts/schema.js";
import { conversationsPresenceSubject } from "../../src/modules/conversations/presenceAnnouncer.js";
import { message } from "../../src/modules/conversations/schema.js";
import { consentRecord } from "../../src/modules/privacy/schema.js";
import { countAgentsOnline } from "../../src/modules/realtime/agentPresence.js";
import { webchatSession } from "../../src/modules/webchat/schema.js";
import { manualClock } from "../../src/platform/clock.js";
import { createPerson, createTestApp, type TestApp } from "../support/app.js";
import { testBackend } from "../support/database.js";
import { startSmtpReceiver } from "../support/smtpReceiver.js";

/*
 * The web chat against a listening Konversa: the widget's script and WebSocket refuse websites the
 * channel does not allow; the pre-chat form records consent with the privacy text; visitor and
 * agent write both ways through the inbox and the outbound queue, with typing; limits answer with
 * sentences; with nobody online, replies reach the visitor by e-mail (a real SMTP server).
 */
const site = "http://127.0.0.1:8931";
const otherSite = "https://evil.example";
const privacyText =
  "Ich bin einverstanden, dass Nordbahn meinen Namen und meine E-Mail für diesen Chat speichert.";
// Monday, 10:00 in Berlin: inside the business hours below.
const clock = manualClock("2026-03-02T09:00:00Z");
let t: TestApp;
let base: string;
let owner: Awaited<ReturnType<typeof createPerson>>;
let channelId: string;
let smtp: Awaited<ReturnType<typeof startSmtpReceiver>>;

/** A visitor's widget: a WebSocket that keeps every frame it gets. */
class Visitor {
  frames: ServerFrame[] = [];
  private waiters: Array<() => void> = [];
  private constructor(readonly socket: WebSocket) {
    socket.on("message", (data) => {
      this.frames.push(JSON.parse(data.toString()) as ServerFrame);
      for (const wake of this.waiters.splice(0)) wake();
    });
  }

  static connect(origin = site, id = channelId): Promise<Visitor> {
    const socket = new WebSocket(`${base.replace("http", "ws")}/api/v1/webchat/${id}/socket`, {
      headers: { origin },
    });
    return new Promise((resolve, reject) => {
      socket.once("open", () => resolve(new Visitor(socket)));
      socket.once("error", reject);
    });
  }

  send(frame: Record<string, unknown>) {
    this.socket.send(JSON.stringify(frame));
  }

  async next<T extends ServerFrame["type"]>(
    type: T,
    where: (frame: Extract<ServerFrame, { type: T }>) => boolean = () => true,
    timeoutMs = 5_000,
  ): Promise<Extract<ServerFrame, { type: T }>> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const index = this.frames.findIndex(
        (f) => f.type === type && where(f as Extract<ServerFrame, { type: T }>),
      );
      if (index >= 0) return this.frames.splice(index, 1)[0] as Extract<ServerFrame, { type: T }>;
      const left = deadline - Date.now();
      if (left <= 0) {
        throw new Error(`no "${type}" frame within ${timeoutMs} ms; got ${JSON.stringify(this.frames)}`);
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  async start(props: { name?: string; email?: string } = {}) {
    this.send({
      type: "start",
      name: props.name ?? "Kim Berger",
      email: props.email ?? "kim@example.test",
      consent: true,
      language: "de",
    });
    return this.next("session");
  }

  close() {
    this.socket.close();
  }
}

const api = (method: "GET" | "POST" | "PUT", url: string, payload?: object) =>
  t.app.inject({ method, url, headers: owner.headers, payload });

/** An agent's inbox is open: the event stream of the listening app, held open. */
async function openInbox() {
  const controller = new AbortController();
  const response = await fetch(`${base}/api/v1/events`, {
    headers: { cookie: owner.cookie },
    signal: controller.signal,
  });
  const reader = response.body!.getReader();
  await reader.read();
  return {
    close: async () => {
      controller.abort();
      await reader.cancel().catch(() => undefined);
    },
  };
}

beforeAll(async () => {
  smtp = await startSmtpReceiver();
  t = await createTestApp({ clock });
  await t.app.listen({ port: 0, host: "127.0.0.1" });
  const address = t.app.server.address() as { port: number };
  base = `http://127.0.0.1:${address.port}`;
  owner = await createPerson(t, { role: "owner", orgName: "Nordbahn Chat" });
  const hours = await api("POST", "/api/v1/sla/business-hours", {
    name: "Service",
    timezone: "Europe/Berlin",
    weeklyRanges: [1, 2, 3, 4, 5].map((weekday) => ({ weekday, start: "08:00", end: "18:00" })),
  });
  expect(hours.statusCode, hours.body).toBe(201);
  const created = await api("POST", "/api/v1/settings/channel-accounts", {
    network: "webchat",
    name: "Website",
    settings: {
      allowedOrigins: [site],
      privacyText,
      greeting: "Moin! Wie können wir helfen?",
      businessHoursId: (hours.json() as { id: string }).id,
    },
  });
  expect(created.statusCode, created.body).toBe(201);
  channelId = (created.json() as { channelId: string }).channelId;
  const settings = await api("PUT", "/api/v1/settings/smtp", {
    host: "127.0.0.1",
    port: smtp.port,
    secure: false,
    username: null,
    fromAddress: "Nordbahn Service <service@nordbahn.example>",
  });
  expect(settings.statusCode, settings.body).toBe(200);
});
afterAll(async () => {
  await t?.close();
  await smtp?.close();
});

describe(`web chat (${testBackend})`, () => {
  it("serves the widget's script only to allowed websites", async () => {
    const allowed = await fetch(`${base}/widget/${channelId}.js`, {
      headers: { referer: `${site}/kontakt` },
    });
    expect(allowed.status).toBe(200);
    expect(allowed.headers.get("content-type")).toContain("javascript");
    expect(allowed.headers.get("cross-origin-resource-policy")).toBe("cross-origin");
    expect(await allowed.text()).toContain("attachShadow");
    const byOrigin = await fetch(`${base}/widget/${channelId}.js`, { headers: { origin: site } });
    expect(byOrigin.status).toBe(200);

    const other = await fetch(`${base}/widget/${channelId}.js`, { headers: { referer: `${otherSite}/` } });
    expect(other.status).toBe(403);
    expect(((await other.json()) as { error: { message: string } }).error.message).toContain(otherSite);
    const anonymous = await fetch(`${base}/widget/${channelId}.js`);
    expect(anonymous.status).toBe(403);
    const unknown = await fetch(`${base}/widget/00000000-0000-4000-8000-000000000000.js`, {
      headers: { origin: site },
    });
    expect(unknown.status).toBe(404);
  });

  it("refuses the WebSocket upgrade from a website that is not allowed", async () => {
    await expect(Visitor.connect(otherSite)).rejects.toThrow(/403/);
    const socket = new WebSocket(`${base.replace("http", "ws")}/api/v1/webchat/${channelId}/socket`);
    await expect(
      new Promise((resolve, reject) => {
        socket.once("open", resolve);
        socket.once("error", reject);
      }),
    ).rejects.toThrow(/403/);
  });

  it("records the consent of the pre-chat form with the privacy text shown, and keeps only the token's hash", async () => {
    const visitor = await Visitor.connect();
    const welcome = await visitor.next("welcome");
    expect(welcome).toMatchObject({ privacyText, greeting: "Moin! Wie können wir helfen?", online: false });

    visitor.send({ type: "start", name: "Kim", email: "kim@example.test", consent: false, language: "de" });
    expect((await visitor.next("error")).message).toContain("consent");
    visitor.send({ type: "message", clientId: "m0", text: "Hallo?" });
    expect((await visitor.next("error")).code).toBe("no_session");

    const session = await visitor.start({ name: "Kim Berger", email: "Kim@Example.test" });
    expect(session.token).toMatch(/^[A-Za-z0-9_-]{40,}$/);
    const [stored] = await t.db
      .select()
      .from(webchatSession)
      .where(eq(webchatSession.tokenHash, createHash("sha256").update(session.token!).digest("hex")));
    expect(stored).toBeDefined();
    expect(JSON.stringify(stored)).not.toContain(session.token!);
    const [person] = await t.db.select().from(contact).where(eq(contact.id, stored!.contactId));
    expect(person).toMatchObject({ displayName: "Kim Berger", email: "kim@example.test" });
    const consents = await t.db.select().from(consentRecord).where(eq(consentRecord.contactId, person!.id));
    expect(consents).toHaveLength(1);
    expect(consents[0]).toMatchObject({
      purpose: "service",
      state: "given",
      legalBasis: "consent",
      source: "web_chat_checkbox",
      wording: privacyText,
    });
    // The DPO's view shows it too.
    const ledger = await api("GET", `/api/v1/contacts/${person!.id}/consents`);
    expect(ledger.statusCode, ledger.body).toBe(200);
    expect(ledger.body).toContain("web_chat_checkbox");
    visitor.close();

    // A data-subject request covers the chat: exported with the address and website, then erased.
    const exportRequest = await api("POST", "/api/v1/privacy/requests", {
      type: "export",
      contactId: person!.id,
    });
    expect(exportRequest.statusCode, exportRequest.body).toBe(201);
    const exported = await api("POST", `/api/v1/privacy/requests/${exportRequest.json().id}/export`);
    expect(exported.statusCode, exported.body).toBe(200);
    expect(exported.json().export.webchatSessions).toEqual([
      expect.objectContaining({ visitorEmail: "kim@example.test", origin: site }),
    ]);
    expect(exported.body).not.toContain(stored!.tokenHash);
    const erasure = await api("POST", "/api/v1/privacy/requests", { type: "erasure", contactId: person!.id });
    expect(erasure.statusCode, erasure.body).toBe(201);
    const erased = await api("POST", `/api/v1/privacy/requests/${erasure.json().id}/erasure`);
    expect(erased.statusCode, erased.body).toBe(200);
    expect(await t.db.select().from(webchatSession).where(eq(webchatSession.id, stored!.id))).toEqual([]);
  });

  it("visitor and agent write both ways, with typing; markup stays text; the token resumes the chat", async () => {
    const inbox = await openInbox();
    const visitor = await Visitor.connect();
    expect((await visitor.next("welcome")).online).toBe(true);
    const session = await visitor.start();
    expect(session.emailFollowUp).toBe(false);

    const script = "<script>alert('x')</script> <b>Mein Zug</b> fiel aus";
    visitor.send({ type: "message", clientId: "c1", text: script });
    const ack = await visitor.next("ack", (f) => f.clientId === "c1");
    const [stored] = await t.db.select().from(message).where(eq(message.id, ack.id));
    expect(stored!.body).toBe(script);
    const conversationId = stored!.conversationId;
    const shown = await api("GET", `/api/v1/conversations/${conversationId}`);
    expect(shown.statusCode, shown.body).toBe(200);
    expect(shown.json()).toMatchObject({ isPublic: false });
    expect(shown.body).toContain("alert('x')");

    // The same message sent twice (a reconnect) is stored once.
    visitor.send({ type: "message", clientId: "c1", text: script });
    expect((await visitor.next("ack", (f) => f.clientId === "c1")).id).toBe(ack.id);

    // The visitor types: the inbox hears it as presence with the visitor's name.
    const heard: Array<{ memberName: string; state: string }> = [];
    const stop = t.bus.subscribe<{ memberName: string; state: string; conversationId: string }>(
      conversationsPresenceSubject,
      (event) => {
        if (event.conversationId === conversationId) heard.push(event);
      },
    );
    visitor.send({ type: "typing" });
    await expect.poll(() => heard).toContainEqual(expect.objectContaining({ memberName: "Kim Berger" }));
    stop();

    // The agent types and answers from the inbox; the outbound queue delivers it to the widget.
    const typing = await api("POST", `/api/v1/conversations/${conversationId}/presence`, { state: "typing" });
    expect(typing.statusCode, typing.body).toBeLessThan(300);
    expect((await visitor.next("typing")).author).toBeTruthy();
    clock.advance(1_000);
    const reply = await api("POST", `/api/v1/conversations/${conversationId}/replies`, {
      body: "Das tut uns leid! <i>Wir</i> prüfen es.",
    });
    expect(reply.statusCode, reply.body).toBe(201);
    const outcomes = await t.connectorJobs.deliverReplies();
    expect(outcomes).toContainEqual(expect.objectContaining({ state: "sent" }));
    const line = await visitor.next("line", (f) => f.line.from === "agent");
    expect(line.line.text).toBe("Das tut uns leid! <i>Wir</i> prüfen es.");
    visitor.close();

    // Back after a reload: the token shows the whole chat.
    const again = await Visitor.connect();
    again.send({ type: "resume", token: session.token });
    const resumed = await again.next("session");
    expect(resumed.token).toBeUndefined();
    expect(resumed.lines.map((l) => [l.from, l.text])).toEqual([
      ["visitor", script],
      ["agent", "Das tut uns leid! <i>Wir</i> prüfen es."],
    ]);
    expect(resumed.lines[0]!.clientId).toBe("c1");
    again.send({ type: "resume", token: "x".repeat(43) });
    expect((await again.next("error")).code).toBe("already_started");
    again.close();
    const stranger = await Visitor.connect();
    stranger.send({ type: "resume", token: "x".repeat(43) });
    expect((await stranger.next("error")).code).toBe("session_unknown");
    stranger.close();
    await inbox.close();
  });

  it("answers oversized messages, wrong or oversized files and floods with a sentence", async () => {
    const visitor = await Visitor.connect();
    await visitor.start({ name: "Flo", email: "flo@example.test" });
    visitor.send({ type: "message", clientId: "long", text: "x".repeat(webchatLimits.maxMessageLength + 1) });
    expect((await visitor.next("error", (f) => f.clientId === "long")).message).toContain("at most 4000");

    visitor.send({
      type: "attachment",
      clientId: "exe",
      fileName: "tool.exe",
      contentType: "application/x-msdownload",
      data: Buffer.from("MZ").toString("base64"),
    });
    expect((await visitor.next("error", (f) => f.clientId === "exe")).message).toContain("PNG");
    visitor.send({
      type: "attachment",
      clientId: "fake",
      fileName: "photo.png",
      contentType: "image/png",
      data: Buffer.from("<svg onload=alert(1)>").toString("base64"),
    });
    expect((await visitor.next("error", (f) => f.clientId === "fake")).message).toContain("not really");
    const big = Buffer.alloc(webchatLimits.maxAttachmentBytes + 10, 0x20);
    visitor.send({
      type: "attachment",
      clientId: "big",
      fileName: "notes.txt",
      contentType: "text/plain",
      data: big.toString("base64"),
    });
    expect((await visitor.next("error", (f) => f.clientId === "big")).message).toContain("at most 2 MB");

    const png = Buffer.concat([
      Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
      Buffer.alloc(100),
    ]);
    visitor.send({
      type: "attachment",
      clientId: "ticket",
      fileName: "ticket.png",
      contentType: "image/png",
      data: png.toString("base64"),
    });
    const ack = await visitor.next("ack", (f) => f.clientId === "ticket");
    const [stored] = await t.db.select().from(message).where(eq(message.id, ack.id));
    const link = /https?:\/\/\S+\/api\/v1\/webchat\/attachments\/([0-9a-f-]{36})/.exec(stored!.body);
    expect(stored!.body).toContain("ticket.png");
    const download = await api("GET", new URL(link![0]).pathname);
    expect(download.statusCode, download.body).toBe(200);
    expect(download.headers["content-type"]).toBe("image/png");
    expect(download.rawPayload.equals(png)).toBe(true);

    // Per visitor: 20 messages a minute (one file counted above), then a pause.
    for (let i = 0; i < webchatLimits.messagesPerWindow - 1; i += 1) {
      visitor.send({ type: "message", clientId: `n${i}`, text: `Nachricht ${i}` });
    }
    const refused = await visitor.next("error", (f) => f.code === "rate_limited");
    expect(refused.message).toContain("seconds");
    clock.advance(webchatLimits.rateWindowMs);
    visitor.send({ type: "message", clientId: "later", text: "Jetzt wieder" });
    await visitor.next("ack", (f) => f.clientId === "later");
    clock.set("2026-03-02T09:05:00Z");
    visitor.close();
  });

  it("with nobody online, the form says so and the agent's reply reaches the visitor by e-mail", async () => {
    // The inbox of the test before was closed: its member no longer counts.
    await expect
      .poll(() => countAgentsOnline(t.db, owner.organizationId, clock.now()), { timeout: 10_000 })
      .toBe(0);
    const visitor = await Visitor.connect();
    expect((await visitor.next("welcome")).online).toBe(false);
    const session = await visitor.start({ name: "Olga Offline", email: "olga@example.test" });
    expect(session.emailFollowUp).toBe(true);
    visitor.send({ type: "message", clientId: "o1", text: "Ist mein Fahrrad im Zug erlaubt?" });
    const ack = await visitor.next("ack");
    visitor.close();
    const [stored] = await t.db.select().from(message).where(eq(message.id, ack.id));
    const reply = await api("POST", `/api/v1/conversations/${stored!.conversationId}/replies`, {
      body: "Ja, in allen Regionalzügen.",
    });
    expect(reply.statusCode, reply.body).toBe(201);
    const outcomes = await t.connectorJobs.deliverReplies();
    expect(outcomes, JSON.stringify(outcomes)).toContainEqual(expect.objectContaining({ state: "sent" }));
    await expect.poll(() => smtp.received.length).toBe(1);
    const mail = smtp.received[0]!;
    expect(mail.to).toEqual(["olga@example.test"]);
    expect(mail.data).toContain("Ja, in allen Regionalz");
    expect(mail.data).toContain("Hallo Olga Offline");
    expect(mail.data).toContain(site);
  });

  it("outside business hours the chat is offline even with the inbox open", async () => {
    clock.set("2026-03-02T09:10:00Z");
    const inbox = await openInbox();
    const open = await Visitor.connect();
    expect((await open.next("welcome")).online).toBe(true);
    open.close();
    clock.set("2026-03-01T12:00:00Z"); // the Sunday before: the inbox is open, the service is not
    const visitor = await Visitor.connect();
    expect((await visitor.next("welcome")).online).toBe(false);
    visitor.close();
    await inbox.close();
  });

  it("admins edit the settings; a newly allowed website may embed the chat, wrong values are explained", async () => {
    const shown = await api("GET", `/api/v1/settings/webchat/${channelId}`);
    expect(shown.statusCode, shown.body).toBe(200);
    expect(shown.json().snippet).toBe(
      `<script src="http://localhost:3000/widget/${channelId}.js" async></script>`,
    );
    const wrong = await api("PUT", `/api/v1/settings/webchat/${channelId}`, {
      allowedOrigins: ["https://shop.example/path"],
    });
    expect(wrong.statusCode).toBe(400);
    expect(wrong.json().error.message).toContain("allowedOrigins");
    const changed = await api("PUT", `/api/v1/settings/webchat/${channelId}`, {
      allowedOrigins: [site, "https://shop.example"],
      colour: "#e8590c",
    });
    expect(changed.statusCode, changed.body).toBe(200);
    expect(changed.json().settings).toMatchObject({ colour: "#e8590c", privacyText });
    const script = await fetch(`${base}/widget/${channelId}.js`, {
      headers: { origin: "https://shop.example" },
    });
    expect(script.status).toBe(200);
    const agent = await createPerson(t, { role: "agent", organizationId: owner.organizationId });
    const refused = await t.app.inject({
      method: "PUT",
      url: `/api/v1/settings/webchat/${channelId}`,
      headers: agent.headers,
      payload: { colour: "#000000" },
    });
    expect(refused.statusCode).toBe(403);
  });
});
