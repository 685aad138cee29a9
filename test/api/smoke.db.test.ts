import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createPerson, createTestApp, type TestApp } from "../support/app.js";
import { testBackend } from "../support/database.js";

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => t?.close());

describe(`signing in (${testBackend})`, () => {
  it("returns the signed-in person with organization and role, 401 without a session", async () => {
    const owner = await createPerson(t, { role: "owner", orgName: "Smoke AG" });
    const me = await t.app.inject({ method: "GET", url: "/api/v1/me", headers: owner.headers });
    expect(me.statusCode).toBe(200);
    expect(me.json()).toMatchObject({
      user: { email: owner.email },
      organization: { name: "Smoke AG" },
      role: "owner",
    });
    const anonymous = await t.app.inject({ method: "GET", url: "/api/v1/me" });
    expect(anonymous.statusCode).toBe(401);
    expect(anonymous.json().error.code).toBe("unauthorized");
  });
});
