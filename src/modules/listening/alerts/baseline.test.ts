import { describe, expect, it } from "vitest";
import { judgeLastHour, judgeNegativeShare, median } from "./baseline.js";

/** Four weeks of a realistic hourly pattern: busy weekday mornings, quiet nights and weekends. */
function usualWeeks(weeks: number, scale = 1): number[] {
  const hourly: number[] = [];
  for (let h = 0; h < weeks * 168; h += 1) {
    const hourOfDay = h % 24;
    const weekday = Math.floor(h / 24) % 7 < 5;
    const base = hourOfDay >= 7 && hourOfDay <= 10 ? 40 : hourOfDay >= 11 && hourOfDay <= 19 ? 20 : 3;
    const noise = ((h * 7919) % 7) - 3;
    hourly.push(Math.max(0, Math.round((weekday ? base : base / 3) * scale) + noise));
  }
  return hourly;
}

describe("seasonal baselines for alerts", () => {
  it("takes the median", () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 2, 3])).toBe(2.5);
    expect(median([])).toBe(0);
  });

  it("a normal Monday morning is no alarm", () => {
    const hourly = usualWeeks(4);
    // Hour 8 of the first day of week 5 (a weekday morning), as busy as usual.
    const monday = [...hourly, ...usualWeeks(1).slice(0, 9)];
    const judgement = judgeLastHour(monday);
    expect(judgement.observed).toBeGreaterThan(30);
    expect(judgement.spike).toBe(false);
  });

  it("the same volume at 2 a.m. on a Sunday is a spike", () => {
    const hourly = usualWeeks(4);
    const sundayNight = [...hourly, ...usualWeeks(1).slice(0, 6 * 24 + 2), 40];
    const judgement = judgeLastHour(sundayNight);
    expect(judgement.expected).toBeLessThan(5);
    expect(judgement.spike).toBe(true);
  });

  it("works from a few days of history and never fires below the minimum count", () => {
    const days = usualWeeks(1).slice(0, 72);
    expect(judgeLastHour([...days, 60]).spike).toBe(true);
    expect(judgeLastHour([...days, 6], { minCount: 10 }).spike).toBe(false);
    expect(judgeLastHour([0, 0, 0, 9]).spike).toBe(false);
  });

  it("a higher level all week is no spike, only a jump above it", () => {
    const hourly = [...usualWeeks(4), ...usualWeeks(1, 2).slice(0, 30)];
    expect(judgeLastHour(hourly).spike).toBe(false);
  });

  it("detects a storm: many more negative mentions than usual", () => {
    expect(
      judgeNegativeShare({ negative: 40, total: 50, baselineNegative: 300, baselineTotal: 1500 }).spike,
    ).toBe(true);
    expect(
      judgeNegativeShare({ negative: 12, total: 60, baselineNegative: 300, baselineTotal: 1500 }).spike,
    ).toBe(false);
    // Two angry posts on a quiet day are not a storm.
    expect(judgeNegativeShare({ negative: 2, total: 2, baselineNegative: 0, baselineTotal: 0 }).spike).toBe(
      false,
    );
  });
});
