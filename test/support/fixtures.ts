import { eq } from "drizzle-orm";
import { connectors } from "../../src/connectors/registry.js";
import { createChannelAccount } from "../../src/modules/channels/channelAccounts.js";
import { contact, socialIdentity } from "../../src/modules/contacts/schema.js";
import { createCannedResponse } from "../../src/modules/conversations/cannedResponses.js";
import { channel, conversation } from "../../src/modules/conversations/schema.js";
import { loadDemoData } from "../../src/modules/demo/demoLoader.js";
import { createGoal } from "../../src/modules/kpis/goals.js";
import { saveAlertRule } from "../../src/modules/listening/alerts/alertRules.js";
import { createQuery } from "../../src/modules/listening/queries.js";
import { alert, deadLetter, mention } from "../../src/modules/listening/schema.js";
import { notifyMembers } from "../../src/modules/notifications/notifications.js";
import { notification } from "../../src/modules/notifications/schema.js";
import { createApiToken } from "../../src/modules/organizations/apiTokens.js";
import { createInvitation } from "../../src/modules/organizations/invitations.js";
import { department, member } from "../../src/modules/organizations/schema.js";
import { openPrivacyRequest } from "../../src/modules/privacy/privacyRequests.js";
import { generateBriefing } from "../../src/modules/reports/briefingGenerator.js";
import { slaBreach } from "../../src/modules/sla/schema.js";
import { createBusinessHours, createSlaPolicy } from "../../src/modules/sla/slaSettings.js";
import type { OrgContext } from "../../src/platform/auth/context.js";
import { createPerson, type TestApp, testBaseUrl } from "./app.js";

/**
 * An organization with one record of every kind a route can address, so the access suites can
 * point every route with an id at it. A new kind of record gets its id here.
 */
