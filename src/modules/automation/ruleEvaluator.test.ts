import { describe, expect, it } from "vitest";
import { containsWords, evaluateRule, type RoutingSubject } from "./ruleEvaluator.js";
import type { RuleCondition } from "./ruleTypes.js";

const subject = (overrides: Partial<RoutingSubject> = {}): RoutingSubject => ({
  kind: "mention",
  id: "00000000-0000-4000-8000-000000000001",
  conversationId: null,
  network: "bluesky",
  text: "Die neue App stürzt ständig ab, Kündigung überlegt",
  language: "de",
  sentiment: "negative",
  aspects: [{ category: "app", polarity: "negative" }],
  urgency: 0.4,
  offensiveScore: 0.1,
  matchedQueryIds: ["00000000-0000-4000-8000-0000000000aa"],
  authorIsVip: false,
  contactTags: ["Premium"],
  // Monday 2026-11-23, 10:00 in Berlin
  at: new Date("2026-11-23T09:00:00Z"),
  ...overrides,
});

const office = {
  schedules: new Map([
    [
      "hours",
      {
        timezone: "Europe/Berlin",
        weeklyRanges: [{ weekday: 1, start: "09:00", end: "17:00" }],
        holidays: [],
      },
    ],
  ]),
};

describe("routing rule conditions", () => {
  it("all: every condition must hold; any: one is enough; the held ones are reported", () => {
    const conditions: RuleCondition[] = [
      { type: "sentiment", sentiments: ["negative"] },
      { type: "aspect", aspects: ["App"], polarity: "negative" },
      { type: "language", languages: ["en"] },
    ];
    const all = evaluateRule({ match: "all", conditions }, subject(), office);
    expect(all).toEqual({ matched: false, matchedConditions: [0, 1] });
    const any = evaluateRule({ match: "any", conditions }, subject(), office);
    expect(any).toEqual({ matched: true, matchedConditions: [0, 1] });
    const none = evaluateRule(
      { match: "any", conditions: [{ type: "language", languages: ["en"] }] },
      subject(),
      office,
    );
    expect(none.matched).toBe(false);
    expect(evaluateRule({ match: "all", conditions: [] }, subject(), office).matched).toBe(true);
  });

  it("knows every kind of condition", () => {
    const holds = (condition: Parameters<typeof evaluateRule>[0]["conditions"][number], s = subject()) =>
      evaluateRule({ match: "all", conditions: [condition] }, s, office).matched;
    expect(holds({ type: "query", queryIds: ["00000000-0000-4000-8000-0000000000aa"] })).toBe(true);
    expect(holds({ type: "query", queryIds: ["00000000-0000-4000-8000-0000000000bb"] })).toBe(false);
    expect(holds({ type: "channel", networks: ["Bluesky"] })).toBe(true);
    expect(holds({ type: "channel", networks: ["mastodon"] })).toBe(false);
    expect(holds({ type: "aspect", aspects: ["app"], polarity: "positive" })).toBe(false);
    expect(holds({ type: "urgency", min: 0.4 })).toBe(true);
    expect(holds({ type: "urgency", min: 0.41 })).toBe(false);
    expect(holds({ type: "offensive", min: 0.5 })).toBe(false);
    expect(holds({ type: "offensive", min: 0.5 }, subject({ offensiveScore: 0.9 }))).toBe(true);
    expect(holds({ type: "keywords", keywords: ["kündigung"] })).toBe(true);
    expect(holds({ type: "keywords", keywords: ["stürzt ständig"] })).toBe(true);
    expect(holds({ type: "keywords", keywords: ["Kündig"] })).toBe(false);
    expect(holds({ type: "author_vip" })).toBe(false);
    expect(holds({ type: "author_vip" }, subject({ authorIsVip: true }))).toBe(true);
    expect(holds({ type: "contact_tag", tags: ["premium"] })).toBe(true);
    expect(holds({ type: "contact_tag", tags: ["b2b"] })).toBe(false);
  });

  it("business hours: inside Monday 10:00 Berlin, outside at 18:00 and on Sunday; unknown hours never hold", () => {
    const inside: RuleCondition = { type: "business_hours", businessHoursId: "hours", inside: true };
    const outside: RuleCondition = { type: "business_hours", businessHoursId: "hours", inside: false };
    const rule = (c: RuleCondition) => ({ match: "all" as const, conditions: [c] });
    expect(evaluateRule(rule(inside), subject(), office).matched).toBe(true);
    expect(evaluateRule(rule(outside), subject(), office).matched).toBe(false);
    const evening = subject({ at: new Date("2026-11-23T17:00:00Z") });
    expect(evaluateRule(rule(inside), evening, office).matched).toBe(false);
    expect(evaluateRule(rule(outside), evening, office).matched).toBe(true);
    const sunday = subject({ at: new Date("2026-11-22T10:00:00Z") });
    expect(evaluateRule(rule(outside), sunday, office).matched).toBe(true);
    const unknown: RuleCondition = { type: "business_hours", businessHoursId: "gone", inside: true };
    expect(evaluateRule(rule(unknown), subject(), office).matched).toBe(false);
  });

  it("matches keywords as whole words, case-insensitively, in any script", () => {
    expect(containsWords("Ärger mit der APP!", "app")).toBe(true);
    expect(containsWords("Apple ist toll", "app")).toBe(false);
    expect(containsWords("Zug (RE 7) fällt aus", "re 7")).toBe(true);
    expect(containsWords("a+b", "a+b")).toBe(true);
  });
});
