/**
 * Directory extents (ECMA-119 §6.8.1, §9.1) and the SUSP areas of their
 * records, continuation areas included (SUSP 1.12 §5.1 `CE`).
 *
 * Every size and pointer read from the image is checked before it is used:
 * the extent length against `maxDirectorySize` (no allocation from an
 * unchecked size), extents and continuation areas against the end of the
 * source, and continuation chains against MAX_CONTINUATIONS (a `CE` pointing
 * at itself would otherwise loop forever).
 */
import { RemasterError, type ErrorCode } from '../errors.ts';
import type { BlockSource } from '../io/block-source.ts';
import { decodeDirectoryRecord, type DirectoryRecord } from './directory-record.ts';
import { decodeRockRidge, type RockRidgeInfo } from './rock-ridge.ts';
import { decodeSuspArea, type SuspEntry } from './susp.ts';
import { ISO_SECTOR_SIZE } from './volume-descriptor.ts';

/** Continuation areas followed per record at most. */
export const MAX_CONTINUATIONS = 32;
/** Largest continuation area accepted (SUSP keeps one area inside one logical block). */
export const MAX_CONTINUATION_LENGTH = ISO_SECTOR_SIZE;

/** One record of a directory, with its SUSP entries resolved. */
export interface DirectoryEntry {
  record: DirectoryRecord;
  /** Absolute byte offset of the record. */
  offset: number;
  susp: SuspEntry[];
  rr: RockRidgeInfo;
}

/** State shared by directory reads of one image. */
export interface DirectoryContext {
  source: BlockSource;
  /** Bytes skipped at the start of each System Use area (SP LEN_SKP); undefined when SUSP is not in use. */
  suspSkip: number | undefined;
  maxDirectorySize: number;
  sectorCache: Map<number, Uint8Array>;
  warn(code: ErrorCode, detail: string, ctx: { offset?: number; entry?: string }): void;
}

/** Throw ISO_EXTENT_OUT_OF_RANGE unless `length` bytes at `lba` lie inside the source. */
export function checkExtent(source: BlockSource, lba: number, length: number, entry: string): void {
  const offset = lba * ISO_SECTOR_SIZE;
  if (offset + length > source.size) {
    throw new RemasterError(
      'ISO_EXTENT_OUT_OF_RANGE',
      `extent at block ${lba} (${length} bytes) ends at byte ${offset + length}, past the end of the image (${source.size} bytes)`,
      { offset, entry },
    );
  }
}

/** Read one sector through the per-image cache (continuation areas share sectors). */
export async function readSector(ctx: DirectoryContext, lba: number, entry: string): Promise<Uint8Array> {
  let sector = ctx.sectorCache.get(lba);
  if (sector === undefined) {
    checkExtent(ctx.source, lba, ISO_SECTOR_SIZE, entry);
    sector = await ctx.source.read(lba * ISO_SECTOR_SIZE, ISO_SECTOR_SIZE);
    ctx.sectorCache.set(lba, sector);
  }
  return sector;
}

/** Read and decode every record of the directory extent at `lba`. */
export async function readDirectory(ctx: DirectoryContext, lba: number, size: number, path: string): Promise<DirectoryEntry[]> {
  if (size > ctx.maxDirectorySize) {
    throw new RemasterError('LIMIT_EXCEEDED', `directory extent of ${size} bytes exceeds maxDirectorySize ${ctx.maxDirectorySize}`, {
      offset: lba * ISO_SECTOR_SIZE, entry: path,
    });
  }
  checkExtent(ctx.source, lba, size, path);
  const base = lba * ISO_SECTOR_SIZE;
  const length = Math.min(Math.ceil(size / ISO_SECTOR_SIZE) * ISO_SECTOR_SIZE, ctx.source.size - base);
  const bytes = await ctx.source.read(base, length);
  const entries: DirectoryEntry[] = [];
  for (let sector = 0; sector < size; sector += ISO_SECTOR_SIZE) {
    const end = Math.min(sector + ISO_SECTOR_SIZE, size);
    let pos = sector;
    // A zero length byte means the rest of the sector is padding (ECMA-119 §6.8.1.1).
    while (pos < end && bytes[pos] !== 0) {
      const record = decodeDirectoryRecord(bytes, pos, end, base);
      if (record.mismatches.length > 0) {
        ctx.warn('ISO_BAD_RECORD', `both-endian halves differ in ${record.mismatches.join(', ')}; using the little-endian value`, { offset: base + pos, entry: path });
      }
      const susp = await readSusp(ctx, record, base + pos, path);
      entries.push({ record, offset: base + pos, susp, rr: decodeRockRidge(susp) });
      pos += record.length;
    }
  }
  return entries;
}

/** Collect the SUSP entries of a record, following `CE` continuation areas. */
export async function readSusp(ctx: DirectoryContext, record: DirectoryRecord, offset: number, path: string): Promise<SuspEntry[]> {
  if (ctx.suspSkip === undefined) return [];
  let area = decodeSuspArea(record.systemUse, Math.min(ctx.suspSkip, record.systemUse.length));
  if (area.isTruncated) ctx.warn('ISO_BAD_RECORD', 'malformed SUSP entry in the System Use area; ignoring the rest', { offset, entry: path });
  const entries = [...area.entries];
  let hops = 0;
  while (area.continuation !== undefined) {
    const ce = area.continuation;
    if (++hops > MAX_CONTINUATIONS) {
      throw new RemasterError('ISO_BAD_RECORD', `more than ${MAX_CONTINUATIONS} SUSP continuation areas (a CE chain that loops?)`, { offset, entry: path });
    }
    if (ce.length > MAX_CONTINUATION_LENGTH || ce.offset + ce.length > ISO_SECTOR_SIZE) {
      throw new RemasterError('ISO_BAD_RECORD', `SUSP continuation area of ${ce.length} bytes at offset ${ce.offset} does not fit in one ${ISO_SECTOR_SIZE}-byte block`, { offset, entry: path });
    }
    const sector = await readSector(ctx, ce.lba, path);
    area = decodeSuspArea(sector.subarray(ce.offset, ce.offset + ce.length));
    entries.push(...area.entries);
    if (area.isTruncated) ctx.warn('ISO_BAD_RECORD', 'malformed SUSP entry in continuation area; ignoring the rest', { offset: ce.lba * ISO_SECTOR_SIZE + ce.offset, entry: path });
  }
  return entries;
}
