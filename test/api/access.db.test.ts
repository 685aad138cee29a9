import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { roles } from "../../src/platform/auth/roles.js";
import type { RegisteredRoute } from "../../src/platform/http/app.js";
import {
  createPerson,
  createTestApp,
  signIn,
  type TestApp,
  testBaseUrl,
  testPassword,
} from "../support/app.js";
import { testBackend } from "../support/database.js";
import { createPopulatedOrganization, sampleBodies, sampleUrl } from "../support/fixtures.js";

let t: TestApp;
let org: Awaited<ReturnType<typeof createPopulatedOrganization>>;
let routes: RegisteredRoute[];

beforeAll(async () => {
  t = await createTestApp({ loginRateLimit: 5 });
  org = await createPopulatedOrganization(t, "Access GmbH");
  routes = t.app.konversaRoutes.filter((r) => !r.url.startsWith("/api/docs"));
});
afterAll(async () => t?.close());

const key = (r: RegisteredRoute) => `${r.method} ${r.url}`;

describe(`who may call what (${testBackend})`, () => {
  it("answers 401 on every non-public route without a session or token", async () => {
    for (const route of routes) {
      if (route.access === "public") continue;
      const response = await t.app.inject({
        method: route.method as "GET",
        url: sampleUrl(route, org.ids),
      });
      expect(response.statusCode, key(route)).toBe(401);
      expect(response.json().error.code).toBe("unauthorized");
    }
  });

  it("answers 403 to every role a route does not allow", async () => {
    const people = new Map<string, Record<string, string>>();
    for (const role of roles) {
      if (role === "owner") continue;
      people.set(role, (await createPerson(t, { role, organizationId: org.owner.organizationId })).headers);
    }
    let refusals = 0;
    for (const route of routes) {
      if (typeof route.access === "string") continue;
      for (const [role, headers] of people) {
        if (route.access.includes(role as never)) continue;
        const response = await t.app.inject({
          method: route.method as "GET",
          url: sampleUrl(route, org.ids),
          headers,
          payload: sampleBodies[key(route)] as object | undefined,
        });
        expect(response.statusCode, `${role} on ${key(route)}`).toBe(403);
        expect(response.json().error.message).toContain(role);
        refusals += 1;
      }
    }
    expect(refusals).toBeGreaterThan(10);
  });

  it("refuses a cookie-authenticated write from another origin (CSRF) but not with an API token", async () => {
    const noOrigin = await t.app.inject({
      method: "POST",
      url: "/api/v1/departments",
      headers: { cookie: org.owner.cookie },
      payload: { name: "X1" },
    });
    expect(noOrigin.statusCode).toBe(403);
    const evil = await t.app.inject({
      method: "POST",
      url: "/api/v1/departments",
      headers: { cookie: org.owner.cookie, origin: "https://evil.example" },
      payload: { name: "X2" },
    });
    expect(evil.statusCode).toBe(403);
    expect(evil.json().error.message).toMatch(/Cross-site/);
    const sameOrigin = await t.app.inject({
      method: "POST",
      url: "/api/v1/departments",
      headers: org.owner.headers,
      payload: { name: "X3" },
    });
    expect(sameOrigin.statusCode).toBe(201);
    const token = await t.app.inject({
      method: "POST",
      url: "/api/v1/departments",
      headers: { authorization: `Bearer ${org.token}` },
      payload: { name: "X4" },
    });
    expect(token.statusCode).toBe(201);
  });

  it("limits sign-in attempts per client and says when to retry", async () => {
    const attempt = () =>
      t.app.inject({
        method: "POST",
        url: "/api/auth/sign-in/email",
        headers: { origin: testBaseUrl },
        payload: { email: org.owner.email, password: "wrong-password-1" },
        remoteAddress: "203.0.113.9",
      });
    const answers: number[] = [];
    for (let i = 0; i < 6; i += 1) answers.push((await attempt()).statusCode);
    expect(answers.slice(0, 5).every((s) => s === 401)).toBe(true);
    const limited = await attempt();
    expect(limited.statusCode).toBe(429);
    expect(limited.json().error.message).toMatch(/Too many attempts; try again in \d+ seconds/);
  });

  it("explains validation errors and keeps what is stored", async () => {
    const response = await t.app.inject({
      method: "PATCH",
      url: `/api/v1/members/${org.ids.memberId}`,
      headers: org.owner.headers,
      payload: { role: "emperor" },
    });
    expect(response.statusCode).toBe(400);
    expect(response.json().error).toMatchObject({ code: "validation_failed" });
    expect(response.json().error.message).toMatch(/role/);
    const badId = await t.app.inject({
      method: "GET",
      url: "/api/v1/conversations/not-an-id",
      headers: org.owner.headers,
    });
    expect(badId.statusCode).toBe(400);
    expect(badId.json().error.message).toMatch(/conversationId/);
    const members = await t.app.inject({ method: "GET", url: "/api/v1/members", headers: org.owner.headers });
    expect(members.json().find((m: { id: string }) => m.id === org.ids.memberId).role).toBe("agent");
  });

  it("the last owner cannot be demoted or removed", async () => {
    const members = (
      await t.app.inject({ method: "GET", url: "/api/v1/members", headers: org.owner.headers })
    ).json();
    const owner = members.find((m: { role: string }) => m.role === "owner");
    const demote = await t.app.inject({
      method: "PATCH",
      url: `/api/v1/members/${owner.id}`,
      headers: org.owner.headers,
      payload: { role: "admin" },
    });
    expect(demote.statusCode).toBe(409);
    expect(demote.json().error.message).toMatch(/at least one owner/);
  });
});

