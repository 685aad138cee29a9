/**
 * Reads the text of a listening query into a `QueryNode` tree, or says where it is wrong and how to
 * fix it in words a non-programmer understands. Never throws.
 *
 * Precedence: NOT binds tightest, then AND (also written as a space), then OR.
 */
import { networks } from "../../../platform/posts/normalizedPost.js";
import {
  type ParseResult,
  type QueryErrorCode,
  type QueryFilterField,
  type QueryLeaf,
  type QueryNode,
  type QuerySyntaxError,
  queryFilterFields,
  queryLimits,
} from "./queryAst.js";
import { foldedWords, foldWord } from "./wordFolding.js";

/** Operators are recognised only in capitals, so "und" and "oder" in a query stay ordinary words. */
const operatorWords = new Map<string, "and" | "or" | "not">([
  ["AND", "and"],
  ["UND", "and"],
  ["OR", "or"],
  ["ODER", "or"],
  ["NOT", "not"],
  ["NICHT", "not"],
]);

/** German typists get „…“ from their keyboard and word processors; both quote styles open a phrase. */
const openingQuotes = new Set(['"', "„", "“", "”"]);
const closingQuotes = new Set(['"', "“", "”"]);

export const hashtagPattern = /^[\p{L}\p{M}\p{N}_]+$/u;
export const handlePattern =
  /^[\p{L}\p{N}_](?:[\p{L}\p{N}_.-]*[\p{L}\p{N}_])?(?:@[\p{L}\p{N}](?:[\p{L}\p{N}.-]*[\p{L}\p{N}])?)?$/u;
export const langPattern = /^[a-z]{2,3}$/i;
const filterPattern = /^([A-Za-z]+):([\s\S]*)$/;

/** Whether text written bare would be read as an operator or a filter rather than a word. */
export function readsAsOperatorOrFilter(text: string): boolean {
  return operatorWords.has(text) || (filterPattern.test(text) && !text.includes("://"));
}

type Token =
  | { kind: "lparen" | "rparen" | "eof"; start: number; end: number; text: string }
  | { kind: "and" | "or" | "not"; start: number; end: number; text: string }
  | { kind: "word"; start: number; end: number; text: string }
  | { kind: "phrase"; start: number; end: number; text: string; value: string };

class ParseFailure {
  constructor(readonly error: QuerySyntaxError) {}
}

/** One sentence in English and in German: the API speaks English, the UI the reader's language. */
interface Said {
  en: string;
  de: string;
}
const say = (en: string, de: string): Said => ({ en, de });

function syntaxError(code: QueryErrorCode, at: { start: number; end: number }, message: Said, hint: Said) {
  return {
    code,
    message: message.en,
    position: at.start,
    length: Math.max(at.end - at.start, 0),
    hint: hint.en,
    de: { message: message.de, hint: hint.de },
  } satisfies QuerySyntaxError;
}

function fail(code: QueryErrorCode, at: { start: number; end: number }, message: Said, hint: Said): never {
  throw new ParseFailure(syntaxError(code, at, message, hint));
}

/** Positions in messages count from 1, as a person counts characters. */
const human = (index: number) => index + 1;

function isSpace(c: string): boolean {
  return /\s/.test(c);
}

function lex(source: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < source.length) {
    const c = source[i]!;
    if (isSpace(c)) {
      i++;
    } else if (c === "(" || c === ")") {
      tokens.push({ kind: c === "(" ? "lparen" : "rparen", start: i, end: i + 1, text: c });
      i++;
    } else if (openingQuotes.has(c)) {
      let j = i + 1;
      while (j < source.length && !closingQuotes.has(source[j]!)) j++;
      if (j >= source.length) {
        fail(
          "unclosed_quote",
          { start: i, end: source.length },
          say(
            "The phrase is missing its closing quotation mark.",
            "Der Phrase fehlt das schließende Anführungszeichen.",
          ),
          say(
            `Close the phrase started at position ${human(i)} with ".`,
            `Schließen Sie die Phrase, die an Position ${human(i)} beginnt, mit " ab.`,
          ),
        );
      }
      tokens.push({
        kind: "phrase",
        start: i,
        end: j + 1,
        text: source.slice(i, j + 1),
        value: source.slice(i + 1, j),
      });
      i = j + 1;
    } else if (c === "-" && i + 1 < source.length && !isSpace(source[i + 1]!) && source[i + 1] !== ")") {
      tokens.push({ kind: "not", start: i, end: i + 1, text: "-" });
      i++;
    } else if (c === "-") {
      fail(
        "lone_minus",
        { start: i, end: i + 1 },
        say("A minus sign stands alone here.", "Hier steht ein Minuszeichen allein."),
        say(
          "To leave out a word, write the minus directly before it without a space, e.g. -gewinnspiel.",
          "Um ein Wort auszuschließen, schreiben Sie das Minus ohne Leerzeichen direkt davor, z. B. -gewinnspiel.",
        ),
      );
    } else {
      let j = i;
      while (j < source.length) {
        const d = source[j]!;
        if (isSpace(d) || d === "(" || d === ")" || openingQuotes.has(d)) break;
        j++;
      }
      const text = source.slice(i, j);
      const operator = operatorWords.get(text);
      tokens.push({ kind: operator ?? "word", start: i, end: j, text });
      i = j;
    }
  }
  tokens.push({ kind: "eof", start: source.length, end: source.length, text: "" });
  return tokens;
}

