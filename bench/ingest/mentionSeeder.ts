// Fills a benchmark database with millions of analysed mentions in SQL (generate_series), a year of
// them in one organization, with varied German and English text for full-text search, then
// derives the rollups from them exactly as the ingester would have kept them.
import pg from "pg";
import { everyMention } from "../../src/modules/listening/schema.js";

export interface SeedProps {
  url: string;
  organizationId: string;
  /** Query ids of the brand, the two competitors and the campaign. */
  queries: { brand: string; competitor: string; competitor2: string; campaign: string };
  mentions: number;
  progress(message: string): void;
}

// Subject, then what is said about it with the sentiment and aspect an analysis would give it.
const subjectsDe = [
  ["Die Nordbahn", "brand"],
  ["@nordbahn", "brand"],
  ["#nordbahn", "brand"],
  ["Der Südexpress", "competitor"],
  ["@suedexpress", "competitor"],
  ["Die Deutsche Bahn", "competitor2"],
  ["Das #NordbahnSommer Ticket", "campaign"],
  ["Das Sommerticket der Nordbahn", "campaign"],
  ["Der Regionalzug", "none"],
  ["Die S-Bahn", "none"],
] as const;
const subjectsEn = [
  ["Nordbahn", "brand"],
  ["@nordbahn", "brand"],
  ["The Südexpress", "competitor"],
  ["Deutsche Bahn", "competitor2"],
  ["The #NordbahnSommer deal", "campaign"],
  ["The regional train", "none"],
] as const;
const sayingsDe = [
  ["hat schon wieder Verspätung", "negative", "ride"],
  ["fällt heute komplett aus, kein Ersatzverkehr", "negative", "ride"],
  ["war heute pünktlich, danke", "positive", "ride"],
  ["hat eine kaputte Klimaanlage, 34 Grad im Wagen", "negative", "atmosphere"],
  ["ist total überfüllt", "negative", "atmosphere"],
  ["hat sehr freundliches Personal", "positive", "service"],
  ["Zugbegleiterin war unfreundlich", "negative", "service"],
  ["Tickets sind viel zu teuer geworden", "negative", "tickets_and_prices"],
  ["ist ein super Angebot für Familien", "positive", "tickets_and_prices"],
  ["App stürzt beim Ticketkauf ab", "negative", "app_and_website"],
  ["hat eine neue App, echt gut", "positive", "app_and_website"],
  ["Toiletten sind dreckig und defekt", "negative", "toilets"],
  ["fährt am Feiertag nach Sonntagsfahrplan", "neutral", "general"],
  ["meldet Bauarbeiten ab Montag", "neutral", "general"],
  ["hat WLAN im ganzen Zug", "positive", "atmosphere"],
] as const;
const sayingsEn = [
  ["is late again", "negative", "ride"],
  ["cancelled all trains, zero information", "negative", "ride"],
  ["was on time today, thanks", "positive", "ride"],
  ["has broken air conditioning", "negative", "atmosphere"],
  ["staff were really helpful", "positive", "service"],
  ["tickets are way too expensive", "negative", "tickets_and_prices"],
  ["app crashed again at checkout", "negative", "app_and_website"],
  ["has wifi now, nice", "positive", "atmosphere"],
  ["timetable changes next week", "neutral", "general"],
  ["toilets were disgusting", "negative", "toilets"],
] as const;
const placesDe = [
  "in Hamburg",
  "in Kiel",
  "in Lübeck",
  "in Flensburg",
  "am Hauptbahnhof",
  "zwischen Kiel und Hamburg",
  "heute Morgen",
  "auf dem Weg zur Arbeit",
  "am Wochenende",
  "seit Wochen",
  "in Neumünster",
  "in Husum",
];
const placesEn = [
  "in Hamburg",
  "in Kiel",
  "this morning",
  "on my commute",
  "at the main station",
  "again today",
];
const tailsDe = [
  "",
  "",
  "Unzumutbar!",
  "Danke!",
  "Mal sehen, wie es morgen wird.",
  "Gleis 3 war wieder voll.",
  "Anschluss verpasst.",
  "Bitte mehr Fahrradstellplätze.",
  "Der Kaffee im Bistro war kalt.",
  "Ich fahre seit zehn Jahren mit dem Zug.",
];
const tailsEn = ["", "", "Annoying.", "Thanks!", "Next time I take the car.", "Still waiting for my refund."];

const literal = (s: string) => `'${s.replaceAll("'", "''")}'`;
const textArray = (items: readonly string[]) => `ARRAY[${items.map(literal).join(", ")}]::text[]`;

