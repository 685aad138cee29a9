import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { pollBackoffMs } from "../../src/modules/channels/channelPoller.js";
import { channelAccount } from "../../src/modules/channels/schema.js";
import { conversation, message } from "../../src/modules/conversations/schema.js";
import { department } from "../../src/modules/organizations/schema.js";
import { auditLog } from "../../src/platform/audit/schema.js";
import { manualClock } from "../../src/platform/clock.js";
import { createPerson, createTestApp, type TestApp } from "../support/app.js";
import { testBackend } from "../support/database.js";
import { fakeAccount, startFakeMastodon } from "../support/fakeMastodon.js";
import { startHttpPeer } from "../support/httpPeer.js";

const rss = readFileSync(path.join(path.dirname(fileURLToPath(import.meta.url)), "feeds/rss.xml"), "utf8");

/*
 * Settings → Channels through the API: the field descriptions the connect form is built from, the
 * organization's allow-list of private hosts (the fake instance runs on 127.0.0.1), editing
 * settings, rotating credentials, pausing, the poll backoff of a broken credential, and resending a
 * reply the network refused.
 */
const token = "channels-token-1";
const clock = manualClock(new Date());
let t: TestApp;
let owner: Awaited<ReturnType<typeof createPerson>>;
let agent: Awaited<ReturnType<typeof createPerson>>;
let fake: Awaited<ReturnType<typeof startFakeMastodon>>;
let accountId: string;
let channelId: string;

type Account = {
  id: string;
  channelId: string;
  name: string;
  health: string;
  lastError: string | null;
  settings: Record<string, unknown>;
  pausedAt: string | null;
  failureCount: number;
  lastPolledAt: string | null;
  nextPollAt: string;
};

beforeAll(async () => {
  fake = await startFakeMastodon({ token });
  t = await createTestApp({ clock, withPipeline: true });
  owner = await createPerson(t, { role: "owner" });
  const [firstDepartment] = await t.db
    .select()
    .from(department)
    .where(eq(department.organizationId, owner.organizationId));
  agent = await createPerson(t, {
    role: "agent",
    organizationId: owner.organizationId,
    departmentIds: [firstDepartment!.id],
  });
});
afterAll(async () => {
  await t?.close();
  await fake?.close();
});

async function call(method: "GET" | "POST" | "PUT" | "PATCH" | "DELETE", url: string, payload?: unknown) {
  return t.app.inject({ method, url, headers: owner.headers, payload: payload as object });
}

async function audited(action: string) {
  return t.db
    .select()
    .from(auditLog)
    .where(and(eq(auditLog.organizationId, owner.organizationId), eq(auditLog.action, action)));
}

async function stored() {
  const [row] = await t.db.select().from(channelAccount).where(eq(channelAccount.id, accountId));
  return row!;
}