interface Span {
  start: number;
  end: number;
}

class Parser {
  private index = 0;
  private depth = 0;
  private leaves = 0;
  /** Where each node came from, for errors found after parsing. */
  readonly spans = new Map<QueryNode, Span>();

  constructor(private readonly tokens: Token[]) {}

  parseQuery(): QueryNode {
    const node = this.parseOr();
    const next = this.peek();
    if (next.kind === "rparen") {
      fail(
        "unopened_parenthesis",
        next,
        say(
          `The ) at position ${human(next.start)} has no matching (.`,
          `Zur ) an Position ${human(next.start)} gibt es keine passende (.`,
        ),
        say(
          "Remove it, or add ( where the group should begin.",
          "Entfernen Sie sie oder setzen Sie ( dort, wo die Gruppe beginnen soll.",
        ),
      );
    }
    return node;
  }

  private peek(): Token {
    return this.tokens[this.index]!;
  }

  private next(): Token {
    return this.tokens[this.index++]!;
  }

  private span(node: QueryNode, start: number, end: number): QueryNode {
    this.spans.set(node, { start, end });
    return node;
  }

  private spanOf(node: QueryNode): Span {
    return this.spans.get(node)!;
  }

  private parseOr(): QueryNode {
    const children = [this.parseAnd()];
    while (this.peek().kind === "or") {
      this.requireOperandAfter(this.next());
      children.push(this.parseAnd());
    }
    return this.combine("or", children);
  }

  private parseAnd(): QueryNode {
    const children = [this.parseUnary()];
    for (;;) {
      const next = this.peek();
      if (next.kind === "and") {
        this.requireOperandAfter(this.next());
        children.push(this.parseUnary());
      } else if (
        next.kind === "word" ||
        next.kind === "phrase" ||
        next.kind === "lparen" ||
        next.kind === "not"
      ) {
        children.push(this.parseUnary());
      } else {
        return this.combine("and", children);
      }
    }
  }

  private combine(type: "and" | "or", children: QueryNode[]): QueryNode {
    if (children.length === 1) return children[0]!;
    const flat = children.flatMap((child) => (child.type === type ? child.children : [child]));
    return this.span(
      { type, children: flat },
      this.spanOf(children[0]!).start,
      this.spanOf(children[children.length - 1]!).end,
    );
  }

  private parseUnary(): QueryNode {
    const next = this.peek();
    if (next.kind !== "not") return this.parsePrimary();
    const operator = this.next();
    this.requireOperandAfter(operator);
    this.enter(operator);
    const child = this.parseUnary();
    this.depth--;
    return this.span({ type: "not", child }, operator.start, this.spanOf(child).end);
  }

  private enter(token: Token): void {
    this.depth++;
    if (this.depth > queryLimits.maxDepth) {
      fail(
        "too_deeply_nested",
        token,
        say(
          `The query is nested more than ${queryLimits.maxDepth} levels deep.`,
          `Die Abfrage ist mehr als ${queryLimits.maxDepth} Ebenen tief verschachtelt.`,
        ),
        say(
          "Use fewer parentheses inside parentheses (and fewer NOT in a row), or split it into several queries.",
          "Verwenden Sie weniger Klammern in Klammern (und weniger NOT hintereinander) oder teilen Sie sie in mehrere Abfragen auf.",
        ),
      );
    }
  }

