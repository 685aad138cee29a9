/** The time ranges the listening pages offer, and the dates they mean right now. */
export const timeRanges = ["24h", "7d", "28d", "90d"] as const;
export type TimeRange = (typeof timeRanges)[number];

const hours: Record<TimeRange, number> = { "24h": 24, "7d": 24 * 7, "28d": 24 * 28, "90d": 24 * 90 };

/** From the start of the hour `range` ago to the end of this hour, so a range stays stable for an hour. */
export function rangeDates(range: TimeRange, now = Date.now()): { from: string; to: string } {
  const hour = 3_600_000;
  const end = Math.ceil((now + 1) / hour) * hour;
  return { from: new Date(end - hours[range] * hour).toISOString(), to: new Date(end).toISOString() };
}

/** Hourly points for a day, daily points for longer ranges. */
export function intervalOf(range: TimeRange): "hour" | "day" {
  return range === "24h" ? "hour" : "day";
}
