import type { RollupGrain } from "./schema.js";

/** Periods of the rollups and the dashboard, all in UTC. */
export const dayMs = 86_400_000;

export function startOfDay(at: Date): Date {
  return new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), at.getUTCDate()));
}

/** Monday 00:00 UTC of the ISO week that holds `at`. */
export function startOfWeek(at: Date): Date {
  const day = startOfDay(at);
  const weekday = (day.getUTCDay() + 6) % 7;
  return new Date(day.getTime() - weekday * dayMs);
}

export function startOfMonth(at: Date): Date {
  return new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), 1));
}

export function startOfQuarter(at: Date): Date {
  return new Date(Date.UTC(at.getUTCFullYear(), Math.floor(at.getUTCMonth() / 3) * 3, 1));
}

export type Interval = "day" | "week" | "month" | "quarter";

export function startOf(interval: Interval, at: Date): Date {
  if (interval === "day") return startOfDay(at);
  if (interval === "week") return startOfWeek(at);
  if (interval === "month") return startOfMonth(at);
  return startOfQuarter(at);
}

export function addInterval(interval: Interval, at: Date, count = 1): Date {
  if (interval === "day") return new Date(at.getTime() + count * dayMs);
  if (interval === "week") return new Date(at.getTime() + 7 * count * dayMs);
  const months = interval === "month" ? count : 3 * count;
  return new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth() + months, at.getUTCDate()));
}

export interface Segment {
  grain: RollupGrain;
  start: Date;
}

/**
 * The fewest rollup rows that exactly cover the days [from, to): whole quarters, then whole
 * months, then whole weeks, then single days. Both ends are taken to the day.
 */
export function coverRange(from: Date, to: Date): Segment[] {
  const segments: Segment[] = [];
  let cursor = startOfDay(from);
  const end = startOfDay(to).getTime() < to.getTime() ? addInterval("day", startOfDay(to)) : startOfDay(to);
  while (cursor < end) {
    const quarterEnd = addInterval("quarter", cursor);
    if (startOfQuarter(cursor).getTime() === cursor.getTime() && quarterEnd <= end) {
      segments.push({ grain: "quarter", start: cursor });
      cursor = quarterEnd;
      continue;
    }
    const monthEnd = addInterval("month", cursor);
    if (startOfMonth(cursor).getTime() === cursor.getTime() && monthEnd <= end) {
      segments.push({ grain: "month", start: cursor });
      cursor = monthEnd;
      continue;
    }
    const weekEnd = addInterval("week", cursor);
    if (startOfWeek(cursor).getTime() === cursor.getTime() && weekEnd <= end) {
      segments.push({ grain: "week", start: cursor });
      cursor = weekEnd;
      continue;
    }
    segments.push({ grain: "day", start: cursor });
    cursor = addInterval("day", cursor);
  }
  return segments;
}

/** The points of a trend: consecutive periods of `interval` from the one holding `from` until `to`. */
export function trendPoints(interval: Interval, from: Date, to: Date): Array<{ start: Date; end: Date }> {
  const points: Array<{ start: Date; end: Date }> = [];
  for (let start = startOf(interval, from); start < to; start = addInterval(interval, start)) {
    points.push({ start, end: addInterval(interval, start) });
    if (points.length > 400) break;
  }
  return points;
}
