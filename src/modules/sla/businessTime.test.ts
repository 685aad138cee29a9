import { describe, expect, it } from "vitest";
import { addBusinessMinutes, type Schedule } from "./businessTime.js";

const berlinOffice: Schedule = {
  timezone: "Europe/Berlin",
  weeklyRanges: [1, 2, 3, 4, 5].map((weekday) => ({ weekday, start: "09:00", end: "17:00" })),
  holidays: [{ date: "2026-12-25", name: "1. Weihnachtstag" }],
};

describe("business time", () => {
  it("runs around the clock without a schedule", () => {
    expect(addBusinessMinutes(new Date("2026-03-06T22:00:00Z"), 24 * 60, null).toISOString()).toBe(
      "2026-03-07T22:00:00.000Z",
    );
  });

  it("counts only opening hours: a Friday-evening post is due on Monday morning", () => {
    // Friday 18:00 in Berlin (17:00 UTC, winter time) + 15 working minutes → Monday 09:15 Berlin.
    const due = addBusinessMinutes(new Date("2026-03-06T17:00:00Z"), 15, berlinOffice);
    expect(due.toISOString()).toBe("2026-03-09T08:15:00.000Z");
  });

  it("carries the rest of a target over to the next working day", () => {
    // Tuesday 16:00 Berlin + 2 h → Wednesday 10:00 Berlin.
    const due = addBusinessMinutes(new Date("2026-03-10T15:00:00Z"), 120, berlinOffice);
    expect(due.toISOString()).toBe("2026-03-11T09:00:00.000Z");
  });

  it("skips holidays", () => {
    // Thursday 24 Dec 2026, 16:30 Berlin + 1 h → 30 min that day, the rest on Monday 28 Dec (25th is a holiday, then weekend).
    const due = addBusinessMinutes(new Date("2026-12-24T15:30:00Z"), 60, berlinOffice);
    expect(due.toISOString()).toBe("2026-12-28T08:30:00.000Z");
  });

  it("follows the time zone across the change to summer time", () => {
    // Friday 27 March 2026 17:00 Berlin (CET); clocks go forward on Sunday 29th. Monday 09:00 is CEST (07:00 UTC).
    const due = addBusinessMinutes(new Date("2026-03-27T16:00:00Z"), 30, berlinOffice);
    expect(due.toISOString()).toBe("2026-03-30T07:30:00.000Z");
  });
});
