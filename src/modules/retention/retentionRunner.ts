import { and, desc, eq, inArray, lt, notInArray, type SQL, sql } from "drizzle-orm";
import type { PgColumn, PgTable } from "drizzle-orm/pg-core";
import { auditLog } from "../../platform/audit/schema.js";
import type { Clock } from "../../platform/clock.js";
import { pseudonymOf } from "../../platform/crypto/pseudonyms.js";
import { type Db, sqlRows } from "../../platform/db/client.js";
import { socialIdentity } from "../contacts/schema.js";
import { conversation, message } from "../conversations/schema.js";
import { contactWebhookDelivery, crmImport, crmImportChunk } from "../crm/schema.js";
import { alert, alertDelivery, deadLetter, mention } from "../listening/schema.js";
import { notification } from "../notifications/schema.js";
import { organizationPseudonymKey, pseudonymisesAuthors } from "../privacy/authorPseudonymiser.js";
import { dataUseModeOf } from "../privacy/dataUseModes.js";
import { privacyRequest } from "../privacy/schema.js";
import { retentionDaysOf } from "./retentionPolicies.js";
import { type RetentionCounts, type RetentionDataType, retentionRun } from "./schema.js";

export interface RetentionDeps {
  db: Db;
  clock: Clock;
  /** Opens the organization's pseudonym key. */
  secretsKey: Buffer;
  /** Rows per statement (default 1000): each batch is its own short transaction. */
  batchSize?: number;
}

const dayMs = 86_400_000;
/** Audit entries the organization must keep to prove what it did; past retention they lose only the IP. */
const accountabilityActions = [
  "person.erased",
  "organization.data_use_mode_changed",
  "retention.policy_changed",
];
const accountabilityPrefixes = ["privacy_request."];
/** An upload that was never run is dropped after a day: the file holds personal data nobody uses. */
const uploadExpiryMs = dayMs;
const pseudonymPattern = "^author-[0-9a-f]{16}$";

/**
 * Starts a run for one organization and carries it out, storing the report (counts per data type)
 * on the run. `day` marks a daily run; a second process that tries to claim the same day gets
 * `undefined` and does nothing.
 */
export async function runRetention(
  deps: RetentionDeps,
  props: { organizationId: string; trigger: "daily" | "manual"; day?: string },
) {
  const [run] = await deps.db
    .insert(retentionRun)
    .values({
      organizationId: props.organizationId,
      trigger: props.trigger,
      day: props.day ?? null,
      startedAt: deps.clock.now(),
    })
    .onConflictDoNothing()
    .returning();
  if (!run) return undefined;
  const counts: RetentionCounts = {};
  try {
    await applyRetention(deps, props.organizationId, counts);
    const [done] = await deps.db
      .update(retentionRun)
      .set({ status: "completed", counts, finishedAt: deps.clock.now() })
      .where(eq(retentionRun.id, run.id))
      .returning();
    return done!;
  } catch (error) {
    const [failed] = await deps.db
      .update(retentionRun)
      .set({
        status: "failed",
        counts,
        // The class and the first line only: database errors can quote values in their detail.
        error: `${(error as Error).name}: ${String((error as Error).message).split("\n")[0]}`.slice(0, 500),
        finishedAt: deps.clock.now(),
      })
      .where(eq(retentionRun.id, run.id))
      .returning();
    return failed!;
  }
}

export async function listRetentionRuns(db: Db, organizationId: string, limit: number) {
  return db
    .select()
    .from(retentionRun)
    .where(eq(retentionRun.organizationId, organizationId))
    .orderBy(desc(retentionRun.startedAt))
    .limit(limit);
}

