import { Readable } from "node:stream";
import { eq } from "drizzle-orm";
import { connectors } from "../../src/connectors/registry.js";
import { createRoutingRule } from "../../src/modules/automation/routingRules.js";
import { allowPrivateHost } from "../../src/modules/channels/allowedPrivateHosts.js";
import { createChannelAccount } from "../../src/modules/channels/channelAccounts.js";
import { company, contact, contactNote, segment, socialIdentity } from "../../src/modules/contacts/schema.js";
import { createCannedResponse } from "../../src/modules/conversations/cannedResponses.js";
import { channel, conversation, message, messageAttachment } from "../../src/modules/conversations/schema.js";
import { receiveImportUpload } from "../../src/modules/crm/contactImporter.js";
import { createContactWebhook } from "../../src/modules/crm/contactWebhooks.js";
import { loadDemoData } from "../../src/modules/demo/demoLoader.js";
import { forwardInsight } from "../../src/modules/insights/insightForwarder.js";
import { createGoal } from "../../src/modules/kpis/goals.js";
import { saveAlertRule } from "../../src/modules/listening/alerts/alertRules.js";
import { createQuery } from "../../src/modules/listening/queries.js";
import { alert, deadLetter, mention } from "../../src/modules/listening/schema.js";
import { createHouseRule } from "../../src/modules/moderation/houseRules.js";
import { notifyMembers } from "../../src/modules/notifications/notifications.js";
import { notification } from "../../src/modules/notifications/schema.js";
import { createApiToken } from "../../src/modules/organizations/apiTokens.js";
import { createInvitation } from "../../src/modules/organizations/invitations.js";
import { department, member } from "../../src/modules/organizations/schema.js";
import { openPrivacyRequest } from "../../src/modules/privacy/privacyRequests.js";
import { generateBriefing } from "../../src/modules/reports/briefingGenerator.js";
import { slaBreach } from "../../src/modules/sla/schema.js";
import { createBusinessHours, createSlaPolicy } from "../../src/modules/sla/slaSettings.js";
import { requestToJoin } from "../../src/modules/voice/joinRequests.js";
import { shareToVoc } from "../../src/modules/voice/vocCurator.js";
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
  const alertRuleRow = await saveAlertRule(t.db, ctx, {
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
      ruleId: alertRuleRow.id,
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
  await createChannelAccount(
    { db: t.db, clock: { now: () => new Date() }, secretsKey: t.secretsKey, connectors },
    ctx,
    {
      network: "webchat",
      name: "Website chat",
      settings: {
        allowedOrigins: ["https://www.example.com"],
        privacyText: "We store your name for this chat.",
      },
      credentials: {},
    },
  );
  const [failedReply] = await t.db
    .insert(message)
    .values({
      organizationId: owner.organizationId,
      conversationId: aConversation!.id,
      direction: "outgoing",
      authorName: "Owner",
      body: "A reply the network refused",
      sentAt: new Date(),
      deliveryState: "failed",
      deliveryError: "mastodon answered 422: Validation failed",
    })
    .returning();
  const allowedHost = await allowPrivateHost(t.db, ctx, `intranet-${Date.now().toString(36)}.example`);
  const [aCompany] = await t.db
    .insert(company)
    .values({ organizationId: owner.organizationId, name: `Fixture AG ${Date.now()}` })
    .returning();
  const [aNote] = await t.db
    .insert(contactNote)
    .values({ organizationId: owner.organizationId, contactId: aContact!.id, body: "Fixture note" })
    .returning();
  const [aSegment] = await t.db
    .insert(segment)
    .values({ organizationId: owner.organizationId, name: "Fixture segment", filter: { tags: ["vip"] } })
    .returning();
  const privacyRequest = await openPrivacyRequest(t.db, ctx, { type: "export", contactId: aContact!.id });
  const [withFile] = await t.db
    .insert(message)
    .values({
      organizationId: owner.organizationId,
      conversationId: aConversation!.id,
      direction: "incoming",
      authorName: "Kim <kim@kunde.test>",
      body: "Anbei die Fahrkarte.",
    })
    .returning();
  const [attachment] = await t.db
    .insert(messageAttachment)
    .values({
      organizationId: owner.organizationId,
      messageId: withFile!.id,
      fileName: "fahrkarte.pdf",
      contentType: "application/pdf",
      sizeBytes: 4,
      content: Buffer.from("%PDF"),
    })
    .returning();
  const upload = await receiveImportUpload({ db: t.db, clock: { now: () => new Date() } }, ctx, {
    file: Readable.from(["name,email\r\nProbe Person,probe@example.test\r\n"]),
    fileName: "fixture.csv",
  });
  const webhook = await createContactWebhook(t.db, ctx, {
    input: { name: "CRM", url: "https://crm.example.com/konversa", events: ["contact.created"] },
    secretsKey: t.secretsKey,
  });
  const routingRule = await createRoutingRule(t.db, ctx, {
    name: "Negative to service",
    conditions: [{ type: "sentiment", sentiments: ["negative"] }],
    actions: [{ type: "set_priority", priority: 2 }],
  });
  const forwarded = await t.db.transaction((tx) =>
    forwardInsight(tx, ctx, {
      departmentId: departments[0]!.id,
      note: "Fixture insight",
      mentionId: aMention!.id,
      at: new Date(),
    }),
  );
  const rule = await createHouseRule(t.db, ctx, { title: "Respect", publicText: "No insults." });
  const shared = await shareToVoc(t.db, ctx, {
    mentionId: aMention!.id,
    secretsKey: t.secretsKey,
    at: new Date(),
  });
  const joinRequest = await requestToJoin(t.db, ctx, {
    vocItemId: shared.id,
    reason: "Fixture",
    at: new Date(),
  });
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
      ruleId: alertRuleRow.id,
      alertId: fired!.id,
      deadLetterId: letter!.id,
      cannedResponseId: canned.id,
      businessHoursId: hours.id,
      slaPolicyId: policy.id,
      notificationId: ownNotification!.id,
      channelAccountId: channelAccount.id,
      allowedHostId: allowedHost.id,
      messageId: failedReply!.id,
      requestId: privacyRequest.id,
      goalId: goal.id,
      briefingId: weekly.id,
      attachmentId: attachment!.id,
      importId: upload.import.id,
      webhookId: webhook.id,
      companyId: aCompany!.id,
      noteId: aNote!.id,
      segmentId: aSegment!.id,
      routingRuleId: routingRule.id,
      insightId: forwarded.insight.id,
      houseRuleId: rule.id,
      vocItemId: shared.id,
      joinRequestId: joinRequest.request.id,
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
  "PATCH /api/v1/settings/channel-accounts/:channelAccountId": { name: "Renamed" },
  "PUT /api/v1/settings/channel-accounts/:channelAccountId/credentials": { credentials: {} },
  "PUT /api/v1/settings/channel-accounts/:channelAccountId/paused": { paused: true },
  "POST /api/v1/settings/allowed-private-hosts": { host: "probe.intranet.example" },
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
  "POST /api/v1/contacts": { displayName: "Probe Person" },
  "PATCH /api/v1/contacts/:contactId": { tags: ["probe"] },
  "POST /api/v1/contacts/:contactId/notes": { body: "probe" },
  "POST /api/v1/companies": { name: "Probe GmbH" },
  "PATCH /api/v1/companies/:companyId": { name: "Renamed GmbH" },
  "POST /api/v1/segments": { name: "Probe segment", filter: { tags: ["probe"] } },
  "PATCH /api/v1/segments/:segmentId": { name: "Renamed segment" },
  "POST /api/v1/contacts/:contactId/identity-decisions": {
    identityId: "00000000-0000-4000-8000-000000000000",
    decision: "reject",
    reason: "probe",
  },
  "POST /api/v1/contacts/:contactId/identities": { network: "email", handle: "probe@example.test" },
  "PUT /api/v1/settings/identity-resolution": {
    certainty: 0.8,
    autoLinkCertainty: null,
    customerNumberAttribute: "customer_number",
  },
  "POST /api/v1/contacts/:contactId/opt-in-links": { identityId: "00000000-0000-4000-8000-000000000000" },
  "POST /api/v1/opt-in-campaigns": {
    campaign: "Probe",
    recipients: [
      {
        contactId: "00000000-0000-4000-8000-000000000000",
        identityId: "00000000-0000-4000-8000-000000000000",
      },
    ],
  },
  "POST /api/v1/privacy/requests": { type: "export", contactId: "00000000-0000-4000-8000-000000000000" },
  "PUT /api/v1/privacy/data-use-mode": { mode: "none" },
  "POST /api/v1/privacy/audiences": {},
  "POST /api/v1/kpis/goals": { kpi: "response_rate", target: 0.9, period: "month" },
  "PATCH /api/v1/kpis/goals/:goalId": { target: 0.7 },
  "POST /api/v1/kpis/rollups/refresh": {},
  "POST /api/v1/reports/briefings": { departmentId: null, email: false },
  "PUT /api/v1/settings/webchat/:channelId": { colour: "#123456" },
  "PUT /api/v1/retention/policies": { periods: { mentions: 400 } },
  "POST /api/v1/crm/imports/:importId/run": { columns: { name: "displayName" }, onDuplicate: "skip" },
  "POST /api/v1/crm/contacts": { displayName: "Probe" },
  "PATCH /api/v1/crm/contacts/:contactId": { displayName: "Renamed" },
  "POST /api/v1/crm/contacts/:contactId/identities": { network: "bluesky", handle: "probe.bsky.social" },
  "POST /api/v1/crm/webhooks": {
    name: "Probe",
    url: "https://crm.example.com/hook",
    events: ["contact.created"],
  },
  "PATCH /api/v1/crm/webhooks/:webhookId": { name: "Renamed" },
  "POST /api/v1/automation/rules": {
    name: "Probe",
    conditions: [],
    actions: [{ type: "set_priority", priority: 1 }],
  },
  "PATCH /api/v1/automation/rules/:routingRuleId": { name: "Renamed" },
  "PUT /api/v1/automation/rules/order": { ruleIds: [] },
  "POST /api/v1/automation/dry-run": { conditions: [] },
  "POST /api/v1/insights": {
    departmentId: "00000000-0000-4000-8000-000000000000",
    note: "probe",
    mentionId: "00000000-0000-4000-8000-000000000000",
  },
  "PUT /api/v1/insights/:insightId/state": { state: "acknowledged" },
  "POST /api/v1/moderation/house-rules": { title: "Probe", publicText: "Be kind." },
  "PATCH /api/v1/moderation/house-rules/:houseRuleId": { title: "Renamed" },
  "POST /api/v1/mentions/:mentionId/moderation": { action: "restore" },
  "POST /api/v1/mentions/:mentionId/voc": {},
  "POST /api/v1/voc/:vocItemId/join-requests": { reason: "probe" },
  "PUT /api/v1/voc/join-requests/:joinRequestId": { decision: "declined" },
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