  private parsePrimary(): QueryNode {
    const token = this.next();
    switch (token.kind) {
      case "lparen": {
        this.enter(token);
        const inside = this.peek();
        if (inside.kind === "rparen") {
          fail(
            "empty_parentheses",
            { start: token.start, end: inside.end },
            say("The parentheses are empty.", "Die Klammern sind leer."),
            say(
              "Put at least one term between ( and ), or remove them.",
              "Schreiben Sie mindestens einen Begriff zwischen ( und ) oder entfernen Sie die Klammern.",
            ),
          );
        }
        if (inside.kind === "eof") this.failUnclosed(token);
        const node = this.parseOr();
        const closing = this.next();
        if (closing.kind !== "rparen") this.failUnclosed(token);
        this.depth--;
        return node;
      }
      case "and":
      case "or": {
        const previous = this.tokens[this.index - 2];
        const where = previous?.kind === "lparen" ? "right after (" : "at the start";
        const whereDe = previous?.kind === "lparen" ? "direkt nach (" : "am Anfang";
        return fail(
          "missing_term_before_operator",
          token,
          say(
            `${token.text} ${where} needs a term before it.`,
            `${token.text} ${whereDe} braucht einen Begriff davor.`,
          ),
          say(
            `Write a term before ${token.text}, e.g. nordbahn ${token.text} bahn, or remove ${token.text}.`,
            `Schreiben Sie einen Begriff vor ${token.text}, z. B. nordbahn ${token.text} bahn, oder entfernen Sie ${token.text}.`,
          ),
        );
      }
      case "rparen":
        return fail(
          "unopened_parenthesis",
          token,
          say(
            `The ) at position ${human(token.start)} has no matching (.`,
            `Zur ) an Position ${human(token.start)} gibt es keine passende (.`,
          ),
          say(
            "Remove it, or add ( where the group should begin.",
            "Entfernen Sie sie oder setzen Sie ( dort, wo die Gruppe beginnen soll.",
          ),
        );
      case "phrase":
        return this.leaf(this.phrase(token), token);
      case "word":
        return this.leaf(this.word(token), token);
      default:
        // "eof" and "not" never reach here: an empty query is refused earlier and NOT is a unary.
        return fail(
          "empty_query",
          token,
          say("The query is empty.", "Die Abfrage ist leer."),
          say(
            "Type at least one word to listen for, e.g. nordbahn.",
            "Geben Sie mindestens ein Wort ein, auf das gehört werden soll, z. B. nordbahn.",
          ),
        );
    }
  }

  private failUnclosed(open: Token): never {
    fail(
      "unclosed_parenthesis",
      open,
      say(
        `The parenthesis opened at position ${human(open.start)} is never closed.`,
        `Die an Position ${human(open.start)} geöffnete Klammer wird nie geschlossen.`,
      ),
      say(
        `Close the parenthesis opened at position ${human(open.start)} with ).`,
        `Schließen Sie die an Position ${human(open.start)} geöffnete Klammer mit ).`,
      ),
    );
  }

  private requireOperandAfter(operator: Token): void {
    const next = this.peek();
    const name = operator.text;
    const example =
      operator.kind === "not"
        ? name === "-"
          ? "-gewinnspiel"
          : `${name} gewinnspiel`
        : `nordbahn ${name} bahn`;
    if (next.kind === "eof") {
      fail(
        "missing_term_after_operator",
        operator,
        say(`${name} at the end needs a term after it.`, `${name} am Ende braucht einen Begriff danach.`),
        say(
          `Write a term after ${name}, e.g. ${example}, or remove ${name}.`,
          `Schreiben Sie einen Begriff nach ${name}, z. B. ${example}, oder entfernen Sie ${name}.`,
        ),
      );
    }
    if (next.kind === "rparen") {
      fail(
        "missing_term_after_operator",
        operator,
        say(
          `${name} needs a term after it, but ) follows.`,
          `${name} braucht einen Begriff danach, aber es folgt ).`,
        ),
        say(
          `Write a term between ${name} and ), e.g. ${example}, or remove ${name}.`,
          `Schreiben Sie einen Begriff zwischen ${name} und ), z. B. ${example}, oder entfernen Sie ${name}.`,
        ),
      );
    }
    if (next.kind === "and" || next.kind === "or") {
      fail(
        "missing_term_after_operator",
        { start: operator.start, end: next.end },
        say(`${name} is directly followed by ${next.text}.`, `Auf ${name} folgt direkt ${next.text}.`),
        say(
          `Put a term between ${name} and ${next.text}, or remove one of them.`,
          `Schreiben Sie einen Begriff zwischen ${name} und ${next.text} oder entfernen Sie einen der beiden.`,
        ),
      );
    }
  }

