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

function makeToken(kind: TokenKind, surface: string, start: number): Token {
  let norm: string;
  if (kind === "url") norm = "<url>";
  // Who is addressed matters (a brand's own handle says "this is about us"), so keep it.
  else if (kind === "user") norm = surface.toLowerCase();
  else if (kind === "hashtag") norm = normalizeWord(surface.slice(1));
  else if (kind === "word") norm = normalizeWord(surface);
  // Digits carry little meaning for opinion, their shape does: "12:30" and "08:15" look alike.
  else if (kind === "number") norm = surface.replace(/\p{N}/gu, "0");
  else if (kind === "emoji") norm = surface;
  else norm = surface.length > 3 ? surface.slice(0, 3) : surface;
  return { kind, surface, norm, start, end: start + surface.length };
}

const kindByGroup: TokenKind[] = ["url", "user", "hashtag", "word", "number", "emoji", "punct"];

function kindOfMatch(m: RegExpExecArray): TokenKind {
  for (let g = 1; g < 7; g++) if (m[g] !== undefined) return kindByGroup[g - 1];
  return "punct";
}

/** The definition of tokenisation: every match of tokenPattern. `tokenize` is its faster equivalent. */
export function tokenizeByPattern(text: string): Token[] {
  const tokens: Token[] = [];
  tokenPattern.lastIndex = 0;
  for (let m = tokenPattern.exec(text); m !== null; m = tokenPattern.exec(text))
    tokens.push(makeToken(kindOfMatch(m), m[0], m.index));
  return tokens;
}

const stickyTokenPattern = new RegExp(tokenPattern.source, "uy");

/** Letters of ASCII and Latin-1 (ä, ß, é …): all of U+00C0–U+00FF but × and ÷, and ª µ º. */
const isLetterCode = (c: number) =>
  (c >= 97 && c <= 122) ||
  (c >= 65 && c <= 90) ||
  (c >= 0xc0 && c <= 0xff && c !== 0xd7 && c !== 0xf7) ||
  c === 0xaa ||
  c === 0xb5 ||
  c === 0xba;
const isWordCode = (c: number) => isLetterCode(c) || (c >= 48 && c <= 57) || c === 95;
/** A character the hand-written rules do not know: the pattern decides. */
const isOther = (c: number) => c >= 128 && !isLetterCode(c);
const isDigitCode = (c: number) => c >= 48 && c <= 57;
/** Kind of the token found by plainTokenEnd. */
let plainKind: TokenKind = "punct";

/**
 * Where the token starting at `i` (an ASCII character or Latin-1 letter, not a space) ends,
 * decided as tokenPattern would from such characters alone; -1 when another could change it.
 */
function plainTokenEnd(text: string, i: number, c: number): number {
  const n = text.length;
  // URLs: "http://", "https://", "www." and at least one more character.
  let from = -1;
  if (c === 104 && text.startsWith("http", i)) {
    const p = text.charCodeAt(i + 4) === 115 ? i + 5 : i + 4;
    if (text.startsWith("://", p)) from = p + 3;
  } else if (c === 119 && text.startsWith("www.", i)) from = i + 4;
  if (from !== -1) {
    let j = from;
    for (; j < n; j++) {
      const d = text.charCodeAt(j);
      if (d >= 128) return -1;
      if (d === 32 || (d >= 9 && d <= 13) || d === 60 || d === 62 || d === 34) break;
    }
    if (j > from) {
      plainKind = "url";
      return j;
    }
  }
  if (c === 64 || c === 35) {
    // @user (at most 40 characters) and #hashtag; a lone @ or # is punctuation.
    const limit = c === 64 ? Math.min(n, i + 41) : n;
    let j = i + 1;
    while (j < limit && isWordCode(text.charCodeAt(j))) j++;
    if (j < limit && isOther(text.charCodeAt(j))) return -1;
    plainKind = j > i + 1 ? (c === 64 ? "user" : "hashtag") : "punct";
    return j;
  }
  if (isLetterCode(c)) {
    let j = i + 1;
    for (; j < n; j++) {
      const d = text.charCodeAt(j);
      if (isWordCode(d)) continue;
      if (isOther(d)) return -1;
      if (d !== 39 && d !== 45) break;
      // An apostrophe joins letters, a hyphen letters or digits.
      const next = text.charCodeAt(j + 1);
      if (isOther(next)) return -1;
      if (!(isLetterCode(next) || (d === 45 && isDigitCode(next)))) break;
    }
    plainKind = "word";
    return j;
  }
  if (isDigitCode(c)) {
    let j = i + 1;
    for (;;) {
      while (j < n && isDigitCode(text.charCodeAt(j))) j++;
      const d = text.charCodeAt(j);
      if (isOther(d)) return -1;
      // "12:30", "1.000", "24/7": a separator followed by more digits.
      if (d !== 46 && d !== 44 && d !== 58 && d !== 47) break;
      const next = text.charCodeAt(j + 1);
      if (isOther(next)) return -1;
      if (!isDigitCode(next)) break;
      j += 1;
    }
    plainKind = "number";
    return j;
  }
  if (c === 58 || c === 59) {
    // Emoticons: ":)", ";-)", ":D", ":/".
    const isMouth = (d: number) => d === 40 || d === 41 || d === 68 || d === 80 || d === 112 || d === 47;
    const next = text.charCodeAt(i + 1);
    if (next === 45 && isMouth(text.charCodeAt(i + 2))) {
      plainKind = "emoji";
      return i + 3;
    }
    if (isMouth(next)) {
      plainKind = "emoji";
      return i + 2;
    }
  }
  plainKind = "punct";
  if (c === 33 || c === 63) {
    let j = i + 1;
    while (j < n && (text.charCodeAt(j) === 33 || text.charCodeAt(j) === 63)) j++;
    return j;
  }
  return i + 1;
}

/**
 * The tokens of tokenPattern, found by hand where a token is plain Latin (most of them) and by
 * the pattern itself, anchored at the same position, wherever another character takes part.
 */
export function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  const n = text.length;
  let i = 0;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === 32 || (c >= 9 && c <= 13)) {
      i++;
      continue;
    }
    const end = isOther(c) ? -1 : plainTokenEnd(text, i, c);
    if (end !== -1) {
      tokens.push(makeToken(plainKind, text.slice(i, end), i));
      i = end;
      continue;
    }
    stickyTokenPattern.lastIndex = i;
    const m = stickyTokenPattern.exec(text);
    // Only white space matches nothing (and non-ASCII white space is one code unit).
    if (m === null) {
      i++;
      continue;
    }
    tokens.push(makeToken(kindOfMatch(m), m[0], i));
    i += m[0].length;
  }
  return tokens;
}

export function prepareText(raw: unknown): PreparedText {
  const { text, truncated } = cleanText(raw);
  return { text, truncated, tokens: tokenize(text) };
}
