import type { Holiday, WeeklyRange } from "./schema.js";

/** Opening hours in a time zone, minus holidays; the service-level clocks only tick inside them. */
export interface Schedule {
  timezone: string;
  weeklyRanges: WeeklyRange[];
  holidays: Holiday[];
}

const minute = 60_000;
/** A schedule with no opening in this many days is taken as broken rather than looped over forever. */
const searchDays = 400;

/**
 * The instant `minutes` of working time after `from`. Without a schedule the clock runs around the
 * clock. Daylight-saving changes are handled by converting each local opening to UTC separately.
 */
export function addBusinessMinutes(from: Date, minutes: number, schedule: Schedule | null): Date {
  if (!schedule) return new Date(from.getTime() + minutes * minute);
  let remaining = minutes * minute;
  const cursor = from.getTime();
  const holidays = new Set(schedule.holidays.map((h) => h.date));
  let day = localDate(from, schedule.timezone);
  for (let i = 0; i < searchDays; i += 1) {
    const key = formatDay(day);
    if (!holidays.has(key)) {
      const ranges = schedule.weeklyRanges
        .filter((r) => r.weekday === isoWeekday(day))
        .toSorted((a, b) => a.start.localeCompare(b.start));
      for (const range of ranges) {
        const opens = zonedToUtc(day, range.start, schedule.timezone);
        const closes = zonedToUtc(day, range.end, schedule.timezone);
        const start = Math.max(opens, cursor);
        if (closes <= start) continue;
        if (remaining <= closes - start) return new Date(start + remaining);
        remaining -= closes - start;
      }
    }
    day = nextDay(day);
  }
  throw new Error(`The business hours in ${schedule.timezone} have no opening within ${searchDays} days.`);
}

/**
 * Working minutes between two instants (0 when `to` is not after `from`): the time the clocks
 * would have run. Without a schedule, plain minutes. A question at Friday 17:50 answered on Monday
 * at 09:10, with opening hours 9–18, took 20 business minutes.
 */
export function businessMinutesBetween(from: Date, to: Date, schedule: Schedule | null): number {
  if (to <= from) return 0;
  if (!schedule) return (to.getTime() - from.getTime()) / minute;
  const holidays = new Set(schedule.holidays.map((h) => h.date));
  let total = 0;
  let day = localDate(from, schedule.timezone);
  const last = formatDay(localDate(to, schedule.timezone));
  for (let i = 0; i < 5 * searchDays; i += 1) {
    const key = formatDay(day);
    if (!holidays.has(key)) {
      for (const range of schedule.weeklyRanges.filter((r) => r.weekday === isoWeekday(day))) {
        const opens = Math.max(zonedToUtc(day, range.start, schedule.timezone), from.getTime());
        const closes = Math.min(zonedToUtc(day, range.end, schedule.timezone), to.getTime());
        if (closes > opens) total += closes - opens;
      }
    }
    if (key >= last) break;
    day = nextDay(day);
  }
  return total / minute;
}

/** True when `at` falls inside the opening hours (no schedule: always). */
export function isOpenAt(at: Date, schedule: Schedule | null): boolean {
  return addBusinessMinutes(at, 0, schedule).getTime() === at.getTime();
}

/** True when `timezone` is an IANA zone this runtime knows. */
export function isKnownTimezone(timezone: string): boolean {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: timezone });
    return true;
  } catch {
    return false;
  }
}

interface Day {
  year: number;
  month: number;
  day: number;
}

function localParts(at: Date, timezone: string) {
  const parts = new Intl.DateTimeFormat("en-US", {
    timeZone: timezone,
    hourCycle: "h23",
    year: "numeric",
    month: "numeric",
    day: "numeric",
    hour: "numeric",
    minute: "numeric",
    second: "numeric",
  }).formatToParts(at);
  const get = (type: string) => Number(parts.find((p) => p.type === type)?.value ?? 0);
  return {
    year: get("year"),
    month: get("month"),
    day: get("day"),
    hour: get("hour"),
    minute: get("minute"),
    second: get("second"),
  };
}

function localDate(at: Date, timezone: string): Day {
  const { year, month, day } = localParts(at, timezone);
  return { year, month, day };
}

/** How far the zone's wall clock is ahead of UTC at `at`, in milliseconds. */
function offsetAt(at: number, timezone: string): number {
  const p = localParts(new Date(at), timezone);
  const wall = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second);
  return wall - Math.floor(at / 1000) * 1000;
}

/** The UTC instant of the local wall-clock time `hhmm` on `day` ("24:00" is the next midnight). */
function zonedToUtc(day: Day, hhmm: string, timezone: string): number {
  const [hours, minutes] = hhmm.split(":").map(Number) as [number, number];
  const wall = Date.UTC(day.year, day.month - 1, day.day, hours, minutes);
  let guess = wall - offsetAt(wall, timezone);
  // Once more with the offset at the guess, for openings right after a daylight-saving change.
  guess = wall - offsetAt(guess, timezone);
  return guess;
}

function isoWeekday(day: Day): number {
  const weekday = new Date(Date.UTC(day.year, day.month - 1, day.day)).getUTCDay();
  return weekday === 0 ? 7 : weekday;
}

function nextDay(day: Day): Day {
  const next = new Date(Date.UTC(day.year, day.month - 1, day.day + 1));
  return { year: next.getUTCFullYear(), month: next.getUTCMonth() + 1, day: next.getUTCDate() };
}

function formatDay(day: Day): string {
  return `${day.year}-${String(day.month).padStart(2, "0")}-${String(day.day).padStart(2, "0")}`;
}
