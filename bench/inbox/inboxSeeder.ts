// Fills a benchmark database with an inbox in SQL (generate_series): conversations spread over the
// organization's departments and statuses with running due times, each with the same number of
// messages, plus one long conversation; secondary indexes are built after the rows, then ANALYZE.
import pg from "pg";

export interface InboxSeedProps {
  url: string;
  organizationId: string;
  channelId: string;
  departmentIds: string[];
  conversations: number;
  messagesPerConversation: number;
  /** Messages of the one long conversation the detail benchmark reads. */
  longConversationMessages: number;
  progress(message: string): void;
}

const bodies = [
  "Mein Zug ist heute schon wieder ausgefallen, wie komme ich jetzt nach Hamburg?",
  "Danke für die schnelle Antwort, das hat geholfen.",
  "Ich habe mein Ticket doppelt bezahlt und hätte gern das Geld zurück.",
  "Die App stürzt beim Ticketkauf ab, seit dem letzten Update.",
  "Wir prüfen das und melden uns bei Ihnen, sobald wir mehr wissen.",
  "Can I take my bike on the regional train to Kiel?",
  "Thanks, the refund arrived today.",
  "The air conditioning in coach 5 is broken, it is 34 degrees in here.",
  "Bitte schicken Sie uns die Buchungsnummer per Direktnachricht.",
  "Is there a replacement bus between Lübeck and Hamburg tonight?",
  "Die Toiletten im Wagen 3 sind defekt.",
  "Gute Nachricht: Ihre Erstattung ist unterwegs.",
];
const subjects = [
  "Zugausfall Hamburg",
  "Erstattung Ticket",
  "App-Absturz beim Kauf",
  "Bike on the train",
  "Air conditioning broken",
  "Ersatzverkehr Lübeck",
];

const sqlArray = (values: string[]) =>
  `ARRAY[${values.map((v) => `'${v.replaceAll("'", "''")}'`).join(",")}]`;

/** The id of conversation number i (deterministic, so messages need no join). */
export const conversationIdSql = (i: string) => `md5('konversa-bench-conversation-' || ${i})::uuid`;

/** The one long conversation (200 messages) the detail benchmark reads. */
export const longConversationId = "0b0e0000-0000-4000-8000-000000000200";

