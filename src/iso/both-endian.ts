/**
 * ISO 9660 numeric and date fields (ECMA-119 §7.2–7.3 numbers, §8.4.26.1
 * dec-datetime, §9.1.5 recording date and time).
 *
 * Both-endian fields hold a little-endian copy followed by a big-endian copy.
 * Readers use the little-endian half and report a mismatch as a flag; they
 * never fail on it, because real mastering tools have shipped such bugs.
 */

/** A both-endian value with a flag telling whether the two halves agree. */
export interface BothEndian {
  value: number;
  isConsistent: boolean;
}

/** Decode a both-endian 16-bit field (ECMA-119 §7.2.3). */
export function decodeBoth16(bytes: Uint8Array, offset: number): BothEndian {
  const le = (bytes[offset] ?? 0) | ((bytes[offset + 1] ?? 0) << 8);
  const be = ((bytes[offset + 2] ?? 0) << 8) | (bytes[offset + 3] ?? 0);
  return { value: le, isConsistent: le === be };
}

/** Decode a both-endian 32-bit field (ECMA-119 §7.3.3). */
export function decodeBoth32(bytes: Uint8Array, offset: number): BothEndian {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const le = view.getUint32(offset, true);
  const be = view.getUint32(offset + 4, false);
  return { value: le, isConsistent: le === be };
}

/** Write a both-endian 16-bit field at `offset`. */
export function encodeBoth16(out: Uint8Array, offset: number, value: number): void {
  const view = new DataView(out.buffer, out.byteOffset, out.byteLength);
  view.setUint16(offset, value, true);
  view.setUint16(offset + 2, value, false);
}

/** Write a both-endian 32-bit field at `offset`. */
export function encodeBoth32(out: Uint8Array, offset: number, value: number): void {
  const view = new DataView(out.buffer, out.byteOffset, out.byteLength);
  view.setUint32(offset, value, true);
  view.setUint32(offset + 4, value, false);
}

/** Read a little-endian 32-bit value. */
export function readLe32(bytes: Uint8Array, offset: number): number {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(offset, true);
}

/** Read a little-endian 16-bit value. */
export function readLe16(bytes: Uint8Array, offset: number): number {
  return (bytes[offset] ?? 0) | ((bytes[offset + 1] ?? 0) << 8);
}

const latin1 = new TextDecoder('latin1');

/** Decode a space- or NUL-padded a/d-character field, trimmed. */
export function decodeAString(bytes: Uint8Array, offset: number, length: number): string {
  return latin1.decode(bytes.subarray(offset, offset + length)).replace(/[\s\0]+$/u, '');
}

/** Write `text` as a space-padded character field. */
export function encodeAString(out: Uint8Array, offset: number, length: number, text: string): void {
  for (let i = 0; i < length; i++) out[offset + i] = i < text.length ? text.charCodeAt(i) & 0xff : 0x20;
}

/**
 * Decode a 17-byte dec-datetime (ECMA-119 §8.4.26.1) to Unix seconds.
 * Return undefined for the "not specified" value (all digits zero).
 */
export function decodeDecDateTime(bytes: Uint8Array, offset: number): number | undefined {
  const text = latin1.decode(bytes.subarray(offset, offset + 16));
  if (!/^\d{16}$/u.test(text) || /^0+$/u.test(text)) return undefined;
  const n = (from: number, len: number): number => Number(text.slice(from, from + len));
  const gmtOffset = ((bytes[offset + 16] ?? 0) << 24) >> 24;
  const ms = Date.UTC(n(0, 4), n(4, 2) - 1, n(6, 2), n(8, 2), n(10, 2), n(12, 2));
  return Math.floor(ms / 1000) - gmtOffset * 15 * 60;
}

/** Write a 17-byte dec-datetime for Unix seconds, in GMT. */
export function encodeDecDateTime(out: Uint8Array, offset: number, seconds: number): void {
  const d = new Date(seconds * 1000);
  const p = (v: number, w: number): string => String(v).padStart(w, '0');
  const text =
    p(d.getUTCFullYear(), 4) + p(d.getUTCMonth() + 1, 2) + p(d.getUTCDate(), 2) +
    p(d.getUTCHours(), 2) + p(d.getUTCMinutes(), 2) + p(d.getUTCSeconds(), 2) + '00';
  for (let i = 0; i < 16; i++) out[offset + i] = text.charCodeAt(i);
  out[offset + 16] = 0;
}

/** Decode a 7-byte recording date and time (ECMA-119 §9.1.5) to Unix seconds. */
export function decodeRecordingTime(bytes: Uint8Array, offset: number): number {
  const b = (i: number): number => bytes[offset + i] ?? 0;
  if (b(0) === 0 && b(1) === 0 && b(2) === 0) return 0;
  const gmtOffset = (b(6) << 24) >> 24;
  const ms = Date.UTC(1900 + b(0), b(1) - 1, b(2), b(3), b(4), b(5));
  return Math.floor(ms / 1000) - gmtOffset * 15 * 60;
}

/** Write a 7-byte recording date and time for Unix seconds, in GMT. */
export function encodeRecordingTime(out: Uint8Array, offset: number, seconds: number): void {
  const d = new Date(seconds * 1000);
  out.set(
    [d.getUTCFullYear() - 1900, d.getUTCMonth() + 1, d.getUTCDate(), d.getUTCHours(), d.getUTCMinutes(), d.getUTCSeconds(), 0],
    offset,
  );
}
