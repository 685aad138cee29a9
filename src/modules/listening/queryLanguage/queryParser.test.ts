import { describe, expect, it } from "vitest";
import type { QueryNode, QuerySyntaxError } from "./queryAst.js";
import { parseQuery } from "./queryParser.js";

const term = (value: string, prefix = false): QueryNode => ({ type: "term", value, prefix });

function parsed(source: string): QueryNode {
  const result = parseQuery(source);
  if (!result.ok) throw new Error(`expected "${source}" to parse: ${result.error.message}`);
  return result.ast;
}

function failure(source: string): QuerySyntaxError {
  const result = parseQuery(source);
  if (result.ok) throw new Error(`expected "${source}" to fail, got ${JSON.stringify(result.ast)}`);
  return result.error;
}

describe("reading a listening query", () => {
  it("binds NOT tighter than AND, and AND tighter than OR", () => {
    expect(parsed("a OR b AND NOT c")).toEqual({
      type: "or",
      children: [term("a"), { type: "and", children: [term("b"), { type: "not", child: term("c") }] }],
    });
    expect(parsed("a AND b OR c")).toEqual({
      type: "or",
      children: [{ type: "and", children: [term("a"), term("b")] }, term("c")],
    });
  });

  it("reads words side by side as AND, with the same precedence", () => {
    expect(parsed("nordbahn verspätung")).toEqual({
      type: "and",
      children: [term("nordbahn"), term("verspätung")],
    });
    expect(parsed("a b OR c")).toEqual(parsed("(a AND b) OR c"));
    expect(parsed("a NOT b")).toEqual({
      type: "and",
      children: [term("a"), { type: "not", child: term("b") }],
    });
  });

  it("lets parentheses override precedence and flattens chains of the same operator", () => {
    expect(parsed("(a OR b) c")).toEqual({
      type: "and",
      children: [{ type: "or", children: [term("a"), term("b")] }, term("c")],
    });
    expect(parsed("a OR (b OR c) OR d")).toEqual({
      type: "or",
      children: [term("a"), term("b"), term("c"), term("d")],
    });
    expect(parsed("((a))")).toEqual(term("a"));
  });

  it("understands German operators and the minus sign", () => {
    expect(parsed("a UND b ODER NICHT c d")).toEqual(parsed("a AND b OR NOT c d"));
    expect(parsed("nordbahn -gewinnspiel")).toEqual(parsed("nordbahn NOT gewinnspiel"));
    expect(parsed('bahn -"deutsche bahn" -(a OR b)')).toEqual(
      parsed('bahn NOT "deutsche bahn" NOT (a OR b)'),
    );
  });

  it("treats lower-case and, oder, nicht as ordinary words", () => {
    expect(parsed("tom and jerry")).toEqual({
      type: "and",
      children: [term("tom"), term("and"), term("jerry")],
    });
    expect(parsed("constructor toString")).toEqual({
      type: "and",
      children: [term("constructor"), term("toString")],
    });
    expect(parsed("nicht pünktlich")).toEqual({ type: "and", children: [term("nicht"), term("pünktlich")] });
  });

  it("reads phrases in straight and German quotation marks", () => {
    expect(parsed('"Deutsche Bahn"')).toEqual({ type: "phrase", value: "Deutsche Bahn" });
    expect(parsed("„Deutsche Bahn“")).toEqual({ type: "phrase", value: "Deutsche Bahn" });
    expect(parsed("“Deutsche Bahn”")).toEqual({ type: "phrase", value: "Deutsche Bahn" });
  });

  it("reads wildcards, hashtags, handles and filters", () => {
    expect(parsed("bahn*")).toEqual(term("bahn", true));
    expect(parsed("#Nordbahn #bahn*")).toEqual({
      type: "and",
      children: [
        { type: "hashtag", value: "Nordbahn", prefix: false },
        { type: "hashtag", value: "bahn", prefix: true },
      ],
    });
    expect(parsed("@nordbahn.bsky.social")).toEqual({ type: "handle", value: "nordbahn.bsky.social" });
    expect(parsed("@nordbahn@mastodon.social")).toEqual({
      type: "handle",
      value: "nordbahn@mastodon.social",
    });
    expect(parsed("nordbahn lang:de channel:Bluesky author:@kunde1.bsky.social AUTHOR:kunde2")).toEqual({
      type: "and",
      children: [
        term("nordbahn"),
        { type: "filter", field: "lang", value: "de" },
        { type: "filter", field: "channel", value: "Bluesky" },
        { type: "filter", field: "author", value: "kunde1.bsky.social" },
        { type: "filter", field: "author", value: "kunde2" },
      ],
    });
  });

  it("combines filters with the boolean logic like terms", () => {
    expect(parsed("nordbahn (lang:de OR lang:en) -channel:x")).toEqual({
      type: "and",
      children: [
        term("nordbahn"),
        {
          type: "or",
          children: [
            { type: "filter", field: "lang", value: "de" },
            { type: "filter", field: "lang", value: "en" },
          ],
        },
        { type: "not", child: { type: "filter", field: "channel", value: "x" } },
      ],
    });
    // A filter alone is a query: everything an account writes, for instance.
    expect(parsed("author:@nordbahn")).toEqual({ type: "filter", field: "author", value: "nordbahn" });
  });

  it("keeps words with inner hyphens, dots and links as one term", () => {
    expect(parsed("deutsche-bahn")).toEqual(term("deutsche-bahn"));
    expect(parsed("e.on")).toEqual(term("e.on"));
    expect(parsed("12:30")).toEqual(term("12:30"));
    expect(parsed("https://nordbahn.de")).toEqual(term("https://nordbahn.de"));
  });
});

