/**
 * Generated labelled posts (no real data) for tests and the committed fixture model: a tiny
 * "is this about our rail company?" task that any correct training run learns perfectly.
 */
import { type LabelledText, type TaskModel, taskDefaults, trainModel } from "./models.js";
import { seededRandom } from "./random.js";

const relevantParts = [
  ["Der Zug", "Die Bahn", "Mein ICE", "Die S-Bahn", "Der Regionalexpress"],
  ["hat wieder Verspätung", "fällt heute aus", "ist total überfüllt", "war pünktlich", "hat kein WLAN"],
  ["am Hauptbahnhof", "nach Hamburg", "in Köln", "heute früh", "auf Gleis 7"],
];
const otherParts = [
  ["Das Konzert", "Mein Kaffee", "Die Katze", "Das Wetter", "Der Film"],
  ["war großartig", "ist kalt geworden", "schläft den ganzen Tag", "wird morgen besser", "hat mir gefallen"],
  ["im Park", "zu Hause", "am Wochenende", "mit Freunden", "im Kino"],
];

/** `count` posts, half about the rail company (label true), reproducible for a given seed. */
export function syntheticRelevanceExamples(count: number, seed = 7): LabelledText[] {
  const random = seededRandom(seed);
  const pick = (list: string[]) => list[Math.floor(random() * list.length)];
  const out: LabelledText[] = [];
  for (let i = 0; i < count; i++) {
    const relevant = i % 2 === 0;
    const parts = relevant ? relevantParts : otherParts;
    out.push({ text: `${pick(parts[0])} ${pick(parts[1])} ${pick(parts[2])}`, label: relevant, lang: "de" });
  }
  return out;
}

/** The committed fixture model: relevance on 200 generated posts, 2^12 buckets (a few kB). */
export const syntheticFixture = {
  file: "fixtures/synthetic-relevance.kvnlp",
  name: "synthetic-relevance",
  count: 200,
  bits: 12,
} as const;

export function trainSyntheticFixture(): TaskModel {
  return trainModel({
    task: "relevance",
    lang: "de",
    name: syntheticFixture.name,
    examples: syntheticRelevanceExamples(syntheticFixture.count),
    features: { ...taskDefaults.relevance.features, bits: syntheticFixture.bits },
  });
}
