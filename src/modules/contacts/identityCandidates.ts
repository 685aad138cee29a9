import { and, desc, eq, inArray, isNull, or, sql } from "drizzle-orm";
import type { OrgContext } from "../../platform/auth/context.js";
import type { Db, DbOrTx } from "../../platform/db/client.js";
import { ForbiddenError } from "../../platform/errors.js";
import { dataUseModeOf } from "../privacy/dataUseModes.js";
import { recordContactAccess } from "../privacy/personalDataAccess.js";
import { getContact } from "./contacts.js";
import { identityResolutionSettings, linkIdentityInTx } from "./identityLinker.js";
import {
  type AuthorForMatching,
  type Candidate,
  type ContactForMatching,
  nameTokens,
  resolveIdentities,
} from "./identityMatching.js";
import { contact, identityLinkDecision, socialIdentity } from "./schema.js";

const switchedOff =
  'Identity resolution is switched off: this organization\'s data-use mode is "none". An owner or admin can change it to "linked" or "full" under Settings → Privacy.';

/** Identity resolution reads personal social data; mode `none` keeps none beyond conversations. */
async function requireResolutionAllowed(db: DbOrTx, organizationId: string) {
  const mode = await dataUseModeOf(db, organizationId);
  if (mode === "none") throw new ForbiddenError(switchedOff);
  return mode;
}

type IdentityRow = typeof socialIdentity.$inferSelect;

function asAuthor(row: IdentityRow, shared: Map<string, string[]>): AuthorForMatching {
  const profile = row.profile ?? {};
  const text = (v: unknown) => (typeof v === "string" ? v : null);
  return {
    id: row.id,
    network: row.network,
    handle: row.handle,
    displayName: row.displayName,
    email: text(profile.email),
    phone: text(profile.phone),
    sharedConversationContactIds: shared.get(row.id) ?? [],
  };
}

/**
 * (identity, contact) pairs that met in a conversation: the identity's public post became the
 * contact's conversation, or the identity wrote in it under its handle or name.
 */
async function sharedConversationPairs(
  db: DbOrTx,
  organizationId: string,
  scope: { contactId?: string; identityIds?: string[] },
) {
  const contactFilter = scope.contactId ? sql`and c.contact_id = ${scope.contactId}` : sql``;
  const identityFilter =
    scope.identityIds && scope.identityIds.length > 0
      ? sql`and si.id in (${sql.join(
          scope.identityIds.map((id) => sql`${id}`),
          sql`, `,
        )})`
      : sql``;
  const result = (await db.execute(sql`
    select distinct si.id as identity_id, c.contact_id
    from conversation c
    join message msg on msg.conversation_id = c.id and msg.organization_id = c.organization_id
    join social_identity si on si.organization_id = c.organization_id and si.contact_id is null
    left join mention m on m.organization_id = c.organization_id and m.identity_id = si.id
      and msg.external_id is not null and (m.external_id = msg.external_id or m.thread_external_id = msg.external_id)
    where c.organization_id = ${organizationId} and c.contact_id is not null and msg.direction = 'incoming'
      ${contactFilter} ${identityFilter}
      and (m.id is not null or lower(msg.author_name) = si.handle or lower(msg.author_name) = lower(si.display_name))
  `)) as unknown as { rows: Array<{ identity_id: string; contact_id: string }> };
  const byIdentity = new Map<string, string[]>();
  for (const r of result.rows)
    byIdentity.set(r.identity_id, [...(byIdentity.get(r.identity_id) ?? []), r.contact_id]);
  return byIdentity;
}

async function rejectedPairs(db: DbOrTx, organizationId: string, identityIds: string[]) {
  const rejected = new Map<string, Set<string>>();
  if (identityIds.length === 0) return rejected;
  const rows = await db
    .select({ identityId: identityLinkDecision.identityId, contactId: identityLinkDecision.contactId })
    .from(identityLinkDecision)
    .where(
      and(
        eq(identityLinkDecision.organizationId, organizationId),
        eq(identityLinkDecision.decision, "rejected"),
        inArray(identityLinkDecision.identityId, identityIds),
      ),
    );
  for (const r of rows) {
    const set = rejected.get(r.identityId) ?? new Set<string>();
    set.add(r.contactId);
    rejected.set(r.identityId, set);
  }
  return rejected;
}