  private leaf(node: QueryLeaf, token: Token): QueryNode {
    this.leaves++;
    if (this.leaves > queryLimits.maxTerms) {
      fail(
        "too_many_terms",
        token,
        say(
          `The query has more than ${queryLimits.maxTerms} terms.`,
          `Die Abfrage hat mehr als ${queryLimits.maxTerms} Begriffe.`,
        ),
        say(
          "Split it into several queries, or use wildcards such as bahn* instead of listing every word.",
          "Teilen Sie sie in mehrere Abfragen auf oder verwenden Sie Platzhalter wie bahn*, statt jedes Wort aufzuzählen.",
        ),
      );
    }
    return this.span(node, token.start, token.end);
  }

  private phrase(token: Token & { kind: "phrase" }): QueryLeaf {
    if (token.value.trim() === "") {
      fail(
        "empty_phrase",
        token,
        say("The quotation marks contain nothing.", "Zwischen den Anführungszeichen steht nichts."),
        say(
          'Write words between the quotation marks, e.g. "deutsche bahn".',
          'Schreiben Sie Wörter zwischen die Anführungszeichen, z. B. "deutsche bahn".',
        ),
      );
    }
    if (foldedWords(token.value).length === 0) this.failNothingToMatch(token);
    return { type: "phrase", value: token.value };
  }

  private word(token: Token): QueryLeaf {
    const text = token.text;
    if (text.startsWith("#")) return this.hashtag(token);
    if (text.startsWith("@")) return this.handle(token);
    const filter = filterPattern.exec(text);
    if (filter && !text.includes("://")) return this.filter(token, filter[1]!, filter[2]!);
    const { body, prefix } = this.wildcard(token, 0);
    const words = foldedWords(body);
    if (words.length === 0) this.failNothingToMatch(token);
    if (prefix) this.checkPrefix(token, body, words[words.length - 1]!);
    return { type: "term", value: body, prefix };
  }

  /** Splits a trailing `*` off; a `*` anywhere else is an error. */
  private wildcard(token: Token, skip: number): { body: string; prefix: boolean } {
    const text = token.text;
    const star = text.indexOf("*", skip);
    if (star === -1) return { body: text, prefix: false };
    if (star !== text.length - 1 || star === skip) {
      fail(
        "invalid_wildcard",
        { start: token.start + star, end: token.start + star + 1 },
        say("A * can only stand at the end of a word.", "Ein * darf nur am Ende eines Wortes stehen."),
        say(
          "Write the beginning of a word followed by *, e.g. bahn* finds bahnhof and bahnsteig; *bahn and ba*n are not supported.",
          "Schreiben Sie den Wortanfang gefolgt von *, z. B. findet bahn* bahnhof und bahnsteig; *bahn und ba*n werden nicht unterstützt.",
        ),
      );
    }
    return { body: text.slice(0, -1), prefix: true };
  }

  private checkPrefix(token: Token, body: string, lastWord: string): void {
    const before = body[body.length - 1]!;
    if (!/[\p{L}\p{M}\p{N}]/u.test(before)) {
      fail(
        "invalid_wildcard",
        { start: token.end - 1, end: token.end },
        say(
          "A * must follow a letter or digit directly.",
          "Ein * muss direkt auf einen Buchstaben oder eine Ziffer folgen.",
        ),
        say(
          "Write the beginning of a word followed by *, e.g. bahn*.",
          "Schreiben Sie den Wortanfang gefolgt von *, z. B. bahn*.",
        ),
      );
    }
    if (lastWord.length < queryLimits.minPrefixLength) {
      fail(
        "invalid_wildcard",
        token,
        say(
          `A * needs at least ${queryLimits.minPrefixLength} letters before it.`,
          `Vor einem * müssen mindestens ${queryLimits.minPrefixLength} Buchstaben stehen.`,
        ),
        say(
          `Write more of the word before the *, e.g. bahn* rather than b*; a very short beginning would match almost every post.`,
          `Schreiben Sie mehr vom Wort vor den *, z. B. bahn* statt b*; ein sehr kurzer Anfang träfe fast jeden Beitrag.`,
        ),
      );
    }
  }

