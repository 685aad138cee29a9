/**
 * How many (post × query) checks one core does per second, for tweet-length posts and typical
 * queries. Not a test: run it by hand and put the number in docs/listening-queries.md.
 *
 *   node --import tsx src/modules/listening/queryLanguage/matchBenchmark.ts
 */

import { preparePost } from "../../src/modules/listening/queryLanguage/preparedPost.js";
import { compileQuery, matchAll } from "../../src/modules/listening/queryLanguage/queryCompiler.js";
import { parseQuery } from "../../src/modules/listening/queryLanguage/queryParser.js";

const queries = [
  '("Nordbahn" OR @nordbahn OR #nordbahn) AND NOT gewinnspiel lang:de',
  "nordbahn OR @nordbahn OR #nordbahn",
  '"Deutsche Bahn" OR #DB OR @DB_Bahn',
  "(verspätung OR verspät* OR ausfall OR zugausfall) (nordbahn OR bahn)",
  "südbahn OR #suedbahn OR @suedbahn -werbung",
  "#sommerticket OR sommerticket* lang:de",
  "(streik* OR warnstreik OR gdl) bahn* -gewinnspiel",
  '(klimaanlage OR heizung OR "zu kalt" OR "zu warm") (zug OR wagen OR abteil)',
  "author:@nordbahn.bsky.social OR @nordbahn.bsky.social",
  "(refund OR erstattung* OR entschädigung OR fahrgastrechte) -spam",
  '(delay* OR cancelled OR "train late") lang:en',
  '("customer service" OR kundenservice OR hotline) (nordbahn OR bahn*)',
  "(wlan OR wifi OR internet) (zug OR train) channel:bluesky",
  "fahrrad* (mitnahme OR stellplatz) -verkauf",
  "bahnhof* (dreckig OR schmutzig OR kaputt OR defekt)",
  "(app OR website OR webseite) (absturz OR abgestürzt OR fehler OR bug) nordbahn",
  '"neun euro" OR 9euroticket OR #9euroticket OR deutschlandticket*',
  "(müller OR mueller) nordbahn",
  "(ticket* OR fahrkarte*) (automat OR automaten) (kaputt OR defekt OR geht)",
  "nordbahn (lang:de OR lang:en) -channel:x -author:@spambot",
];

const words =
  "die der das und nicht ist heute morgen zug bahn nordbahn verspätung pünktlich danke leider wieder schon fahrt kiel hamburg bahnhof ticket app wlan klimaanlage kaputt super toll mist ärgerlich personal freundlich service hotline warte minuten stunde ausfall ersatzverkehr train late again thanks great delay station".split(
    " ",
  );
let seed = 7;
function random(n: number): number {
  seed = (seed * 1103515245 + 12345) & 0x7fffffff;
  return seed % n;
}

function tweet(): { text: string; lang: string; channel: string; authorHandle: string } {
  const parts: string[] = [];
  let length = 0;
  const target = 80 + random(200);
  while (length < target) {
    const roll = random(20);
    const word = words[random(words.length)]!;
    const part =
      roll === 0 ? `#${word}` : roll === 1 ? `@${word}.bsky.social` : roll === 2 ? `${word},` : word;
    parts.push(random(8) === 0 ? part[0]!.toUpperCase() + part.slice(1) : part);
    length += part.length + 1;
  }
  return {
    text: `${parts.join(" ")}!`,
    lang: random(3) === 0 ? "en" : "de",
    channel: ["bluesky", "mastodon", "x"][random(3)]!,
    authorHandle: `kunde${random(50)}.bsky.social`,
  };
}

const compiled = queries.map((source, i) => {
  const parsed = parseQuery(source);
  if (!parsed.ok) throw new Error(`${source}: ${parsed.error.message}`);
  return { id: `q${i}`, matcher: compileQuery(parsed.ast) };
});
const posts = Array.from({ length: 20_000 }, tweet);
const averageLength = Math.round(posts.reduce((sum, p) => sum + p.text.length, 0) / posts.length);

function run(): {
  evaluationsPerSecond: number;
  postsPerSecond: number;
  prepareMicros: number;
  matched: number;
} {
  let matched = 0;
  const started = process.hrtime.bigint();
  let prepareNanos = 0n;
  for (const post of posts) {
    const t0 = process.hrtime.bigint();
    const prepared = preparePost(post);
    prepareNanos += process.hrtime.bigint() - t0;
    matched += matchAll(compiled, prepared).length;
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  return {
    evaluationsPerSecond: (posts.length * compiled.length) / seconds,
    postsPerSecond: posts.length / seconds,
    prepareMicros: Number(prepareNanos) / 1e3 / posts.length,
    matched,
  };
}

function matchOnly(): number {
  const prepared = posts.map(preparePost);
  let matched = 0;
  const started = process.hrtime.bigint();
  for (let round = 0; round < 5; round++) {
    for (const post of prepared) for (const query of compiled) if (query.matcher.matches(post)) matched++;
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (matched < 0) console.log(matched);
  return (5 * prepared.length * compiled.length) / seconds;
}

run(); // warm-up
const results = [run(), run(), run()];
const best = results.reduce((a, b) => (a.evaluationsPerSecond > b.evaluationsPerSecond ? a : b));
const fmt = (n: number) => Math.round(n).toLocaleString("en");
console.log(
  `${posts.length} posts (average ${averageLength} characters) × ${compiled.length} queries, one core, Node ${process.version}`,
);
console.log(
  `including preparePost: ${fmt(best.evaluationsPerSecond)} evaluations/s (${fmt(best.postsPerSecond)} posts/s against all queries)`,
);
console.log(
  `preparePost: ${best.prepareMicros.toFixed(2)} µs per post; share of posts × queries matched: ${((100 * best.matched) / (posts.length * compiled.length)).toFixed(1)} %`,
);
console.log(`prepared posts only: ${fmt(Math.max(matchOnly(), matchOnly()))} evaluations/s`);
