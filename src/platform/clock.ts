/**
 * The time as the application sees it. Use cases and jobs take a `Clock` instead of calling
 * `new Date()`, so tests can move time forward (service-level clocks, snoozes) without waiting.
 */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

/** A clock that stands still until told to move: `advance(ms)` or `set(date)`. For tests and demos. */
export function manualClock(start: Date | string = "2026-03-02T08:00:00Z") {
  let current = new Date(start).getTime();
  return {
    now: () => new Date(current),
    advance(ms: number) {
      current += ms;
    },
    set(date: Date | string) {
      current = new Date(date).getTime();
    },
  };
}
export type ManualClock = ReturnType<typeof manualClock>;
