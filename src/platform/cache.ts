/**
 * A small in-process cache with a time to live and a size bound (oldest entries go first). Used
 * where a few seconds of staleness across processes are acceptable and a local change clears it.
 */
export class TtlCache<K, V> {
  private readonly entries = new Map<K, { value: V; until: number }>();

  constructor(
    private readonly ttlMs: number,
    private readonly maxEntries = 10_000,
  ) {}

  get(key: K): { value: V } | undefined {
    const hit = this.entries.get(key);
    if (!hit) return undefined;
    if (hit.until <= Date.now()) {
      this.entries.delete(key);
      return undefined;
    }
    return { value: hit.value };
  }

  set(key: K, value: V): void {
    if (this.entries.size >= this.maxEntries) {
      const oldest = this.entries.keys().next();
      if (!oldest.done) this.entries.delete(oldest.value);
    }
    this.entries.set(key, { value, until: Date.now() + this.ttlMs });
  }

  delete(key: K): void {
    this.entries.delete(key);
  }

  clear(): void {
    this.entries.clear();
  }

  /**
   * The cached value, or the loaded one (cached, also when it is undefined). A hit answers without a
   * promise: this sits on the path of every authenticated request.
   */
  getOrLoad(key: K, load: () => Promise<V>): V | Promise<V> {
    const hit = this.get(key);
    if (hit) return hit.value;
    return load().then((value) => {
      this.set(key, value);
      return value;
    });
  }
}