const like = (s: string) => `%${s.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

/**
 * Identities that may belong to this contact, best first, with score and evidence. The database
 * narrows the identities to the contact's blocking keys (surname ends, e-mail, phone, shared
 * conversations); contacts that could be the same person compete for them.
 */
export async function candidatesForContact(db: DbOrTx, ctx: OrgContext, contactId: string) {
  const person = await getContact(db, ctx, contactId);
  await requireResolutionAllowed(db, ctx.organizationId);
  const settings = await identityResolutionSettings(db, ctx.organizationId);
  const tokens = nameTokens(person.displayName);
  const last = tokens.at(-1) ?? "";
  const rawLast = person.displayName.trim().split(/\s+/).at(-1)?.toLowerCase() ?? "";
  const shared = await sharedConversationPairs(db, ctx.organizationId, { contactId });
  const fragments = [...new Set([last.slice(0, 3), last.slice(-3), rawLast])].filter((f) => f.length >= 3);
  const matches = [
    ...fragments.flatMap((f) => [
      sql`lower(${socialIdentity.handle}) like ${like(f)}`,
      sql`lower(${socialIdentity.displayName}) like ${like(f)}`,
    ]),
    ...(person.email
      ? [
          sql`lower(${socialIdentity.handle}) = ${person.email.trim().toLowerCase()}`,
          sql`lower(${socialIdentity.profile} ->> 'email') = ${person.email.trim().toLowerCase()}`,
        ]
      : []),
    ...(person.phone ? [sql`${socialIdentity.profile} ->> 'phone' is not null`] : []),
    ...(shared.size > 0 ? [inArray(socialIdentity.id, [...shared.keys()])] : []),
  ];
  if (matches.length === 0) return { certainty: settings.certainty, candidates: [] };
  const identities = await db
    .select()
    .from(socialIdentity)
    .where(
      and(
        eq(socialIdentity.organizationId, ctx.organizationId),
        isNull(socialIdentity.contactId),
        or(...matches),
      ),
    )
    .orderBy(desc(socialIdentity.lastSeenAt))
    .limit(1000);
  const competitors = await db
    .select({ id: contact.id, displayName: contact.displayName, email: contact.email, phone: contact.phone })
    .from(contact)
    .where(
      and(
        eq(contact.organizationId, ctx.organizationId),
        or(
          eq(contact.id, contactId),
          ...[...new Set([rawLast, last])]
            .filter((f) => f.length >= 2)
            .map((f) => sql`lower(${contact.displayName}) like ${like(f)}`),
          ...(person.email ? [eq(contact.email, person.email)] : []),
        ),
      ),
    )
    .limit(5000);
  const rejected = await rejectedPairs(
    db,
    ctx.organizationId,
    identities.map((i) => i.id),
  );
  const found = resolveIdentities(
    competitors,
    identities.map((i) => asAuthor(i, shared)),
    { rejected },
  ).filter((c) => c.contactId === contactId);
  const byId = new Map(identities.map((i) => [i.id, i]));
  return {
    certainty: settings.certainty,
    candidates: found
      .sort((a, b) => b.score - a.score)
      .slice(0, 50)
      .map((c) => ({
        ...c,
        likely: c.score >= settings.certainty,
        identity: publicIdentity(byId.get(c.identityId)!),
      })),
  };
}

function publicIdentity(i: IdentityRow) {
  return {
    id: i.id,
    network: i.network,
    handle: i.handle,
    displayName: i.displayName,
    profileUrl: i.profileUrl,
    followers: i.followers,
    lastSeenAt: i.lastSeenAt,
  };
}

/**
 * The organization-wide queue: recent unlinked identities against every contact, the likely
 * candidates first. Blocking keeps this linear in practice (see bench:identity).
 */
export async function candidateQueue(
  db: DbOrTx,
  ctx: OrgContext,
  query: { minScore?: number; limit: number; identities?: number },
) {
  const settings = await identityResolutionSettings(db, ctx.organizationId);
  if ((await dataUseModeOf(db, ctx.organizationId)) === "none") {
    return { certainty: settings.certainty, candidates: [], notice: switchedOff };
  }
  const { candidates, identities, contacts } = await resolveRecent(
    db,
    ctx.organizationId,
    query.identities ?? 2000,
  );
  const minimum = query.minScore ?? settings.certainty;
  const list = candidates
    .filter((c) => c.score >= minimum)
    .sort((a, b) => b.score - a.score)
    .slice(0, query.limit);
  const contactById = new Map(contacts.map((c) => [c.id, c]));
  await recordContactAccess(db, ctx, { contactIds: [...new Set(list.map((c) => c.contactId))], via: "list" });
  return {
    certainty: settings.certainty,
    candidates: list.map((c) => ({
      ...c,
      likely: c.score >= settings.certainty,
      identity: publicIdentity(identities.get(c.identityId)!),
      contact: { id: c.contactId, displayName: contactById.get(c.contactId)!.displayName },
    })),
  };
}

async function resolveRecent(db: DbOrTx, organizationId: string, identityLimit: number) {
  const rows = await db
    .select()
    .from(socialIdentity)
    .where(and(eq(socialIdentity.organizationId, organizationId), isNull(socialIdentity.contactId)))
    .orderBy(desc(socialIdentity.lastSeenAt))
    .limit(identityLimit);
  const contacts: ContactForMatching[] = await db
    .select({ id: contact.id, displayName: contact.displayName, email: contact.email, phone: contact.phone })
    .from(contact)
    .where(eq(contact.organizationId, organizationId));
  const ids = rows.map((r) => r.id);
  const shared = await sharedConversationPairs(db, organizationId, { identityIds: ids });
  const rejected = await rejectedPairs(db, organizationId, ids);
  const candidates: Candidate[] = resolveIdentities(
    contacts,
    rows.map((r) => asAuthor(r, shared)),
    { rejected },
  );
  return { candidates, identities: new Map(rows.map((r) => [r.id, r])), contacts };
}

/** The score and evidence of one pair right now (what an agent's decision records). */
export async function scorePairNow(
  db: DbOrTx,
  ctx: OrgContext,
  props: { identityId: string; contactId: string },
) {
  const { candidates } = await candidatesForContact(db, ctx, props.contactId);
  const found = candidates.find((c) => c.identityId === props.identityId);
  return { score: found?.score ?? null, evidence: found?.evidence ?? [] };
}

/**
 * Links every candidate at or above the organization's automatic certainty that has its legal
 * basis; the rest stay for an agent. Off (nothing happens) while no automatic certainty is set.
 */
export async function autoLinkIdentities(db: Db, ctx: OrgContext) {
  await requireResolutionAllowed(db, ctx.organizationId);
  const settings = await identityResolutionSettings(db, ctx.organizationId);
  if (settings.autoLinkCertainty === null) {
    return { linked: 0, withoutLegalBasis: 0, belowCertainty: 0, autoLinkCertainty: null };
  }
  const { candidates } = await resolveRecent(db, ctx.organizationId, 5000);
  let linked = 0;
  let withoutLegalBasis = 0;
  let belowCertainty = 0;
  const done = new Set<string>();
  for (const c of candidates.sort((a, b) => b.score - a.score)) {
    if (done.has(c.identityId)) continue;
    done.add(c.identityId);
    if (c.score < settings.autoLinkCertainty) {
      belowCertainty += 1;
      continue;
    }
    try {
      await db.transaction((tx) =>
        linkIdentityInTx(tx, ctx, {
          identityId: c.identityId,
          contactId: c.contactId,
          score: c.score,
          evidence: c.evidence,
          reason: `automatic: score ${c.score} ≥ ${settings.autoLinkCertainty}`,
          source: "automatic",
        }),
      );
      linked += 1;
    } catch (error) {
      if (error instanceof ForbiddenError) withoutLegalBasis += 1;
      else throw error;
    }
  }
  return { linked, withoutLegalBasis, belowCertainty, autoLinkCertainty: settings.autoLinkCertainty };
}
