import { describe, expect, it } from "vitest";
import { generatePopulation, measure } from "../../bench/identity/population.js";
import {
  defaultCertainty,
  handleLetters,
  jaroWinkler,
  nameTokens,
  resolveIdentities,
} from "../../src/modules/contacts/identityMatching.js";

describe("identity resolution quality", () => {
  it("on a generated customer base with known truth, precision ≥ 0.98 at the default certainty (recall reported)", () => {
    // A fifth of the bench:identity size, so the test stays fast; the full 10,000/50,000 run is the bench.
    const population = generatePopulation({ contacts: 2000, authors: 10_000, seed: 7 });
    const started = performance.now();
    const candidates = resolveIdentities(population.contacts, population.authors);
    const ms = performance.now() - started;
    const quality = measure(population, candidates, defaultCertainty);
    console.log(
      `identity resolution on 2,000 contacts × 10,000 authors: precision ${quality.precision.toFixed(4)}, recall ${quality.recall.toFixed(4)} (${quality.correct}/${quality.customerAccounts}), ${Math.round(ms)} ms`,
    );
    expect(quality.predicted).toBeGreaterThan(200);
    expect(quality.precision).toBeGreaterThanOrEqual(0.98);
    expect(quality.recall).toBeGreaterThan(0.25);
  });

  it("reads names the way people write them: umlauts, ß, reversed order, nicknames", () => {
    expect(nameTokens("Müller, Jürgen")).toEqual(["mueller", "juergen"]);
    expect(nameTokens("Weiß")).toEqual(["weiss"]);
    expect(handleLetters("@j.mueller84@norden.social")).toBe("jmueller");
    expect(handleLetters("kathi-zaunkoenig.bsky.social")).toBe("kathizaunkoenig");
    expect(jaroWinkler("mueller", "muller")).toBeGreaterThan(0.9);
    const [c] = resolveIdentities(
      [{ id: "c1", displayName: "Katharina Zaunkönig" }],
      [
        {
          id: "a1",
          network: "bluesky",
          handle: "kathi.zaunkoenig.bsky.social",
          displayName: "Kathi Zaunkoenig",
        },
      ],
    );
    expect(c).toMatchObject({ contactId: "c1" });
    expect(c!.evidence.map((e) => e.kind)).toEqual(
      expect.arrayContaining(["name_similarity", "handle_similarity", "rare_surname"]),
    );
  });

  it("a shared e-mail decides only together with the name; two equal namesakes are never likely", () => {
    const contacts = [
      { id: "anna", displayName: "Anna Schmidt", email: "familie.schmidt@web.de" },
      { id: "bernd", displayName: "Bernd Schmidt", email: "Familie.Schmidt@web.de" },
      { id: "t1", displayName: "Thomas Müller" },
      { id: "t2", displayName: "Thomas Müller" },
    ];
    const authors = [
      { id: "mail", network: "email", handle: "familie.schmidt@web.de", displayName: "Bernd Schmidt" },
      { id: "tm", network: "x", handle: "thomasmueller", displayName: "Thomas Müller" },
    ];
    const found = resolveIdentities(contacts, authors);
    const best = (id: string) =>
      found.filter((c) => c.identityId === id).sort((a, b) => b.score - a.score)[0];
    expect(best("mail")).toMatchObject({ contactId: "bernd" });
    expect(best("mail")!.score).toBeGreaterThanOrEqual(defaultCertainty);
    expect(
      found.filter((c) => c.identityId === "mail" && c.contactId === "anna")[0]?.score ?? 0,
    ).toBeLessThan(defaultCertainty);
    expect(best("tm")!.score).toBeLessThan(defaultCertainty);
    expect(best("tm")!.evidence.map((e) => e.kind)).toContain("ambiguous");
  });
});
