import { seededRandom } from "../../nlp/random.js";
import type { NormalizedPost } from "../../platform/posts/normalizedPost.js";
import { cities, firstNames, lastNames } from "./demoContent.js";

/**
 * Generated public posts about the demo brand "Nordbahn" and its competitor "Südexpress", in German
 * and English, so a new installation's dashboards show something real and move while one watches.
 */
export const demoQueries = [
  {
    name: "Nordbahn",
    kind: "brand" as const,
    expression: 'nordbahn OR @nordbahn OR #nordbahn OR "nord bahn"',
  },
  {
    name: "Südexpress (Wettbewerb)",
    kind: "competitor" as const,
    expression: "südexpress OR @suedexpress OR #südexpress",
  },
  {
    name: "Kampagne #NordbahnSommer",
    kind: "campaign" as const,
    expression: "#nordbahnsommer OR sommerticket",
  },
];

const templates = {
  brandPraise: [
    "Danke @nordbahn, heute pünktlich in {city} und super freundliches Personal! 👍",
    "Die neue Nordbahn-App ist echt gut geworden, Ticket in 20 Sekunden gekauft.",
    "Great ride with @nordbahn from {city} to {city2}, clean and on time.",
    "#Nordbahn Zugbegleiterin hat mir in {city} beim Umstieg geholfen, vielen Dank!",
  ],
  brandNeutral: [
    "Fährt die Nordbahn am Feiertag nach Sonntagsfahrplan? #nordbahn",
    "Is there wifi on the Nordbahn trains to {city2}?",
    "Nordbahn: ab wann gilt der neue Fahrplan für {city}?",
    "Sitze im RE nach {city2}, Nordbahn meldet Bauarbeiten ab Montag.",
  ],
  brandComplaint: [
    "@nordbahn schon wieder {minutes} Minuten Verspätung in {city}. Jeden Tag dasselbe!",
    "Nordbahn app crashed again at checkout. Annoying.",
    "Klimaanlage im Nordbahn-Zug nach {city2} kaputt, 34 Grad im Wagen. Unzumutbar.",
    "@nordbahn warum gibt es keine Durchsage, wenn der Zug in {city} ausfällt?",
  ],
  storm: [
    "@nordbahn Totalausfall in {city}, hunderte Leute am Bahnsteig, KEINE Information!!! Eine Frechheit!",
    "@nordbahn ist das euer Ernst? Alle Züge nach {city2} gestrichen und niemand sagt etwas. Ich bin stinksauer!",
    "Nordbahn streicht ohne Ankündigung alle Verbindungen, ich komme nicht zur Arbeit. Katastrophe! #nordbahn",
    "@nordbahn absolute chaos in {city}, all trains cancelled, zero information. Disgraceful!",
    "#nordbahn Wir stehen seit 2 Stunden in {city}. Kein Ersatzverkehr, kein Personal. Unverschämt!!!",
  ],
  competitor: [
    "Südexpress war heute wieder pünktlicher als die Nordbahn. #südexpress",
    "@suedexpress neue Verbindung nach {city2} ausprobiert, sehr bequem.",
    "Südexpress Tickets sind echt teuer geworden.",
    "Took the Südexpress to {city2}, quiet and comfortable.",
  ],
  campaign: [
    "Mit dem #NordbahnSommer Ticket für 19 € an die Ostsee, perfekt! ☀️",
    "Das Sommerticket der Nordbahn ist ein super Angebot für Familien. #NordbahnSommer",
    "#NordbahnSommer klingt gut, aber gilt das auch im RE nach {city2}?",
  ],
  unrelated: [
    "Das Wetter in {city} ist heute herrlich.",
    "Neues Café in {city} eröffnet, sehr zu empfehlen.",
  ],
};

type Kind = keyof typeof templates;

export interface DemoPostProps {
  random: () => number;
  at: Date;
  kind: Kind;
  sequence: number;
}

