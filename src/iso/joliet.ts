/**
 * Joliet (Microsoft "Joliet Specification", 1995): a Supplementary Volume
 * Descriptor whose escape sequences (ECMA-119 §8.5.6) are `%/@`, `%/C` or
 * `%/E` (UCS-2 levels 1–3), with identifiers stored as UCS-2 big-endian.
 */

const JOLIET_ESCAPES: Record<string, number> = { '%/@': 1, '%/C': 2, '%/E': 3 };

/** Return the Joliet level (1–3) named by a 32-byte escape-sequence field, or 0. */
export function decodeJolietLevel(bytes: Uint8Array, offset: number): number {
  const field = String.fromCharCode(...bytes.subarray(offset, offset + 32)).replace(/\0+$/u, '');
  for (const [seq, level] of Object.entries(JOLIET_ESCAPES)) {
    if (field.startsWith(seq)) return level;
  }
  return 0;
}

/** Decode UCS-2 big-endian bytes (an odd trailing byte is ignored). */
export function decodeUcs2(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i + 1 < bytes.length; i += 2) out += String.fromCharCode(((bytes[i] ?? 0) << 8) | (bytes[i + 1] ?? 0));
  return out;
}

/** Encode text as UCS-2 big-endian (characters outside the BMP are not representable). */
export function encodeUcs2(text: string): Uint8Array {
  const out = new Uint8Array(text.length * 2);
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    out[2 * i] = c >> 8;
    out[2 * i + 1] = c & 0xff;
  }
  return out;
}

/** Turn a Joliet file identifier into a name: strip the `;1` version suffix. */
export function jolietName(identifier: Uint8Array): string {
  return decodeUcs2(identifier).replace(/;\d*$/u, '');
}
