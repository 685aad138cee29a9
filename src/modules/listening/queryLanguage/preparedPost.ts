/**
 * A post cut into what queries ask about — words, hashtags, mentions, language, channel, author —
 * once, so that the same post can be checked against every query of an organization cheaply.
 */
import { foldLowerCase, foldWord, handleKeys, nonAscii } from "./wordFolding.js";

export interface PostToMatch {
  text: string;
  /** Language code such as "de" or "de-AT"; only the part before the region counts. */
  lang?: string;
  /** The network, as in `NormalizedPost.network` ("bluesky", "mastodon", …). */
  channel?: string;
  authorHandle?: string;
  /** Hashtags the network reports besides those in the text, with or without "#". */
  hashtags?: string[];
}

/*
 * One pass over the text: a mention (@ not glued to a word, so "info@nordbahn.de" is not one), a
 * hashtag (# not glued to a word, so "C#" is not one), or a run of letters and digits.
 */
const postTokenPattern =
  /(?<![\p{L}\p{M}\p{N}_@])@([\p{L}\p{N}_](?:[\p{L}\p{N}_.-]*[\p{L}\p{N}_])?(?:@[\p{L}\p{N}](?:[\p{L}\p{N}.-]*[\p{L}\p{N}])?)?)|(?<![\p{L}\p{M}\p{N}_#&])#([\p{L}\p{M}\p{N}_]+)|([\p{L}\p{M}\p{N}]+)/gu;

/** Stands in the word sequence for a mention, so a phrase cannot run across "@someone". */
const mentionGap = "";

export class PreparedPost {
  /** Folded words of the text, including the words of hashtags ("#DeutscheBahn" gives "deutschebahn"). */
  readonly words = new Set<string>();
  /** The same words in order, for phrases. */
  readonly sequence: string[] = [];
  /** Folded hashtags without "#". */
  readonly hashtags = new Set<string>();
  /** Every form of every mentioned handle, see `handleKeys`. */
  readonly mentions = new Set<string>();
  readonly authorKeys = new Set<string>();
  readonly lang: string | undefined;
  readonly channel: string | undefined;
  private sortedWords: string[] | undefined;
  private positions: Map<string, number[]> | undefined;

  constructor(post: PostToMatch) {
    // Lower-cased once as a whole: most words then need no further folding.
    const text = typeof post.text === "string" ? post.text.toLowerCase() : "";
    const ascii = !nonAscii.test(text);
    postTokenPattern.lastIndex = 0;
    for (let m = postTokenPattern.exec(text); m !== null; m = postTokenPattern.exec(text)) {
      if (m[3] !== undefined) {
        const word = ascii ? m[3] : foldLowerCase(m[3]);
        this.words.add(word);
        this.sequence.push(word);
      } else if (m[2] !== undefined) {
        this.addHashtag(m[2]);
      } else {
        handleKeys(m[1]!, this.mentions);
        this.sequence.push(mentionGap);
      }
    }
    for (const tag of post.hashtags ?? []) {
      if (typeof tag === "string") this.addHashtag(tag.startsWith("#") ? tag.slice(1) : tag, false);
    }
    if (post.authorHandle) handleKeys(post.authorHandle, this.authorKeys);
    this.lang = post.lang ? post.lang.toLowerCase().split(/[-_]/)[0] : undefined;
    this.channel = post.channel ? post.channel.toLowerCase() : undefined;
  }

  private addHashtag(raw: string, inText = true): void {
    const tag = foldWord(raw);
    if (tag === "") return;
    this.hashtags.add(tag);
    // "#deutsche_bahn" also reads as the words "deutsche bahn".
    for (const part of tag.split("_")) {
      if (part === "") continue;
      this.words.add(part);
      if (inText) this.sequence.push(part);
    }
  }

  hasWordStartingWith(prefix: string): boolean {
    // Sorted once, on the first prefix query that asks, then a binary search per query.
    if (this.sortedWords === undefined) this.sortedWords = [...this.words].sort();
    const sorted = this.sortedWords;
    let low = 0;
    let high = sorted.length;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if (sorted[mid]! < prefix) low = mid + 1;
      else high = mid;
    }
    return low < sorted.length && sorted[low]!.startsWith(prefix);
  }

  hasHashtagStartingWith(prefix: string): boolean {
    for (const tag of this.hashtags) if (tag.startsWith(prefix)) return true;
    return false;
  }

  /** Whether `words` occur one right after the other; the last may be a prefix. */
  hasSequence(words: readonly string[], lastIsPrefix: boolean): boolean {
    const first = words[0]!;
    if (!this.words.has(first)) return false;
    const starts = this.startsOf(first);
    const last = words.length - 1;
    const sequence = this.sequence;
    for (const start of starts) {
      if (start + last >= sequence.length) break;
      let i = 1;
      for (; i < last; i++) if (sequence[start + i] !== words[i]) break;
      if (i < last) continue;
      const candidate = sequence[start + last]!;
      if (lastIsPrefix ? candidate.startsWith(words[last]!) : candidate === words[last]) return true;
    }
    return false;
  }

  private startsOf(word: string): number[] {
    if (this.positions === undefined) {
      const positions = new Map<string, number[]>();
      this.sequence.forEach((w, i) => {
        const list = positions.get(w);
        if (list) list.push(i);
        else positions.set(w, [i]);
      });
      this.positions = positions;
    }
    return this.positions.get(word) ?? [];
  }
}

/** Tokenise a post once; pass the result to `matcher.matches` for every query. */
export function preparePost(post: PostToMatch): PreparedPost {
  return new PreparedPost(post);
}
