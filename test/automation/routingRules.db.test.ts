import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { routeMentions } from "../../src/modules/automation/routingRuleRunner.js";
import { conversation, message } from "../../src/modules/conversations/schema.js";
import { insight } from "../../src/modules/insights/schema.js";
import { notification } from "../../src/modules/notifications/schema.js";
import { systemClock } from "../../src/platform/clock.js";
import { createTestApp, type TestApp } from "../support/app.js";
import { testBackend } from "../support/database.js";
import { waitFor } from "../support/webhookReceiver.js";
import { coreTeamOrganization, storeMention } from "./support.js";

let t: TestApp;
let org: Awaited<ReturnType<typeof coreTeamOrganization>>;

beforeAll(async () => {
  t = await createTestApp({ withPipeline: true });
  org = await coreTeamOrganization(t, "Regelwerk GmbH");
});
afterAll(async () => t?.close());

const route = (mentionIds: string[]) =>
  routeMentions(
    { db: t.db, clock: systemClock, bus: t.bus },
    { organizationId: org.organizationId, mentionIds },
  );

async function createRule(body: object) {
  const response = await org.coreTeam.api("POST", "/api/v1/automation/rules", body);
  expect(response.statusCode, response.body).toBe(201);
  return response.json() as { id: string; position: number };
}

async function executionsOf(itemId: string) {
  const response = await org.coreTeam.api("GET", `/api/v1/automation/executions?itemId=${itemId}`);
  expect(response.statusCode).toBe(200);
  return (
    response.json() as Array<{
      ruleName: string;
      matchedConditions: number[];
      outcomes: Array<{ type: string; status: string; detail: string }>;
    }>
  ).toReversed();
}

