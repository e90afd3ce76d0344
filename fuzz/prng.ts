/**
 * Deterministic randomness for the fuzzer: mulberry32 (Tommy Ettinger's
 * 32-bit generator) seeded per case from (run seed, target, case index), so
 * any single case can be regenerated without replaying the ones before it.
 */

/** A seeded PRNG with the few draws the mutators need. */
export class Rng {
  #state: number;

  constructor(seed: number) {
    this.#state = seed >>> 0;
  }

  /** Next 32-bit unsigned value (mulberry32). */
  next(): number {
    this.#state = (this.#state + 0x6d2b79f5) >>> 0;
    let t = this.#state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  }

  /** Integer in [0, n). */
  below(n: number): number {
    return n <= 1 ? 0 : this.next() % n;
  }

  /** Integer in [lo, hi]. */
  between(lo: number, hi: number): number {
    return lo + this.below(hi - lo + 1);
  }

  /** True with probability p. */
  chance(p: number): boolean {
    return this.next() / 0x100000000 < p;
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new Error('pick from an empty list');
    return items[this.below(items.length)] as T;
  }
}

/** FNV-1a over a string, for mixing target names into seeds. */
export function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** The PRNG of one case: independent of every other case. */
export function caseRng(seed: number, target: string, index: number): Rng {
  let h = (seed ^ fnv1a(target)) >>> 0;
  h = Math.imul(h ^ (index >>> 0), 0x9e3779b1) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b) >>> 0;
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35) >>> 0;
  return new Rng((h ^ (h >>> 16)) >>> 0);
}
