/**
 * Which client address belongs to which MAC, learned from what the client
 * itself did: a ProxyDHCP request on port 4011 (sent from its address), a
 * fetch of its own per-MAC menu or answers, a callback. A later kernel
 * fetch from that address then counts for that host. Bounded: at most
 * `maxEntries` addresses, the oldest forgotten first, and an entry expires
 * after `ttlMs`, so a reused address cannot be blamed on an old host.
 */

/** Options of ClientTracker. */
export interface ClientTrackerOptions {
  maxEntries?: number;
  ttlMs?: number;
  now?: () => number;
}

/** Address → MAC, bounded. */
export class ClientTracker {
  readonly #byAddress = new Map<string, { mac: string; at: number }>();
  readonly #max: number;
  readonly #ttl: number;
  readonly #now: () => number;

  constructor(options: ClientTrackerOptions = {}) {
    this.#max = options.maxEntries ?? 4096;
    this.#ttl = options.ttlMs ?? 6 * 3600_000;
    this.#now = options.now ?? Date.now;
  }

  /** Remember that `address` is `mac` (an IPv4-mapped IPv6 address counts as the IPv4 one). */
  learn(address: string, mac: string): void {
    const key = address.replace(/^::ffff:/u, '');
    if (key === '' || key === '0.0.0.0') return;
    this.#byAddress.delete(key);
    this.#byAddress.set(key, { mac, at: this.#now() });
    if (this.#byAddress.size > this.#max) this.#byAddress.delete(this.#byAddress.keys().next().value as string);
  }

  /** Return the MAC last seen at `address`, unless forgotten. */
  macOf(address: string): string | undefined {
    const key = address.replace(/^::ffff:/u, '');
    const entry = this.#byAddress.get(key);
    if (entry === undefined) return undefined;
    if (this.#now() - entry.at > this.#ttl) {
      this.#byAddress.delete(key);
      return undefined;
    }
    return entry.mac;
  }

  get size(): number {
    return this.#byAddress.size;
  }
}
