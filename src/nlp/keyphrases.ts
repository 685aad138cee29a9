/**
 * The few phrases that say what a post is about: runs of content words between function words
 * and punctuation, scored by length, capitalised German nouns, hashtags and repetition.
 */
import { stopwords } from "./stopwords.js";
import { letterCase, type Token } from "./text.js";

const maxPhraseWords = 3;

interface Candidate {
  text: string;
  key: string;
  score: number;
  first: number;
}

function wordScore(token: Token): number {
  let s = 1 + Math.min(token.norm.length, 12) / 12;
  if (token.kind === "hashtag") s += 1;
  const first = token.surface.charCodeAt(0);
  // Capitalised words are mostly nouns and names, which carry the topic.
  if (first >= 65 && first <= 90) s += 0.4;
  if (token.surface.length > 1 && letterCase(token.surface).upper) s -= 0.3;
  return s;
}

function isContent(token: Token): boolean {
  return (
    (token.kind === "word" || token.kind === "hashtag") &&
    token.norm.length >= 3 &&
    !stopwords.has(token.norm)
  );
}

export function extractKeyphrases(args: {
  text: string;
  tokens: readonly Token[];
  limit?: number;
}): string[] {
  const { text, tokens } = args;
  const limit = args.limit ?? 3;
  const candidates = new Map<string, Candidate>();
  // A run of content words is tokens[runStart] … tokens[i - 1]; cut into phrases of up to three.
  const flush = (runStart: number, runEnd: number) => {
    for (let start = runStart; start < runEnd; start += maxPhraseWords) {
      const end = Math.min(start + maxPhraseWords, runEnd);
      let key = tokens[start].norm;
      let score = wordScore(tokens[start]);
      for (let k = start + 1; k < end; k++) {
        key += ` ${tokens[k].norm}`;
        score += wordScore(tokens[k]);
      }
      const existing = candidates.get(key);
      if (existing) existing.score += score * 0.5;
      else
        candidates.set(key, {
          text: text.slice(tokens[start].start, tokens[end - 1].end),
          key,
          score,
          first: tokens[start].start,
        });
    }
  };
  let runStart = 0;
  for (let i = 0; i < tokens.length; i++) {
    if (isContent(tokens[i])) continue;
    if (runStart < i) flush(runStart, i);
    runStart = i + 1;
  }
  if (runStart < tokens.length) flush(runStart, tokens.length);
  const ranked = [...candidates.values()].sort((a, b) => b.score - a.score || a.first - b.first);
  const chosen: Candidate[] = [];
  for (const c of ranked) {
    if (chosen.length >= limit) break;
    // A phrase contained in a chosen one adds nothing.
    if (chosen.some((k) => k.key.includes(c.key) || c.key.includes(k.key))) continue;
    chosen.push(c);
  }
  return chosen.map((c) => c.text.replace(/^#/, ""));
}