/** SQL of one chunk of mentions [first, last], each column drawn from the arrays above. */
function mentionChunkSql(props: SeedProps, identities: number, first: number, last: number): string {
  const q = props.queries;
  const queriesOf = (group: string) =>
    ({
      brand: `ARRAY['${q.brand}']::uuid[]`,
      competitor: `ARRAY['${q.competitor}']::uuid[]`,
      competitor2: `ARRAY['${q.competitor2}']::uuid[]`,
      campaign: `ARRAY['${q.campaign}', '${q.brand}']::uuid[]`,
      none: "ARRAY[]::uuid[]",
    })[group]!;
  const pickQueries = (subjects: ReadonlyArray<readonly [string, string]>) =>
    `CASE subj ${subjects.map(([, g], i) => `WHEN ${i + 1} THEN ${queriesOf(g)}`).join(" ")} END`;
  return `
    WITH s AS (
      SELECT g, random() AS r1, random() AS r2, random() AS r3, random() AS r4, random() AS r5, random() AS r6,
        random() AS r7, random() < 0.7 AS de
      FROM generate_series(${first}, ${last}) g
    ), t AS (
      SELECT s.*,
        CASE WHEN de THEN 1 + floor(r3 * ${subjectsDe.length})::int ELSE 1 + floor(r3 * ${subjectsEn.length})::int END AS subj,
        CASE WHEN de THEN 1 + floor(r4 * ${sayingsDe.length})::int ELSE 1 + floor(r4 * ${sayingsEn.length})::int END AS say
      FROM s
    )
    INSERT INTO mention (organization_id, network, external_id, identity_id, text, language, sentiment,
      sentiment_score, offensive_score, offensive_type, urgency, has_pii, aspects, keyphrases, matched_query_ids,
      likes, reposts, replies, author_followers, posted_at)
    SELECT '${props.organizationId}',
      (ARRAY['bluesky','bluesky','mastodon','x','forum','review'])[1 + floor(r1 * 6)::int],
      'seed-' || g,
      si.id,
      CASE WHEN de THEN
        (${textArray(subjectsDe.map(([s]) => s))})[subj] || ' ' || (${textArray(sayingsDe.map(([s]) => s))})[say] || ' ' ||
        (${textArray(placesDe)})[1 + floor(r5 * ${placesDe.length})::int] || '. ' || (${textArray(tailsDe)})[1 + floor(r6 * ${tailsDe.length})::int]
      ELSE
        (${textArray(subjectsEn.map(([s]) => s))})[subj] || ' ' || (${textArray(sayingsEn.map(([s]) => s))})[say] || ' ' ||
        (${textArray(placesEn)})[1 + floor(r5 * ${placesEn.length})::int] || '. ' || (${textArray(tailsEn)})[1 + floor(r6 * ${tailsEn.length})::int]
      END,
      CASE WHEN de THEN 'de' ELSE 'en' END,
      CASE WHEN de THEN (${textArray(sayingsDe.map(([, s]) => s))})[say] ELSE (${textArray(sayingsEn.map(([, s]) => s))})[say] END,
      0.5 + r6 / 2,
      r7 ^ 8,
      CASE WHEN r7 ^ 8 > 0.8 THEN 'insult' END,
      r5 ^ 2,
      r7 < 0.02,
      jsonb_build_array(jsonb_build_object(
        'category', CASE WHEN de THEN (${textArray(sayingsDe.map(([, , a]) => a))})[say] ELSE (${textArray(sayingsEn.map(([, , a]) => a))})[say] END,
        'polarity', CASE WHEN de THEN (${textArray(sayingsDe.map(([, s]) => s))})[say] ELSE (${textArray(sayingsEn.map(([, s]) => s))})[say] END,
        'score', 0.9)),
      ARRAY[]::text[],
      CASE WHEN de THEN ${pickQueries(subjectsDe)} ELSE ${pickQueries(subjectsEn)} END,
      floor(r2 ^ 2 * 80)::int, floor(r6 ^ 3 * 20)::int, floor(r1 ^ 2 * 10)::int,
      si.followers,
      now() - r1 * interval '365 days' - r2 * interval '1 hour'
    FROM t JOIN seed_identity si ON si.n = 1 + floor(${identities} * r7 ^ 3)::int`;
}

/**
 * Seeds `mentions` rows in chunks on two connections (one per core), with the mention indexes
 * dropped while loading and rebuilt from their own definitions afterwards, then the rollups and
 * ANALYZE. Foreign-key triggers are off during the load (session_replication_role = replica).
 */