/** Deletes or anonymises, type by type, what is past the organization's periods. */
async function applyRetention(deps: RetentionDeps, organizationId: string, counts: RetentionCounts) {
  const { db } = deps;
  const batch = deps.batchSize ?? 1000;
  const now = deps.clock.now();
  const days = await retentionDaysOf(db, organizationId);
  const cutoff = (type: RetentionDataType) => new Date(now.getTime() - days[type] * dayMs);
  const add = (type: string, deleted: number, anonymised = 0) => {
    counts[type] ??= { deleted: 0, anonymised: 0 };
    const entry = counts[type];
    entry.deleted += deleted;
    entry.anonymised += anonymised;
  };
  const org = organizationId;

  // Raw public posts. Hourly, aspect and author rollups are separate tables and keep the counts.
  add(
    "mentions",
    await deleteInBatches(
      db,
      batch,
      mention,
      mention.id,
      and(eq(mention.organizationId, org), lt(mention.postedAt, cutoff("mentions"))),
    ),
  );

  add(
    "dead_letters",
    await deleteInBatches(
      db,
      batch,
      deadLetter,
      deadLetter.id,
      and(eq(deadLetter.organizationId, org), lt(deadLetter.createdAt, cutoff("dead_letters"))),
    ),
  );

  // Resolved conversations only; messages, breaches and their notifications go with them.
  let messages = 0;
  add(
    "conversations",
    await inBatches(batch, async (n) => {
      const doomed = await db
        .select({ id: conversation.id })
        .from(conversation)
        .where(
          and(
            eq(conversation.organizationId, org),
            eq(conversation.status, "resolved"),
            lt(conversation.lastMessageAt, cutoff("conversations")),
          ),
        )
        .limit(n);
      if (doomed.length === 0) return [];
      const ids = doomed.map((d) => d.id);
      return db.transaction(async (tx) => {
        const [counted] = await tx
          .select({ n: sql<number>`count(*)::int` })
          .from(message)
          .where(inArray(message.conversationId, ids));
        messages += counted?.n ?? 0;
        return tx
          .delete(conversation)
          .where(inArray(conversation.id, ids))
          .returning({ id: conversation.id });
      });
    }),
  );
  add("messages", messages);

  let deliveries = 0;
  add(
    "alerts",
    await inBatches(batch, async (n) => {
      const doomed = await db
        .select({ id: alert.id })
        .from(alert)
        .where(and(eq(alert.organizationId, org), lt(alert.firedAt, cutoff("alerts"))))
        .limit(n);
      if (doomed.length === 0) return [];
      const ids = doomed.map((d) => d.id);
      return db.transaction(async (tx) => {
        const [counted] = await tx
          .select({ n: sql<number>`count(*)::int` })
          .from(alertDelivery)
          .where(inArray(alertDelivery.alertId, ids));
        deliveries += counted?.n ?? 0;
        await tx.delete(notification).where(
          and(
            eq(notification.organizationId, org),
            inArray(
              notification.link,
              ids.map((id) => `/listening/alerts/${id}`),
            ),
          ),
        );
        return tx.delete(alert).where(inArray(alert.id, ids)).returning({ id: alert.id });
      });
    }),
  );
  add("alert_deliveries", deliveries);

  add(
    "notifications",
    await deleteInBatches(
      db,
      batch,
      notification,
      notification.id,
      and(eq(notification.organizationId, org), lt(notification.createdAt, cutoff("notifications"))),
    ),
  );

  add("author_handles", 0, await pseudonymiseIdleAuthors(deps, org, cutoff("author_handles"), batch));

  await reduceAuditEntries(deps, org, cutoff("audit_entries"), batch, add);

  add(
    "privacy_requests",
    await deleteInBatches(
      db,
      batch,
      privacyRequest,
      privacyRequest.id,
      and(
        eq(privacyRequest.organizationId, org),
        eq(privacyRequest.status, "completed"),
        lt(privacyRequest.completedAt, cutoff("privacy_requests")),
      ),
    ),
  );

  // Uploads nobody ran lose their file after a day; whole imports (report included) go after the period.
  const expired = await db.transaction(async (tx) => {
    const stale = await tx
      .update(crmImport)
      .set({
        status: "failed",
        error: "The upload was not run within a day and has been deleted; upload the file again.",
        finishedAt: now,
      })
      .where(
        and(
          eq(crmImport.organizationId, org),
          inArray(crmImport.status, ["uploading", "uploaded"]),
          lt(crmImport.createdAt, new Date(now.getTime() - uploadExpiryMs)),
        ),
      )
      .returning({ id: crmImport.id });
    if (stale.length > 0)
      await tx.delete(crmImportChunk).where(
        inArray(
          crmImportChunk.importId,
          stale.map((s) => s.id),
        ),
      );
    return stale.length;
  });
  add(
    "crm_imports",
    await deleteInBatches(
      db,
      batch,
      crmImport,
      crmImport.id,
      and(
        eq(crmImport.organizationId, org),
        notInArray(crmImport.status, ["running"]),
        lt(crmImport.createdAt, cutoff("crm_imports")),
      ),
    ),
    expired,
  );

  add(
    "webhook_deliveries",
    await deleteInBatches(
      db,
      batch,
      contactWebhookDelivery,
      contactWebhookDelivery.id,
      and(
        eq(contactWebhookDelivery.organizationId, org),
        inArray(contactWebhookDelivery.status, ["sent", "failed"]),
        lt(contactWebhookDelivery.occurredAt, cutoff("webhook_deliveries")),
      ),
    ),
  );
}

/** Deletes the rows of `table` that `where` selects, `n` at a time (one short statement each). */
function deleteInBatches(db: Db, n: number, table: PgTable, id: PgColumn, where: SQL | undefined) {
  return inBatches(n, (limit) =>
    db
      .delete(table)
      .where(inArray(id, db.select({ id }).from(table).where(where).limit(limit)))
      .returning({ id }),
  );
}

/** Runs `once(n)` until it affects fewer than `n` rows; returns how many it affected in all. */
async function inBatches(n: number, once: (n: number) => Promise<unknown[]>): Promise<number> {
  let total = 0;
  for (;;) {
    const affected = (await once(n)).length;
    total += affected;
    if (affected < n) return total;
  }
}

/**
 * The pseudonymisation rule: an author of public posts who is not a linked contact keeps a readable
 * handle only while a conversation that is not resolved needs it, or until the period since they
 * were last seen ends. Then the handle becomes the keyed pseudonym (rollups and rankings still add
 * up) and name, profile link and profile go. Mode `full` keeps handles (social data joins the record).
 */