export async function seedInbox(props: InboxSeedProps) {
  const client = new pg.Client({ connectionString: props.url });
  await client.connect();
  try {
    // Bulk load: no foreign-key triggers (ids are consistent by construction), indexes afterwards.
    await client.query("SET session_replication_role = replica");
    await client.query("SET maintenance_work_mem = '512MB'");
    await client.query("SET max_parallel_maintenance_workers = 2");
    const { rows: indexes } = await client.query<{ indexname: string; indexdef: string }>(
      `SELECT i.indexname, i.indexdef FROM pg_indexes i
         JOIN pg_class c ON c.relname = i.indexname
         LEFT JOIN pg_constraint k ON k.conindid = c.oid
        WHERE i.schemaname = 'public' AND i.tablename IN ('conversation', 'message') AND k.oid IS NULL`,
    );
    for (const index of indexes) await client.query(`DROP INDEX ${index.indexname}`);
    const org = `'${props.organizationId}'::uuid`;
    const departments = `ARRAY[${props.departmentIds.map((d) => `'${d}'`).join(",")}]::uuid[]`;
    const chunk = 100_000;
    const started = Date.now();
    for (let from = 1; from <= props.conversations; from += chunk) {
      const to = Math.min(props.conversations, from + chunk - 1);
      // Statuses: 30 % open, 10 % pending, 10 % snoozed, 50 % resolved; every tenth in no department.
      // Open and pending ones have a first-response due time in the next 7 days (none passed, so
      // the breach job stays quiet), every fifth also a resolution due time.
      await client.query(`
        INSERT INTO conversation (id, organization_id, channel_id, department_id, subject, status,
          priority, is_public, language, sentiment, snoozed_until, resolved_at, first_responded_at,
          first_response_due_at, resolution_due_at, last_message_at, created_at)
        SELECT ${conversationIdSql("i")}, ${org}, '${props.channelId}',
          CASE WHEN i % 10 = 0 THEN NULL ELSE (${departments})[1 + i % ${props.departmentIds.length}] END,
          (${sqlArray(subjects)})[1 + i % ${subjects.length}] || ' #' || i,
          s.status::conversation_status, i % 4, i % 3 <> 0, CASE WHEN i % 3 = 0 THEN 'en' ELSE 'de' END,
          (ARRAY['negative','neutral','positive'])[1 + i % 3],
          CASE WHEN s.status = 'snoozed' THEN now() + interval '30 days' END,
          CASE WHEN s.status = 'resolved' THEN now() - (i % 20000) * interval '1 minute' END,
          CASE WHEN s.status = 'resolved' THEN now() - (i % 20000 + 60) * interval '1 minute' END,
          CASE WHEN s.status IN ('open', 'pending') THEN now() + (1 + (i::bigint * 7919) % 10080) * interval '1 minute' END,
          CASE WHEN s.status IN ('open', 'pending') AND i % 5 = 0
               THEN now() + (60 + (i::bigint * 104729) % 20160) * interval '1 minute' END,
          now() - ((i * 31) % 525600) * interval '1 minute',
          now() - ((i * 31) % 525600 + 600) * interval '1 minute'
        FROM generate_series(${from}, ${to}) i,
          LATERAL (SELECT CASE WHEN i % 10 < 3 THEN 'open' WHEN i % 10 = 3 THEN 'pending'
                               WHEN i % 10 = 4 THEN 'snoozed' ELSE 'resolved' END AS status) s`);
      await client.query(`
        INSERT INTO message (organization_id, conversation_id, direction, author_name, body, sent_at)
        SELECT ${org}, ${conversationIdSql("i")},
          (CASE WHEN j % 2 = 1 THEN 'incoming' ELSE 'outgoing' END)::message_direction,
          CASE WHEN j % 2 = 1 THEN 'Kundin ' || (i % 997) ELSE 'Service-Team' END,
          (${sqlArray(bodies)})[1 + (i + j) % ${bodies.length}],
          now() - ((i * 31) % 525600 + 600) * interval '1 minute' + j * interval '5 minutes'
        FROM generate_series(${from}, ${to}) i, generate_series(1, ${props.messagesPerConversation}) j`);
      const seconds = (Date.now() - started) / 1000;
      props.progress(
        `  ${to.toLocaleString("en")} conversations, ${(to * props.messagesPerConversation).toLocaleString("en")} messages (${seconds.toFixed(0)} s)`,
      );
    }
    const longId = longConversationId;
    await client.query(`
      INSERT INTO conversation (id, organization_id, channel_id, department_id, subject, status, language,
        first_response_due_at, last_message_at, created_at)
      VALUES ('${longId}', ${org}, '${props.channelId}', '${props.departmentIds[0]}', 'Lange Geschichte',
        'open', 'de', now() + interval '2 hours', now(), now() - interval '30 days')`);
    await client.query(`
      INSERT INTO message (organization_id, conversation_id, direction, author_name, body, sent_at)
      SELECT ${org}, '${longId}', (CASE WHEN j % 2 = 1 THEN 'incoming' ELSE 'outgoing' END)::message_direction,
        CASE WHEN j % 2 = 1 THEN 'Jana Schulz' ELSE 'Service-Team' END,
        (${sqlArray(bodies)})[1 + j % ${bodies.length}], now() - interval '30 days' + j * interval '1 hour'
      FROM generate_series(1, ${props.longConversationMessages}) j`);
    props.progress(`  building ${indexes.length} indexes …`);
    for (const index of indexes) {
      const t0 = Date.now();
      await client.query(index.indexdef);
      props.progress(`    ${index.indexname} (${((Date.now() - t0) / 1000).toFixed(0)} s)`);
    }
    await client.query("ANALYZE conversation, message, channel, department");
    props.progress(`  seeded and analysed in ${((Date.now() - started) / 1000).toFixed(0)} s`);
    return { longConversationId: longId };
  } finally {
    await client.end();
  }
}
