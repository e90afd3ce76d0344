/**
 * Volume descriptors (ECMA-119 §8): Primary (§8.4), Supplementary (§8.5, used
 * by Joliet), Boot Record (§8.2, El Torito 1.0 §2.0) and Set Terminator
 * (§8.3). Each occupies one 2048-byte sector from LBA 16 on.
 */
import { RemasterError } from '../errors.ts';
import {
  decodeAString, decodeBoth16, decodeBoth32, decodeDecDateTime, encodeAString, encodeBoth16, encodeBoth32,
  encodeDecDateTime, readLe32,
} from './both-endian.ts';
import { decodeDirectoryRecord, encodeDirectoryRecord, FILE_FLAG_DIRECTORY, type DirectoryRecord } from './directory-record.ts';
import { decodeJolietLevel, decodeUcs2 } from './joliet.ts';

/** Logical sector size this reader supports (ECMA-119 §6.1.2 allows others; nobody uses them). */
export const ISO_SECTOR_SIZE = 2048;
/** Sectors 0–15 are the System Area (ECMA-119 §6.2.1). */
export const ISO_SYSTEM_AREA_SECTORS = 16;
/** Standard identifier of every volume descriptor. */
export const ISO_STANDARD_ID = 'CD001';
/** Boot system identifier of an El Torito boot record (El Torito 1.0 §2.0). */
export const EL_TORITO_SYSTEM_ID = 'EL TORITO SPECIFICATION';

/** A Primary or Supplementary Volume Descriptor. */
export interface VolumeDescriptor {
  kind: 'primary' | 'supplementary';
  /** Joliet level 1–3, or 0 (always 0 for a primary descriptor). */
  jolietLevel: number;
  systemId: string;
  volumeId: string;
  /** Volume Space Size in logical blocks. */
  volumeSpaceSize: number;
  logicalBlockSize: number;
  pathTableSize: number;
  root: DirectoryRecord;
  volumeSetId: string;
  publisherId: string;
  dataPreparerId: string;
  applicationId: string;
  /** Unix seconds, undefined when not specified. */
  created: number | undefined;
  modified: number | undefined;
  /** Names of both-endian fields whose halves disagree. */
  mismatches: string[];
}

/** Any decoded descriptor. */
export type DecodedDescriptor =
  | VolumeDescriptor
  | { kind: 'boot'; systemId: string; catalogLba: number | undefined }
  | { kind: 'terminator' }
  | { kind: 'other'; type: number };

/** Decode the volume descriptor in the 2048 bytes at `offset`; `base` is the absolute offset of `bytes[0]`. */
export function decodeVolumeDescriptor(bytes: Uint8Array, offset: number, base = 0): DecodedDescriptor {
  const id = String.fromCharCode(...bytes.subarray(offset + 1, offset + 6));
  if (id !== ISO_STANDARD_ID) {
    throw new RemasterError('ISO_BAD_DESCRIPTOR', `volume descriptor identifier "${id}", expected "CD001"`, { offset: base + offset });
  }
  const type = bytes[offset] ?? 0;
  if (type === 255) return { kind: 'terminator' };
  if (type === 0) {
    const systemId = decodeAString(bytes, offset + 7, 32);
    return { kind: 'boot', systemId, catalogLba: systemId === EL_TORITO_SYSTEM_ID ? readLe32(bytes, offset + 71) : undefined };
  }
  if (type === 1 || type === 2) return decodeVolumeFields(bytes, offset, base, type);
  return { kind: 'other', type };
}

function decodeVolumeFields(bytes: Uint8Array, offset: number, base: number, type: number): VolumeDescriptor {
  const jolietLevel = type === 2 ? decodeJolietLevel(bytes, offset + 88) : 0;
  const text = (at: number, len: number): string =>
    jolietLevel > 0 ? decodeUcs2(bytes.subarray(offset + at, offset + at + len)).replace(/[\s\0]+$/u, '') : decodeAString(bytes, offset + at, len);
  const mismatches: string[] = [];
  const both = (name: string, v: { value: number; isConsistent: boolean }): number => {
    if (!v.isConsistent) mismatches.push(name);
    return v.value;
  };
  return {
    kind: type === 1 ? 'primary' : 'supplementary',
    jolietLevel,
    systemId: text(8, 32),
    volumeId: text(40, 32),
    volumeSpaceSize: both('volumeSpaceSize', decodeBoth32(bytes, offset + 80)),
    logicalBlockSize: both('logicalBlockSize', decodeBoth16(bytes, offset + 128)),
    pathTableSize: both('pathTableSize', decodeBoth32(bytes, offset + 132)),
    root: decodeDirectoryRecord(bytes, offset + 156, offset + 190, base),
    volumeSetId: text(190, 128),
    publisherId: text(318, 128),
    dataPreparerId: text(446, 128),
    applicationId: text(574, 128),
    created: decodeDecDateTime(bytes, offset + 813),
    modified: decodeDecDateTime(bytes, offset + 830),
    mismatches,
  };
}

/** Fields accepted by encodePrimaryVolumeDescriptor. */
export interface PrimaryVolumeFields {
  volumeId: string;
  systemId?: string;
  volumeSpaceSize: number;
  rootExtent: number;
  rootSize: number;
  created?: number;
}

/** Encode a 2048-byte Primary Volume Descriptor (path tables left empty). */
export function encodePrimaryVolumeDescriptor(fields: PrimaryVolumeFields): Uint8Array {
  const out = new Uint8Array(ISO_SECTOR_SIZE);
  out[0] = 1;
  encodeAString(out, 1, 5, ISO_STANDARD_ID);
  out[6] = 1;
  encodeAString(out, 8, 32, fields.systemId ?? 'LINUX');
  encodeAString(out, 40, 32, fields.volumeId);
  encodeBoth32(out, 80, fields.volumeSpaceSize);
  encodeBoth16(out, 120, 1);
  encodeBoth16(out, 124, 1);
  encodeBoth16(out, 128, ISO_SECTOR_SIZE);
  const root = encodeDirectoryRecord({
    extent: fields.rootExtent, dataLength: fields.rootSize, flags: FILE_FLAG_DIRECTORY, identifier: new Uint8Array([0]),
    recorded: fields.created ?? 0,
  });
  out.set(root, 156);
  for (const at of [190, 318, 446, 574]) encodeAString(out, at, 128, '');
  for (const at of [702, 739, 776]) encodeAString(out, at, 37, '');
  for (const at of [813, 830, 847, 864]) out.fill(0x30, at, at + 16);
  if (fields.created !== undefined) {
    encodeDecDateTime(out, 813, fields.created);
    encodeDecDateTime(out, 830, fields.created);
  }
  out[881] = 1;
  return out;
}

/** Encode a 2048-byte Set Terminator descriptor. */
export function encodeTerminatorDescriptor(): Uint8Array {
  const out = new Uint8Array(ISO_SECTOR_SIZE);
  out[0] = 255;
  encodeAString(out, 1, 5, ISO_STANDARD_ID);
  out[6] = 1;
  return out;
}

/** Encode a 2048-byte El Torito Boot Record pointing at `catalogLba`. */
export function encodeBootRecordDescriptor(catalogLba: number): Uint8Array {
  const out = new Uint8Array(ISO_SECTOR_SIZE);
  encodeAString(out, 1, 5, ISO_STANDARD_ID);
  out[6] = 1;
  out.set(new TextEncoder().encode(EL_TORITO_SYSTEM_ID), 7);
  new DataView(out.buffer).setUint32(71, catalogLba, true);
  return out;
}
