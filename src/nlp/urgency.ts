/**
 * How urgently a post wants an answer (anger, impatience, repeated complaints), with the reasons,
 * so the service-level clock can demand an immediate reply and an agent sees why.
 */
import { letterCase, type Token } from "./text.js";

export interface UrgencyResult {
  /** 0 (can wait) … 1 (answer now). */
  score: number;
  /** Machine-readable reasons, e.g. "negative_sentiment", "cue:schon wieder", "capitals". */
  reasons: string[];
}

export interface UrgencyInput {
  tokens: readonly Token[];
  /** Probability that the post is negative, when sentiment was analysed. */
  negative: number | null;
  /** Probability that the post is offensive, when analysed. */
  offensive: number | null;
  /** How many earlier complaints of the same author are still open (from the conversation). */
  previousComplaints?: number;
}

/** Phrases in normalised form (umlauts folded), matched on word boundaries. */
const cues: [string, number][] = [
  ["immer noch", 1],
  ["schon wieder", 1.2],
  ["wieder mal", 0.8],
  ["zum wiederholten", 1.2],
  ["zum x-ten", 1.2],
  ["zum dritten mal", 1.2],
  ["nochmal", 0.5],
  ["sofort", 1],
  ["umgehend", 1],
  ["dringend", 1.2],
  ["endlich", 0.8],
  ["seit stunden", 1],
  ["seit tagen", 1],
  ["seit wochen", 1],
  ["wie lange noch", 1],
  ["keine antwort", 1],
  ["niemand", 0.5],
  ["warte", 0.5],
  ["frechheit", 1],
  ["unverschaemt", 1],
  ["skandal", 0.8],
  ["es reicht", 1],
  ["still", 0.8],
  ["again", 0.8],
  ["yet again", 1.2],
  ["asap", 1.2],
  ["immediately", 1],
  ["right now", 1],
  ["urgent", 1.2],
  ["urgently", 1.2],
  ["for hours", 1],
  ["for days", 1],
  ["no response", 1],
  ["no answer", 1],
  ["no one", 0.5],
  ["nobody", 0.5],
  ["waiting", 0.5],
  ["third time", 1.2],
  ["unacceptable", 1],
  ["ridiculous", 0.8],
  ["fix this", 0.8],
  ["help me", 0.6],
];

const cueRegex = new RegExp(
  `(?:^| )(${cues
    .map(([c]) => c.replace(/[.*+?^${}()|[\]\\-]/g, "\\$&"))
    .sort((a, b) => b.length - a.length)
    .join("|")})(?= |$)`,
  "g",
);
const cueWeight = new Map(cues);

export function scoreUrgency(input: UrgencyInput): UrgencyResult {
  const reasons: string[] = [];
  let z = -3;
  if (input.negative !== null && input.negative > 0.5) {
    z += 2.5 * input.negative;
    reasons.push("negative_sentiment");
  }
  if (input.offensive !== null && input.offensive > 0.5) {
    z += 0.5;
    reasons.push("offensive");
  }
  const words: string[] = [];
  let exclamations = 0;
  let questionExclamation = false;
  let capitalWords = 0;
  let letterWords = 0;
  for (const t of input.tokens) {
    if (t.kind === "word") {
      words.push(t.norm);
      if (t.surface.length >= 3) {
        letterWords++;
        const { upper, hasUpper } = letterCase(t.surface);
        if (upper && hasUpper) capitalWords++;
      }
    } else if (t.kind === "punct") {
      let marks = 0;
      let questions = 0;
      for (let i = 0; i < t.surface.length; i++) {
        const c = t.surface.charCodeAt(i);
        if (c === 33) marks++;
        else if (c === 63) questions++;
      }
      exclamations += marks;
      if (marks > 0 && questions > 0) questionExclamation = true;
    }
  }
  let cueTotal = 0;
  const joined = words.join(" ");
  cueRegex.lastIndex = 0;
  for (let m = cueRegex.exec(joined); m !== null; m = cueRegex.exec(joined)) {
    const cue = m[1];
    if (reasons.includes(`cue:${cue}`)) continue;
    reasons.push(`cue:${cue}`);
    cueTotal += cueWeight.get(cue) ?? 0;
  }
  // Many cues say "angry" no louder than three do.
  z += Math.min(cueTotal, 3);
  if (capitalWords >= 2 && capitalWords / Math.max(letterWords, 1) >= 0.4) {
    z += 1;
    reasons.push("capitals");
  }
  if (exclamations >= 2) {
    z += exclamations >= 4 ? 1 : 0.6;
    reasons.push("exclamation_marks");
  }
  if (questionExclamation) {
    z += 0.4;
    reasons.push("question_and_exclamation");
  }
  if (input.previousComplaints && input.previousComplaints > 0) {
    z += Math.min(input.previousComplaints, 3) * 0.7;
    reasons.push("repeated_complaint");
  }
  const score = 1 / (1 + Math.exp(-z));
  return { score: Math.round(score * 1000) / 1000, reasons };
}