export async function seedMentions(props: SeedProps): Promise<{ seconds: number; sizeBytes: number }> {
  const started = Date.now();
  const connect = async () => {
    const client = new pg.Client({ connectionString: props.url });
    await client.connect();
    await client.query(
      "SET session_replication_role = replica; SET synchronous_commit = off; SET TimeZone = 'UTC'; SET maintenance_work_mem = '512MB'; SET work_mem = '64MB'",
    );
    return client;
  };
  const main = await connect();
  const second = await connect();
  try {
    const identities = Math.max(1_000, Math.round(props.mentions / 50));
    await main.query(`
      INSERT INTO social_identity (organization_id, network, handle, display_name, followers)
      SELECT '${props.organizationId}', (ARRAY['bluesky','mastodon','x','forum','review'])[1 + n % 5],
        'author' || n || '.example', 'Author ' || n, floor(random() ^ 3 * 50000)::int
      FROM generate_series(1, ${identities}) n`);
    await main.query(`
      CREATE UNLOGGED TABLE seed_identity AS
      SELECT row_number() OVER (ORDER BY handle)::int AS n, id, followers FROM social_identity;
      CREATE UNIQUE INDEX ON seed_identity (n); ANALYZE seed_identity`);
    // seed_identity is read by the second connection's statements: it must be committed (it is).

    const indexes = (
      await main.query<{ indexname: string; indexdef: string }>(
        "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'mention' AND indexname <> 'mention_pkey'",
      )
    ).rows;
    for (const i of indexes) await main.query(`DROP INDEX ${i.indexname}`);

    const chunk = 500_000;
    let next = 1;
    let done = 0;
    const loader = async (client: pg.Client) => {
      while (next <= props.mentions) {
        const first = next;
        const last = Math.min(props.mentions, first + chunk - 1);
        next = last + 1;
        await client.query(mentionChunkSql(props, identities, first, last));
        done += last - first + 1;
        props.progress(
          `   seeded ${done.toLocaleString("en")} of ${props.mentions.toLocaleString("en")} mentions (${Math.round((Date.now() - started) / 1000)} s)`,
        );
      }
    };
    await Promise.all([loader(main), loader(second)]);

    // Rebuilt two at a time, one per connection.
    const pending = [...indexes];
    const builder = async (client: pg.Client) => {
      for (let i = pending.shift(); i; i = pending.shift()) {
        await client.query(i.indexdef);
        props.progress(`   index ${i.indexname} rebuilt (${Math.round((Date.now() - started) / 1000)} s)`);
      }
    };
    await Promise.all([builder(main), builder(second)]);
    await main.query("DROP TABLE seed_identity");

    const every = `'${everyMention}'::uuid`;
    const rollups = [
      `INSERT INTO mention_rollup_hourly (organization_id, query_id, hour, network, sentiment, mentions, reach)
       SELECT organization_id, q, date_trunc('hour', posted_at), network, sentiment, count(*), sum(coalesce(author_followers, 0))
       FROM mention, unnest(array_prepend(${every}, matched_query_ids)) q GROUP BY 1, 2, 3, 4, 5`,
      `INSERT INTO aspect_rollup_daily (organization_id, query_id, day, aspect, polarity, mentions)
       SELECT organization_id, q, date_trunc('day', posted_at), a->>'category', a->>'polarity', count(*)
       FROM mention, unnest(array_prepend(${every}, matched_query_ids)) q, jsonb_array_elements(aspects) a
       GROUP BY 1, 2, 3, 4, 5`,
      `INSERT INTO author_rollup_daily (organization_id, query_id, day, identity_id, mentions, negative, engagement)
       SELECT organization_id, q, date_trunc('day', posted_at), identity_id, count(*),
         count(*) FILTER (WHERE sentiment = 'negative'), sum(likes + reposts + replies)
       FROM mention, unnest(array_prepend(${every}, matched_query_ids)) q WHERE identity_id IS NOT NULL
       GROUP BY 1, 2, 3, 4`,
    ];
    await Promise.all([
      (async () => {
        await main.query(rollups[0]!);
        await main.query(rollups[1]!);
      })(),
      second.query(rollups[2]!),
    ]);
    props.progress(`   rollups derived (${Math.round((Date.now() - started) / 1000)} s)`);
    await main.query("VACUUM ANALYZE");
    const size = await main.query<{ size: string }>("SELECT pg_database_size(current_database()) AS size");
    return { seconds: (Date.now() - started) / 1000, sizeBytes: Number(size.rows[0]!.size) };
  } finally {
    await main.end();
    await second.end();
  }
}
