import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { QueryNode } from "./queryAst.js";
import { describeQuery, formatQuery, queryTerms } from "./queryFormatter.js";
import { parseQuery } from "./queryParser.js";

function parsed(source: string): QueryNode {
  const result = parseQuery(source);
  if (!result.ok) throw new Error(`expected "${source}" to parse: ${result.error.message}`);
  return result.ast;
}

const examples = [
  "nordbahn",
  "Nordbahn*",
  '"Deutsche Bahn"',
  "„Deutsche Bahn“ ODER db",
  "a OR b AND NOT c",
  "(a OR b) (c OR d) -e",
  "a OR (b OR c) OR d",
  '("Nordbahn" OR @nordbahn OR #nordbahn) AND NOT gewinnspiel lang:de',
  "Müller UND (Straße ODER Gasse) NICHT #werbung*",
  "nordbahn (lang:de OR lang:en) -channel:x author:@kunde1.bsky.social",
  "NOT NOT nordbahn",
  "nordbahn -(gewinnspiel OR verlosung)",
  "-(a b) c",
  "deutsche-bahn e.on 12:30 https://nordbahn.de/hilfe",
  "tom and jerry",
  "@nordbahn@mastodon.social OR @nordbahn.bsky.social",
];

describe("writing a query back as text", () => {
  it.each(examples)("round-trips %s", (source) => {
    const ast = parsed(source);
    expect(parseQuery(formatQuery(ast))).toEqual({ ok: true, ast });
  });

  it("writes English operators, explicit AND and parentheses around groups", () => {
    expect(formatQuery(parsed("a UND b ODER c NICHT d"))).toBe("(a AND b) OR (c AND NOT d)");
    expect(formatQuery(parsed("(a OR b) -(c OR d)"))).toBe("(a OR b) AND NOT (c OR d)");
    expect(formatQuery(parsed("„Deutsche Bahn“ author:kunde1"))).toBe('"Deutsche Bahn" AND author:@kunde1');
  });

  it("quotes a term from the query builder that would otherwise read as something else", () => {
    const tree: QueryNode = {
      type: "and",
      children: [
        { type: "term", value: "nordbahn", prefix: false },
        { type: "term", value: "AND", prefix: false },
        { type: "term", value: "lang:de", prefix: false },
        { type: "term", value: "-x", prefix: false },
        { type: "phrase", value: 'say "hi"' },
      ],
    };
    expect(formatQuery(tree)).toBe('nordbahn AND "AND" AND "lang:de" AND "-x" AND "say  hi "');
    expect(parseQuery(formatQuery(tree)).ok).toBe(true);
  });
});

describe("describing how a query was understood", () => {
  it("shows the folded words the matcher looks for, whatever language the operators were in", () => {
    expect(describeQuery(parsed("Müller UND Straße* NICHT „Café Größe“"))).toBe(
      'mueller AND strasse* AND NOT "cafe groesse"',
    );
    expect(describeQuery(parsed("Deutsche-Bahn OR #DB OR @NordBahn lang:DE"))).toBe(
      '"deutsche bahn" OR #db OR (@nordbahn AND lang:de)',
    );
    expect(describeQuery(parsed("a UND b"))).toBe(describeQuery(parsed("A b")));
  });
});

describe("the terms a query listens for", () => {
  it("lists every term outside a NOT once, with the words to highlight", () => {
    const ast = parsed(
      '("Deutsche Bahn" OR @nordbahn OR #nordbahn OR Müller OR verspät*) -gewinnspiel -(x OR y) nordbahn',
    );
    expect(queryTerms(ast)).toEqual([
      { type: "phrase", value: "Deutsche Bahn", words: ["deutsche", "bahn"], prefix: false },
      { type: "handle", value: "nordbahn", words: ["nordbahn"], prefix: false },
      { type: "hashtag", value: "nordbahn", words: ["nordbahn"], prefix: false },
      { type: "term", value: "Müller", words: ["mueller"], prefix: false },
      { type: "term", value: "verspät", words: ["verspaet"], prefix: true },
      { type: "term", value: "nordbahn", words: ["nordbahn"], prefix: false },
    ]);
  });

  it("counts a term under two NOTs as listened for, and leaves filters out", () => {
    expect(queryTerms(parsed("NOT NOT nordbahn lang:de")).map((t) => t.value)).toEqual(["nordbahn"]);
  });
});

