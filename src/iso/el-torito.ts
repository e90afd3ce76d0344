/**
 * El Torito boot catalog ("El Torito" Bootable CD-ROM Format Specification
 * 1.0, §2.1–2.4): a validation entry (checksum, 55 AA key), the initial/default
 * entry, then section headers (0x90 more follow, 0x91 final) each followed by
 * their section entries and optional extension entries (0x44). Entries are
 * 32 bytes. Platform IDs: 0 80x86 BIOS, 1 PowerPC, 2 Mac, 0xEF UEFI.
 */
import { RemasterError } from '../errors.ts';
import { readLe16, readLe32 } from './both-endian.ts';

/** Size of one catalog entry. */
export const BOOT_CATALOG_ENTRY_SIZE = 32;
/** Entries read at most; a catalog sector holds 64, real catalogs use under 10. */
export const BOOT_CATALOG_MAX_ENTRIES = 256;

/** Platform names by platform ID. */
export type BootPlatform = 'bios' | 'powerpc' | 'mac' | 'efi' | 'unknown';

/** A decoded initial/default or section entry. */
export interface BootEntry {
  /** Position among boot entries, counted from 1 (xorriso's numbering). */
  index: number;
  platformId: number;
  platform: BootPlatform;
  isBootable: boolean;
  /** Media type 0 no emulation, 1–3 floppy, 4 hard disk (low 4 bits of byte 1). */
  mediaType: number;
  loadSegment: number;
  systemType: number;
  /** Sectors of 512 bytes to load. */
  sectorCount: number;
  /** Logical block (2048 bytes) of the image. */
  lba: number;
  /** Selection criteria type (section entries only). */
  selectionCriteriaType: number;
  /** ID string of the section header this entry belongs to (undefined for the default entry). */
  sectionId?: string;
  /** Path of the file whose extent starts at `lba` (set by readIso). */
  imagePath?: string;
  /** Real image size in bytes (set by readIso; see resolveBootImages). */
  imageSize?: number;
}

/** A decoded boot catalog. */
export interface BootCatalog {
  /** LBA of the catalog, from the boot record. */
  lba: number;
  validation: { platformId: number; idString: string; isChecksumValid: boolean };
  entries: BootEntry[];
}

/** Map a platform ID to its name. */
export function platformName(id: number): BootPlatform {
  return id === 0 ? 'bios' : id === 1 ? 'powerpc' : id === 2 ? 'mac' : id === 0xef ? 'efi' : 'unknown';
}

function idString(bytes: Uint8Array, from: number, to: number): string {
  return String.fromCharCode(...bytes.subarray(from, to)).replace(/[\0 ]+$/u, '');
}

/** Return true when the 16 little-endian words of the validation entry sum to 0 mod 65536. */
export function isValidationChecksumValid(bytes: Uint8Array, offset: number): boolean {
  let sum = 0;
  for (let i = 0; i < BOOT_CATALOG_ENTRY_SIZE; i += 2) sum = (sum + readLe16(bytes, offset + i)) & 0xffff;
  return sum === 0;
}

function decodeEntry(bytes: Uint8Array, at: number, index: number, platformId: number): BootEntry {
  return {
    index,
    platformId,
    platform: platformName(platformId),
    isBootable: bytes[at] === 0x88,
    mediaType: (bytes[at + 1] ?? 0) & 0x0f,
    loadSegment: readLe16(bytes, at + 2),
    systemType: bytes[at + 4] ?? 0,
    sectorCount: readLe16(bytes, at + 6),
    lba: readLe32(bytes, at + 8),
    selectionCriteriaType: bytes[at + 12] ?? 0,
  };
}

/**
 * Decode a boot catalog from `bytes` (one or more catalog sectors); `base` is
 * the absolute offset of `bytes[0]` for errors. A bad key (55 AA) or header ID
 * throws; a bad checksum is returned as a flag.
 */