export async function createPopulatedOrganization(t: TestApp, name: string) {
  const owner = await createPerson(t, { role: "owner", orgName: name });
  const departments = await t.db
    .select()
    .from(department)
    .where(eq(department.organizationId, owner.organizationId));
  const [ownerMember] = await t.db.select().from(member).where(eq(member.userId, owner.userId));
  const ctx: OrgContext = {
    organizationId: owner.organizationId,
    userId: owner.userId,
    memberId: ownerMember!.id,
    role: "owner",
    departmentIds: [],
  };
  await loadDemoData(t.db, {
    organizationId: owner.organizationId,
    actorUserId: owner.userId,
    conversations: 4,
    seed: 7,
  });
  const agent = await createPerson(t, {
    role: "agent",
    organizationId: owner.organizationId,
    departmentIds: [departments[0]!.id],
  });
  const [agentMember] = await t.db.select().from(member).where(eq(member.userId, agent.userId));
  const invitation = await createInvitation(t.db, ctx, {
    email: `invitee-${Date.now()}@example.test`,
    role: "agent",
    departmentIds: [],
    baseUrl: testBaseUrl,
  });
  const token = await createApiToken(t.db, ctx, { name: "integration" });
  const [aConversation] = await t.db
    .select()
    .from(conversation)
    .where(eq(conversation.organizationId, owner.organizationId))
    .limit(1);
  const [aContact] = await t.db
    .select()
    .from(contact)
    .where(eq(contact.organizationId, owner.organizationId))
    .limit(1);
  const [aChannel] = await t.db
    .select()
    .from(channel)
    .where(eq(channel.organizationId, owner.organizationId))
    .limit(1);
  const query = await createQuery(t.db, ctx, { name: "Brand", kind: "brand", expression: "nordbahn" });
  const [identity] = await t.db
    .insert(socialIdentity)
    .values({
      organizationId: owner.organizationId,
      network: "bluesky",
      handle: `fan${Date.now()}.bsky.social`,
    })
    .returning();
  const rule = await saveAlertRule(t.db, ctx, {
    input: { name: "Storm", type: "storm", queryId: query.id },
    secretsKey: Buffer.alloc(32),
  });
  const [aMention] = await t.db
    .insert(mention)
    .values({
      organizationId: owner.organizationId,
      network: "bluesky",
      externalId: `post-${Date.now()}-${Math.random()}`,
      identityId: identity!.id,
      text: "Nordbahn ist pünktlich",
      language: "de",
      sentiment: "positive",
      sentimentScore: 0.9,
      offensiveScore: 0,
      urgency: 0,
      hasPii: false,
      aspects: [],
      keyphrases: [],
      matchedQueryIds: [query.id],
      postedAt: new Date(),
    })
    .returning();
  const [fired] = await t.db
    .insert(alert)
    .values({
      organizationId: owner.organizationId,
      ruleId: rule.id,
      type: "storm",
      title: "Storm",
      details: {},
      mentionIds: [aMention!.id],
      dedupeKey: `fixture-${Math.random()}`,
    })
    .returning();
  const [letter] = await t.db
    .insert(deadLetter)
    .values({
      organizationId: owner.organizationId,
      subject: "ingest.posts",
      messageId: "m1",
      payload: {},
      error: "boom",
      attempts: 8,
    })
    .returning();
  const canned = await createCannedResponse(t.db, ctx, {
    shortcut: "thanks",
    title: "Thanks",
    body: "Hallo {{contact.first_name}}, danke! {{agent.name}}",
  });
  const hours = await createBusinessHours(t.db, ctx, {
    name: "Office",
    timezone: "Europe/Berlin",
    weeklyRanges: [{ weekday: 1, start: "09:00", end: "17:00" }],
  });
  const policy = await createSlaPolicy(t.db, ctx, {
    name: "Default",
    channelId: null,
    firstResponseMinutes: 1440,
    nextResponseMinutes: 1440,
    resolutionMinutes: null,
    immediateResponseMinutes: 15,
    urgencyThreshold: 0.7,
    businessHoursId: hours.id,
  });
  await t.db.insert(slaBreach).values({
    organizationId: owner.organizationId,
    conversationId: aConversation!.id,
    target: "first_response",
    dueAt: new Date(Date.now() - 3_600_000),
    departmentId: aConversation!.departmentId,
    breachedAt: new Date(),
  });
  await notifyMembers(t.db, {
    organizationId: owner.organizationId,
    memberIds: [ownerMember!.id],
    actorMemberId: null,
    kind: "conversation.assigned",
    title: "Fixture",
    conversationId: aConversation!.id,
    at: new Date(),
  });
  const [ownNotification] = await t.db
    .select()
    .from(notification)
    .where(eq(notification.memberId, ownerMember!.id))
    .limit(1);
  const channelAccount = await createChannelAccount(
    { db: t.db, clock: { now: () => new Date() }, secretsKey: t.secretsKey, connectors },
    ctx,
    { network: "log", name: "Log only", settings: {}, credentials: {} },
  );
  const goal = await createGoal(t.db, ctx, {
    departmentId: departments[0]!.id,
    kpi: "response_rate_within_sla",
    target: 0.65,
    period: "week",
  });
  const weekly = await generateBriefing(
    { db: t.db, secretsKey: t.secretsKey, baseUrl: testBaseUrl },
    {
      organizationId: owner.organizationId,
      departmentId: null,
      week: new Date(),
      email: false,
      actorUserId: owner.userId,
    },
  );
  const privacyRequest = await openPrivacyRequest(t.db, ctx, { type: "export", contactId: aContact!.id });
  return {
    owner,
    agent,
    token: token.token,
    /** Route parameter name → an id of this organization's record of that kind. */
    ids: {
      memberId: agentMember!.id,
      departmentId: departments[0]!.id,
      invitationId: invitation.id,
      tokenId: token.id,
      conversationId: aConversation!.id,
      contactId: aContact!.id,
      channelId: aChannel!.id,
      queryId: query.id,
      identityId: identity!.id,
      mentionId: aMention!.id,
      ruleId: rule.id,
      alertId: fired!.id,
      deadLetterId: letter!.id,
      cannedResponseId: canned.id,
      businessHoursId: hours.id,
      slaPolicyId: policy.id,
      notificationId: ownNotification!.id,
      channelAccountId: channelAccount.id,
      requestId: privacyRequest.id,
      goalId: goal.id,
      briefingId: weekly.id,
      // A purpose no list answer contains (every fixture value is checked as a possible leak).
      purpose: "audience_matching",
      token: invitation.token,
    } as Record<string, string>,
  };
}

/** Fills `:param` placeholders of a route with ids. */
export function fillRoute(url: string, ids: Record<string, string>): string {
  return url.replace(/:(\w+)/g, (_, name: string) => {
    const id = ids[name];
    if (!id)
      throw new Error(`No fixture id for ":${name}" in ${url}; add one to createPopulatedOrganization.`);
    return id;
  });
}

