/**
 * Counts events per key in a sliding window, in this process (one visitor's widget talks to one
 * process for the life of its socket). `take` says whether one more is allowed now.
 */
export class SlidingWindowLimit {
  private readonly events = new Map<string, number[]>();

  constructor(
    private readonly max: number,
    private readonly windowMs: number,
  ) {}

  take(key: string, now: number): boolean {
    const recent = (this.events.get(key) ?? []).filter((t) => now - t < this.windowMs);
    if (recent.length >= this.max) {
      this.events.set(key, recent);
      return false;
    }
    recent.push(now);
    this.events.set(key, recent);
    if (this.events.size > 10_000) this.forgetOld(now);
    return true;
  }

  /** Seconds until the oldest counted event leaves the window. */
  retryAfterSeconds(key: string, now: number): number {
    const oldest = this.events.get(key)?.[0];
    return oldest === undefined ? 0 : Math.max(1, Math.ceil((oldest + this.windowMs - now) / 1000));
  }

  private forgetOld(now: number) {
    for (const [key, times] of this.events) {
      if (times.every((t) => now - t >= this.windowMs)) this.events.delete(key);
    }
  }
}
