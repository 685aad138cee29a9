/**
 * Personal data in a post — e-mail addresses, phone numbers, IBANs (checked with mod 97), postal
 * addresses in German and English style, and an organization's own customer or order numbers —
 * as character spans, so the inbox can mask them and privacy rules can act on them.
 */

export type PiiType = "email" | "phone" | "iban" | "address" | (string & {});

export interface PiiSpan {
  type: PiiType;
  /** Offsets into the analysed text (UTF-16 code units, end exclusive). */
  start: number;
  end: number;
  text: string;
}

/** An organization's own identifier, e.g. `{ type: "customer_number", pattern: "KD-\\d{6}" }`. */
export interface PiiPattern {
  type: string;
  pattern: string | RegExp;
}

const email = /[\p{L}\p{N}._%+-]{1,64}@[\p{L}\p{N}-]{1,63}(?:\.[\p{L}\p{N}-]{1,63})*\.\p{L}{2,24}/gu;

const ibanStart = /\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]){11,32}/gi;

const phone = new RegExp(
  [
    // International: +49 30 1234567, 0049 (0)170 1234567, +1 (555) 123-4567, +44 20 7946 0958
    String.raw`(?:\+|\b00)\d{1,3}[ \-.]?(?:\(0\)[ \-.]?)?\(?\d{1,5}\)?(?:[ \-./]?\d{2,}){1,5}`,
    // German national: 030 1234567, 030/123 45 67, 0170-1234567, (030) 1234567
    String.raw`\b0\d{2,5}(?:[ \-/]{1,3})?\d{3,}(?:[ \-]?\d{2,}){0,3}`,
    String.raw`\(0\d{2,5}\) ?\d{3,}(?:[ \-]?\d{2,}){0,3}`,
    // North American: (555) 123-4567, 555-123-4567, 555.123.4567
    String.raw`(?:\(\d{3}\) ?|\b\d{3}[\-.])\d{3}[\-.]\d{4}`,
  ]
    .map((p) => `(?:${p})`)
    .join("|") + String.raw`(?![\w@])`,
  "g",
);

const streetSuffixDe = String.raw`(?:straße|strasse|str\.|weg|allee|platz|gasse|ring|damm|ufer|chaussee|steig|pfad)`;
const streetWordDe = String.raw`(?:Straße|Strasse|Str\.|Weg|Allee|Platz|Gasse|Ring|Damm|Ufer|Chaussee)`;
const cityDe = String.raw`(?:,?\s+\d{5}\s+\p{Lu}[\p{L}-]+(?:\s(?:an der|am|im|in der)\s\p{Lu}[\p{L}]+)?)?`;
const addressDe = new RegExp(
  String.raw`(?:\b\p{Lu}[\p{L}-]*${streetSuffixDe}|\b\p{Lu}[\p{L}-]+\s${streetWordDe}|\b(?:Am|An der|Auf dem|Im|In der|Unter den)\s\p{Lu}[\p{L}-]+)\s\d{1,4}(?:\s?[a-zA-Z](?![\p{L}]))?${cityDe}`,
  "gu",
);
const streetTypeEn = String.raw`(?:Street|St\.?|Avenue|Ave\.?|Road|Rd\.?|Boulevard|Blvd\.?|Lane|Ln\.?|Drive|Dr\.?|Court|Ct\.?|Way|Place|Pl\.?|Square|Sq\.?|Terrace|Close|Parkway|Pkwy\.?)`;
const addressEn = new RegExp(
  String.raw`\b\d{1,5}[A-Za-z]?\s+(?:\p{Lu}[\p{L}'.-]*\s+){1,4}${streetTypeEn}(?![\p{L}])(?:\s+(?:NW|NE|SW|SE|N|S|E|W)\b)?` +
    String.raw`(?:,\s*(?:Apt\.?|Suite|Unit)\s*\w+)?(?:,\s*\p{Lu}\p{Ll}[\p{L}.-]*(?:\s\p{Lu}\p{Ll}[\p{L}.-]*){0,2})?(?:,?\s*[A-Z]{2}\s+\d{5}(?:-\d{4})?)?(?:,?\s*[A-Z]{1,2}\d[A-Z\d]?\s?\d[A-Z]{2}\b)?`,
  "gu",
);

