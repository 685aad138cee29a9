import { randomBytes } from "node:crypto";
import { count, eq } from "drizzle-orm";
import { seededRandom } from "../../nlp/random.js";
import { recordAudit } from "../../platform/audit/audit.js";
import type { Db } from "../../platform/db/client.js";
import { contact } from "../contacts/schema.js";
import { type ChannelType, channel, conversation, message } from "../conversations/schema.js";
import { addMember } from "../organizations/members.js";
import { createOrganization } from "../organizations/organizationCreator.js";
import { department, member, organization } from "../organizations/schema.js";
import { createUser, findUserByEmail } from "../organizations/userCreator.js";
import { cities, demoBrand, demoChannels, demoThreads, firstNames, lastNames } from "./demoContent.js";

export interface EnsureDemoOrganizationProps {
  adminEmail?: string;
  /** When omitted a password is generated; it is returned once so the CLI can print it. */
  adminPassword?: string;
}

/**
 * On the very first start: the demo organization and its first admin (the owner). Returns the
 * credentials only when it created them.
 */
export async function ensureDemoOrganization(db: Db, props: EnsureDemoOrganizationProps) {
  const [{ organizations }] = (await db.select({ organizations: count() }).from(organization)) as [
    { organizations: number },
  ];
  if (organizations > 0) return { created: false as const };
  const email = props.adminEmail ?? "admin@konversa.local";
  const password = props.adminPassword ?? generatePassword();
  const existing = await findUserByEmail(db, email);
  const userId = existing?.id ?? (await createUser(db, { email, name: "Konversa Admin", password })).id;
  const org = await createOrganization(db, {
    name: demoBrand.name,
    slug: demoBrand.slug,
    ownerUserId: userId,
    dataUseMode: "full",
  });
  return {
    created: true as const,
    organizationId: org.id,
    userId,
    email,
    password: existing ? undefined : password,
  };
}

export interface LoadDemoDataProps {
  organizationId: string;
  /** The person the demo history is attributed to in the audit log. */
  actorUserId: string;
  /** Weeks of history ending now. */
  weeks?: number;
  conversations?: number;
  seed?: number;
  now?: Date;
  onProgress?: (done: number, total: number) => void;
}