describe(`Settings → Channels API (${testBackend})`, () => {
  it("describes every connector's fields for the connect form, secrets marked", async () => {
    const response = await call("GET", "/api/v1/settings/connectors");
    expect(response.statusCode, response.body).toBe(200);
    const connectors = response.json() as Array<{
      network: string;
      receives: boolean;
      fields: Array<Record<string, unknown>>;
    }>;
    expect(connectors.map((c) => c.network)).toEqual(
      expect.arrayContaining(["log", "webhook", "rss", "mastodon"]),
    );
    const mastodon = connectors.find((c) => c.network === "mastodon")!;
    expect(mastodon.receives).toBe(true);
    expect(mastodon.fields).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          name: "instanceUrl",
          group: "settings",
          type: "url",
          required: true,
          secret: false,
          labelKey: "connectors.mastodon.instanceUrl",
        }),
        expect.objectContaining({ name: "intervalSeconds", type: "number", min: 30, default: 60 }),
        expect.objectContaining({ name: "hashtags", type: "list", required: false }),
        expect.objectContaining({ name: "accessToken", group: "credentials", secret: true, required: true }),
      ]),
    );
    const rss = connectors.find((c) => c.network === "rss")!;
    expect(rss.fields.find((f) => f.name === "intervalMinutes")).toMatchObject({ type: "number", min: 1 });
    expect(rss.fields.some((f) => f.group === "credentials")).toBe(false);

    const asAgent = await t.app.inject({
      method: "GET",
      url: "/api/v1/settings/connectors",
      headers: agent.headers,
    });
    expect(asAgent.statusCode).toBe(403);
  });

  it("a private instance is refused until an admin allows its host for the organization (audited)", async () => {
    const input = {
      network: "mastodon",
      name: "Mastodon",
      settings: { instanceUrl: fake.origin, intervalSeconds: 30 },
      credentials: { accessToken: token },
    };
    const refused = await call("POST", "/api/v1/settings/channel-accounts", input);
    expect(refused.statusCode).toBe(400);
    expect(refused.json().error.message).toContain("127.0.0.1 is a private or local address");

    const badHost = await call("POST", "/api/v1/settings/allowed-private-hosts", {
      host: "http://127.0.0.1:8080/x",
    });
    expect(badHost.statusCode).toBe(400);
    const allowed = await call("POST", "/api/v1/settings/allowed-private-hosts", { host: "127.0.0.1" });
    expect(allowed.statusCode, allowed.body).toBe(201);
    const again = await call("POST", "/api/v1/settings/allowed-private-hosts", { host: "127.0.0.1" });
    expect(again.statusCode).toBe(409);
    const list = await call("GET", "/api/v1/settings/allowed-private-hosts");
    expect((list.json() as Array<{ host: string }>).map((h) => h.host)).toEqual(["127.0.0.1"]);
    expect(await audited("allowed_private_host.added")).toHaveLength(1);

    const created = await call("POST", "/api/v1/settings/channel-accounts", input);
    expect(created.statusCode, created.body).toBe(201);
    const account = created.json() as Account;
    accountId = account.id;
    channelId = account.channelId;
    expect(account).toMatchObject({ health: "healthy", failureCount: 0, pausedAt: null });
    expect(created.body).not.toContain(token);
  });

  it("edits settings after checking them with the network; invalid ones are refused with the reason", async () => {
    const invalid = await call("PATCH", `/api/v1/settings/channel-accounts/${accountId}`, {
      settings: { instanceUrl: fake.origin, intervalSeconds: 5 },
    });
    expect(invalid.statusCode).toBe(400);
    expect(invalid.json().error.message).toContain("settings.intervalSeconds");

    const changed = await call("PATCH", `/api/v1/settings/channel-accounts/${accountId}`, {
      name: "Mastodon Support",
      settings: { instanceUrl: fake.origin, intervalSeconds: 120, hashtags: ["nordbahn"] },
    });
    expect(changed.statusCode, changed.body).toBe(200);
    expect(changed.json()).toMatchObject({
      name: "Mastodon Support",
      settings: { intervalSeconds: 120, hashtags: ["nordbahn"] },
    });
    expect(changed.body).not.toContain(token);
    expect(await audited("channel_account.updated")).toHaveLength(1);
  });

  it("a paused account is not polled; resumed, it is polled right away", async () => {
    const paused = await call("PUT", `/api/v1/settings/channel-accounts/${accountId}/paused`, {
      paused: true,
    });
    expect(paused.statusCode).toBe(200);
    expect(paused.json().pausedAt).not.toBeNull();
    clock.advance(10 * 60_000);
    const before = fake.received.length;
    expect(await t.connectorJobs.pollAccounts({ channelId })).toEqual([]);
    expect(fake.received.length).toBe(before);

    const resumed = await call("PUT", `/api/v1/settings/channel-accounts/${accountId}/paused`, {
      paused: false,
    });
    expect(resumed.json().pausedAt).toBeNull();
    const results = await t.connectorJobs.pollAccounts({ channelId });
    expect(results).toHaveLength(1);
    expect(results[0]!.error).toBeUndefined();
    expect((await stored()).lastPolledAt).not.toBeNull();
    expect(await audited("channel_account.paused")).toHaveLength(1);
    expect(await audited("channel_account.resumed")).toHaveLength(1);
  });

  it("a revoked credential shows as failing with the network's message, and the poller backs off instead of looping", async () => {
    fake.acceptToken("channels-token-2");
    const start = clock.now().getTime();
    const before = fake.received.length;
    // A day of the connector loop (every 2 seconds it would be 43,200 runs); ten minutes a step.
    for (let minute = 0; minute < 24 * 60; minute += 10) {
      clock.advance(10 * 60_000);
      await t.connectorJobs.pollAccounts({ channelId });
    }
    const attempts = fake.received.slice(before).length;
    const row = await stored();
    expect(row.health).toBe("failing");
    expect(row.lastError).toBe("mastodon answered 401: The access token is invalid");
    // Interval 2 min, doubling up to 6 h: 2+4+8+…+256 min, then every 6 h — about 12 in a day.
    expect(attempts).toBeGreaterThanOrEqual(8);
    expect(attempts).toBeLessThanOrEqual(14);
    expect(row.failureCount).toBe(attempts);
    expect(row.nextPollAt.getTime() - start).toBeGreaterThan(24 * 60 * 60_000);
    expect(pollBackoffMs({ intervalMs: 120_000, failures: 30 })).toBe(6 * 60 * 60_000);

    const list = await call("GET", "/api/v1/settings/channel-accounts");
    expect(list.json()).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          id: accountId,
          health: "failing",
          lastError: "mastodon answered 401: The access token is invalid",
        }),
      ]),
    );
  });

  it("rotating the credentials checks the new ones with the network, then polling resumes at once", async () => {
    const wrong = await call("PUT", `/api/v1/settings/channel-accounts/${accountId}/credentials`, {
      credentials: { accessToken: token },
    });
    expect(wrong.statusCode).toBe(400);
    expect(wrong.json().error.message).toBe(
      "The network refused the account: mastodon answered 401: The access token is invalid",
    );
    const rotated = await call("PUT", `/api/v1/settings/channel-accounts/${accountId}/credentials`, {
      credentials: { accessToken: "channels-token-2" },
    });
    expect(rotated.statusCode, rotated.body).toBe(200);
    expect(rotated.json()).toMatchObject({ health: "healthy", lastError: null, failureCount: 0 });
    expect(rotated.body).not.toContain("channels-token-2");
    const audit = await audited("channel_account.credentials_rotated");
    expect(audit).toHaveLength(1);
    expect(JSON.stringify(audit[0]!.details)).not.toContain("channels-token-2");
    const results = await t.connectorJobs.pollAccounts({ channelId });
    expect(results).toHaveLength(1);
    expect(results[0]!.error).toBeUndefined();
  });

  it("a reply the network refused shows failed with its reason; resending it queues it again and it is sent (audited)", async () => {
    fake.mention({ from: fakeAccount("ana"), content: "<p>@nordbahn Zug fällt aus</p>" });
    clock.advance(10 * 60_000);
    await t.connectorJobs.pollAccounts({ channelId });
    const [opened] = await t.db.select().from(conversation).where(eq(conversation.channelId, channelId));
    const [firstDepartment] = await t.db
      .select()
      .from(department)
      .where(eq(department.organizationId, owner.organizationId));
    await call("PUT", `/api/v1/conversations/${opened!.id}/assignment`, {
      departmentId: firstDepartment!.id,
    });
    const replied = await t.app.inject({
      method: "POST",
      url: `/api/v1/conversations/${opened!.id}/replies`,
      headers: agent.headers,
      payload: { body: "Ersatzverkehr ab 10 Uhr." },
    });
    expect(replied.statusCode, replied.body).toBe(201);
    const replyId = (replied.json() as { id: string }).id;

    fake.acceptToken("channels-token-3");
    await t.connectorJobs.deliverReplies();
    const detail = await t.app.inject({
      method: "GET",
      url: `/api/v1/conversations/${opened!.id}`,
      headers: agent.headers,
    });
    const shown = (detail.json() as { messages: Array<Record<string, unknown>> }).messages.find(
      (m) => m.id === replyId,
    );
    expect(shown).toMatchObject({
      deliveryState: "failed",
      deliveryError: "mastodon answered 401: The access token is invalid",
    });

    const resendUrl = `/api/v1/conversations/${opened!.id}/messages/${replyId}/resend`;
    const analyst = await createPerson(t, { role: "analyst", organizationId: owner.organizationId });
    expect(
      (await t.app.inject({ method: "POST", url: resendUrl, headers: analyst.headers })).statusCode,
    ).toBe(403);
    const outsider = await createPerson(t, { role: "agent", organizationId: owner.organizationId });
    expect(
      (await t.app.inject({ method: "POST", url: resendUrl, headers: outsider.headers })).statusCode,
    ).toBe(404);

    fake.acceptToken("channels-token-2");
    const resent = await t.app.inject({ method: "POST", url: resendUrl, headers: agent.headers });
    expect(resent.statusCode, resent.body).toBe(200);
    expect(resent.json()).toEqual({ id: replyId, deliveryState: "queued" });
    const again = await t.app.inject({ method: "POST", url: resendUrl, headers: agent.headers });
    expect(again.statusCode).toBe(409);

    await t.connectorJobs.deliverReplies();
    const [sent] = await t.db.select().from(message).where(eq(message.id, replyId));
    expect(sent!.deliveryState).toBe("sent");
    expect(fake.posted.at(-1)!.body.status).toContain("Ersatzverkehr ab 10 Uhr.");
    expect(await audited("conversation.reply_resent")).toHaveLength(1);
  });

  it("a feed's poll interval is edited in its settings and the poller keeps to it", async () => {
    const feedServer = await startHttpPeer((_request, response) => {
      response.writeHead(200, { "content-type": "application/rss+xml" }).end(rss);
    });
    try {
      const created = await call("POST", "/api/v1/settings/channel-accounts", {
        network: "rss",
        name: "Blog",
        settings: { url: `${feedServer.origin}/rss.xml` },
      });
      expect(created.statusCode, created.body).toBe(201);
      const feed = created.json() as Account;
      expect(feed.settings.intervalMinutes).toBe(15);
      const changed = await call("PATCH", `/api/v1/settings/channel-accounts/${feed.id}`, {
        settings: { url: `${feedServer.origin}/rss.xml`, intervalMinutes: 45 },
      });
      expect(changed.statusCode, changed.body).toBe(200);
      expect(changed.json().settings.intervalMinutes).toBe(45);
      const before = clock.now().getTime();
      await t.connectorJobs.pollAccounts({ channelId: feed.channelId });
      const [row] = await t.db.select().from(channelAccount).where(eq(channelAccount.id, feed.id));
      expect(row!.nextPollAt.getTime() - before).toBe(45 * 60_000);
    } finally {
      await feedServer.close();
    }
  });

  it("removing an allowed host is audited, and the guard refuses the instance again", async () => {
    const [host] = (await call("GET", "/api/v1/settings/allowed-private-hosts")).json() as Array<{
      id: string;
    }>;
    const removed = await call("DELETE", `/api/v1/settings/allowed-private-hosts/${host!.id}`);
    expect(removed.statusCode).toBe(204);
    expect(await audited("allowed_private_host.removed")).toHaveLength(1);
    const check = await call("POST", `/api/v1/settings/channel-accounts/${accountId}/check`);
    expect(check.json()).toMatchObject({ health: "failing" });
    expect(check.json().lastError).toContain("private or local address");
  });
});
