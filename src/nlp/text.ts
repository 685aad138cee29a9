/**
 * Turning raw post text into the one tokenisation every analysis shares: cleaned, bounded,
 * well-formed text and tokens with character offsets into that cleaned text.
 */

/** Longer texts are cut here so one pasted novel cannot stall the pipeline; the analysis says so. */
export const maxAnalysedChars = 20_000;

export type TokenKind = "word" | "number" | "url" | "user" | "hashtag" | "emoji" | "punct";

export interface Token {
  kind: TokenKind;
  /** As written, a slice of the cleaned text. */
  surface: string;
  /** Lower-cased, umlauts folded (ä→ae, ß→ss), letter runs squeezed; what the models see. */
  norm: string;
  start: number;
  end: number;
}

export interface PreparedText {
  /** The text the offsets refer to: truncated, well-formed, HTML tags replaced by spaces. */
  text: string;
  truncated: boolean;
  tokens: Token[];
}

const loneSurrogate = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
const htmlTag = /<\/?[a-zA-Z][^<>]{0,500}>|<!--[\s\S]{0,2000}?-->/g;
const htmlEntity = /&(amp|lt|gt|quot|apos|nbsp|#\d{1,6}|#x[0-9a-fA-F]{1,5});/g;
const namedEntities: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'", nbsp: " " };

function decodeEntity(whole: string, name: string): string {
  const named = namedEntities[name];
  if (named !== undefined) return named;
  const code = name[1] === "x" ? Number.parseInt(name.slice(2), 16) : Number.parseInt(name.slice(1), 10);
  // An entity that is not a Unicode scalar value stays as written rather than becoming garbage.
  if (!Number.isFinite(code) || code <= 0 || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff))
    return whole;
  return String.fromCodePoint(code);
}

/** Bounded, well-formed text without markup. Tags become spaces of the same length so nothing shifts much. */
export function cleanText(raw: unknown): { text: string; truncated: boolean } {
  let text = typeof raw === "string" ? raw : raw == null ? "" : String(raw);
  let truncated = false;
  if (text.length > maxAnalysedChars) {
    text = text.slice(0, maxAnalysedChars);
    truncated = true;
  }
  // Lone surrogates (broken UTF-16 from upstream) would poison regexes and JSON; U+FFFD replaces them.
  text = text.replace(loneSurrogate, "\uFFFD");
  if (text.indexOf("<") !== -1) text = text.replace(htmlTag, (tag) => " ".repeat(tag.length));
  if (text.indexOf("&") !== -1) text = text.replace(htmlEntity, decodeEntity);
  return { text, truncated };
}