export function demoPost({ random, at, kind, sequence }: DemoPostProps): NormalizedPost {
  const pick = <T>(items: readonly T[]) => items[Math.floor(random() * items.length)]!;
  const city = pick(cities);
  const text = pick(templates[kind])
    .replaceAll("{city}", city)
    .replaceAll("{city2}", pick(cities.filter((c) => c !== city)))
    .replaceAll("{minutes}", String(10 + Math.floor(random() * 50)));
  const first = pick(firstNames);
  const last = pick(lastNames);
  const handle =
    `${first}${last}`
      .toLowerCase()
      .normalize("NFKD")
      .replace(/[^a-z]/g, "")
      .slice(0, 20) +
    (sequence % 97);
  const network = pick(["bluesky", "bluesky", "mastodon", "x", "forum"] as const);
  return {
    network,
    externalId: `demo-${kind}-${at.getTime()}-${sequence}`,
    text,
    author: {
      handle: network === "mastodon" ? `${handle}@social.example` : `${handle}.example`,
      displayName: `${first} ${last}`,
      followers: Math.floor(random() ** 3 * 20_000),
    },
    postedAt: at,
    isPublic: true,
    engagement: {
      likes: Math.floor(random() ** 2 * 80),
      reposts: Math.floor(random() ** 3 * 20),
      replies: Math.floor(random() ** 2 * 10),
    },
  };
}

/** What an ordinary hour sounds like: mostly neutral and friendly, some complaints, the competitor, the campaign. */
function ordinaryKind(random: () => number): Kind {
  const r = random();
  if (r < 0.2) return "brandPraise";
  if (r < 0.45) return "brandNeutral";
  if (r < 0.62) return "brandComplaint";
  if (r < 0.82) return "competitor";
  if (r < 0.95) return "campaign";
  return "unrelated";
}

/** Busy weekday mornings and evenings, quiet nights and weekends. */
function postsPerHour(at: Date): number {
  const hour = at.getUTCHours();
  const weekend = at.getUTCDay() === 0 || at.getUTCDay() === 6;
  const rush = (hour >= 5 && hour <= 8) || (hour >= 15 && hour <= 17) ? 6 : hour >= 9 && hour <= 20 ? 3 : 1;
  return weekend ? Math.max(1, Math.round(rush / 2)) : rush;
}

/** A few weeks of listening history, hour by hour, ending now. */
export function demoHistory(props: { weeks: number; now?: Date; seed?: number }): NormalizedPost[] {
  const random = seededRandom(props.seed ?? 4711);
  const now = (props.now ?? new Date()).getTime();
  const posts: NormalizedPost[] = [];
  let sequence = 0;
  for (let t = now - props.weeks * 7 * 86_400_000; t < now - 3_600_000; t += 3_600_000) {
    const hourStart = new Date(t);
    const count = postsPerHour(hourStart);
    for (let i = 0; i < count; i += 1) {
      sequence += 1;
      posts.push(
        demoPost({
          random,
          at: new Date(t + Math.floor(random() * 3_600_000)),
          kind: ordinaryKind(random),
          sequence,
        }),
      );
    }
  }
  return posts;
}

export interface DemoStream {
  /** A burst of angry posts over the next two minutes: the storm early warning should fire. */
  triggerStorm(): void;
  stop(): void;
}

/** New posts every few seconds while the demo runs, through the real ingest path. */
export function startDemoStream(props: {
  submit: (posts: NormalizedPost[]) => Promise<void>;
  intervalMs?: number;
  seed?: number;
}): DemoStream {
  const random = seededRandom(props.seed ?? Date.now() % 100_000);
  let sequence = 0;
  let stormLeft = 0;
  const tick = () => {
    const now = new Date();
    const posts: NormalizedPost[] = [];
    if (random() < 0.5)
      posts.push(demoPost({ random, at: now, kind: ordinaryKind(random), sequence: ++sequence }));
    const stormBurst = Math.min(stormLeft, 6);
    for (let i = 0; i < stormBurst; i += 1)
      posts.push(demoPost({ random, at: now, kind: "storm", sequence: ++sequence }));
    stormLeft -= stormBurst;
    if (posts.length > 0) props.submit(posts).catch(() => {});
  };
  const timer = setInterval(tick, props.intervalMs ?? 5_000);
  timer.unref();
  return {
    triggerStorm() {
      stormLeft += 80;
    },
    stop() {
      clearInterval(timer);
    },
  };
}
