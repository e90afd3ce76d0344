/**
 * ISO 9660 directory record (ECMA-119 §9.1): the 33-byte fixed part, the file
 * identifier and the System Use area that carries SUSP/Rock Ridge entries.
 *
 * Records never straddle a logical sector (§6.8.1.1); a length byte of zero
 * means "no more records in this sector". The decoder rejects a record whose
 * length overruns the bytes it was given, so a hostile length byte cannot make
 * the reader run into the next sector or past the buffer.
 */
import { RemasterError } from '../errors.ts';
import { decodeBoth16, decodeBoth32, decodeRecordingTime, encodeBoth16, encodeBoth32, encodeRecordingTime } from './both-endian.ts';

/** Size of the fixed part of a directory record, before the file identifier. */
export const DIRECTORY_RECORD_FIXED_SIZE = 33;

/** File flag bits (ECMA-119 §9.1.6). */
export const FILE_FLAG_HIDDEN = 0x01;
export const FILE_FLAG_DIRECTORY = 0x02;
export const FILE_FLAG_ASSOCIATED = 0x04;
export const FILE_FLAG_MULTI_EXTENT = 0x80;

/** A decoded directory record. */
export interface DirectoryRecord {
  /** Record length in bytes (LEN_DR). */
  length: number;
  extAttrLength: number;
  /** Logical block of the extent. */
  extent: number;
  /** Data length in bytes. */
  dataLength: number;
  /** Recording time in Unix seconds (0 when unset). */
  recorded: number;
  flags: number;
  fileUnitSize: number;
  interleaveGap: number;
  volumeSequence: number;
  /** Raw file identifier bytes (`00` is ".", `01` is ".."). */
  identifier: Uint8Array;
  /** The System Use area, a view into the input. */
  systemUse: Uint8Array;
  /** Offset of the System Use area relative to the record start. */
  systemUseOffset: number;
  /** Names of both-endian fields whose halves disagree. */
  mismatches: string[];
}

/** Fields accepted by encodeDirectoryRecord. */
export interface DirectoryRecordFields {
  extent: number;
  dataLength: number;
  recorded?: number;
  flags?: number;
  identifier: Uint8Array;
  systemUse?: Uint8Array;
}

/** Return true when the record is the "." or ".." entry. */
export function isSelfOrParent(record: DirectoryRecord): boolean {
  return record.identifier.length === 1 && (record.identifier[0] === 0 || record.identifier[0] === 1);
}

/**
 * Decode the directory record at `offset`; `end` bounds the record (the end of
 * its sector). `base` is the absolute offset of `bytes[0]`, used in errors.
 */
export function decodeDirectoryRecord(bytes: Uint8Array, offset: number, end: number, base = 0): DirectoryRecord {
  const length = bytes[offset] ?? 0;
  const lenFi = bytes[offset + 32] ?? 0;
  if (length < DIRECTORY_RECORD_FIXED_SIZE + 1 || offset + length > end || DIRECTORY_RECORD_FIXED_SIZE + lenFi > length) {
    throw new RemasterError(
      'ISO_BAD_RECORD',
      `directory record length ${length} (identifier length ${lenFi}) does not fit in the ${end - offset} bytes left in the sector`,
      { offset: base + offset },
    );
  }
  const mismatches: string[] = [];
  const both = (name: string, v: { value: number; isConsistent: boolean }): number => {
    if (!v.isConsistent) mismatches.push(name);
    return v.value;
  };
  const suStart = DIRECTORY_RECORD_FIXED_SIZE + lenFi + (lenFi % 2 === 0 ? 1 : 0);
  const suOffset = Math.min(suStart, length);
  return {
    length,
    extAttrLength: bytes[offset + 1] ?? 0,
    extent: both('extent', decodeBoth32(bytes, offset + 2)),
    dataLength: both('dataLength', decodeBoth32(bytes, offset + 10)),
    recorded: decodeRecordingTime(bytes, offset + 18),
    flags: bytes[offset + 25] ?? 0,
    fileUnitSize: bytes[offset + 26] ?? 0,
    interleaveGap: bytes[offset + 27] ?? 0,
    volumeSequence: both('volumeSequence', decodeBoth16(bytes, offset + 28)),
    identifier: bytes.subarray(offset + 33, offset + 33 + lenFi),
    systemUse: bytes.subarray(offset + suOffset, offset + length),
    systemUseOffset: suOffset,
    mismatches,
  };
}

/** Encode a directory record, padding identifier and record to even lengths. */
export function encodeDirectoryRecord(fields: DirectoryRecordFields): Uint8Array {
  const lenFi = fields.identifier.length;
  const su = fields.systemUse ?? new Uint8Array(0);
  const suStart = DIRECTORY_RECORD_FIXED_SIZE + lenFi + (lenFi % 2 === 0 ? 1 : 0);
  let length = suStart + su.length;
  if (length % 2 === 1) length++;
  if (length > 255) throw new RemasterError('LIMIT_EXCEEDED', `directory record of ${length} bytes exceeds 255`);
  const out = new Uint8Array(length);
  out[0] = length;
  encodeBoth32(out, 2, fields.extent);
  encodeBoth32(out, 10, fields.dataLength);
  encodeRecordingTime(out, 18, fields.recorded ?? 0);
  out[25] = fields.flags ?? 0;
  encodeBoth16(out, 28, 1);
  out[32] = lenFi;
  out.set(fields.identifier, 33);
  out.set(su, suStart);
  return out;
}
