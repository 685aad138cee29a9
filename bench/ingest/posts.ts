// Generated public posts for the ingest benchmark: the demo's German and English posts about the
// brand "Nordbahn", its competitor and its campaign, with a varied tail so no two texts are alike.
import { type DemoPostProps, demoPost } from "../../src/modules/demo/listeningDemo.js";
import { seededRandom } from "../../src/nlp/random.js";
import type { NormalizedPost } from "../../src/platform/posts/normalizedPost.js";

const tails = [
  "Gleis 3 war wieder voll.",
  "Zum Glück hatte ich einen Sitzplatz.",
  "Mal sehen, wie es morgen wird.",
  "Der Kaffee im Bistro war kalt.",
  "Ich fahre seit zehn Jahren mit dem Zug zur Arbeit.",
  "Die Anzeige am Bahnsteig war falsch.",
  "Bitte mehr Fahrradstellplätze!",
  "Anschluss in Hamburg verpasst.",
  "Still waiting for my refund.",
  "The conductor was really helpful.",
  "Why is the wifi always down?",
  "Platform change announced two minutes before departure.",
  "Next time I take the car.",
  "Seats were clean, toilets not so much.",
  "",
  "",
  "",
];

/** Roughly the mix of an ordinary listening day (the demo's own weights). */
function kindOf(random: () => number): DemoPostProps["kind"] {
  const r = random();
  if (r < 0.2) return "brandPraise";
  if (r < 0.45) return "brandNeutral";
  if (r < 0.62) return "brandComplaint";
  if (r < 0.8) return "competitor";
  if (r < 0.93) return "campaign";
  if (r < 0.97) return "storm";
  return "unrelated";
}

export interface GeneratePostsProps {
  count: number;
  seed: number;
  /** Makes the external ids unique per run (the bus dedupes by id for two minutes). */
  idPrefix: string;
  /** Posts are spread over this many hours before `now` (recent, as a live stream is). */
  hours?: number;
  now?: Date;
}

export function generatePosts(props: GeneratePostsProps): NormalizedPost[] {
  const random = seededRandom(props.seed);
  const now = (props.now ?? new Date()).getTime();
  const spanMs = (props.hours ?? 2) * 3_600_000;
  const posts: NormalizedPost[] = [];
  for (let i = 0; i < props.count; i += 1) {
    const at = new Date(now - Math.floor(random() * spanMs));
    const post = demoPost({ random, at, kind: kindOf(random), sequence: i });
    const tail = tails[Math.floor(random() * tails.length)]!;
    posts.push({
      ...post,
      externalId: `${props.idPrefix}-${i}`,
      text: tail ? `${post.text} ${tail}` : post.text,
    });
  }
  return posts;
}
