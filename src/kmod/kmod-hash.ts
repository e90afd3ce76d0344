/**
 * The iteration order of kmod's hash table (kmod-project/kmod
 * shared/hash.c): Paul Hsieh's SuperFastHash of the key, masked to a
 * power-of-two bucket count; entries inside a bucket kept sorted by strcmp.
 * depmod walks its module and symbol tables in this order, so modules.symbols
 * and the order of modules absent from modules.order depend on it; we
 * reproduce it to emit the same bytes as depmod.
 */

/** Return kmod's hash_superfast() of a Latin-1 key (little-endian 16-bit reads, as on x86). */
export function hashSuperfast(key: string): number {
  let len = key.length;
  let hash = len >>> 0;
  const rem = len & 3;
  const u16 = (i: number) => key.charCodeAt(i) | (key.charCodeAt(i + 1) << 8);
  let p = 0;
  for (len >>>= 2; len > 0; len--, p += 4) {
    hash = (hash + u16(p)) >>> 0;
    const tmp = ((u16(p + 2) << 11) ^ hash) >>> 0;
    hash = ((hash << 16) ^ tmp) >>> 0;
    hash = (hash + (hash >>> 11)) >>> 0;
  }
  if (rem === 3) {
    hash = (hash + u16(p)) >>> 0;
    hash = (hash ^ (hash << 16)) >>> 0;
    hash = (hash ^ (signedChar(key.charCodeAt(p + 2)) << 18)) >>> 0;
    hash = (hash + (hash >>> 11)) >>> 0;
  } else if (rem === 2) {
    hash = (hash + u16(p)) >>> 0;
    hash = (hash ^ (hash << 11)) >>> 0;
    hash = (hash + (hash >>> 17)) >>> 0;
  } else if (rem === 1) {
    hash = (hash + signedChar(key.charCodeAt(p))) >>> 0;
    hash = (hash ^ (hash << 10)) >>> 0;
    hash = (hash + (hash >>> 1)) >>> 0;
  }
  hash = (hash ^ (hash << 3)) >>> 0;
  hash = (hash + (hash >>> 5)) >>> 0;
  hash = (hash ^ (hash << 4)) >>> 0;
  hash = (hash + (hash >>> 17)) >>> 0;
  hash = (hash ^ (hash << 25)) >>> 0;
  hash = (hash + (hash >>> 6)) >>> 0;
  return hash;
}

/** `char` is signed on x86: bytes >= 0x80 count as negative. */
function signedChar(c: number): number {
  return c >= 0x80 ? c - 0x100 : c;
}

/** Return `keys` in the order kmod's hash_iter visits a table of `buckets` (rounded up to a power of two). */
export function kmodHashOrder(keys: Iterable<string>, buckets: number): string[] {
  let n = 1;
  while (n < buckets) n *= 2;
  const decorated = [...keys].map((k) => ({ k, b: hashSuperfast(k) & (n - 1) }));
  decorated.sort((x, y) => x.b - y.b || (x.k < y.k ? -1 : x.k > y.k ? 1 : 0));
  return decorated.map((d) => d.k);
}
