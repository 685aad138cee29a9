import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { addMember } from "../../src/modules/organizations/members.js";
import { createOrganization } from "../../src/modules/organizations/organizationCreator.js";
import { createUser } from "../../src/modules/organizations/userCreator.js";
import type { Role } from "../../src/platform/auth/roles.js";
import type { Clock } from "../../src/platform/clock.js";
import { loadConfig } from "../../src/platform/config/config.js";
import { buildApp } from "../../src/server.js";
import { createTestDatabase, type TestDatabase } from "./database.js";

export const testBaseUrl = "http://localhost:3000";
export const testPassword = "correct-horse-battery";
/** The installation key of test apps; worker processes of a test get the same. */
export const testSecretKey = "11".repeat(32);

/** The app on a fresh test database, without listening: requests go through `app.inject`. */
export async function createTestApp(
  options: {
    loginRateLimit?: number;
    withPipeline?: boolean;
    natsUrl?: string;
    natsPrefix?: string;
    /** The app's time; a manual clock lets a test move it (service levels, snoozes). */
    clock?: Clock;
    connectorWorkers?: boolean;
  } = {},
) {
  const database = await createTestDatabase();
  const config = loadConfig({
    env: {},
    file: path.join(tmpdir(), "konversa-none.json"),
    overrides: {
      dataDir: mkdtempSync(path.join(tmpdir(), "konversa-test-")),
      logLevel: "silent",
      loginRateLimit: options.loginRateLimit ?? 1000,
      secretKey: testSecretKey,
      natsUrl: options.natsUrl,
      natsPrefix: options.natsPrefix,
    },
  });
  const built = await buildApp({
    config,
    database,
    webRoot: path.join(tmpdir(), "konversa-no-web"),
    withPipeline: options.withPipeline ?? false,
    clock: options.clock,
    // Tests run the inbox timers' jobs themselves, at the moments they choose.
    inboxTimers: false,
    // …and the connectors' jobs (replies, polls) through `connectorJobs`.
    connectorWorkers: options.connectorWorkers ?? false,
    // …and the housekeeping jobs (retention, contact webhooks) through `housekeepingJobs`.
    housekeeping: false,
  });
  await built.app.ready();
  return {
    ...built,
    database: database as TestDatabase,
    db: database.db,
    async close() {
      await built.app.close();
      await database.close();
    },
  };
}

export type TestApp = Awaited<ReturnType<typeof createTestApp>>;

let counter = 0;

/** A person with a password, a member of `organizationId` with `role` (or the owner of a new one). */
export async function createPerson(
  t: TestApp,
  props: { role: Role; organizationId?: string; departmentIds?: string[]; orgName?: string },
) {
  counter += 1;
  const email = `person${counter}-${Date.now()}@example.test`;
  const person = await createUser(t.db, { email, name: `Person ${counter}`, password: testPassword });
  let organizationId = props.organizationId;
  if (!organizationId) {
    const org = await createOrganization(t.db, {
      name: props.orgName ?? `Org ${counter} ${Date.now()}`,
      ownerUserId: person.id,
    });
    organizationId = org.id;
    if (props.role !== "owner") throw new Error("A new organization's first person is its owner.");
  } else {
    await addMember(
      t.db,
      { organizationId, userId: person.id },
      { userId: person.id, role: props.role, departmentIds: props.departmentIds ?? [] },
    );
  }
  const cookie = await signIn(t, email, testPassword);
  return { userId: person.id, email, organizationId, cookie, headers: { cookie, origin: testBaseUrl } };
}

let signIns = 0;

export async function signIn(t: TestApp, email: string, password: string): Promise<string> {
  signIns += 1;
  const response = await t.app.inject({
    method: "POST",
    url: "/api/auth/sign-in/email",
    headers: { origin: testBaseUrl, "content-type": "application/json" },
    payload: { email, password },
    // Each set-up sign-in comes from its own documentation address, so it never meets the rate limit.
    remoteAddress: `198.51.100.${signIns % 250}`,
  });
  if (response.statusCode !== 200) throw new Error(`sign-in failed: ${response.statusCode} ${response.body}`);
  const cookies = response.headers["set-cookie"];
  const list = Array.isArray(cookies) ? cookies : cookies ? [cookies] : [];
  return list.map((c) => c.split(";")[0]).join("; ");
}
