import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RegisteredRoute } from "../../src/platform/http/app.js";
import { createTestApp, type TestApp } from "../support/app.js";
import { testBackend } from "../support/database.js";
import { createPopulatedOrganization, sampleBodies, sampleUrl } from "../support/fixtures.js";

/**
 * Routes that act in no organization, each with the reason. Every other route is checked below;
 * a new route that is neither here nor tenant-scoped fails the suite.
 */
const tenantFree: Record<string, string> = {
  "GET /healthz": "process health",
  "GET /readyz": "database readiness",
  "GET /metrics": "process metrics, no business data",
  "GET /api/openapi.json": "API description",
  "POST /api/auth/sign-in/email": "sign-in",
  "GET /api/auth/*": "better-auth session endpoints act on the caller's own account",
  "POST /api/auth/*": "better-auth session endpoints act on the caller's own account",
  "GET /api/v1/me": "the caller's own account and memberships",
  "PATCH /api/v1/me": "the caller's own account",
  "PUT /api/v1/me/organization": "switches only between the caller's own memberships (tested below)",
  "GET /api/v1/invitation-links/:token": "the link's secret is the authorization",
  "POST /api/v1/invitation-links/:token/accept": "the link's secret is the authorization",
  "POST /api/v1/invitation-links/:token/join": "the link's secret is the authorization",
  "GET /api/v1/opt-in/:token": "an opt-in link's secret is the authorization",
  "POST /api/v1/opt-in/:token": "an opt-in link's secret is the authorization",
  "GET /api/v1/public/:organizationSlug/house-rules":
    "an organization's published house rules are public by design (titles and public wording only)",
  "POST /api/v1/hooks/:channelId":
    "a channel's inbound webhook: the HMAC signature with the channel's secret is the authorization",
  "GET /widget/:script": "the web chat's script for websites; the channel's allowed origins decide",
  "GET /api/v1/webchat/:channelId/socket":
    "web chat visitors; allowed origins at the upgrade, then the visitor's own session token",
};

let t: TestApp;
let a: Awaited<ReturnType<typeof createPopulatedOrganization>>;
let b: Awaited<ReturnType<typeof createPopulatedOrganization>>;
let routes: RegisteredRoute[];

beforeAll(async () => {
  t = await createTestApp();
  a = await createPopulatedOrganization(t, "Tenant A GmbH");
  b = await createPopulatedOrganization(t, "Tenant B AG");
  routes = t.app.konversaRoutes.filter((r) => !r.url.startsWith("/api/docs"));
});
afterAll(async () => t?.close());

const key = (r: RegisteredRoute) => `${r.method} ${r.url}`;

describe(`tenant isolation on every route (${testBackend})`, () => {
  it("knows every route: tenant-free ones are listed with a reason, the rest are role-checked", () => {
    for (const route of routes) {
      if (route.access === "public" || route.access === "signed-in") {
        expect(
          tenantFree[key(route)],
          `${key(route)} is not tenant-scoped; add it to tenantFree with a reason or give it roles`,
        ).toBeDefined();
      }
    }
    expect(routes.length).toBeGreaterThan(20);
  });

  it("a member of organization A gets 404 for every resource of organization B, on every route with an id", async () => {
    const checked: string[] = [];
    for (const route of routes) {
      if (typeof route.access === "string" || !route.url.includes(":")) continue;
      const response = await t.app.inject({
        method: route.method as "GET",
        url: sampleUrl(route, b.ids),
        headers: a.owner.headers,
        payload: sampleBodies[key(route)] as object | undefined,
      });
      expect(
        response.statusCode,
        `${key(route)} with B's id answered ${response.statusCode}: ${response.body}`,
      ).toBe(404);
      checked.push(key(route));
    }
    expect(checked.length).toBeGreaterThan(5);
  });

  it("lists of organization A never contain anything of organization B", async () => {
    const bIds = Object.values(b.ids).concat(b.owner.organizationId, b.owner.userId);
    for (const route of routes) {
      if (typeof route.access === "string" || route.url.includes(":") || route.method !== "GET") continue;
      if (route.url === "/api/v1/events") continue; // a stream; checked in its own test below
      const response = await t.app.inject({
        method: "GET",
        url: sampleUrl(route, a.ids),
        headers: a.owner.headers,
      });
      expect(response.statusCode, `${key(route)}: ${response.body}`).toBe(200);
      for (const id of bIds) expect(response.body, `${key(route)} leaks ${id}`).not.toContain(id);
    }
  });

  it("asking to act in organization B (header or API token of A) is refused on every scoped route", async () => {
    for (const route of routes) {
      if (typeof route.access === "string") continue;
      const response = await t.app.inject({
        method: route.method as "GET",
        url: sampleUrl(route, b.ids),
        headers: { ...a.owner.headers, "x-konversa-organization": b.owner.organizationId },
        payload: sampleBodies[key(route)] as object | undefined,
      });
      expect(response.statusCode, `${key(route)}: ${response.body}`).toBe(403);
    }
    // An API token is bound to its organization: the header cannot move it.
    const viaToken = await t.app.inject({
      method: "GET",
      url: `/api/v1/conversations/${b.ids.conversationId}`,
      headers: { authorization: `Bearer ${a.token}`, "x-konversa-organization": b.owner.organizationId },
    });
    expect(viaToken.statusCode).toBe(404);
  });

  it("the realtime stream carries only the caller's organization's events", async () => {
    await t.app.listen({ port: 0, host: "127.0.0.1" });
    const { port } = t.app.server.address() as { port: number };
    const controller = new AbortController();
    const response = await fetch(`http://127.0.0.1:${port}/api/v1/events`, {
      headers: { cookie: a.owner.cookie },
      signal: controller.signal,
    });
    expect(response.headers.get("content-type")).toBe("text/event-stream");
    const reader = response.body!.getReader();
    await reader.read(); // ": connected"
    t.bus.broadcast("events.mentions.created", {
      organizationId: b.owner.organizationId,
      count: 1,
      ids: ["from-b"],
    });
    t.bus.broadcast("events.mentions.created", {
      organizationId: a.owner.organizationId,
      count: 1,
      ids: ["from-a"],
    });
    const { value } = await reader.read();
    const text = new TextDecoder().decode(value);
    expect(text).toContain("from-a");
    expect(text).not.toContain("from-b");
    controller.abort();
  });

  it("bulk actions on organization B's conversations answer not found for each, and change nothing", async () => {
    const response = await t.app.inject({
      method: "POST",
      url: "/api/v1/conversations/bulk",
      headers: a.owner.headers,
      payload: { conversationIds: [b.ids.conversationId], action: { type: "resolve" } },
    });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({
      succeeded: 0,
      results: [{ conversationId: b.ids.conversationId, ok: false, error: { code: "not_found" } }],
    });
    const mentionB = await t.app.inject({
      method: "POST",
      url: `/api/v1/conversations/${a.ids.conversationId}/notes`,
      headers: a.owner.headers,
      payload: { body: "hello", mentionedMemberIds: [b.ids.memberId] },
    });
    expect(mentionB.statusCode).toBe(400);
  });

  it("cannot switch the session into an organization one is not a member of", async () => {
    const response = await t.app.inject({
      method: "PUT",
      url: "/api/v1/me/organization",
      headers: a.owner.headers,
      payload: { organizationId: b.owner.organizationId },
    });
    expect(response.statusCode).toBe(403);
  });
});