describe("properties", () => {
  const queryPieces = fc.constantFrom(
    "a",
    "Bahn",
    "müller",
    "straße",
    "bahn*",
    "x*",
    "*",
    " ",
    "  ",
    "(",
    ")",
    '"',
    "„",
    "“",
    "-",
    "#",
    "#tag",
    "@",
    "@nord.bahn",
    ":",
    "lang:de",
    "lang:",
    "channel:bluesky",
    "author:@kunde",
    "lnag:",
    "AND",
    "OR",
    "NOT",
    "UND",
    "ODER",
    "NICHT",
    "and",
    "!",
    ".",
    "é",
    "\u0308",
    "ß",
    "😀",
    "\t",
    "\n",
  );
  const querySoup = fc.array(queryPieces, { maxLength: 30 }).map((pieces) => pieces.join(""));

  it("never throws: every string parses or gives an error inside the query", () => {
    fc.assert(
      fc.property(
        fc.oneof(querySoup, fc.string({ maxLength: 60 }), fc.string({ unit: "grapheme", maxLength: 60 })),
        (source) => {
          const result = parseQuery(source);
          if (!result.ok) {
            const { position, length, message, hint } = result.error;
            expect(position).toBeGreaterThanOrEqual(0);
            expect(position + length).toBeLessThanOrEqual(source.length);
            expect(message.length).toBeGreaterThan(0);
            expect(hint.length).toBeGreaterThan(0);
          }
        },
      ),
      { numRuns: 3000 },
    );
  });

  it("formatQuery after parseQuery is stable: the text parses to the same tree", () => {
    fc.assert(
      fc.property(querySoup, (source) => {
        const result = parseQuery(source);
        if (!result.ok) return;
        const text = formatQuery(result.ast);
        expect(parseQuery(text)).toEqual({ ok: true, ast: result.ast });
        expect(formatQuery(parsed(text))).toBe(text);
      }),
      { numRuns: 3000 },
    );
  });

  it("formatQuery round-trips trees built the way the parser builds them", () => {
    const word = fc.constantFrom("nordbahn", "Müller", "deutsche-bahn", "e.on", "Straße", "zug", "12:30");
    const leaf: fc.Arbitrary<QueryNode> = fc.oneof(
      fc.record({ type: fc.constant("term" as const), value: word, prefix: fc.boolean() }),
      fc.record({
        type: fc.constant("phrase" as const),
        value: fc.constantFrom("Deutsche Bahn", "zu spät", " a b "),
      }),
      fc.record({
        type: fc.constant("hashtag" as const),
        value: fc.constantFrom("nordbahn", "DB_Info"),
        prefix: fc.boolean(),
      }),
      fc.record({
        type: fc.constant("handle" as const),
        value: fc.constantFrom("nordbahn", "nordbahn.bsky.social"),
      }),
      fc.record({
        type: fc.constant("filter" as const),
        field: fc.constant("lang" as const),
        value: fc.constantFrom("de", "en"),
      }),
    );
    const { tree } = fc.letrec<{ tree: QueryNode; group: QueryNode }>((tie) => ({
      tree: fc.oneof({ depthSize: "small", withCrossShrink: true }, leaf, tie("group")),
      group: fc.oneof(
        fc.array(tie("tree"), { minLength: 2, maxLength: 4 }).map((children) => flat("and", children)),
        fc.array(tie("tree"), { minLength: 2, maxLength: 4 }).map((children) => flat("or", children)),
        tie("tree").map((child): QueryNode => ({ type: "not", child })),
      ),
    }));
    fc.assert(
      fc.property(tree, (ast) => {
        const result = parseQuery(formatQuery(ast));
        // Trees that only exclude are refused by the parser; everything else comes back unchanged.
        if (!result.ok) expect(result.error.code).toBe("only_exclusions");
        else expect(result.ast).toEqual(ast);
      }),
      { numRuns: 2000 },
    );
  });
});

function flat(type: "and" | "or", children: QueryNode[]): QueryNode {
  return { type, children: children.flatMap((child) => (child.type === type ? child.children : [child])) };
}