const tokenPattern =
  /(https?:\/\/[^\s<>"]+|www\.[^\s<>"]+)|(@[\p{L}\p{N}_]{1,40})|(#[\p{L}\p{N}_]+)|([\p{L}\p{M}](?:[\p{L}\p{M}\p{N}_]|['’](?=\p{L})|-(?=[\p{L}\p{N}]))*)|(\p{N}+(?:[.,:/]\p{N}+)*)|(\p{Extended_Pictographic}|[\u{1F1E6}-\u{1F1FF}]{2}|[:;]-?[()DPp/])|([!?]+|[^\s\p{L}\p{N}\p{M}])/gu;

/**
 * What is known about one written word, cached per surface: its normal form, and what other
 * analyses learnt about it (they fill their field on first use), so a word is looked up once.
 */
export interface WordFacts {
  readonly norm: string;
  /** Language evidence as (language number, weight) pairs; filled by language.ts on first use. */
  languageEvidence: Float64Array | null;
}

const wordCache = new Map<string, WordFacts>();
const maxCachedWords = 100_000;

/** The cached facts of a word as written (without a hashtag's #). */
export function wordFacts(word: string): WordFacts {
  let facts = wordCache.get(word);
  if (facts === undefined) {
    facts = { norm: computeNorm(word), languageEvidence: null };
    if (wordCache.size >= maxCachedWords) wordCache.clear();
    wordCache.set(word, facts);
  }
  return facts;
}

/** Lower-case, fold German umlauts and ß, squeeze letters repeated more than twice ("sooo" → "soo"). */
export function normalizeWord(word: string): string {
  // Most words are ASCII without a letter thrice in a row: lower-casing is all they need, no lookup.
  let hasUpper = false;
  let before = -1;
  let previous = -1;
  for (let i = 0; i < word.length; i++) {
    let c = word.charCodeAt(i);
    if (c >= 128) return wordFacts(word).norm;
    if (c >= 65 && c <= 90) {
      hasUpper = true;
      c += 32;
    }
    if (c === previous && c === before) return wordFacts(word).norm;
    before = previous;
    previous = c;
  }
  return hasUpper ? word.toLowerCase() : word;
}

function computeNorm(word: string): string {
  let w = word.toLowerCase();
  if (/[äöüß’]/.test(w)) {
    w = w.replace(/ä/g, "ae").replace(/ö/g, "oe").replace(/ü/g, "ue").replace(/ß/g, "ss").replace(/’/g, "'");
  }
  if (/(.)\1\1/u.test(w)) w = w.replace(/(.)\1{2,}/gu, "$1$1");
  return w;
}

/**
 * Letter case of a word without allocating upper- and lower-case copies for ASCII words:
 * `upper` is `s === s.toUpperCase()`, `hasUpper` is `s !== s.toLowerCase()`.
 */
export function letterCase(s: string): { upper: boolean; hasUpper: boolean } {
  let upper = true;
  let hasUpper = false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 128) {
      // Latin-1 letters (ä, Ö, ß …) are as simple as ASCII ones; beyond them ask the runtime.
      if (c < 0xc0 || c > 0xff) return { upper: s === s.toUpperCase(), hasUpper: s !== s.toLowerCase() };
      if (c === 0xd7 || c === 0xf7) continue;
      if (c <= 0xde) hasUpper = true;
      else upper = false;
    } else if (c >= 97 && c <= 122) upper = false;
    else if (c >= 65 && c <= 90) hasUpper = true;
  }
  return upper ? (hasUpper ? upperWithCapitals : upperWithoutCapitals) : hasUpper ? mixed : lower;
}
const upperWithCapitals = { upper: true, hasUpper: true };
const upperWithoutCapitals = { upper: true, hasUpper: false };
const mixed = { upper: false, hasUpper: true };
const lower = { upper: false, hasUpper: false };

export function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  tokenPattern.lastIndex = 0;
  for (let m = tokenPattern.exec(text); m !== null; m = tokenPattern.exec(text)) {
    const surface = m[0];
    const start = m.index;
    const end = start + surface.length;
    let kind: TokenKind;
    let norm: string;
    if (m[1] !== undefined) {
      kind = "url";
      norm = "<url>";
    } else if (m[2] !== undefined) {
      kind = "user";
      // Who is addressed matters (a brand's own handle says "this is about us"), so keep it.
      norm = surface.toLowerCase();
    } else if (m[3] !== undefined) {
      kind = "hashtag";
      norm = normalizeWord(surface.slice(1));
    } else if (m[4] !== undefined) {
      kind = "word";
      norm = normalizeWord(surface);
    } else if (m[5] !== undefined) {
      kind = "number";
      // Digits carry little meaning for opinion, their shape does: "12:30" and "08:15" look alike.
      norm = surface.replace(/\p{N}/gu, "0");
    } else if (m[6] !== undefined) {
      kind = "emoji";
      norm = surface;
    } else {
      kind = "punct";
      norm = surface.length > 3 ? surface.slice(0, 3) : surface;
    }
    tokens.push({ kind, surface, norm, start, end });
  }
  return tokens;
}

export function prepareText(raw: unknown): PreparedText {
  const { text, truncated } = cleanText(raw);
  return { text, truncated, tokens: tokenize(text) };
}