async function pseudonymiseIdleAuthors(deps: RetentionDeps, org: string, cutoff: Date, batch: number) {
  const { db } = deps;
  if (!pseudonymisesAuthors(await dataUseModeOf(db, org))) return 0;
  const key = await organizationPseudonymKey(db, { organizationId: org, secretsKey: deps.secretsKey });
  let total = 0;
  for (;;) {
    const idle = await sqlRows<{ id: string; network: string; handle: string }>(
      db,
      sql`SELECT si.id, si.network, si.handle FROM social_identity si
        WHERE si.organization_id = ${org} AND si.contact_id IS NULL AND si.last_seen_at < ${cutoff}
          AND si.handle !~ ${pseudonymPattern}
          AND NOT EXISTS (
            SELECT 1 FROM message m JOIN conversation c ON c.id = m.conversation_id
            WHERE m.organization_id = si.organization_id AND c.status <> 'resolved'
              AND (lower(m.author_name) IN (si.handle, '@' || si.handle)
                OR m.external_id IN (SELECT mm.external_id FROM mention mm WHERE mm.identity_id = si.id)))
        ORDER BY si.id LIMIT ${batch}`,
    );
    for (const author of idle) {
      const pseudonym = pseudonymOf(key, author.network, author.handle);
      await db.transaction(async (tx) => {
        const [twin] = await tx
          .select({ id: socialIdentity.id })
          .from(socialIdentity)
          .where(
            and(
              eq(socialIdentity.organizationId, org),
              eq(socialIdentity.network, author.network),
              eq(socialIdentity.handle, pseudonym),
            ),
          );
        if (!twin) {
          await tx
            .update(socialIdentity)
            .set({ handle: pseudonym, displayName: null, profileUrl: null, profile: {} })
            .where(eq(socialIdentity.id, author.id));
          return;
        }
        // The same author came back after an earlier pseudonymisation: fold into that identity.
        await tx.update(mention).set({ identityId: twin.id }).where(eq(mention.identityId, author.id));
        await tx.execute(sql`INSERT INTO author_rollup_daily (organization_id, query_id, day, identity_id, mentions, negative, engagement)
            SELECT organization_id, query_id, day, ${twin.id}::uuid, mentions, negative, engagement
            FROM author_rollup_daily WHERE identity_id = ${author.id}
          ON CONFLICT (organization_id, query_id, day, identity_id) DO UPDATE SET
            mentions = author_rollup_daily.mentions + excluded.mentions,
            negative = author_rollup_daily.negative + excluded.negative,
            engagement = author_rollup_daily.engagement + excluded.engagement`);
        await tx.delete(socialIdentity).where(eq(socialIdentity.id, author.id));
      });
    }
    total += idle.length;
    if (idle.length < batch) return total;
  }
}

/**
 * Audit entries past their period are deleted, except the ones the organization needs to prove its
 * compliance (erasures, data-subject requests, mode and retention changes): those lose only the
 * client address. Both go through the sanctioned maintenance path of the append-only trigger.
 */
async function reduceAuditEntries(
  deps: RetentionDeps,
  org: string,
  cutoff: Date,
  batch: number,
  add: (type: string, deleted: number, anonymised?: number) => void,
) {
  const { db } = deps;
  const kept = sql`(${auditLog.action} IN (${sql.join(
    accountabilityActions.map((a) => sql`${a}`),
    sql`, `,
  )}) OR ${sql.join(
    accountabilityPrefixes.map((p) => sql`${auditLog.action} LIKE ${`${p}%`}`),
    sql` OR `,
  )})`;
  const maintained = <T>(work: (tx: Parameters<Parameters<Db["transaction"]>[0]>[0]) => Promise<T>) =>
    db.transaction(async (tx) => {
      await tx.execute(sql`select set_config('konversa.audit_maintenance', 'on', true)`);
      return work(tx);
    });
  const deleted = await inBatches(batch, (n) =>
    maintained((tx) =>
      tx
        .delete(auditLog)
        .where(
          inArray(
            auditLog.id,
            tx
              .select({ id: auditLog.id })
              .from(auditLog)
              .where(and(eq(auditLog.organizationId, org), lt(auditLog.at, cutoff), sql`NOT ${kept}`))
              .limit(n),
          ),
        )
        .returning({ id: auditLog.id }),
    ),
  );
  const reduced = await inBatches(batch, (n) =>
    maintained((tx) =>
      tx
        .update(auditLog)
        .set({ ip: null })
        .where(
          inArray(
            auditLog.id,
            tx
              .select({ id: auditLog.id })
              .from(auditLog)
              .where(
                and(
                  eq(auditLog.organizationId, org),
                  lt(auditLog.at, cutoff),
                  sql`${auditLog.ip} IS NOT NULL`,
                  kept,
                ),
              )
              .limit(n),
          ),
        )
        .returning({ id: auditLog.id }),
    ),
  );
  add("audit_entries", deleted, reduced);
}
