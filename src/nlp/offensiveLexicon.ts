/**
 * English offensive language by lexicon: we have no licensed English training set for it yet,
 * so a short list of profanity, insults and group-directed abuse stands in (measured quality:
 * none — see the model card). Slurs are listed because moderators must be able to hide them.
 */
import type { OffensiveType } from "./models.js";
import type { Token } from "./text.js";

const entries: [RegExp, OffensiveType, number][] = [
  [
    /^(fuck\w*|f\*+k\w*|motherfuck\w*|shit\w*|bullshit|crap\w*|damn\w*|goddamn\w*|piss\w*|wtf|stfu|bloody|arse|ass)$/,
    "profanity",
    1.2,
  ],
  [
    /^(idiot\w*|moron\w*|stupid\w*|dumb\w*|imbecile\w*|loser\w*|clown\w*|incompetent|pathetic|jerk\w*|scum\w*|asshole\w*|bastard\w*|bitch\w*|dick\w*|dickhead\w*|prick\w*|twat\w*|cunt\w*|retard\w*|wanker\w*|douche\w*)$/,
    "insult",
    1.6,
  ],
  [
    /^(nigg\w*|fagg?ot\w*|kike\w*|spic\w*|chink\w*|tranny\w*|raghead\w*|subhuman\w*|vermin|untermensch\w*)$/,
    "abuse",
    2.5,
  ],
];
/** Which entries a normalised word matches (usually none); cached, as posts repeat their words. */
const lexiconHits = new Map<string, [RegExp, OffensiveType, number][]>();
const phrases: [RegExp, OffensiveType, number][] = [
  [/\bgo back to (your|their) (own )?country\b/, "abuse", 2.5],
  [/\b(you|u) (suck|are a joke)\b/, "insult", 1.2],
  [/\bshut up\b/, "insult", 0.8],
];

export interface LexiconOffensiveResult {
  probability: number;
  type: OffensiveType | null;
  typeScores: Record<OffensiveType, number>;
}

export function offensiveByLexicon(tokens: readonly Token[]): LexiconOffensiveResult {
  const weight: Record<OffensiveType, number> = { abuse: 0, insult: 0, profanity: 0 };
  const words: string[] = [];
  for (const t of tokens) {
    if (t.kind !== "word" && t.kind !== "hashtag") continue;
    words.push(t.norm);
    let found = lexiconHits.get(t.norm);
    if (found === undefined) {
      found = entries.filter(([pattern]) => pattern.test(t.norm));
      if (lexiconHits.size >= 100_000) lexiconHits.clear();
      lexiconHits.set(t.norm, found);
    }
    for (const [, type, w] of found) weight[type] += w;
  }
  const joined = words.join(" ");
  for (const [pattern, type, w] of phrases) if (pattern.test(joined)) weight[type] += w;
  const total = weight.abuse + weight.insult + weight.profanity;
  const probability = Math.round((1 - Math.exp(-total)) * 0.95 * 1000) / 1000;
  let type: OffensiveType | null = null;
  if (total > 0)
    type = (Object.keys(weight) as OffensiveType[]).reduce((a, b) => (weight[b] > weight[a] ? b : a));
  const typeScores = {
    abuse: total ? weight.abuse / total : 1 / 3,
    insult: total ? weight.insult / total : 1 / 3,
    profanity: total ? weight.profanity / total : 1 / 3,
  };
  return { probability, type: probability >= 0.5 ? type : null, typeScores };
}