const emailHint = /[^\s@]@[^\s@]+\.[^\s@]/;
const ibanHint = /[A-Za-z]{2}\d{2}/;
const digitsHint = /\d{3}/;
const addressDeHint = /(?:stra(?:ss|ß)e|str\.|weg|allee|platz|gasse|ring|damm|ufer|chaussee|steig|pfad)\s\d/i;
// Only the preposition form of addressDe ("Am Markt 3"); the street forms are covered by addressDeHint.
const addressDePrepositionHint = /\b(?:Am|An der|Auf dem|Im|In der|Unter den)\s\p{Lu}[\p{L}-]+\s\d/u;
// The street word alone first: without it the costlier pattern (number, then the word) cannot match.
const streetEnHint =
  /\b(?:Street|St|Avenue|Ave|Road|Rd|Boulevard|Blvd|Lane|Ln|Drive|Dr|Court|Ct|Way|Place|Pl|Square|Sq|Terrace|Close|Parkway|Pkwy)\b/;
const addressEnHint =
  /\d[A-Za-z]?\s.*\b(?:Street|St|Avenue|Ave|Road|Rd|Boulevard|Blvd|Lane|Ln|Drive|Dr|Court|Ct|Way|Place|Pl|Square|Sq|Terrace|Close|Parkway|Pkwy)\b/;

/** ISO 13616 lengths per country; unknown countries only need a length between 15 and 34. */
const ibanLengths: Record<string, number> = {
  DE: 22,
  AT: 20,
  CH: 21,
  LI: 21,
  NL: 18,
  BE: 16,
  LU: 20,
  FR: 27,
  IT: 27,
  ES: 24,
  PT: 25,
  GB: 22,
  IE: 22,
  PL: 28,
  CZ: 24,
  SK: 24,
  DK: 18,
  SE: 24,
  NO: 15,
  FI: 18,
  TR: 26,
  GR: 27,
  HU: 28,
  RO: 24,
  HR: 21,
  SI: 19,
};

/** True when the IBAN (spaces allowed) has its country's length and passes the mod-97 check. */
export function isValidIban(candidate: string): boolean {
  const compact = candidate.replace(/ /g, "").toUpperCase();
  if (!/^[A-Z]{2}\d{2}[A-Z0-9]{11,30}$/.test(compact)) return false;
  const expected = ibanLengths[compact.slice(0, 2)];
  if (expected !== undefined ? compact.length !== expected : compact.length < 15 || compact.length > 34)
    return false;
  const rearranged = compact.slice(4) + compact.slice(0, 4);
  let remainder = 0;
  for (let i = 0; i < rearranged.length; i++) {
    const code = rearranged.charCodeAt(i);
    // Letters count as two digits (A = 10 … Z = 35).
    if (code >= 65) remainder = (remainder * 100 + (code - 55)) % 97;
    else remainder = (remainder * 10 + (code - 48)) % 97;
  }
  return remainder === 1;
}

function digitCount(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 48 && c <= 57) n++;
  }
  return n;
}

const blocked = "\u0000blocked";

const compiledPatterns = new Map<string | RegExp, RegExp | null>();

/** A global copy of an organization's pattern; null (ignored) when the pattern does not compile. */
function compile(pattern: string | RegExp): RegExp | null {
  let compiled = compiledPatterns.get(pattern);
  if (compiled !== undefined) return compiled;
  try {
    compiled =
      typeof pattern === "string"
        ? new RegExp(pattern, "gu")
        : new RegExp(pattern.source, pattern.flags.includes("g") ? pattern.flags : `${pattern.flags}g`);
  } catch {
    compiled = null;
  }
  if (compiledPatterns.size > 1000) compiledPatterns.clear();
  compiledPatterns.set(pattern, compiled);
  return compiled;
}

