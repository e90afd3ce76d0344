/**
 * System Use Sharing Protocol entries (IEEE P1281 SUSP 1.12 §4–5): `SP`
 * (indicator and skip length), `CE` (continuation area), `ST` (terminator),
 * `PD` (padding), `ER` (extension reference). Other signatures are returned
 * raw for the Rock Ridge decoder.
 *
 * Deviation: a malformed entry (length under 4 or past the area) ends the
 * area with a flag instead of an error, as the Linux kernel does; the reader
 * turns the flag into a warning.
 */
import { decodeBoth32 } from './both-endian.ts';

/** One SUSP entry: signature, version and payload (the bytes after the 4-byte header). */
export interface SuspEntry {
  signature: string;
  version: number;
  data: Uint8Array;
}

/** Location of a continuation area named by a `CE` entry. */
export interface SuspContinuation {
  lba: number;
  offset: number;
  length: number;
}

/** The entries of one System Use area (or continuation area). */
export interface SuspArea {
  entries: SuspEntry[];
  continuation?: SuspContinuation;
  /** True when a malformed entry cut the area short. */
  isTruncated: boolean;
}

/** Decode the SUSP entries in `area` from byte `start`. */
export function decodeSuspArea(area: Uint8Array, start = 0): SuspArea {
  const result: SuspArea = { entries: [], isTruncated: false };
  let pos = start;
  while (pos + 4 <= area.length) {
    const len = area[pos + 2] ?? 0;
    if (area[pos] === 0) break;
    if (len < 4 || pos + len > area.length) {
      result.isTruncated = true;
      break;
    }
    const signature = String.fromCharCode(area[pos] ?? 0, area[pos + 1] ?? 0);
    const data = area.subarray(pos + 4, pos + len);
    pos += len;
    if (signature === 'ST') break;
    if (signature === 'PD') continue;
    if (signature === 'CE' && data.length >= 24) {
      result.continuation = {
        lba: decodeBoth32(data, 0).value,
        offset: decodeBoth32(data, 8).value,
        length: decodeBoth32(data, 16).value,
      };
      continue;
    }
    result.entries.push({ signature, version: area[pos - len + 3] ?? 0, data });
  }
  return result;
}

/** Return the skip length of an `SP` entry at the start of `area`, or undefined when absent (SUSP §5.3). */
export function decodeSpEntry(area: Uint8Array): number | undefined {
  if (area.length < 7 || area[0] !== 0x53 || area[1] !== 0x50 || area[2] !== 7 || area[4] !== 0xbe || area[5] !== 0xef) {
    return undefined;
  }
  return area[6];
}

/** Return the extension identifiers named by `ER` entries (SUSP §5.5). */
export function extensionIds(entries: readonly SuspEntry[]): string[] {
  const ids: string[] = [];
  for (const e of entries) {
    if (e.signature !== 'ER' || e.data.length < 4) continue;
    const lenId = e.data[0] ?? 0;
    ids.push(String.fromCharCode(...e.data.subarray(4, 4 + lenId)));
  }
  return ids;
}

/** Encode one SUSP entry with a 4-byte header. */
export function encodeSuspEntry(signature: string, payload: Uint8Array | readonly number[], version = 1): Uint8Array {
  const out = new Uint8Array(4 + payload.length);
  out[0] = signature.charCodeAt(0);
  out[1] = signature.charCodeAt(1);
  out[2] = out.length;
  out[3] = version;
  out.set(payload, 4);
  return out;
}
