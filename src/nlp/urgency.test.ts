import { describe, expect, it } from "vitest";
import { prepareText } from "./text.js";
import { scoreUrgency } from "./urgency.js";

const urgency = (text: string, negative: number | null = null, previousComplaints?: number) =>
  scoreUrgency({ tokens: prepareText(text).tokens, negative, offensive: null, previousComplaints });

describe("urgency", () => {
  it("is low for a calm question", () => {
    const r = urgency("Hallo, fährt der ICE morgen um 8 Uhr?", 0.1);
    expect(r.score).toBeLessThan(0.2);
    expect(r.reasons).toEqual([]);
  });

  it("is high for an angry repeated complaint and says why", () => {
    const r = urgency("Schon wieder kein Zug!!! Ich warte immer noch, antwortet SOFORT", 0.95);
    expect(r.score).toBeGreaterThan(0.8);
    expect(r.reasons).toEqual(
      expect.arrayContaining([
        "negative_sentiment",
        "cue:schon wieder",
        "cue:immer noch",
        "cue:sofort",
        "exclamation_marks",
      ]),
    );
  });

  it("recognises English impatience and capitals", () => {
    const r = urgency("STILL WAITING FOR MY BAG, fix this asap", 0.9);
    expect(r.score).toBeGreaterThan(0.8);
    expect(r.reasons).toEqual(expect.arrayContaining(["cue:still", "cue:asap", "capitals"]));
  });

  it("grows with the author's open complaints", () => {
    const once = urgency("Wo bleibt meine Erstattung?", 0.6);
    const again = urgency("Wo bleibt meine Erstattung?", 0.6, 3);
    expect(again.score).toBeGreaterThan(once.score);
    expect(again.reasons).toContain("repeated_complaint");
  });

  it("stays within 0..1 without any text", () => {
    const r = urgency("", null);
    expect(r.score).toBeGreaterThanOrEqual(0);
    expect(r.score).toBeLessThanOrEqual(1);
  });
});