describe(`API tokens, invitations and the audit log (${testBackend})`, () => {
  it("an API token is shown once, works as its owner, and stops working when revoked", async () => {
    const created = await t.app.inject({
      method: "POST",
      url: "/api/v1/api-tokens",
      headers: org.owner.headers,
      payload: { name: "CRM sync" },
    });
    expect(created.statusCode).toBe(201);
    const { token, id } = created.json();
    expect(token).toMatch(/^kvt_/);
    const listed = await t.app.inject({
      method: "GET",
      url: "/api/v1/api-tokens",
      headers: org.owner.headers,
    });
    expect(listed.body).not.toContain(token);
    const me = await t.app.inject({
      method: "GET",
      url: "/api/v1/me",
      headers: { authorization: `Bearer ${token}` },
    });
    expect(me.json()).toMatchObject({ role: "owner", organization: { id: org.owner.organizationId } });
    await t.app.inject({ method: "DELETE", url: `/api/v1/api-tokens/${id}`, headers: org.owner.headers });
    const after = await t.app.inject({
      method: "GET",
      url: "/api/v1/me",
      headers: { authorization: `Bearer ${token}` },
    });
    expect(after.statusCode).toBe(401);
  });

  it("an invitation link makes a new member once, with the invited role", async () => {
    const department = (
      await t.app.inject({ method: "GET", url: "/api/v1/departments", headers: org.owner.headers })
    ).json()[0];
    const invited = await t.app.inject({
      method: "POST",
      url: "/api/v1/invitations",
      headers: org.owner.headers,
      payload: { email: "New.Agent@Example.test", role: "agent", departmentIds: [department.id] },
    });
    expect(invited.statusCode).toBe(201);
    const { token, url } = invited.json();
    expect(url).toBe(`${testBaseUrl}/invite/${token}`);
    const preview = await t.app.inject({ method: "GET", url: `/api/v1/invitation-links/${token}` });
    expect(preview.json()).toMatchObject({
      organizationName: "Access GmbH",
      email: "new.agent@example.test",
      role: "agent",
      hasAccount: false,
    });
    const accepted = await t.app.inject({
      method: "POST",
      url: `/api/v1/invitation-links/${token}/accept`,
      headers: { origin: testBaseUrl },
      payload: { name: "New Agent", password: testPassword },
    });
    expect(accepted.statusCode).toBe(200);
    const cookie = await signIn(t, "new.agent@example.test", testPassword);
    const me = (await t.app.inject({ method: "GET", url: "/api/v1/me", headers: { cookie } })).json();
    expect(me).toMatchObject({ role: "agent", departmentIds: [department.id] });
    const again = await t.app.inject({
      method: "POST",
      url: `/api/v1/invitation-links/${token}/accept`,
      headers: { origin: testBaseUrl },
      payload: { name: "Someone", password: testPassword },
    });
    expect(again.statusCode).toBe(409);
    expect(again.json().error.message).toMatch(/used already/);
  });

  it("records changes in an append-only audit log that admins can filter", async () => {
    await t.app.inject({
      method: "POST",
      url: "/api/v1/departments",
      headers: org.owner.headers,
      payload: { name: "Audit Probe" },
    });
    const log = await t.app.inject({
      method: "GET",
      url: "/api/v1/audit?action=department.created",
      headers: org.owner.headers,
    });
    expect(log.statusCode).toBe(200);
    const entries = log.json().entries;
    expect(entries.length).toBeGreaterThan(0);
    expect(entries.every((e: { action: string }) => e.action === "department.created")).toBe(true);
    expect(entries[0]).toMatchObject({ actorUserId: org.owner.userId, entityType: "department" });
    const refusal = (e: unknown) => String((e as { cause?: Error }).cause?.message ?? e);
    await expect(t.db.execute(sql`UPDATE audit_log SET action = 'forged'`).catch(refusal)).resolves.toMatch(
      /append-only/,
    );
    await expect(t.db.execute(sql`DELETE FROM audit_log`).catch(refusal)).resolves.toMatch(/append-only/);
  });
});