export function decodeBootCatalog(bytes: Uint8Array, lba: number, base = 0): BootCatalog {
  if (bytes.length < 2 * BOOT_CATALOG_ENTRY_SIZE || bytes[0] !== 1 || bytes[30] !== 0x55 || bytes[31] !== 0xaa) {
    const seen = Array.from(bytes.subarray(0, 1), (b) => b.toString(16).padStart(2, '0')).join('');
    throw new RemasterError('ELTORITO_BAD_VALIDATION_ENTRY', `boot catalog validation entry has header ${seen || 'none'} / key ${bytes[30]?.toString(16)}${bytes[31]?.toString(16)}, expected 01 / 55aa`, { offset: base });
  }
  const validation = { platformId: bytes[1] ?? 0, idString: idString(bytes, 4, 28), isChecksumValid: isValidationChecksumValid(bytes, 0) };
  const entries: BootEntry[] = [decodeEntry(bytes, 32, 1, validation.platformId)];
  const max = Math.min(bytes.length / BOOT_CATALOG_ENTRY_SIZE, BOOT_CATALOG_MAX_ENTRIES);
  let at = 2;
  while (at < max) {
    const header = bytes[at * BOOT_CATALOG_ENTRY_SIZE] ?? 0;
    if (header !== 0x90 && header !== 0x91) break;
    const h = at * BOOT_CATALOG_ENTRY_SIZE;
    const platformId = bytes[h + 1] ?? 0;
    const count = readLe16(bytes, h + 2);
    const sectionId = idString(bytes, h + 4, h + 32);
    at++;
    for (let n = 0; n < count && at < max; n++) {
      const e = decodeEntry(bytes, at * BOOT_CATALOG_ENTRY_SIZE, entries.length + 1, platformId);
      if (sectionId) e.sectionId = sectionId;
      entries.push(e);
      at++;
      while (at < max && bytes[at * BOOT_CATALOG_ENTRY_SIZE] === 0x44) at++;
    }
    if (header === 0x91) break;
  }
  return { lba, validation, entries };
}

/** Encode a validation entry with a correct checksum. */
export function encodeValidationEntry(platformId: number, id = ''): Uint8Array {
  const out = new Uint8Array(BOOT_CATALOG_ENTRY_SIZE);
  out[0] = 1;
  out[1] = platformId;
  for (let i = 0; i < Math.min(24, id.length); i++) out[4 + i] = id.charCodeAt(i);
  out[30] = 0x55;
  out[31] = 0xaa;
  let sum = 0;
  for (let i = 0; i < BOOT_CATALOG_ENTRY_SIZE; i += 2) sum = (sum + readLe16(out, i)) & 0xffff;
  const fix = (0x10000 - sum) & 0xffff;
  out[28] = fix & 0xff;
  out[29] = fix >> 8;
  return out;
}

/** Encode an initial/default or section entry. */
export function encodeBootEntry(e: { isBootable?: boolean; mediaType?: number; loadSegment?: number; systemType?: number; sectorCount: number; lba: number }): Uint8Array {
  const out = new Uint8Array(BOOT_CATALOG_ENTRY_SIZE);
  const view = new DataView(out.buffer);
  out[0] = e.isBootable === false ? 0 : 0x88;
  out[1] = e.mediaType ?? 0;
  view.setUint16(2, e.loadSegment ?? 0, true);
  out[4] = e.systemType ?? 0;
  view.setUint16(6, e.sectorCount, true);
  view.setUint32(8, e.lba, true);
  return out;
}

/** Encode a section header entry (`isFinal` selects 0x91 over 0x90). */
export function encodeSectionHeader(platformId: number, count: number, isFinal: boolean, id = ''): Uint8Array {
  const out = new Uint8Array(BOOT_CATALOG_ENTRY_SIZE);
  out[0] = isFinal ? 0x91 : 0x90;
  out[1] = platformId;
  new DataView(out.buffer).setUint16(2, count, true);
  for (let i = 0; i < Math.min(28, id.length); i++) out[4 + i] = id.charCodeAt(i);
  return out;
}