/** Fills an organization with a few weeks of realistic, generated customer conversations. */
export async function loadDemoData(db: Db, props: LoadDemoDataProps) {
  const [{ channels }] = (await db
    .select({ channels: count() })
    .from(channel)
    .where(eq(channel.organizationId, props.organizationId))) as [{ channels: number }];
  if (channels > 0) return { skipped: true as const, conversations: 0 };

  const random = seededRandom(props.seed ?? 20261123);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const now = (props.now ?? new Date()).getTime();
  const span = (props.weeks ?? 4) * 7 * 86_400_000;
  const total = props.conversations ?? 160;
  const ctx = { organizationId: props.organizationId, userId: props.actorUserId };

  const departments = await db
    .select()
    .from(department)
    .where(eq(department.organizationId, props.organizationId));
  const departmentByKey = new Map(departments.map((d) => [d.key, d.id]));
  const team = await createDemoTeam(db, ctx, departmentByKey);

  const channelRows = await db
    .insert(channel)
    .values(
      demoChannels.map((c) => ({
        organizationId: props.organizationId,
        type: c.type as ChannelType,
        name: c.name,
      })),
    )
    .returning();

  const people = Array.from({ length: 70 }, () => {
    const first = pick(firstNames);
    const last = pick(lastNames);
    const handle = `${first}.${last}`
      .toLowerCase()
      .normalize("NFKD")
      .replace(/[^a-z.]/g, "");
    return {
      organizationId: props.organizationId,
      displayName: `${first} ${last}`,
      email: random() < 0.6 ? `${handle}${Math.floor(random() * 90 + 10)}@example.com` : null,
      phone: random() < 0.2 ? `+49 151 ${Math.floor(random() * 9_000_000 + 1_000_000)}` : null,
      locale: random() < 0.75 ? "de" : "en",
    };
  });
  const contacts = await db
    .insert(contact)
    .values(people)
    .returning({ id: contact.id, displayName: contact.displayName, locale: contact.locale });

  for (let i = 0; i < total; i += 1) {
    const person = pick(contacts);
    const threads = demoThreads.filter((t) => t.lang === (person.locale === "en" ? "en" : "de"));
    const thread = pick(threads);
    const chosenChannel = pick(channelRows);
    const city = pick(cities);
    const fill = (text: string) =>
      text
        .replaceAll("{city}", city)
        .replaceAll("{city2}", pick(cities.filter((c) => c !== city)))
        .replaceAll("{train}", String(Math.floor(random() * 90) + 10))
        .replaceAll("{minutes}", String(Math.floor(random() * 50) + 10))
        .replaceAll("{name}", person.displayName.split(" ")[0]!)
        .replaceAll("{agent}", team.agentSignature);
    // Older conversations are mostly resolved; the last days stay open.
    const started = now - Math.floor(random() ** 1.4 * span);
    const ageDays = (now - started) / 86_400_000;
    const answered = thread.turns.length > 1 && (ageDays > 1 || random() < 0.5);
    const turns = answered ? thread.turns : thread.turns.slice(0, 1);
    const status =
      ageDays > 5
        ? random() < 0.85
          ? "resolved"
          : "pending"
        : answered && random() < 0.4
          ? "pending"
          : "open";
    const times = turns.map((_, n) =>
      Math.min(now - 60_000, started + n * Math.floor(random() * 5 + 1) * 3_600_000),
    );
    const departmentId = departmentByKey.get(thread.department) ?? null;
    await db.transaction(async (tx) => {
      const [created] = await tx
        .insert(conversation)
        .values({
          organizationId: props.organizationId,
          channelId: chosenChannel.id,
          contactId: person.id,
          departmentId,
          assigneeMemberId: answered ? team.agentMemberId : null,
          subject: fill(thread.subject),
          status,
          priority: thread.sentiment === "negative" && random() < 0.3 ? 2 : 0,
          isPublic: chosenChannel.type !== "email" && chosenChannel.type !== "webchat",
          language: thread.lang,
          sentiment: thread.sentiment,
          lastMessageAt: new Date(times.at(-1)!),
          createdAt: new Date(started),
        })
        .returning({ id: conversation.id });
      await tx.insert(message).values(
        turns.map((text, n) => ({
          organizationId: props.organizationId,
          conversationId: created!.id,
          direction: n % 2 === 0 ? ("incoming" as const) : ("outgoing" as const),
          authorName: n % 2 === 0 ? person.displayName : team.agentName,
          authorMemberId: n % 2 === 0 ? null : team.agentMemberId,
          body: fill(text),
          sentAt: new Date(times[n]!),
        })),
      );
    });
    if ((i + 1) % 20 === 0 || i + 1 === total) props.onProgress?.(i + 1, total);
  }
  await recordAudit(db, ctx, {
    action: "demo.loaded",
    entityType: "organization",
    entityId: props.organizationId,
    details: { conversations: total },
  });
  return { skipped: false as const, conversations: total };
}

/** Colleagues for the demo: an agent in Service, a core-team member and an analyst (no login). */
async function createDemoTeam(
  db: Db,
  ctx: { organizationId: string; userId: string },
  departments: Map<string, string>,
) {
  const colleagues = [
    { name: "Jana Service", role: "agent" as const, departments: ["service"] },
    { name: "Kai Core", role: "core_team" as const, departments: [] },
    { name: "Ana Lyst", role: "analyst" as const, departments: [] },
  ];
  let agentMemberId: string | null = null;
  for (const colleague of colleagues) {
    const email = `${colleague.name.split(" ")[0]!.toLowerCase()}.${ctx.organizationId.slice(0, 8)}@demo.konversa.local`;
    const person =
      (await findUserByEmail(db, email)) ??
      (await createUser(db, { email, name: colleague.name, password: generatePassword() }));
    const existing = await db.select({ id: member.id }).from(member).where(eq(member.userId, person.id));
    const joined =
      existing[0] ??
      (await addMember(db, ctx, {
        userId: person.id,
        role: colleague.role,
        departmentIds: colleague.departments
          .map((k) => departments.get(k))
          .filter((id): id is string => Boolean(id)),
      }));
    if (colleague.role === "agent") agentMemberId = joined.id;
  }
  return { agentMemberId, agentName: "Jana Service", agentSignature: "Jana" };
}

export function generatePassword(): string {
  return randomBytes(12).toString("base64url");
}
