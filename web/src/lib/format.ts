/** Dates and times as people read them, in the UI language. API dates arrive as ISO strings. */
export type DateInput = Date | string | number;

const units: [Intl.RelativeTimeFormatUnit, number][] = [
  ["year", 365 * 24 * 3600],
  ["month", 30 * 24 * 3600],
  ["week", 7 * 24 * 3600],
  ["day", 24 * 3600],
  ["hour", 3600],
  ["minute", 60],
];

/** "vor 2 Stunden" / "2 hours ago"; "gestern" / "yesterday". */
export function relativeTime(value: DateInput, locale: string, now: number = Date.now()): string {
  const seconds = (new Date(value).getTime() - now) / 1000;
  const format = new Intl.RelativeTimeFormat(locale, { numeric: "auto" });
  for (const [unit, size] of units) {
    if (Math.abs(seconds) >= size) return format.format(Math.round(seconds / size), unit);
  }
  return format.format(0, "second");
}

export function dateTime(value: DateInput, locale: string): string {
  return new Intl.DateTimeFormat(locale, { dateStyle: "medium", timeStyle: "short" }).format(new Date(value));
}

export function date(value: DateInput, locale: string): string {
  return new Intl.DateTimeFormat(locale, { dateStyle: "medium" }).format(new Date(value));
}

/** Short time for a list: "14:05" today, "12. Nov." this year, "12.11.2025" before. */
export function shortDate(value: DateInput, locale: string, now: Date = new Date()): string {
  const when = new Date(value);
  if (when.toDateString() === now.toDateString()) {
    return new Intl.DateTimeFormat(locale, { timeStyle: "short" }).format(when);
  }
  if (when.getFullYear() === now.getFullYear()) {
    return new Intl.DateTimeFormat(locale, { day: "numeric", month: "short" }).format(when);
  }
  return new Intl.DateTimeFormat(locale, { dateStyle: "short" }).format(when);
}

export function languageName(code: string | null | undefined, locale: string): string | undefined {
  if (!code) return undefined;
  try {
    return new Intl.DisplayNames([locale], { type: "language" }).of(code) ?? code;
  } catch {
    return code;
  }
}
