import { and, asc, eq } from "drizzle-orm";
import { simpleParser } from "mailparser";
import nodemailer from "nodemailer";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { messageIdFor } from "../../src/connectors/email/emailOutbound.js";
import { connectors } from "../../src/connectors/registry.js";
import { startAccountWatchers } from "../../src/modules/channels/accountWatcher.js";
import { pollDueAccounts } from "../../src/modules/channels/channelPoller.js";
import { startEmailConversation } from "../../src/modules/channels/emailConversations.js";
import { channelAccount } from "../../src/modules/channels/schema.js";
import { conversation, message, messageAttachment } from "../../src/modules/conversations/schema.js";
import { createIngestGateway } from "../../src/pipeline/runtime.js";
import { manualClock } from "../../src/platform/clock.js";
import { encryptSecret } from "../../src/platform/crypto/secrets.js";
import { createPerson, createTestApp, type TestApp } from "../support/app.js";
import { testBackend } from "../support/database.js";
import { type Dovecot, hasDovecot, startDovecot } from "../support/dovecot.js";
import { readMailbox, startSmtpSink } from "../support/smtpSink.js";
import { waitFor } from "../support/webhookReceiver.js";

const support = { user: "support", password: "support-secret" };
const kim = { user: "kim", password: "kim-secret" };
const broken = { user: "broken", password: "broken-secret" };
const supportAddress = "support@nordbahn.test";
const kimAddress = "kim@kunde.test";
const signature = "Ihr Nordbahn-Team\nKundenservice Kiel";

const clock = manualClock(new Date());
let t: TestApp;
let owner: Awaited<ReturnType<typeof createPerson>>;
let dovecot: Dovecot;
let sink: Awaited<ReturnType<typeof startSmtpSink>>;
let account: { id: string; channelId: string };

/** Kim's mail program: sends through the local SMTP server, which delivers into Dovecot. */
async function kimSends(mail: {
  subject: string;
  text?: string;
  html?: string;
  inReplyTo?: string;
  references?: string[];
  attachments?: Array<{ filename: string; content: Buffer | string; contentType?: string }>;
}) {
  const transport = nodemailer.createTransport({
    host: sink.host,
    port: sink.port,
    secure: false,
    ignoreTLS: true,
    auth: { user: kim.user, pass: kim.password },
  });
  try {
    const info = await transport.sendMail({
      from: { name: "Kim Berger", address: kimAddress },
      to: supportAddress,
      ...mail,
    });
    return info.messageId;
  } finally {
    transport.close();
  }
}

function emailSettings(overrides: Record<string, unknown> = {}) {
  return {
    address: supportAddress,
    fromName: "Nordbahn Kundenservice",
    imap: { host: dovecot.host, port: dovecot.port, secure: false, username: support.user },
    smtp: { host: sink.host, port: sink.port, secure: false },
    signature,
    allowHosts: ["127.0.0.1"],
    ...overrides,
  };
}

async function connect(props: {
  name: string;
  settings?: Record<string, unknown>;
  credentials?: Record<string, unknown>;
}) {
  return t.app.inject({
    method: "POST",
    url: "/api/v1/settings/channel-accounts",
    headers: owner.headers,
    payload: {
      network: "email",
      name: props.name,
      settings: props.settings ?? emailSettings(),
      credentials: props.credentials ?? { imapPassword: support.password },
    },
  });
}

async function poll(channelId = account.channelId) {
  clock.advance(120_000);
  return t.connectorJobs.pollAccounts({ channelId });
}

async function conversationsOf(channelId = account.channelId) {
  return t.db
    .select()
    .from(conversation)
    .where(eq(conversation.channelId, channelId))
    .orderBy(asc(conversation.createdAt));
}

async function messagesOf(conversationId: string) {
  return t.db
    .select()
    .from(message)
    .where(eq(message.conversationId, conversationId))
    .orderBy(asc(message.sentAt));
}

async function reply(conversationId: string, body: string) {
  const response = await t.app.inject({
    method: "POST",
    url: `/api/v1/conversations/${conversationId}/replies`,
    headers: owner.headers,
    payload: { body },
  });
  expect(response.statusCode, response.body).toBe(201);
  return (response.json() as { id: string }).id;
}