describe(`routing rules (${testBackend})`, () => {
  it("run in order, stop further rules when told, act, and log every execution with its conditions and outcomes", async () => {
    const appToRnd = await createRule({
      name: "App-Kritik an R&D",
      appliesTo: "mention",
      match: "all",
      conditions: [
        { type: "sentiment", sentiments: ["negative"] },
        { type: "aspect", aspects: ["app"] },
      ],
      actions: [
        { type: "forward_insight", departmentId: org.departments.rnd.id, note: "Bitte ansehen: App-Absturz" },
        { type: "set_priority", priority: 3 },
      ],
      stopsFurtherRules: true,
    });
    const appLabel = await createRule({
      name: "App-Label",
      match: "any",
      conditions: [
        { type: "keywords", keywords: ["app"] },
        { type: "language", languages: ["en"] },
      ],
      actions: [
        { type: "add_labels", labels: ["App Feedback"] },
        // A viewer cannot work conversations: this action fails, the others still run.
        { type: "assign", assigneeMemberId: org.viewer.memberId },
      ],
    });
    const everything = await createRule({
      name: "Alles an das Core-Team melden",
      conditions: [],
      actions: [{ type: "notify", memberIds: [org.coreTeam.memberId] }],
    });
    expect([appToRnd.position, appLabel.position, everything.position]).toEqual([1, 2, 3]);

    const crash = await storeMention(t, org.organizationId, {
      text: "Die App stürzt bei jedem Start ab. Unbrauchbar!",
      sentiment: "negative",
      aspects: [{ category: "app", polarity: "negative", score: 0.9 }],
    });
    const question = await storeMention(t, org.organizationId, { text: "Gibt es die App auch für Tablets?" });
    const praise = await storeMention(t, org.organizationId, {
      text: "Pünktlich und freundlich, danke!",
      sentiment: "positive",
    });
    const executions = await route([crash.id, question.id, praise.id]);
    expect(
      executions.map(
        (e) =>
          `${e.itemId === crash.id ? "crash" : e.itemId === question.id ? "question" : "praise"}:${e.ruleId}`,
      ),
    ).toEqual([
      `crash:${appToRnd.id}`,
      `question:${appLabel.id}`,
      `question:${everything.id}`,
      `praise:${everything.id}`,
    ]);

    // The log says which conditions held and what each action did.
    const crashLog = await executionsOf(crash.id);
    expect(crashLog).toHaveLength(1);
    expect(crashLog[0]).toMatchObject({
      ruleName: "App-Kritik an R&D",
      matchedConditions: [0, 1],
      stoppedFurtherRules: true,
    });
    expect(crashLog[0]!.outcomes.map((o) => `${o.type}:${o.status}`)).toEqual([
      "forward_insight:done",
      "set_priority:done",
    ]);
    const questionLog = await executionsOf(question.id);
    expect(questionLog.map((e) => e.ruleName)).toEqual(["App-Label", "Alles an das Core-Team melden"]);
    expect(questionLog[0]!.matchedConditions).toEqual([0]);
    expect(questionLog[0]!.outcomes).toMatchObject([
      { type: "add_labels", status: "done" },
      {
        type: "assign",
        status: "failed",
        detail: expect.stringMatching(/viewer.*cannot work conversations/),
      },
    ]);

    // What the actions did: an insight for R&D, the mention in the inbox with priority 3 / a label.
    const [card] = await t.db.select().from(insight).where(eq(insight.mentionId, crash.id));
    expect(card).toMatchObject({
      departmentId: org.departments.rnd.id,
      note: "Bitte ansehen: App-Absturz",
      state: "new",
    });
    const conversationOf = async (externalId: string) =>
      (
        await t.db
          .select({ conversation })
          .from(message)
          .innerJoin(conversation, eq(conversation.id, message.conversationId))
          .where(and(eq(message.organizationId, org.organizationId), eq(message.externalId, externalId)))
      )[0]?.conversation;
    expect((await conversationOf(crash.externalId))?.priority).toBe(3);
    expect((await conversationOf(question.externalId))?.labels).toEqual(["app-feedback"]);
    expect(await conversationOf(praise.externalId)).toBeUndefined();
    const told = await t.db
      .select()
      .from(notification)
      .where(eq(notification.memberId, org.coreTeam.memberId));
    expect(told.filter((n) => n.kind === "automation.rule_matched")).toHaveLength(2);
    const rndTold = await t.db.select().from(notification).where(eq(notification.memberId, org.rnd.memberId));
    expect(rndTold.map((n) => n.link)).toContain(`/insights/${card!.id}`);

    // A second run over the same mentions (a redelivery) acts on nothing twice.
    expect(await route([crash.id, question.id, praise.id])).toEqual([]);
    expect(await t.db.select().from(insight).where(eq(insight.mentionId, crash.id))).toHaveLength(1);

    // Order changes the outcome: with the catch-all first and stopping, nothing else runs.
    await org.coreTeam.api("PATCH", `/api/v1/automation/rules/${everything.id}`, { stopsFurtherRules: true });
    const reordered = await org.coreTeam.api("PUT", "/api/v1/automation/rules/order", {
      ruleIds: [everything.id, appToRnd.id, appLabel.id],
    });
    expect(reordered.statusCode, reordered.body).toBe(200);
    expect(reordered.json().map((r: { id: string }) => r.id)).toEqual([
      everything.id,
      appToRnd.id,
      appLabel.id,
    ]);
    const another = await storeMention(t, org.organizationId, {
      text: "App kaputt",
      sentiment: "negative",
      aspects: [{ category: "app", polarity: "negative", score: 0.9 }],
    });
    expect((await route([another.id])).map((e) => e.ruleId)).toEqual([everything.id]);
    // Clean up for the tests below: only rules they create run.
    for (const id of [everything.id, appToRnd.id, appLabel.id]) {
      expect((await org.coreTeam.api("DELETE", `/api/v1/automation/rules/${id}`)).statusCode).toBe(200);
    }
  });

  it("dry run: says which of the last N mentions (at most 1,000) the conditions would have matched, and changes nothing", async () => {
    for (let i = 0; i < 12; i += 1) {
      await storeMention(t, org.organizationId, {
        text: i % 3 === 0 ? `Störung Nummer ${i}, keiner hilft` : `Alles gut ${i}`,
        sentiment: i % 3 === 0 ? "negative" : "positive",
        postedAt: new Date(Date.now() + 60_000 + i * 1000),
        receivedAt: new Date(Date.now() + 60_000 + i * 1000),
      });
    }
    const conditions = [
      { type: "sentiment", sentiments: ["negative"] },
      { type: "keywords", keywords: ["Störung"] },
    ];
    const run = async (body: object) => org.coreTeam.api("POST", "/api/v1/automation/dry-run", body);
    const all = await run({ conditions, limit: 1000 });
    expect(all.statusCode, all.body).toBe(200);
    expect(all.json().matched).toBe(4);
    expect(all.json().mentions[0]).toMatchObject({ matchedConditions: [0, 1], sentiment: "negative" });
    // The latest 6 are i = 11…6: 9 and 6 are "Störung".
    const recent = (await run({ conditions, limit: 6 })).json();
    expect(recent).toMatchObject({ checked: 6, matched: 2 });
    const anyOf = (await run({ match: "any", conditions, limit: 6 })).json();
    expect(anyOf.matched).toBe(2);
    const tooMany = await run({ conditions, limit: 1001 });
    expect(tooMany.statusCode).toBe(400);
    // Removed rules (the test above) keep their log.
    expect((await org.coreTeam.api("GET", "/api/v1/automation/executions")).json().length).toBeGreaterThan(3);
    const before = (await org.coreTeam.api("GET", "/api/v1/automation/executions")).json().length;
    await run({ conditions, limit: 1000 });
    expect((await org.coreTeam.api("GET", "/api/v1/automation/executions")).json().length).toBe(before);
  });

  it("the pipeline runs the rules for every new mention, and the inbox for every incoming message", async () => {
    const forMentions = await createRule({
      name: "Englisch ins Service-Team",
      appliesTo: "mention",
      conditions: [{ type: "keywords", keywords: ["refund"] }],
      actions: [{ type: "assign", departmentId: org.departments.service.id }],
    });
    const ingest = await org.owner.api("POST", "/api/v1/ingest/posts", {
      posts: [
        {
          network: "bluesky",
          externalId: `at://refund-${Date.now()}`,
          text: "I want a refund for my ticket, the train never came",
          author: { handle: "traveller.bsky.social" },
          postedAt: new Date().toISOString(),
        },
      ],
    });
    expect(ingest.statusCode, ingest.body).toBe(202);
    const executed = await waitFor(async () => {
      const log = (
        await org.coreTeam.api("GET", `/api/v1/automation/executions?ruleId=${forMentions.id}`)
      ).json();
      return log.length > 0 && log[0].outcomes.length > 0 ? log[0] : undefined;
    }, "the rule on the ingested mention");
    expect(executed).toMatchObject({ itemType: "mention", outcomes: [{ type: "assign", status: "done" }] });

    // A message on a connected account (the log connector sends replies): acknowledged automatically.
    const account = await org.owner.api("POST", "/api/v1/settings/channel-accounts", {
      network: "log",
      name: "Support-Postfach",
    });
    expect(account.statusCode, account.body).toBe(201);
    const canned = await org.owner.api("POST", "/api/v1/canned-responses", {
      shortcut: "eingang",
      title: "Eingangsbestätigung",
      body: "Hallo {{contact.first_name}}, danke für deine Nachricht – wir melden uns bald.",
    });
    expect(canned.statusCode, canned.body).toBe(201);
    const forMessages = await createRule({
      name: "Eingang bestätigen",
      appliesTo: "message",
      conditions: [],
      actions: [
        { type: "auto_acknowledge", cannedResponseId: canned.json().id },
        { type: "add_labels", labels: ["auto-ack"] },
      ],
    });
    const incoming = await org.owner.api("POST", `/api/v1/channels/${account.json().channelId}/incoming`, {
      authorName: "Jana Schulz",
      text: "Mein Paket ist nicht angekommen",
    });
    expect(incoming.statusCode, incoming.body).toBe(201);
    const log = (
      await org.coreTeam.api("GET", `/api/v1/automation/executions?ruleId=${forMessages.id}`)
    ).json();
    expect(log[0]).toMatchObject({
      itemType: "message",
      itemId: incoming.json().messageId,
      outcomes: [
        { type: "auto_acknowledge", status: "done" },
        { type: "add_labels", status: "done" },
      ],
    });
    const replies = await t.db
      .select()
      .from(message)
      .where(
        and(eq(message.conversationId, incoming.json().conversationId), eq(message.direction, "outgoing")),
      );
    expect(replies.map((r) => [r.body, r.deliveryState])).toEqual([
      ["Hallo Jana, danke für deine Nachricht – wir melden uns bald.", "queued"],
    ]);
    // A listening channel without an account cannot reply: the action is skipped, and logged so.
    const mentionRule = await createRule({
      name: "Erwähnungen bestätigen",
      appliesTo: "mention",
      conditions: [{ type: "keywords", keywords: ["danke"] }],
      actions: [{ type: "auto_acknowledge", cannedResponseId: canned.json().id }],
    });
    const thanks = await storeMention(t, org.organizationId, {
      network: "mastodon",
      text: "danke für die schnelle Hilfe",
    });
    await route([thanks.id]);
    const skipped = (
      await org.coreTeam.api("GET", `/api/v1/automation/executions?ruleId=${mentionRule.id}`)
    ).json();
    expect(skipped[0].outcomes).toEqual([
      { type: "auto_acknowledge", status: "skipped", detail: "this channel cannot send replies" },
    ]);
  });

  it("only the core team and admins edit rules; a rule cannot name another organization's records", async () => {
    const body = { name: "X", conditions: [], actions: [{ type: "set_priority", priority: 1 }] };
    expect((await org.rnd.api("POST", "/api/v1/automation/rules", body)).statusCode).toBe(403);
    expect((await org.viewer.api("GET", "/api/v1/automation/rules")).statusCode).toBe(403);
    const foreign = await org.coreTeam.api("POST", "/api/v1/automation/rules", {
      ...body,
      actions: [{ type: "forward_insight", departmentId: "00000000-0000-4000-8000-000000000000", note: "x" }],
    });
    expect(foreign.statusCode).toBe(400);
    expect(foreign.json().error.message).toMatch(/department that does not exist/);
  });
});