  private hashtag(token: Token): QueryLeaf {
    const { body, prefix } = this.wildcard(token, 1);
    const tag = body.slice(1);
    if (tag === "" || !hashtagPattern.test(tag)) {
      fail(
        "invalid_hashtag",
        token,
        tag === ""
          ? say("A # needs a word right after it.", "Nach einem # muss direkt ein Wort folgen.")
          : say(`"${token.text}" is not a hashtag.`, `„${token.text}“ ist kein Hashtag.`),
        say(
          "A hashtag is # followed by letters, digits or _ without spaces, e.g. #nordbahn.",
          "Ein Hashtag ist # gefolgt von Buchstaben, Ziffern oder _ ohne Leerzeichen, z. B. #nordbahn.",
        ),
      );
    }
    if (prefix) this.checkPrefix(token, body, foldWord(tag));
    return { type: "hashtag", value: tag, prefix };
  }

  private handle(token: Token): QueryLeaf {
    const handle = token.text.slice(1);
    if (handle.includes("*")) {
      fail(
        "invalid_wildcard",
        { start: token.start + 1 + handle.indexOf("*"), end: token.start + 2 + handle.indexOf("*") },
        say("Wildcards (*) do not work on handles.", "Platzhalter (*) funktionieren nicht bei Handles."),
        say("Write the whole handle, e.g. @nordbahn.", "Schreiben Sie das ganze Handle, z. B. @nordbahn."),
      );
    }
    if (!handlePattern.test(handle)) this.failHandle(token, handle);
    return { type: "handle", value: handle };
  }

  private failHandle(at: Span, handle: string): never {
    fail(
      "invalid_handle",
      at,
      handle === ""
        ? say("An @ needs a handle right after it.", "Nach einem @ muss direkt ein Handle folgen.")
        : say(`"@${handle}" is not a handle.`, `„@${handle}“ ist kein Handle.`),
      say(
        "A handle is @ followed by letters, digits, _, . or - without spaces, e.g. @nordbahn or @nordbahn.bsky.social.",
        "Ein Handle ist @ gefolgt von Buchstaben, Ziffern, _, . oder - ohne Leerzeichen, z. B. @nordbahn oder @nordbahn.bsky.social.",
      ),
    );
  }

  private filter(token: Token, name: string, value: string): QueryLeaf {
    const field = name.toLowerCase() as QueryFilterField;
    const nameSpan = { start: token.start, end: token.start + name.length + 1 };
    if (!queryFilterFields.includes(field)) {
      fail(
        "unknown_filter",
        nameSpan,
        say(
          `Unknown filter "${name}:"; use lang:, channel: or author:.`,
          `Unbekannter Filter „${name}:“; verwenden Sie lang:, channel: oder author:.`,
        ),
        say(
          `To search for the text itself, put it in quotation marks: "${token.text}".`,
          `Um nach dem Text selbst zu suchen, setzen Sie ihn in Anführungszeichen: "${token.text}".`,
        ),
      );
    }
    const valueSpan = { start: nameSpan.end, end: token.end };
    const examples = { lang: "lang:de", channel: "channel:bluesky", author: "author:@nordbahn" };
    if (value === "") {
      fail(
        "invalid_filter_value",
        token,
        say(
          `${field}: needs a value right after the colon.`,
          `${field}: braucht direkt nach dem Doppelpunkt einen Wert.`,
        ),
        say(
          `Write it without a space, e.g. ${examples[field]}.`,
          `Schreiben Sie ihn ohne Leerzeichen, z. B. ${examples[field]}.`,
        ),
      );
    }
    if (field === "lang" && !langPattern.test(value)) {
      fail(
        "invalid_filter_value",
        valueSpan,
        say(`"${value}" is not a language code.`, `„${value}“ ist kein Sprachcode.`),
        say(
          "Use a two-letter language code, e.g. lang:de for German or lang:en for English.",
          "Verwenden Sie einen zweibuchstabigen Sprachcode, z. B. lang:de für Deutsch oder lang:en für Englisch.",
        ),
      );
    }
    if (field === "channel" && !(networks as readonly string[]).includes(value.toLowerCase())) {
      fail(
        "invalid_filter_value",
        valueSpan,
        say(`Unknown channel "${value}".`, `Unbekannter Kanal „${value}“.`),
        say(
          `Use one of ${networks.join(", ")}, e.g. channel:bluesky.`,
          `Verwenden Sie einen von ${networks.join(", ")}, z. B. channel:bluesky.`,
        ),
      );
    }
    if (field === "author") {
      const handle = value.startsWith("@") ? value.slice(1) : value;
      if (!handlePattern.test(handle)) this.failHandle(valueSpan, handle);
      return { type: "filter", field, value: handle };
    }
    return { type: "filter", field, value };
  }