/** A body that passes validation for the write routes the suites call, so the check under test is reached. */
export const sampleBodies: Record<string, unknown> = {
  "PATCH /api/v1/members/:memberId": { role: "analyst" },
  "POST /api/v1/departments": { name: "Tenancy Probe" },
  "PATCH /api/v1/departments/:departmentId": { name: "Renamed" },
  "POST /api/v1/invitations": { email: "probe@example.test", role: "agent" },
  "POST /api/v1/api-tokens": { name: "probe" },
  "PUT /api/v1/me/organization": {},
  "PATCH /api/v1/me": {},
  "POST /api/v1/listening/queries": { name: "Probe", kind: "brand", expression: "probe" },
  "PATCH /api/v1/listening/queries/:queryId": { name: "Renamed" },
  "POST /api/v1/listening/queries/validate": { expression: "nordbahn OR" },
  "PUT /api/v1/mentions/:mentionId/relevance": { relevant: true },
  "PUT /api/v1/listening/authors/:identityId/vip": { isVip: true },
  "POST /api/v1/alerts/rules": { name: "Probe", type: "storm" },
  "PATCH /api/v1/alerts/rules/:ruleId": { name: "Renamed" },
  "POST /api/v1/alerts/:alertId/conversation": {},
  "POST /api/v1/mentions/:mentionId/conversation": {},
  "POST /api/v1/ingest/posts": { posts: [{}] },
  "PUT /api/v1/conversations/:conversationId/assignment": { assigneeMemberId: null },
  "PUT /api/v1/conversations/:conversationId/status": { status: "resolved" },
  "PUT /api/v1/conversations/:conversationId/labels": { add: ["probe"] },
  "PUT /api/v1/conversations/:conversationId/priority": { priority: 1 },
  "POST /api/v1/conversations/:conversationId/notes": { body: "probe", mentionedMemberIds: [] },
  "POST /api/v1/conversations/:conversationId/replies": { body: "probe" },
  "POST /api/v1/conversations/:conversationId/pii-check": { text: "probe" },
  "POST /api/v1/conversations/:conversationId/continue-privately": {
    channelId: "00000000-0000-4000-8000-000000000000",
  },
  "POST /api/v1/conversations/:conversationId/presence": { state: "viewing" },
  "POST /api/v1/conversations/bulk": {
    conversationIds: ["00000000-0000-4000-8000-000000000000"],
    action: { type: "resolve" },
  },
  "POST /api/v1/channels/:channelId/incoming": { authorName: "probe", text: "probe" },
  "POST /api/v1/settings/channel-accounts": { network: "log", name: "Probe" },
  "POST /api/v1/settings/channel-accounts/validate": { network: "log" },
  "PUT /api/v1/channels/:channelId/csat": { enabled: false },
  "POST /api/v1/canned-responses": { shortcut: "probe", title: "Probe", body: "Hi" },
  "PATCH /api/v1/canned-responses/:cannedResponseId": { title: "Renamed" },
  "POST /api/v1/sla/business-hours": {
    name: "Probe",
    timezone: "Europe/Berlin",
    weeklyRanges: [{ weekday: 1, start: "09:00", end: "17:00" }],
  },
  "PATCH /api/v1/sla/business-hours/:businessHoursId": { name: "Renamed" },
  "POST /api/v1/sla/policies": { name: "Probe", channelId: null },
  "PATCH /api/v1/sla/policies/:slaPolicyId": { name: "Renamed" },
  "PUT /api/v1/contacts/:contactId/consents/:purpose": {
    state: "given",
    source: "opt_in_link",
    wording: "Yes, send me offers.",
  },
  "POST /api/v1/privacy/requests": { type: "export", contactId: "00000000-0000-4000-8000-000000000000" },
  "PUT /api/v1/privacy/data-use-mode": { mode: "none" },
  "POST /api/v1/privacy/audiences": {},
  "POST /api/v1/kpis/goals": { kpi: "response_rate", target: 0.9, period: "month" },
  "PATCH /api/v1/kpis/goals/:goalId": { target: 0.7 },
  "POST /api/v1/kpis/rollups/refresh": {},
  "POST /api/v1/reports/briefings": { departmentId: null, email: false },
  "PUT /api/v1/settings/smtp": {
    host: "localhost",
    port: 25,
    secure: false,
    username: null,
    fromAddress: "a@b.de",
  },
};

const range = `from=${new Date(Date.now() - 86_400_000).toISOString()}&to=${new Date().toISOString()}`;
/** Query strings that list routes require, so the suites reach the check under test. */
export const sampleQueries: Record<string, string> = {
  "GET /api/v1/listening/volume": range,
  "GET /api/v1/listening/share-of-voice": range,
  "GET /api/v1/listening/aspects": range,
  "GET /api/v1/listening/authors": range,
  "GET /api/v1/listening/keyphrases": range,
  "GET /api/v1/listening/topics": range,
  "GET /api/v1/mentions/export": "format=jsonl",
  "GET /api/v1/kpis": range,
  "GET /api/v1/reports/kpis": `${range}&format=csv`,
  "GET /api/v1/privacy/data-use-mode/preview": "mode=linked",
};

/** A route's URL with ids filled in and its sample query string. */
export function sampleUrl(route: { method: string; url: string }, ids: Record<string, string>): string {
  const query = sampleQueries[`${route.method} ${route.url}`];
  return `${fillRoute(route.url, ids)}${query ? `?${query}` : ""}`;
}
