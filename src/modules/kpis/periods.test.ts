import { describe, expect, it } from "vitest";
import { bucketOf, bucketValue, percentile } from "./histogram.js";
import { addInterval, coverRange } from "./periods.js";

describe("rollup periods and response-time buckets", () => {
  it("covers a range with whole months, then whole weeks, then days", () => {
    const segments = coverRange(new Date("2026-01-28T00:00:00Z"), new Date("2026-04-10T00:00:00Z"));
    const text = segments.map((s) => `${s.grain}:${s.start.toISOString().slice(0, 10)}`);
    expect(text).toEqual([
      "day:2026-01-28",
      "day:2026-01-29",
      "day:2026-01-30",
      "day:2026-01-31",
      "month:2026-02-01",
      "month:2026-03-01",
      "day:2026-04-01",
      "day:2026-04-02",
      "day:2026-04-03",
      "day:2026-04-04",
      "day:2026-04-05",
      "day:2026-04-06",
      "day:2026-04-07",
      "day:2026-04-08",
      "day:2026-04-09",
    ]);
    // A calendar year: four quarters.
    const year = coverRange(new Date("2025-01-01T00:00:00Z"), new Date("2026-01-01T00:00:00Z"));
    expect(year.map((s) => s.grain)).toEqual(["quarter", "quarter", "quarter", "quarter"]);
    // Any 365 days: quarters, months, weeks and days that add up to exactly 365 days.
    const rolling = coverRange(new Date("2025-11-24T00:00:00Z"), new Date("2026-11-24T00:00:00Z"));
    const days = rolling.reduce(
      (sum, s) => sum + (addInterval(s.grain, s.start).getTime() - s.start.getTime()) / 86_400_000,
      0,
    );
    expect(days).toBe(365);
    expect(rolling.filter((s) => s.grain === "quarter")).toHaveLength(3);
  });

  it("uses whole weeks between months", () => {
    const segments = coverRange(new Date("2026-03-02T00:00:00Z"), new Date("2026-03-16T00:00:00Z"));
    expect(segments.map((s) => s.grain)).toEqual(["week", "week"]);
  });

  it("keeps response times exact to the minute below two hours and within 2.5 % above", () => {
    expect(bucketValue(bucketOf(20))).toBe(20);
    expect(bucketValue(bucketOf(119.9))).toBe(119);
    for (const minutes of [120, 181, 1440, 10_000]) {
      expect(Math.abs(bucketValue(bucketOf(minutes)) - minutes) / minutes).toBeLessThan(0.026);
    }
    const histogram = new Map([
      [5, 1],
      [20, 1],
      [40, 1],
      [60, 1],
    ]);
    expect(percentile(histogram, 0.5)).toBe(20);
    expect(percentile(histogram, 0.9)).toBe(60);
    expect(percentile(new Map(), 0.5)).toBeNull();
  });
});