  private failNothingToMatch(token: Token): never {
    fail(
      "nothing_to_match",
      token,
      say(
        `${token.kind === "phrase" ? token.text : `"${token.text}"`} contains no letters or digits, so it can never match.`,
        `${token.kind === "phrase" ? token.text : `„${token.text}“`} enthält keine Buchstaben oder Ziffern und kann daher nie passen.`,
      ),
      say(
        "Remove it, or write the words you are looking for.",
        "Entfernen Sie es oder schreiben Sie die Wörter, die Sie suchen.",
      ),
    );
  }
}

/**
 * Whether the query would match a post that has none of the words, tags, handles, language, channel
 * or author it names, i.e. almost every post.
 */
function matchesBlankPost(node: QueryNode): boolean {
  switch (node.type) {
    case "not":
      return !matchesBlankPost(node.child);
    case "and":
      return node.children.every(matchesBlankPost);
    case "or":
      return node.children.some(matchesBlankPost);
    default:
      return false;
  }
}

/** The smallest part that makes the query match a blank post, to point the user at. */
function culprit(node: QueryNode): QueryNode {
  if (node.type === "or") return culprit(node.children.find(matchesBlankPost)!);
  return node;
}

export function parseQuery(source: string): ParseResult {
  if (typeof source !== "string") source = "";
  if (source.length > queryLimits.maxLength) {
    return {
      ok: false,
      error: syntaxError(
        "query_too_long",
        { start: queryLimits.maxLength, end: source.length },
        say(
          `The query is ${source.length.toLocaleString("en")} characters long; at most ${queryLimits.maxLength.toLocaleString("en")} are allowed.`,
          `Die Abfrage ist ${source.length.toLocaleString("de")} Zeichen lang; erlaubt sind höchstens ${queryLimits.maxLength.toLocaleString("de")}.`,
        ),
        say(
          "Shorten it, for example with wildcards such as bahn*, or split it into several queries.",
          "Kürzen Sie sie, zum Beispiel mit Platzhaltern wie bahn*, oder teilen Sie sie in mehrere Abfragen auf.",
        ),
      ),
    };
  }
  if (source.trim() === "") {
    return {
      ok: false,
      error: syntaxError(
        "empty_query",
        { start: 0, end: source.length },
        say("The query is empty.", "Die Abfrage ist leer."),
        say(
          "Type at least one word to listen for, e.g. nordbahn.",
          "Geben Sie mindestens ein Wort ein, auf das gehört werden soll, z. B. nordbahn.",
        ),
      ),
    };
  }
  try {
    const parser = new Parser(lex(source));
    const ast = parser.parseQuery();
    if (matchesBlankPost(ast)) {
      const at = parser.spans.get(culprit(ast))!;
      const snippet = source.slice(at.start, at.end);
      const shown = snippet.length > 60 ? `${snippet.slice(0, 57)}...` : snippet;
      return {
        ok: false,
        error: syntaxError(
          "only_exclusions",
          at,
          say(
            `"${shown}" only says what to leave out, so it would match almost every post.`,
            `„${shown}“ sagt nur, was ausgelassen werden soll, und träfe daher fast jeden Beitrag.`,
          ),
          say(
            "Say what to listen for as well, e.g. nordbahn NOT gewinnspiel; each side of an OR needs it too.",
            "Sagen Sie auch, worauf gehört werden soll, z. B. nordbahn NOT gewinnspiel; jede Seite eines OR braucht das ebenfalls.",
          ),
        ),
      };
    }
    return { ok: true, ast };
  } catch (failure) {
    if (failure instanceof ParseFailure) return { ok: false, error: failure.error };
    throw failure;
  }
}