/** Throws a sentence naming the bad pattern; for configuration screens, not the analysis path. */
export function validatePiiPatterns(patterns: readonly PiiPattern[]): void {
  for (const p of patterns) {
    if (!p.type) throw new Error("A personal-data pattern needs a type, e.g. customer_number.");
    if (compile(p.pattern) === null)
      throw new Error(`The pattern for ${p.type} is not a valid regular expression.`);
  }
}

function collect(args: {
  text: string;
  regex: RegExp;
  type: string;
  into: PiiSpan[];
  accept?: (s: string) => boolean;
}): void {
  const { text, regex, type, into, accept } = args;
  regex.lastIndex = 0;
  for (let m = regex.exec(text); m !== null; m = regex.exec(text)) {
    if (m[0].length === 0) {
      regex.lastIndex++;
      continue;
    }
    const value = m[0].replace(/[\s,.;:]+$/u, "");
    if (!accept || accept(value))
      into.push({ type, start: m.index, end: m.index + value.length, text: value });
  }
}

/** The longest valid IBAN at each candidate start: the regex alone cannot know where the number ends. */
function collectIbans(text: string, into: PiiSpan[]): void {
  ibanStart.lastIndex = 0;
  for (let m = ibanStart.exec(text); m !== null; m = ibanStart.exec(text)) {
    const candidate = m[0];
    const expected = ibanLengths[candidate.slice(0, 2).toUpperCase()];
    let found = false;
    for (let alnum = expected ?? 34; alnum >= (expected ?? 15) && !found; alnum--) {
      let end = 0;
      let count = 0;
      while (end < candidate.length && count < alnum) {
        if (candidate[end] !== " ") count++;
        end++;
      }
      if (count !== alnum) continue;
      // The number must end at a word boundary, not in the middle of a longer token.
      const next = text[m.index + end];
      if (next !== undefined && /[\p{L}\p{N}]/u.test(next)) continue;
      const value = candidate.slice(0, end);
      if (isValidIban(value)) {
        into.push({ type: "iban", start: m.index, end: m.index + end, text: value });
        ibanStart.lastIndex = m.index + end;
        found = true;
      }
    }
    if (!found) {
      // An IBAN-shaped number that fails the check is still no phone number: block the region.
      into.push({ type: blocked, start: m.index, end: m.index + candidate.length, text: candidate });
      ibanStart.lastIndex = m.index + candidate.length;
    }
  }
}

export function findPii(text: string, patterns: readonly PiiPattern[] = []): PiiSpan[] {
  const found: PiiSpan[] = [];
  // An organization's identifiers come first: they are the most specific patterns.
  for (const p of patterns) {
    const regex = compile(p.pattern);
    if (regex) collect({ text, regex, type: p.type, into: found });
  }
  // Cheap tests first: most posts contain no personal data, and the full patterns cost time.
  if (text.indexOf("@") !== -1 && emailHint.test(text))
    collect({ text, regex: email, type: "email", into: found });
  // Every other kind of personal data contains an ASCII digit.
  const hasDigit = /\d/.test(text);
  if (hasDigit && ibanHint.test(text)) collectIbans(text, found);
  const hasDigits = hasDigit && digitsHint.test(text);
  if (hasDigit && (addressDeHint.test(text) || addressDePrepositionHint.test(text)))
    collect({ text, regex: addressDe, type: "address", into: found });
  if (hasDigit && streetEnHint.test(text) && addressEnHint.test(text))
    collect({ text, regex: addressEn, type: "address", into: found });
  if (hasDigits) {
    collect({
      text,
      regex: phone,
      type: "phone",
      into: found,
      accept: (s) => {
        const digits = digitCount(s);
        return digits >= 7 && digits <= 15;
      },
    });
  }
  // Keep the first of overlapping spans in priority order, then present them in reading order.
  const kept: PiiSpan[] = [];
  for (const span of found) {
    if (!kept.some((k) => span.start < k.end && k.start < span.end)) kept.push(span);
  }
  return kept.filter((k) => k.type !== blocked).sort((a, b) => a.start - b.start);
}