describe("syntax errors say where and what to do", () => {
  const cases: Array<{
    source: string;
    code: QuerySyntaxError["code"];
    position: number;
    length: number;
    message?: RegExp;
    hint: RegExp;
  }> = [
    { source: "", code: "empty_query", position: 0, length: 0, hint: /at least one word/ },
    { source: "   ", code: "empty_query", position: 0, length: 3, hint: /at least one word/ },
    {
      source: "nordbahn (bahn OR zug",
      code: "unclosed_parenthesis",
      position: 9,
      length: 1,
      hint: /^Close the parenthesis opened at position 10 with \)\.$/,
    },
    {
      source: "(nordbahn OR",
      code: "missing_term_after_operator",
      position: 10,
      length: 2,
      message: /^OR at the end needs a term after it\.$/,
      hint: /Write a term after OR/,
    },
    { source: "(", code: "unclosed_parenthesis", position: 0, length: 1, hint: /position 1 with \)/ },
    {
      source: "nordbahn)",
      code: "unopened_parenthesis",
      position: 8,
      length: 1,
      message: /position 9/,
      hint: /add \(/,
    },
    { source: ") nordbahn", code: "unopened_parenthesis", position: 0, length: 1, hint: /Remove it/ },
    { source: "a ()", code: "empty_parentheses", position: 2, length: 2, hint: /between \( and \)/ },
    {
      source: 'bahn "deutsche bahn',
      code: "unclosed_quote",
      position: 5,
      length: 14,
      hint: /position 6 with "/,
    },
    { source: 'a ""', code: "empty_phrase", position: 2, length: 2, hint: /between the quotation marks/ },
    { source: 'a " "', code: "empty_phrase", position: 2, length: 3, hint: /between the quotation marks/ },
    {
      source: "nordbahn AND",
      code: "missing_term_after_operator",
      position: 9,
      length: 3,
      message: /^AND at the end needs a term after it\.$/,
      hint: /nordbahn AND bahn/,
    },
    {
      source: "AND nordbahn",
      code: "missing_term_before_operator",
      position: 0,
      length: 3,
      message: /AND at the start/,
      hint: /before AND/,
    },
    {
      source: "(ODER a)",
      code: "missing_term_before_operator",
      position: 1,
      length: 4,
      message: /right after \(/,
      hint: /before ODER/,
    },
    {
      source: "a AND OR b",
      code: "missing_term_after_operator",
      position: 2,
      length: 6,
      message: /AND is directly followed by OR/,
      hint: /between AND and OR/,
    },
    {
      source: "(a AND) b",
      code: "missing_term_after_operator",
      position: 3,
      length: 3,
      message: /but \) follows/,
      hint: /between AND and \)/,
    },
    {
      source: "NOT",
      code: "missing_term_after_operator",
      position: 0,
      length: 3,
      message: /^NOT at the end/,
      hint: /NOT gewinnspiel/,
    },
    {
      source: "nordbahn NICHT",
      code: "missing_term_after_operator",
      position: 9,
      length: 5,
      hint: /NICHT gewinnspiel/,
    },
    { source: "nordbahn -", code: "lone_minus", position: 9, length: 1, hint: /-gewinnspiel/ },
    { source: "nordbahn - gewinnspiel", code: "lone_minus", position: 9, length: 1, hint: /without a space/ },
    {
      source: "NOT gewinnspiel",
      code: "only_exclusions",
      position: 0,
      length: 15,
      hint: /nordbahn NOT gewinnspiel/,
    },
    {
      source: "-gewinnspiel -werbung",
      code: "only_exclusions",
      position: 0,
      length: 21,
      hint: /what to listen for/,
    },
    {
      source: "nordbahn OR -gewinnspiel",
      code: "only_exclusions",
      position: 12,
      length: 12,
      hint: /each side of an OR/,
    },
    {
      source: "lnag:de",
      code: "unknown_filter",
      position: 0,
      length: 5,
      message: /^Unknown filter "lnag:"; use lang:, channel: or author:\.$/,
      hint: /quotation marks/,
    },
    {
      source: "lang:",
      code: "invalid_filter_value",
      position: 0,
      length: 5,
      message: /needs a value/,
      hint: /lang:de/,
    },
    {
      source: "a lang:deutsch",
      code: "invalid_filter_value",
      position: 7,
      length: 7,
      hint: /two-letter language code/,
    },
    {
      source: "a channel:blusky",
      code: "invalid_filter_value",
      position: 10,
      length: 6,
      message: /Unknown channel "blusky"/,
      hint: /bluesky, mastodon/,
    },
    { source: "a author:@", code: "invalid_handle", position: 9, length: 1, hint: /@nordbahn/ },
    { source: "*bahn", code: "invalid_wildcard", position: 0, length: 1, hint: /only|bahn\*/ },
    { source: "ba*hn", code: "invalid_wildcard", position: 2, length: 1, hint: /not supported/ },
    {
      source: "b*",
      code: "invalid_wildcard",
      position: 0,
      length: 2,
      message: /at least 2 letters/,
      hint: /bahn\*/,
    },
    {
      source: "bahn-*",
      code: "invalid_wildcard",
      position: 5,
      length: 1,
      message: /letter or digit/,
      hint: /bahn\*/,
    },
    { source: "a *", code: "invalid_wildcard", position: 2, length: 1, hint: /bahn\*/ },
    {
      source: "@nord*",
      code: "invalid_wildcard",
      position: 5,
      length: 1,
      message: /handles/,
      hint: /whole handle/,
    },
    {
      source: "a #",
      code: "invalid_hashtag",
      position: 2,
      length: 1,
      message: /needs a word/,
      hint: /#nordbahn/,
    },
    { source: "#nord-bahn", code: "invalid_hashtag", position: 0, length: 10, hint: /letters, digits or _/ },
    {
      source: "a @",
      code: "invalid_handle",
      position: 2,
      length: 1,
      message: /needs a handle/,
      hint: /@nordbahn/,
    },
    { source: "@nordbahn,", code: "invalid_handle", position: 0, length: 10, hint: /letters, digits/ },
    {
      source: "a !!!",
      code: "nothing_to_match",
      position: 2,
      length: 3,
      message: /no letters or digits/,
      hint: /Remove it/,
    },
    { source: 'a "?!"', code: "nothing_to_match", position: 2, length: 4, hint: /Remove it/ },
  ];

  for (const { source, code, position, length, message, hint } of cases) {
    it(`${code}: ${JSON.stringify(source)}`, () => {
      const error = failure(source);
      expect(error).toMatchObject({ code, position, length });
      expect(error.hint).toMatch(hint);
      if (message) expect(error.message).toMatch(message);
      expect(error.message.length).toBeGreaterThan(0);
    });
  }

  it("refuses a query longer than 2,000 characters, pointing at where it overflows", () => {
    const error = failure("nordbahn ".repeat(250));
    expect(error).toMatchObject({ code: "query_too_long", position: 2000, length: 250 });
    expect(error.message).toMatch(/2,250 characters long; at most 2,000/);
    expect(parseQuery(`"${"deutsche bahn ".repeat(142)}1234567890"`).ok).toBe(true);
  });

  it("refuses parentheses nested more than 20 deep", () => {
    expect(parseQuery(`${"(".repeat(20)}a${")".repeat(20)}`).ok).toBe(true);
    const error = failure(`${"(".repeat(21)}a${")".repeat(21)}`);
    expect(error).toMatchObject({ code: "too_deeply_nested", position: 20, length: 1 });
    expect(error.hint).toMatch(/fewer parentheses/);
    expect(failure(`a ${"NOT ".repeat(21)}b`)).toMatchObject({ code: "too_deeply_nested", position: 82 });
  });

  it("refuses more than 200 terms, pointing at the first one too many", () => {
    const words = Array.from({ length: 201 }, (_, i) => `w${i}`);
    expect(parseQuery(words.slice(0, 200).join(" OR ")).ok).toBe(true);
    const source = words.join(" OR ");
    const error = failure(source);
    expect(error).toMatchObject({ code: "too_many_terms", position: source.lastIndexOf("w200"), length: 4 });
    expect(error.hint).toMatch(/Split it/);
  });

  it("does not throw on input that is not a string", () => {
    expect(parseQuery(undefined as unknown as string)).toMatchObject({
      ok: false,
      error: { code: "empty_query" },
    });
  });
});

describe("messages in German", () => {
  it("every error carries its message and hint in German as well", () => {
    for (const source of [
      "nordbahn AND (zug OR bahn",
      "nordbahn OR",
      "b*",
      "lnag:de bahn",
      '""',
      "-gewinnspiel",
      "x".repeat(2_001),
      "   ",
    ]) {
      const result = parseQuery(source);
      expect(result.ok).toBe(false);
      if (result.ok) continue;
      expect(result.error.de.message).not.toBe(result.error.message);
      expect(result.error.de.hint).not.toBe(result.error.hint);
      expect(result.error.de.message.length).toBeGreaterThan(10);
    }
  });

  it("says where the parenthesis was opened, in German", () => {
    const result = parseQuery("nordbahn AND (zug OR bahn");
    expect(result.ok ? undefined : result.error.de).toEqual({
      message: "Die an Position 14 geöffnete Klammer wird nie geschlossen.",
      hint: "Schließen Sie die an Position 14 geöffnete Klammer mit ).",
    });
  });
});
