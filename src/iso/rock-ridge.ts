/**
 * Rock Ridge Interchange Protocol entries (IEEE P1282 RRIP 1.12 §4.1):
 * `PX` POSIX attributes, `PN` device numbers, `SL` symbolic link, `NM`
 * alternate name, `TF` time stamps, `CL`/`PL`/`RE` directory relocation, and
 * the zisofs `ZF` entry (libburnia zisofs format), which is reported but not
 * decoded. `RR` (RRIP 1.09) and `SF` are ignored.
 */
import { decodeBoth32, decodeDecDateTime, decodeRecordingTime, encodeBoth32, encodeRecordingTime } from './both-endian.ts';
import { encodeSuspEntry, type SuspEntry } from './susp.ts';
import { concatBytes } from '../io/align.ts';

/** Rock Ridge attributes of one directory record. */
export interface RockRidgeInfo {
  /** True when any RRIP entry was present. */
  hasEntries: boolean;
  mode?: number;
  nlink?: number;
  uid?: number;
  gid?: number;
  ino?: number;
  /** Device number from `PN`: high word × 2^32 + low word. */
  rdev?: number;
  name?: string;
  linkTarget?: string;
  /** Modification time from `TF`, Unix seconds. */
  mtime?: number;
  /** `RE`: the directory is a relocation and must be hidden in its parent. */
  isRelocated: boolean;
  /** `CL`: the record stands for the directory at this LBA. */
  childLink?: number;
  /** `PL`: the real parent of a relocated directory. */
  parentLink?: number;
  /** `ZF`: the file content is compressed (zisofs); value is the uncompressed size. */
  zisofsSize?: number;
}

const RRIP_SIGNATURES = new Set(['PX', 'PN', 'SL', 'NM', 'TF', 'RE', 'CL', 'PL', 'ZF', 'RR', 'SF']);
const utf8 = new TextDecoder('utf-8');

/** Decode the Rock Ridge meaning of a record's SUSP entries (continuation areas included). */
export function decodeRockRidge(entries: readonly SuspEntry[]): RockRidgeInfo {
  const info: RockRidgeInfo = { hasEntries: false, isRelocated: false };
  const nameParts: Uint8Array[] = [];
  const link = { text: '', hasAny: false };
  for (const e of entries) {
    if (!RRIP_SIGNATURES.has(e.signature)) continue;
    info.hasEntries = true;
    const d = e.data;
    switch (e.signature) {
      case 'PX':
        if (d.length >= 32) decodePx(d, info);
        break;
      case 'PN':
        if (d.length >= 16) info.rdev = decodeBoth32(d, 0).value * 2 ** 32 + decodeBoth32(d, 8).value;
        break;
      case 'NM':
        if (d.length >= 1 && ((d[0] ?? 0) & 0x06) === 0) nameParts.push(d.subarray(1));
        break;
      case 'SL':
        decodeSlComponents(d, link);
        break;
      case 'TF':
        decodeTf(d, info);
        break;
      case 'RE':
        info.isRelocated = true;
        break;
      case 'CL':
        if (d.length >= 8) info.childLink = decodeBoth32(d, 0).value;
        break;
      case 'PL':
        if (d.length >= 8) info.parentLink = decodeBoth32(d, 0).value;
        break;
      case 'ZF':
        if (d.length >= 12) info.zisofsSize = decodeBoth32(d, 4).value;
        break;
    }
  }
  if (nameParts.length > 0) info.name = utf8.decode(concatBytes(nameParts));
  if (link.hasAny) info.linkTarget = link.text.length > 1 && link.text.endsWith('/') ? link.text.slice(0, -1) : link.text;
  return info;
}

function decodePx(d: Uint8Array, info: RockRidgeInfo): void {
  info.mode = decodeBoth32(d, 0).value;
  info.nlink = decodeBoth32(d, 8).value;
  info.uid = decodeBoth32(d, 16).value;
  info.gid = decodeBoth32(d, 24).value;
  if (d.length >= 40) info.ino = decodeBoth32(d, 32).value;
}

/**
 * Append the components of one `SL` entry to `link` (RRIP §4.1.3.1: component
 * flags 1 continue, 2 ".", 4 "..", 8 root). Like Linux's rock.c, a separator
 * follows every complete component and one trailing separator is removed at the end.
 */
function decodeSlComponents(d: Uint8Array, link: { text: string; hasAny: boolean }): void {
  link.hasAny = true;
  let pos = 1;
  while (pos + 2 <= d.length) {
    const flags = d[pos] ?? 0;
    const len = d[pos + 1] ?? 0;
    const content = d.subarray(pos + 2, Math.min(d.length, pos + 2 + len));
    pos += 2 + len;
    if (flags & 0x08) {
      link.text += '/';
      continue;
    }
    link.text += flags & 0x02 ? '.' : flags & 0x04 ? '..' : utf8.decode(content);
    if (!(flags & 0x01)) link.text += '/';
  }
}

/** Read the modify time from a `TF` entry (RRIP §4.1.6: creation, modify, access, attributes, ...). */
function decodeTf(d: Uint8Array, info: RockRidgeInfo): void {
  const flags = d[0] ?? 0;
  const width = flags & 0x80 ? 17 : 7;
  let pos = 1;
  for (let bit = 0; bit < 7; bit++) {
    if (!(flags & (1 << bit))) continue;
    if (pos + width > d.length) return;
    if (bit === 1) info.mtime = width === 17 ? decodeDecDateTime(d, pos) ?? 0 : decodeRecordingTime(d, pos);
    pos += width;
  }
}

/** Encode a `PX` entry (RRIP 1.12 form with inode number when `ino` is given). */
export function encodePxEntry(px: { mode: number; nlink: number; uid: number; gid: number; ino?: number }): Uint8Array {
  const payload = new Uint8Array(px.ino === undefined ? 32 : 40);
  [px.mode, px.nlink, px.uid, px.gid, px.ino ?? 0].forEach((v, i) => {
    if (i * 8 < payload.length) encodeBoth32(payload, i * 8, v);
  });
  return encodeSuspEntry('PX', payload);
}

/** Encode an `NM` entry; `isContinued` sets the CONTINUE flag. */
export function encodeNmEntry(name: string, isContinued = false): Uint8Array {
  return encodeSuspEntry('NM', [isContinued ? 1 : 0, ...new TextEncoder().encode(name)]);
}

/** Encode an `SL` entry for a target made of plain components ("." / ".." / "" root handled). */
export function encodeSlEntry(target: string): Uint8Array {
  const bytes: number[] = [0];
  const parts = target.split('/');
  parts.forEach((p, i) => {
    if (p === '' && i === 0 && target.startsWith('/')) bytes.push(0x08, 0);
    else if (p === '.') bytes.push(0x02, 0);
    else if (p === '..') bytes.push(0x04, 0);
    else if (p !== '') bytes.push(0, p.length, ...new TextEncoder().encode(p));
  });
  return encodeSuspEntry('SL', bytes);
}

/** Encode a short-form `TF` entry carrying the modify time. */
export function encodeTfEntry(mtime: number): Uint8Array {
  const payload = new Uint8Array(8);
  payload[0] = 0x02;
  encodeRecordingTime(payload, 1, mtime);
  return encodeSuspEntry('TF', payload);
}

/** Encode a `CL` or `PL` entry pointing at `lba`. */
export function encodeLinkEntry(signature: 'CL' | 'PL', lba: number): Uint8Array {
  const payload = new Uint8Array(8);
  encodeBoth32(payload, 0, lba);
  return encodeSuspEntry(signature, payload);
}