beforeAll(async () => {
  if (!hasDovecot) return;
  dovecot = await startDovecot({
    users: { [support.user]: support.password, [kim.user]: kim.password, [broken.user]: broken.password },
  });
  sink = await startSmtpSink({
    dovecot,
    mailboxes: { [supportAddress]: support, [kimAddress]: kim },
    logins: { [support.user]: support.password, [kim.user]: kim.password, [broken.user]: broken.password },
  });
  t = await createTestApp({ clock });
  owner = await createPerson(t, { role: "owner" });
});
afterAll(async () => {
  await t?.close();
  await sink?.close();
  await dovecot?.close();
});

describe.skipIf(!hasDovecot)(`E-mail against Dovecot and an SMTP server (${testBackend})`, () => {
  it("a wrong password is refused when connecting, with the IMAP server's own message", async () => {
    const response = await connect({ name: "Wrong", credentials: { imapPassword: "nope" } });
    expect(response.statusCode).toBe(400);
    expect(response.json().error.message).toBe(
      "The network refused the account: IMAP server: Authentication failed.",
    );
    const smtpWrong = await connect({
      name: "Wrong SMTP",
      credentials: { imapPassword: support.password, smtpPassword: "nope" },
    });
    expect(smtpWrong.statusCode).toBe(400);
    expect(smtpWrong.json().error.message).toContain("SMTP server:");
    expect(smtpWrong.json().error.message).toContain("Authentication credentials invalid");
  });

  it("full loop: Kim's e-mail → inbox conversation → agent reply arrives threaded with the signature → Kim's answer continues it", async () => {
    const connected = await connect({ name: "Service-Postfach" });
    expect(connected.statusCode, connected.body).toBe(201);
    account = connected.json() as { id: string; channelId: string };
    expect(connected.json()).toMatchObject({
      displayName: supportAddress,
      health: "healthy",
      isPrivate: true,
    });

    const firstId = await kimSends({
      subject: "Zug nach Kiel ausgefallen",
      html: '<p>Guten Tag,</p><p>mein Zug ist <b>ausgefallen</b>.<script>alert("x")</script></p><img src="https://tracker.example/p.gif" onerror="alert(1)">',
      attachments: [{ filename: "fahrkarte.pdf", content: Buffer.from("%PDF-1.4 Fahrkarte 4711") }],
    });
    await poll();
    const [opened] = await conversationsOf();
    expect(opened).toMatchObject({ subject: "Zug nach Kiel ausgefallen", isPublic: false });
    const [first] = await messagesOf(opened!.id);
    expect(first).toMatchObject({
      direction: "incoming",
      externalId: firstId,
      authorName: `Kim Berger <${kimAddress}>`,
      body: "Guten Tag,\nmein Zug ist ausgefallen .",
    });
    const files = await t.db
      .select()
      .from(messageAttachment)
      .where(eq(messageAttachment.messageId, first!.id));
    expect(files).toHaveLength(1);
    expect(files[0]).toMatchObject({
      fileName: "fahrkarte.pdf",
      contentType: "application/pdf",
      skippedReason: null,
    });
    expect(files[0]!.content!.toString()).toBe("%PDF-1.4 Fahrkarte 4711");
    // The agent sees the file on the message and downloads it — as a download, never rendered.
    const shown = await t.app.inject({
      method: "GET",
      url: `/api/v1/conversations/${opened!.id}`,
      headers: owner.headers,
    });
    expect(shown.json().messages[0].attachments).toEqual([
      {
        id: files[0]!.id,
        fileName: "fahrkarte.pdf",
        contentType: "application/pdf",
        sizeBytes: 23,
        skippedReason: null,
      },
    ]);
    const download = await t.app.inject({
      method: "GET",
      url: `/api/v1/conversations/${opened!.id}/attachments/${files[0]!.id}`,
      headers: owner.headers,
    });
    expect(download.statusCode).toBe(200);
    expect(download.headers["content-type"]).toBe("application/octet-stream");
    expect(download.headers["content-disposition"]).toMatch(/^attachment; filename="fahrkarte\.pdf"/);
    expect(download.body).toBe("%PDF-1.4 Fahrkarte 4711");

    const replyId = await reply(opened!.id, "Wir erstatten Ihnen den Fahrpreis.");
    const outcomes = await t.connectorJobs.deliverReplies();
    expect(outcomes).toEqual([{ messageId: replyId, state: "sent" }]);
    const [sent] = await t.db.select().from(message).where(eq(message.id, replyId));
    expect(sent!.deliveryState).toBe("sent");

    // Read back from Kim's mailbox over IMAP.
    const inKimsBox = await readMailbox(dovecot, kim);
    expect(inKimsBox).toHaveLength(1);
    const received = await simpleParser(inKimsBox[0]!);
    expect(received.messageId).toBe(sent!.externalId);
    expect(received.inReplyTo).toBe(firstId);
    expect(received.references).toBe(firstId);
    expect(received.subject).toBe("Re: Zug nach Kiel ausgefallen");
    expect(received.from?.text).toBe(`"Nordbahn Kundenservice" <${supportAddress}>`);
    expect(received.text).toBe(`Wir erstatten Ihnen den Fahrpreis.\n\n-- \n${signature}\n`);

    // Kim answers from her mail program: In-Reply-To our reply, References the whole thread.
    const answerId = await kimSends({
      subject: "AW: Re: Zug nach Kiel ausgefallen",
      text: "Danke! Meine IBAN schicke ich separat.\n\n> Wir erstatten Ihnen den Fahrpreis.",
      inReplyTo: sent!.externalId!,
      references: [firstId, sent!.externalId!],
    });
    await poll();
    expect(await conversationsOf()).toHaveLength(1);
    const thread = await messagesOf(opened!.id);
    expect(thread.map((m) => [m.direction, m.externalId])).toEqual(
      expect.arrayContaining([
        ["incoming", firstId],
        ["outgoing", sent!.externalId],
        ["incoming", answerId],
      ]),
    );
    expect(thread).toHaveLength(3);

    // The second reply carries the whole thread in References.
    const secondReply = await reply(opened!.id, "Gern geschehen.");
    await t.connectorJobs.deliverReplies();
    const [secondSent] = await t.db.select().from(message).where(eq(message.id, secondReply));
    const second = await simpleParser((await readMailbox(dovecot, kim))[1]!);
    expect(second.inReplyTo).toBe(answerId);
    expect(second.references).toHaveLength(3);
    expect(second.references).toEqual(expect.arrayContaining([firstId, sent!.externalId]));
    expect(second.references!.at(-1)).toBe(answerId);
    expect(second.subject).toBe("Re: Zug nach Kiel ausgefallen");
    expect(second.messageId).toBe(secondSent!.externalId);
  });

  it("a mail that only references the thread (no In-Reply-To) still lands in its conversation", async () => {
    const [opened] = await conversationsOf();
    const [first] = await messagesOf(opened!.id);
    await kimSends({ subject: "Nachtrag", text: "Noch eine Frage.", references: [first!.externalId!] });
    await poll();
    expect(await conversationsOf()).toHaveLength(1);
    expect((await messagesOf(opened!.id)).filter((m) => m.direction === "incoming")).toHaveLength(3);
  });

  it("IMAP IDLE: a new e-mail is picked up at once, without waiting for the poll interval", async () => {
    const watchers = t.connectorJobs.watchAccounts();
    try {
      await watchers.sync();
      expect(watchers.watching()).toContain(account.channelId);
      // Let the start-up poll finish, so the new mail is the IDLE push's doing.
      await new Promise((resolve) => setTimeout(resolve, 1_500));
      const before = (await conversationsOf()).length;
      await kimSends({ subject: "Fundsache", text: "Ich habe meinen Schirm im Zug vergessen." });
      const found = await waitFor(async () => {
        const all = await conversationsOf();
        return all.length === before + 1 ? all : undefined;
      }, "the e-mail through IDLE");
      expect(found.at(-1)!.subject).toBe("Fundsache");
    } finally {
      await watchers.stop();
    }
  });

  it("restart: while Kim keeps writing, the connector is stopped and started again; every e-mail arrives exactly once", async () => {
    const restartedDeps = () => ({
      db: t.db,
      clock,
      secretsKey: t.secretsKey,
      connectors: { ...connectors },
      bus: t.bus,
      submitPosts: createIngestGateway(t.bus).submitPosts,
    });
    const before = (await conversationsOf()).length;
    const subjects = Array.from({ length: 12 }, (_, i) => `Serie ${i + 1}`);
    const producing = (async () => {
      for (const subject of subjects) {
        await kimSends({ subject, text: `Nachricht ${subject}` });
        await new Promise((resolve) => setTimeout(resolve, 40));
      }
    })();
    // First life of the connector: push and polls.
    const first = startAccountWatchers(restartedDeps());
    await first.sync();
    await new Promise((resolve) => setTimeout(resolve, 250));
    await pollDueAccounts(restartedDeps(), { channelId: account.channelId });
    await first.stop();
    // Down for a moment while mail keeps arriving; then a fresh process with only the stored cursor.
    await new Promise((resolve) => setTimeout(resolve, 200));
    const second = startAccountWatchers(restartedDeps());
    await second.sync();
    await producing;
    clock.advance(120_000);
    await pollDueAccounts(restartedDeps(), { channelId: account.channelId });
    const all = await waitFor(async () => {
      const rows = await conversationsOf();
      return rows.length >= before + subjects.length ? rows : undefined;
    }, "all twelve e-mails");
    await second.stop();
    const series = all.filter((c) => c.subject.startsWith("Serie "));
    expect(series.map((c) => c.subject).sort()).toEqual([...subjects].sort());

    // A crash after handing the batch on but before the cursor was saved: the repeat doubles nothing.
    const [row] = await t.db.select().from(channelAccount).where(eq(channelAccount.id, account.id));
    const cursor = row!.cursor as { uidValidity: string; lastUid: number };
    await t.db
      .update(channelAccount)
      .set({ cursor: { ...cursor, lastUid: cursor.lastUid - 5 } })
      .where(eq(channelAccount.id, account.id));
    await poll();
    expect((await conversationsOf()).length).toBe(all.length);
  });

  it("an offline web chat becomes an e-mail conversation: the reply reaches the visitor by e-mail, the answer continues it", async () => {
    const started = await startEmailConversation(
      { db: t.db, clock, bus: t.bus, secretsKey: t.secretsKey },
      { organizationId: owner.organizationId, userId: null },
      {
        channelId: account.channelId,
        customer: { name: "Kim Berger", address: kimAddress },
        subject: "Chat: Frage zur Bahncard",
        text: "Gilt meine Bahncard auch im Nordbahn-Bus?",
      },
    );
    const replyId = await reply(started.conversationId, "Ja, sie gilt auch im Bus.");
    expect(await t.connectorJobs.deliverReplies()).toEqual([{ messageId: replyId, state: "sent" }]);
    const [sent] = await t.db.select().from(message).where(eq(message.id, replyId));
    const mails = await Promise.all((await readMailbox(dovecot, kim)).map((m) => simpleParser(m)));
    const arrived = mails.find((m) => m.messageId === sent!.externalId);
    expect(arrived?.subject).toBe("Re: Chat: Frage zur Bahncard");
    expect(arrived?.text).toContain("Ja, sie gilt auch im Bus.");
    await kimSends({
      subject: "Re: Chat: Frage zur Bahncard",
      text: "Danke!",
      inReplyTo: sent!.externalId!,
      references: [sent!.externalId!],
    });
    await poll();
    const thread = await messagesOf(started.conversationId);
    expect(thread.filter((m) => m.direction === "incoming").map((m) => m.body)).toEqual(
      expect.arrayContaining(["Gilt meine Bahncard auch im Nordbahn-Bus?", "Danke!"]),
    );
  });

  it("SMTP 4xx is retried and ends sent; 5xx fails the reply with the server's reason", async () => {
    const [opened] = await conversationsOf();
    sink.refuseNext(451, "4.3.0 Mailbox temporarily busy, try again");
    const retried = await reply(opened!.id, "Zweiter Versuch klappt.");
    expect(await t.connectorJobs.deliverReplies()).toEqual([
      {
        messageId: retried,
        state: "queued",
        error: "SMTP server: 451 4.3.0 Mailbox temporarily busy, try again",
      },
    ]);
    clock.advance(10 * 60_000);
    expect(await t.connectorJobs.deliverReplies()).toEqual([{ messageId: retried, state: "sent" }]);
    const [sentRow] = await t.db.select().from(message).where(eq(message.id, retried));
    // Both attempts used the same Message-ID: the idempotency key.
    expect(sentRow!.externalId).toBe(messageIdFor(sentRow!.idempotencyKey!, supportAddress));
    expect(sentRow!.deliveryAttempts).toBe(2);

    sink.refuseNext(550, "5.1.1 <kim@kunde.test>: Recipient address rejected");
    const refused = await reply(opened!.id, "Das kommt nicht an.");
    await t.connectorJobs.deliverReplies();
    const [failed] = await t.db.select().from(message).where(eq(message.id, refused));
    expect(failed).toMatchObject({
      deliveryState: "failed",
      deliveryError: "SMTP server: 550 5.1.1 <kim@kunde.test>: Recipient address rejected",
    });
    const shown = await t.app.inject({
      method: "GET",
      url: `/api/v1/conversations/${opened!.id}`,
      headers: owner.headers,
    });
    expect(shown.body).toContain("Recipient address rejected");
  });

  it("malicious input: a huge e-mail is not downloaded but noted; a long text is shortened; big files keep only name and size", async () => {
    const small = await connect({
      name: "Klein",
      settings: emailSettings({ maxMessageMegabytes: 0.5, maxAttachmentMegabytes: 0.05 }),
    });
    expect(small.statusCode, small.body).toBe(201);
    const smallAccount = small.json() as { channelId: string };
    // The account starts with the newest 50 e-mails already in the mailbox.
    await poll(smallAccount.channelId);
    const existing = (await conversationsOf(smallAccount.channelId)).length;

    await kimSends({ subject: "Riesig", text: "x".repeat(800_000) });
    await kimSends({ subject: "Roman", text: `${"Sehr lange Beschwerde. ".repeat(2_000)}Ende.` });
    await kimSends({
      subject: "Fotos",
      text: "Anbei Fotos.",
      attachments: [
        { filename: "../../etc/passwd", content: Buffer.alloc(100_000, 1), contentType: "image/png" },
        { filename: "klein.txt", content: "ok" },
      ],
    });
    await poll(smallAccount.channelId);
    const rows = (await conversationsOf(smallAccount.channelId)).slice(existing);
    expect(rows.map((c) => c.subject)).toEqual(["Riesig", "Roman", "Fotos"]);
    const [huge] = await messagesOf(rows[0]!.id);
    expect(huge!.body).toMatch(
      /^\[This e-mail was \d+ KB large, more than this channel's limit of 512 KB; its content was not imported/,
    );
    const [long] = await messagesOf(rows[1]!.id);
    expect(long!.body.length).toBeLessThan(20_200);
    expect(long!.body).toContain(
      "[Shortened: the e-mail's text had 46005 characters, more than the limit of 20000.]",
    );
    const [photos] = await messagesOf(rows[2]!.id);
    const files = await t.db
      .select()
      .from(messageAttachment)
      .where(and(eq(messageAttachment.messageId, photos!.id)))
      .orderBy(asc(messageAttachment.fileName));
    expect(files.map((f) => [f.fileName, f.sizeBytes, f.content ? "kept" : f.skippedReason])).toEqual([
      ["klein.txt", 2, "kept"],
      ["passwd", 100_000, "larger than the limit of 51 KB"],
    ]);
  });

  it("a broken credential shows the account failing with the server's message, polled only at its interval, watched with backoff", async () => {
    const created = await connect({
      name: "Kaputt",
      settings: emailSettings({
        imap: { host: dovecot.host, port: dovecot.port, secure: false, username: broken.user },
      }),
      credentials: { imapPassword: broken.password },
    });
    expect(created.statusCode, created.body).toBe(201);
    const brokenAccount = created.json() as { id: string; channelId: string };
    // The stored password no longer works (changed on the server, or mistyped in an update).
    await t.db
      .update(channelAccount)
      .set({ credentials: encryptSecret(t.secretsKey, JSON.stringify({ imapPassword: "changed" })) })
      .where(eq(channelAccount.id, brokenAccount.id));
    const results = await poll(brokenAccount.channelId);
    expect(results).toEqual([
      {
        channelId: brokenAccount.channelId,
        received: 0,
        posts: 0,
        error: "IMAP server: Authentication failed.",
      },
    ]);
    const listed = await t.app.inject({
      method: "GET",
      url: "/api/v1/settings/channel-accounts",
      headers: owner.headers,
    });
    expect(listed.json().find((a: { id: string }) => a.id === brokenAccount.id)).toMatchObject({
      health: "failing",
      lastError: "IMAP server: Authentication failed.",
    });
    // Not polled again before its interval.
    expect(await t.connectorJobs.pollAccounts({ channelId: brokenAccount.channelId })).toEqual([]);

    // The watch fails, and is not tried again on every tick.
    const watchers = t.connectorJobs.watchAccounts();
    try {
      const failuresInLog = () =>
        (dovecot.log().match(/user=<broken>.*auth failed|auth failed.*user=<broken>/g) ?? []).length;
      // The poll's failed login first (Dovecot logs a moment later), then the watch's.
      const beforeWatch = await waitFor(
        async () => (failuresInLog() > 0 ? failuresInLog() : undefined),
        "the poll's failed login in Dovecot's log",
      );
      await watchers.sync();
      const afterFirst = await waitFor(
        async () => (failuresInLog() > beforeWatch ? failuresInLog() : undefined),
        "the watch's failed login in Dovecot's log",
      );
      expect(watchers.watching()).not.toContain(brokenAccount.channelId);
      for (let i = 0; i < 5; i += 1) await watchers.sync();
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(failuresInLog()).toBe(afterFirst);
    } finally {
      await watchers.stop();
    }
  });
});
