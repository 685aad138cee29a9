import { createHmac } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createPerson, createTestApp, type TestApp, testBaseUrl, testPassword } from "../support/app.js";
import { testBackend } from "../support/database.js";

/** RFC 6238 TOTP (SHA-1, 30 s, 6 digits), as an authenticator app computes it. */
function totp(base32Secret: string, at = Date.now()): string {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  let bits = "";
  for (const char of base32Secret.replace(/=+$/, "").toUpperCase())
    bits += alphabet.indexOf(char).toString(2).padStart(5, "0");
  const key = Buffer.from(bits.match(/.{8}/g)!.map((b) => Number.parseInt(b, 2)));
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(at / 30_000)));
  const hmac = createHmac("sha1", key).update(counter).digest();
  const offset = hmac[hmac.length - 1]! & 0xf;
  return String((hmac.readUInt32BE(offset) & 0x7fffffff) % 1_000_000).padStart(6, "0");
}

const cookiesOf = (header: string | string[] | undefined) =>
  (Array.isArray(header) ? header : header ? [header] : []).map((c) => c.split(";")[0]).join("; ");

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => t?.close());

describe(`second factor (TOTP) (${testBackend})`, () => {
  it("once enabled, a password alone no longer signs in; password plus the app's code does", async () => {
    const person = await createPerson(t, { role: "owner" });
    const enabled = await t.app.inject({
      method: "POST",
      url: "/api/auth/two-factor/enable",
      headers: person.headers,
      payload: { password: testPassword },
    });
    expect(enabled.statusCode).toBe(200);
    const secret = new URL(enabled.json().totpURI).searchParams.get("secret")!;
    expect(enabled.json().backupCodes.length).toBeGreaterThan(0);
    const confirmed = await t.app.inject({
      method: "POST",
      url: "/api/auth/two-factor/verify-totp",
      headers: person.headers,
      payload: { code: totp(secret) },
    });
    expect(confirmed.statusCode).toBe(200);

    const signIn = await t.app.inject({
      method: "POST",
      url: "/api/auth/sign-in/email",
      headers: { origin: testBaseUrl },
      payload: { email: person.email, password: testPassword },
    });
    expect(signIn.json()).toMatchObject({ twoFactorRedirect: true });
    const pending = cookiesOf(signIn.headers["set-cookie"]);
    expect(
      (await t.app.inject({ method: "GET", url: "/api/v1/me", headers: { cookie: pending } })).statusCode,
    ).toBe(401);

    const wrong = await t.app.inject({
      method: "POST",
      url: "/api/auth/two-factor/verify-totp",
      headers: { cookie: pending, origin: testBaseUrl },
      payload: { code: "000000" === totp(secret) ? "111111" : "000000" },
    });
    expect(wrong.statusCode).toBe(401);
    const verified = await t.app.inject({
      method: "POST",
      url: "/api/auth/two-factor/verify-totp",
      headers: { cookie: pending, origin: testBaseUrl },
      payload: { code: totp(secret) },
    });
    expect(verified.statusCode).toBe(200);
    const session = cookiesOf(verified.headers["set-cookie"]);
    const me = await t.app.inject({ method: "GET", url: "/api/v1/me", headers: { cookie: session } });
    expect(me.statusCode).toBe(200);
    expect(me.json().user.email).toBe(person.email);
  });

  it("a person in two organizations switches between them", async () => {
    const first = await createPerson(t, { role: "owner", orgName: "Erste GmbH" });
    const second = await createPerson(t, { role: "owner", orgName: "Zweite AG" });
    const { addMember } = await import("../../src/modules/organizations/members.js");
    await addMember(
      t.db,
      { organizationId: second.organizationId, userId: second.userId },
      { userId: first.userId, role: "analyst", departmentIds: [] },
    );
    const switched = await t.app.inject({
      method: "PUT",
      url: "/api/v1/me/organization",
      headers: first.headers,
      payload: { organizationId: second.organizationId },
    });
    expect(switched.statusCode).toBe(200);
    const cookie = `${first.cookie}; ${cookiesOf(switched.headers["set-cookie"])}`;
    const me = (await t.app.inject({ method: "GET", url: "/api/v1/me", headers: { cookie } })).json();
    expect(me).toMatchObject({ organization: { name: "Zweite AG" }, role: "analyst" });
    expect(me.organizations.map((o: { name: string }) => o.name).sort()).toEqual(["Erste GmbH", "Zweite AG"]);
    const write = await t.app.inject({
      method: "POST",
      url: "/api/v1/departments",
      headers: { cookie, origin: testBaseUrl },
      payload: { name: "Nope" },
    });
    expect(write.statusCode).toBe(403);
  });
});
