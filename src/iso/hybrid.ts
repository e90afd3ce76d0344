/**
 * Hybrid ISO system area: the MBR partition table in sector 0 (isohybrid,
 * syslinux utils/isohybrid.c: boot signature 55 AA, partitions of type 0x00,
 * 0x17 or 0xEF) and a GPT (UEFI 2.10 §5.3: header "EFI PART" at 512-byte LBA 1,
 * partition entry array) written by xorriso's -isohybrid-gpt-basdat or
 * -appended_part_as_gpt. Partitions that start past the ISO volume are
 * "appended" (xorriso -append_partition).
 */
import { readLe16, readLe32 } from './both-endian.ts';
import type { BlockSource } from '../io/block-source.ts';

/** One MBR partition table slot that is in use. */
export interface MbrPartition {
  /** Slot number 1–4. */
  index: number;
  status: number;
  type: number;
  /** Start and size in 512-byte sectors. */
  start: number;
  sectors: number;
}

/** One used GPT partition entry. */
export interface GptPartition {
  index: number;
  typeGuid: string;
  guid: string;
  name: string;
  /** First and last 512-byte LBA, inclusive. */
  firstLba: number;
  lastLba: number;
  isEfiSystem: boolean;
}

/** What the system area says about USB/disk boot. */
export interface HybridInfo {
  /**
   * `gpt` for a protective MBR plus GPT; `isohybrid` for an MBR partition table
   * with ISOLINUX's isohybrid boot code (isohdpfx.bin); `mbr` for an MBR table
   * with other boot code (GRUB2's boot_hybrid.img, memtest86+'s own); else `none`.
   */
  kind: 'none' | 'isohybrid' | 'mbr' | 'gpt';
  /** Whose boot code the MBR holds, by the text it prints (isohdpfx.bin, GRUB's boot.img). */
  mbrCode: 'none' | 'isohybrid' | 'grub2' | 'other';
  mbrPartitions: MbrPartition[];
  gptPartitions: GptPartition[];
  /** Partitions (MBR or GPT) that start at or after the end of the ISO volume. */
  appendedPartitions: { source: 'mbr' | 'gpt'; index: number; start: number; sectors: number }[];
}

/** GUID of the EFI System Partition type. */
export const EFI_SYSTEM_PARTITION_GUID = 'c12a7328-f81f-11d2-ba4b-00a0c93ec93b';
/** Bound on the GPT entry array read (128 entries of 128 bytes is the norm). */
export const GPT_MAX_ENTRY_BYTES = 128 * 1024;

/** Decode the MBR partition table of a 512-byte sector; undefined without 55 AA. */
export function decodeMbr(sector: Uint8Array): MbrPartition[] | undefined {
  if (sector.length < 512 || sector[510] !== 0x55 || sector[511] !== 0xaa) return undefined;
  const parts: MbrPartition[] = [];
  for (let i = 0; i < 4; i++) {
    const at = 446 + i * 16;
    const type = sector[at + 4] ?? 0;
    const start = readLe32(sector, at + 8);
    const sectors = readLe32(sector, at + 12);
    if (type === 0 && sectors === 0) continue;
    parts.push({ index: i + 1, status: sector[at] ?? 0, type, start, sectors });
  }
  return parts;
}

/** Format 16 on-disk GUID bytes (first three fields little-endian) as text. */
export function decodeGuid(b: Uint8Array, at: number): string {
  const hex = (from: number, to: number, reverse: boolean): string => {
    const bytes = Array.from(b.subarray(at + from, at + to));
    if (reverse) bytes.reverse();
    return bytes.map((x) => x.toString(16).padStart(2, '0')).join('');
  };
  return `${hex(0, 4, true)}-${hex(4, 6, true)}-${hex(6, 8, true)}-${hex(8, 10, false)}-${hex(10, 16, false)}`;
}

