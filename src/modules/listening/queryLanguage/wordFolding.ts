/**
 * The one way post text and query words are cut into words and normalised, so that both sides of a
 * comparison always agree: lower case, umlauts as ae/oe/ue (so "Müller" equals "Mueller"), ß as ss,
 * other diacritics dropped ("Café" equals "cafe").
 */

export const nonAscii = /[^\x00-\x7f]/;
/** Most non-ASCII words in German posts have only these; they fold without Unicode decomposition. */
const onlyGermanLetters = /^[\x00-\x7fäöüß]*$/;
const germanLetter = /[äöüß]/g;
const germanLetters: Record<string, string> = { ä: "ae", ö: "oe", ü: "ue", ß: "ss" };
const umlaut = /([aou])\u0308/g;
const combiningMark = /\p{M}/gu;
const specialLetter = /[ßæœøłđþı]/g;
const specialLetters: Record<string, string> = {
  ß: "ss",
  æ: "ae",
  œ: "oe",
  ø: "o",
  ł: "l",
  đ: "d",
  þ: "th",
  ı: "i",
};

export function foldWord(word: string): string {
  return foldLowerCase(word.toLowerCase());
}

/** `foldWord` for text already lower-cased, e.g. a whole post lower-cased at once. */
export function foldLowerCase(lower: string): string {
  if (!nonAscii.test(lower)) return lower;
  if (onlyGermanLetters.test(lower)) return lower.replace(germanLetter, (letter) => germanLetters[letter]!);
  // NFD first so a decomposed "u" + U+0308 (as some keyboards send it) folds like a composed "ü".
  return lower
    .normalize("NFD")
    .replace(umlaut, "$1e")
    .replace(combiningMark, "")
    .replace(specialLetter, (letter) => specialLetters[letter] ?? letter);
}

const wordPattern = /[\p{L}\p{M}\p{N}]+/gu;

/** The folded words of a piece of text, in order; everything that is not a letter or digit separates. */
export function foldedWords(text: string): string[] {
  const words: string[] = [];
  wordPattern.lastIndex = 0;
  for (let m = wordPattern.exec(text); m !== null; m = wordPattern.exec(text)) words.push(foldWord(m[0]));
  return words;
}

/**
 * Every form under which a handle can be asked for: "nordbahn.bsky.social" is also "nordbahn", and
 * "nordbahn@mastodon.social" (a Mastodon account on another server) is also "nordbahn".
 */
export function handleKeys(handle: string, into: Set<string>): void {
  const folded = foldWord(handle.startsWith("@") ? handle.slice(1) : handle);
  if (folded === "") return;
  into.add(folded);
  for (let i = 1; i < folded.length; i++) {
    const c = folded.charCodeAt(i);
    if (c === 46 /* . */ || c === 64 /* @ */) into.add(folded.slice(0, i));
  }
}
