/** Alignment and padding helpers shared by cpio, segments and ISO code. */

/** Round `n` up to a multiple of `alignment` (a power of two). */
export function alignUp(n: number, alignment: number): number {
  const rem = n % alignment;
  return rem === 0 ? n : n + (alignment - rem);
}

/** Number of padding bytes needed after `n` bytes to reach a multiple of `alignment`. */
export function padLength(n: number, alignment: number): number {
  return alignUp(n, alignment) - n;
}

const ZEROS = new Uint8Array(4096);

/** Return `n` zero bytes (a shared view for small n; never mutate it). */
export function zeros(n: number): Uint8Array {
  return n <= ZEROS.length ? ZEROS.subarray(0, n) : new Uint8Array(n);
}

/** Concatenate byte arrays into one. */
export function concatBytes(parts: readonly Uint8Array[]): Uint8Array {
  let total = 0;
  for (const p of parts) total += p.length;
  const out = new Uint8Array(total);
  let pos = 0;
  for (const p of parts) {
    out.set(p, pos);
    pos += p.length;
  }
  return out;
}