/** Decode a GPT header sector; undefined without the "EFI PART" signature. */
export function decodeGptHeader(sector: Uint8Array): { entriesLba: number; entryCount: number; entrySize: number } | undefined {
  if (String.fromCharCode(...sector.subarray(0, 8)) !== 'EFI PART') return undefined;
  const lo = (at: number): number => readLe32(sector, at) + readLe32(sector, at + 4) * 2 ** 32;
  return { entriesLba: lo(72), entryCount: readLe32(sector, 80), entrySize: readLe32(sector, 84) };
}

/** Decode the used entries of a GPT partition entry array. */
export function decodeGptEntries(bytes: Uint8Array, count: number, size: number): GptPartition[] {
  const parts: GptPartition[] = [];
  for (let i = 0; i < count && (i + 1) * size <= bytes.length; i++) {
    const at = i * size;
    const typeGuid = decodeGuid(bytes, at);
    if (typeGuid === '00000000-0000-0000-0000-000000000000') continue;
    const lba = (o: number): number => readLe32(bytes, at + o) + readLe32(bytes, at + o + 4) * 2 ** 32;
    let name = '';
    for (let c = 56; c + 1 < 128 && c + 1 < size; c += 2) {
      const code = readLe16(bytes, at + c);
      if (code === 0) break;
      name += String.fromCharCode(code);
    }
    parts.push({ index: i + 1, typeGuid, guid: decodeGuid(bytes, at + 16), name, firstLba: lba(32), lastLba: lba(40), isEfiSystem: typeGuid === EFI_SYSTEM_PARTITION_GUID });
  }
  return parts;
}

/** Name the MBR boot code by a message only that code carries (its error strings). */
export function mbrCodeOf(sector: Uint8Array): HybridInfo['mbrCode'] {
  const code = sector.subarray(0, 440);
  if (code.every((b) => b === 0)) return 'none';
  const text = new TextDecoder('latin1').decode(code);
  if (text.includes('isolinux.bin missing or corrupt')) return 'isohybrid';
  if (text.includes('GRUB \0Geom\0Hard Disk')) return 'grub2';
  return 'other';
}

/** Read the MBR and GPT of an image whose ISO volume is `volumeBytes` long. */
export async function readHybrid(source: BlockSource, volumeBytes: number): Promise<HybridInfo> {
  const info: HybridInfo = { kind: 'none', mbrCode: 'none', mbrPartitions: [], gptPartitions: [], appendedPartitions: [] };
  if (source.size < 1024) return info;
  const head = await source.read(0, 1024);
  const mbr = decodeMbr(head.subarray(0, 512));
  if (mbr === undefined) return info;
  info.mbrPartitions = mbr;
  info.mbrCode = mbrCodeOf(head);
  const gpt = decodeGptHeader(head.subarray(512, 1024));
  const isProtective = mbr.length === 1 && mbr[0]?.type === 0xee;
  info.kind = gpt && isProtective ? 'gpt' : mbr.length === 0 ? 'none' : info.mbrCode === 'isohybrid' ? 'isohybrid' : 'mbr';
  if (gpt && gpt.entrySize >= 128 && gpt.entryCount > 0) {
    const length = Math.min(gpt.entryCount * gpt.entrySize, GPT_MAX_ENTRY_BYTES);
    const offset = gpt.entriesLba * 512;
    if (offset + length <= source.size) info.gptPartitions = decodeGptEntries(await source.read(offset, length), gpt.entryCount, gpt.entrySize);
  }
  const end = volumeBytes / 512;
  for (const p of info.mbrPartitions) {
    if (p.type !== 0xee && p.start >= end) info.appendedPartitions.push({ source: 'mbr', index: p.index, start: p.start, sectors: p.sectors });
  }
  for (const p of info.gptPartitions) {
    if (p.firstLba >= end) info.appendedPartitions.push({ source: 'gpt', index: p.index, start: p.firstLba, sectors: p.lastLba - p.firstLba + 1 });
  }
  return info;
}
