import { describe, expect, it } from "vitest";
import type { PostToMatch } from "./preparedPost.js";
import { preparePost } from "./preparedPost.js";
import { compileQuery, matchAll } from "./queryCompiler.js";
import { parseQuery } from "./queryParser.js";

function matcher(source: string) {
  const result = parseQuery(source);
  if (!result.ok) throw new Error(`"${source}" does not parse: ${result.error.message}`);
  return compileQuery(result.ast);
}

function matches(source: string, post: string | PostToMatch): boolean {
  return matcher(source).matches(typeof post === "string" ? { text: post } : post);
}

describe("matching posts against a listening query", () => {
  it("ignores case and respects word boundaries", () => {
    expect(matches("nordbahn", "Die NORDBAHN ist pünktlich")).toBe(true);
    expect(matches("bahn", "Stau auf der Autobahn")).toBe(false);
    expect(matches("bahn", "Die Bahn kommt")).toBe(true);
    expect(matches("bahn", "Bahn-Chaos heute")).toBe(true);
    expect(matches("nordbahn", "Alles unter https://nordbahn.de/hilfe")).toBe(true);
    expect(matches('"Deutsche Bahn"', "Deutsche Regional-Bahn")).toBe(false);
  });

  it("folds German spellings: umlauts as ae/oe/ue, ß as ss, other accents dropped", () => {
    expect(matches("Müller", "Herr Mueller schreibt")).toBe(true);
    expect(matches("Mueller", "Frau Müller schreibt")).toBe(true);
    expect(matches("Müller", "Frau Mu\u0308ller schreibt")).toBe(true);
    expect(matches("Straße", "Hauptstrasse gesperrt, die Strasse auch")).toBe(true);
    expect(matches("strasse", "Die STRASSE ist gesperrt")).toBe(true);
    expect(matches("STRASSE", "Die Straße ist gesperrt")).toBe(true);
    expect(matches("cafe", "Neues Café am Bahnhof")).toBe(true);
    expect(matches("Citroën", "citroen fährt")).toBe(true);
    // Only ü → ue: "Muller" without the e is a different word.
    expect(matches("Müller", "Herr Muller")).toBe(false);
  });

  it("evaluates NOT before AND before OR, and a space as AND", () => {
    const query = "nordbahn OR zug verspätung -gewinnspiel";
    expect(matches(query, "Nordbahn heute")).toBe(true);
    expect(matches(query, "Nordbahn gewinnspiel")).toBe(true); // the NOT belongs to the right-hand AND
    expect(matches(query, "Zug mit Verspätung")).toBe(true);
    expect(matches(query, "Zug mit Verspätung, Gewinnspiel!")).toBe(false);
    expect(matches(query, "Zug pünktlich")).toBe(false);
    expect(matches("(nordbahn OR zug) verspätung -gewinnspiel", "Nordbahn heute")).toBe(false);
  });

  it("matches a phrase as consecutive words, across hyphens and punctuation but not across other words", () => {
    expect(matches('"Deutsche Bahn"', "Ärger mit der Deutschen Bahn")).toBe(false);
    expect(matches('"Deutsche Bahn"', "Die deutsche Bahn kommt")).toBe(true);
    expect(matches('"Deutsche Bahn"', "#DeutscheBahn")).toBe(false);
    expect(matches('"Deutsche Bahn"', "deutsche-bahn.de ist offline")).toBe(true);
    expect(matches('"Deutsche Bahn"', "deutsche, bahn")).toBe(true);
    expect(matches('"Deutsche Bahn"', "die Bahn, deutsche Qualität")).toBe(false);
    expect(matches('"Deutsche Bahn"', "Deutsche @someone Bahn")).toBe(false);
    expect(matches('"Deutsche Bahn"', "#deutsche #bahn")).toBe(true);
    // A hyphenated term is the same as the phrase.
    expect(matches("deutsche-bahn", "Die Deutsche Bahn")).toBe(true);
    expect(matches("e.on", "Strom von E.ON")).toBe(true);
  });

  it("matches a trailing * as the beginning of a word, also in a phrase and a hashtag", () => {
    expect(matches("bahn*", "Am Bahnhof")).toBe(true);
    expect(matches("bahn*", "Bahn")).toBe(true);
    expect(matches("bahn*", "Autobahn")).toBe(false);
    expect(matches("verspät*", "Verspaetungen überall")).toBe(true);
    expect(matches("deutsche-bah*", "Deutsche Bahnhöfe")).toBe(true);
    expect(matches("#bahn*", "#Bahnstreik heute")).toBe(true);
    expect(matches("#bahn*", "Bahnstreik heute")).toBe(false);
  });

  it("matches #hashtags only as hashtags, while a plain word also finds the hashtag's word", () => {
    expect(matches("#nordbahn", "Die Nordbahn ist spät")).toBe(false);
    expect(matches("#nordbahn", "Spät wieder #NordBahn")).toBe(true);
    expect(matches("nordbahn", "Spät wieder #NordBahn")).toBe(true);
    expect(matches("#nordbahn", { text: "Spät wieder", hashtags: ["NordBahn"] })).toBe(true);
    expect(matches("#nordbahn", { text: "Spät wieder", hashtags: ["#nordbahn"] })).toBe(true);
    expect(matches("bahn", "#deutsche_bahn")).toBe(true);
    expect(matches("#nordbahn", "C#nordbahn is not a tag")).toBe(false);
  });

  it("matches @handles case-insensitively, with or without server or domain", () => {
    expect(matches("@nordbahn", "Hallo @NordBahn, wo bleibt der Zug?")).toBe(true);
    expect(matches("@nordbahn", "Hallo @nordbahn.bsky.social")).toBe(true);
    expect(matches("@nordbahn", "Hallo @nordbahn@mastodon.social!")).toBe(true);
    expect(matches("@nordbahn.bsky.social", "Hallo @nordbahn")).toBe(false);
    expect(matches("@nordbahn", "Hallo @nordbahnfan")).toBe(false);
    expect(matches("@nordbahn", "Die Nordbahn")).toBe(false);
    expect(matches("@nordbahn", "Mail an info@nordbahn.de")).toBe(false);
    // A plain word does not look inside handles; ask for @nordbahn for that.
    expect(matches("nordbahn", "Hallo @nordbahn")).toBe(false);
  });

  it("applies lang:, channel: and author: filters", () => {
    const post = {
      text: "Zug fällt aus",
      lang: "de-AT",
      channel: "bluesky",
      authorHandle: "Kunde1.bsky.social",
    };
    expect(matches("zug lang:de", post)).toBe(true);
    expect(matches("zug lang:en", post)).toBe(false);
    expect(matches("zug (lang:en OR lang:de)", post)).toBe(true);
    expect(matches("zug channel:bluesky", post)).toBe(true);
    expect(matches("zug -channel:bluesky", post)).toBe(false);
    expect(matches("zug author:@kunde1", post)).toBe(true);
    expect(matches("zug author:kunde1.bsky.social", post)).toBe(true);
    expect(matches("zug author:@kunde2", post)).toBe(false);
    expect(matches("author:@kunde1", post)).toBe(true);
    // A post without a language does not pass lang:de, and does pass NOT lang:de.
    expect(matches("zug lang:de", "Zug fällt aus")).toBe(false);
    expect(matches("zug -lang:de", "Zug fällt aus")).toBe(true);
  });

  it("matches the documented example", () => {
    const query = '("Nordbahn" OR @nordbahn OR #nordbahn) AND NOT gewinnspiel lang:de';
    expect(matches(query, { text: "Danke Nordbahn, heute pünktlich!", lang: "de" })).toBe(true);
    expect(matches(query, { text: "Danke @nordbahn!", lang: "de" })).toBe(true);
    expect(matches(query, { text: "Nordbahn Gewinnspiel: jetzt mitmachen", lang: "de" })).toBe(false);
    expect(matches(query, { text: "Nordbahn app works great", lang: "en" })).toBe(false);
  });

  it("checks one prepared post against many queries", () => {
    const queries = [
      { id: "brand", matcher: matcher("nordbahn OR @nordbahn OR #nordbahn") },
      { id: "competitor", matcher: matcher("südbahn OR #suedbahn") },
      { id: "campaign", matcher: matcher("#sommerticket lang:de") },
    ];
    const post = preparePost({ text: "Mit der Nordbahn und dem #Sommerticket an die See", lang: "de" });
    expect(matchAll(queries, post)).toEqual(["brand", "campaign"]);
    expect(matchAll(queries, { text: "Die Suedbahn ist besser" })).toEqual(["competitor"]);
    // The prepared post gives the same answers as the raw one, however often it is reused.
    expect(queries.map((q) => q.matcher.matches(post))).toEqual([true, false, true]);
  });

  it("matches nothing for a query tree the builder sent without words", () => {
    expect(compileQuery({ type: "term", value: "!!!", prefix: false }).matches({ text: "!!!" })).toBe(false);
    expect(compileQuery({ type: "and", children: [] }).matches({ text: "x" })).toBe(false);
  });
});
