import { eq } from "drizzle-orm";
import { socialIdentity } from "../../src/modules/contacts/schema.js";
import { mention } from "../../src/modules/listening/schema.js";
import { department, member } from "../../src/modules/organizations/schema.js";
import { createPerson, type TestApp } from "../support/app.js";

let counter = 0;

/** A stored mention with the analysis a test needs (as the pipeline would have stored it). */
export async function storeMention(
  t: TestApp,
  organizationId: string,
  overrides: Partial<typeof mention.$inferInsert> & { handle?: string; isVip?: boolean } = {},
) {
  counter += 1;
  const { handle, isVip, ...columns } = overrides;
  const [identity] = await t.db
    .insert(socialIdentity)
    .values({
      organizationId,
      network: columns.network ?? "bluesky",
      handle: handle ?? `kunde${counter}-${Date.now()}.bsky.social`,
      isVip: isVip ?? false,
    })
    .onConflictDoNothing()
    .returning();
  const [stored] = await t.db
    .insert(mention)
    .values({
      organizationId,
      network: "bluesky",
      externalId: `post-${Date.now()}-${counter}`,
      identityId: identity?.id ?? null,
      text: "Ein ganz normaler Beitrag",
      language: "de",
      sentiment: "neutral",
      sentimentScore: 0.8,
      offensiveScore: 0,
      urgency: 0,
      hasPii: false,
      aspects: [],
      keyphrases: [],
      matchedQueryIds: [],
      postedAt: new Date(Date.now() - counter * 1000),
      ...columns,
    })
    .returning();
  return stored!;
}

/** An organization with its owner, a core-team member, an R&D agent and a viewer. */
export async function coreTeamOrganization(t: TestApp, name: string) {
  const owner = await createPerson(t, { role: "owner", orgName: name });
  const organizationId = owner.organizationId;
  const departments = await t.db
    .select()
    .from(department)
    .where(eq(department.organizationId, organizationId));
  const byKey = (key: string) => departments.find((d) => d.key === key)!;
  const coreTeam = await createPerson(t, { role: "core_team", organizationId });
  const rnd = await createPerson(t, { role: "agent", organizationId, departmentIds: [byKey("rnd").id] });
  const sales = await createPerson(t, { role: "agent", organizationId, departmentIds: [byKey("sales").id] });
  const viewer = await createPerson(t, { role: "viewer", organizationId });
  const members = await t.db.select().from(member).where(eq(member.organizationId, organizationId));
  const memberOf = (userId: string) => members.find((m) => m.userId === userId)!.id;
  const request =
    (headers: Record<string, string>) =>
    (method: "GET" | "POST" | "PUT" | "PATCH" | "DELETE", url: string, payload?: object) =>
      t.app.inject({ method, url, headers, payload });
  return {
    organizationId,
    departments: { rnd: byKey("rnd"), sales: byKey("sales"), service: byKey("service"), hr: byKey("hr") },
    owner: { ...owner, memberId: memberOf(owner.userId), api: request(owner.headers) },
    coreTeam: { ...coreTeam, memberId: memberOf(coreTeam.userId), api: request(coreTeam.headers) },
    rnd: { ...rnd, memberId: memberOf(rnd.userId), api: request(rnd.headers) },
    sales: { ...sales, memberId: memberOf(sales.userId), api: request(sales.headers) },
    viewer: { ...viewer, memberId: memberOf(viewer.userId), api: request(viewer.headers) },
  };
}
