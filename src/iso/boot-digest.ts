/**
 * Boot data compared by what it means, for `iso diff` (reference 03 §5–§6).
 * A rebuild that only moves sectors changes bytes that describe positions:
 * the boot-info table xorriso patches into an ISOLINUX or GRUB El Torito
 * image (bytes 8–63: PVD LBA, the image's own LBA, its length, a checksum of
 * bytes 64 onward) and GRUB's `--grub2-boot-info` (bytes 2548–2555: the
 * image's LBA × 4 + 5), and the boot catalog (LBAs of the images). Boot
 * images are hashed with those fields zeroed, but only when they hold
 * exactly what xorriso would patch in for the image's place; the catalog is
 * described by its entries; an image that is not a file (an appended EFI
 * partition) by the sha256 of the bytes it loads.
 */
import { createHash } from 'node:crypto';
import type { BlockSource } from '../io/block-source.ts';
import type { BootEntry } from './el-torito.ts';
import type { IsoImage, IsoNode } from './iso-image.ts';
import { readIsoFile } from './read-iso-file.ts';
import { ISO_SECTOR_SIZE, ISO_SYSTEM_AREA_SECTORS } from './volume-descriptor.ts';

/** Boot images larger than this are hashed as stored (ISOLINUX and GRUB El Torito images are tens of KiB). */
const MAX_PATCHED_IMAGE = 4 << 20;
/** Offset and size of the boot-info table (isolinux.txt "-boot-info-table"). */
const BOOT_INFO_TABLE = { offset: 8, end: 64 } as const;
/** Offset of GRUB's 64-bit boot info (xorriso(1) "grub2_boot_info"). */
const GRUB2_BOOT_INFO = 2548;

async function readAll(source: BlockSource, node: IsoNode): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  for await (const c of readIsoFile(source, node, { isRaw: true })) chunks.push(c);
  return Buffer.concat(chunks);
}

function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** Zero the boot-info fields that hold what xorriso patches in for an image at `lba`; return whether any did. */
export function maskBootInfo(bytes: Uint8Array, lba: number): boolean {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let masked = false;
  if (bytes.length >= BOOT_INFO_TABLE.end) {
    // 32-bit little-endian words from byte 64; a last partial word counts as zero-padded (as xorriso sums it).
    let sum = 0;
    for (let i = BOOT_INFO_TABLE.end; i < bytes.length; i += 4) {
      const word = i + 4 <= bytes.length ? view.getUint32(i, true) : bytes.subarray(i).reduce((w, b, k) => w + b * 2 ** (8 * k), 0);
      sum = (sum + word) >>> 0;
    }
    const isTable = view.getUint32(8, true) === ISO_SYSTEM_AREA_SECTORS && view.getUint32(12, true) === lba
      && view.getUint32(16, true) === bytes.length && view.getUint32(20, true) === sum;
    if (isTable) {
      bytes.fill(0, BOOT_INFO_TABLE.offset, BOOT_INFO_TABLE.end);
      masked = true;
    }
  }
  if (bytes.length >= GRUB2_BOOT_INFO + 8 && view.getBigUint64(GRUB2_BOOT_INFO, true) === BigInt(lba) * 4n + 5n) {
    bytes.fill(0, GRUB2_BOOT_INFO, GRUB2_BOOT_INFO + 8);
    masked = true;
  }
  return masked;
}

/** Return the sha256 of a BIOS El Torito image file with its patched boot info masked, or undefined when nothing was patched. */
export async function maskedImageDigest(source: BlockSource, node: IsoNode, lba: number): Promise<string | undefined> {
  if (node.type !== 'file' || node.size > MAX_PATCHED_IMAGE) return undefined;
  const bytes = await readAll(source, node);
  return maskBootInfo(bytes, lba) ? sha256(bytes) : undefined;
}

/** Describe a boot entry by what it boots: the file it loads, or the sha256 of the bytes it loads. */
export async function describeBootEntry(source: BlockSource, entry: BootEntry): Promise<string> {
  const media = entry.mediaType === 0 ? 'no emulation' : `emulation ${entry.mediaType}`;
  const head = `${entry.platform}, ${media}, ${entry.isBootable ? 'bootable' : 'not bootable'}, loads ${entry.sectorCount} sectors of`;
  if (entry.imagePath !== undefined) return `${head} ${entry.imagePath}`;
  const length = Math.min(entry.imageSize ?? entry.sectorCount * 512, Math.max(0, source.size - entry.lba * ISO_SECTOR_SIZE));
  const hash = createHash('sha256');
  for (let at = 0; at < length; at += 1 << 20) hash.update(await source.read(entry.lba * ISO_SECTOR_SIZE + at, Math.min(1 << 20, length - at)));
  return `${head} a non-file image of ${length} bytes, sha256 ${hash.digest('hex').slice(0, 12)}`;
}

/** Boot data of an image as `iso diff` compares it. */
export interface BootMeaning {
  /** Every El Torito entry, described by what it boots. */
  entries: string[];
  /** Path of the catalog when it is a file of the tree. */
  catalogPath?: string;
  /** Digests to use instead of the stored bytes': BIOS images with their boot info masked, the catalog by its entries. */
  digests: Map<string, string>;
}

/** Read what an image's boot data means (entries, catalog file, masked boot image digests). */
export async function readBootMeaning(source: BlockSource, image: IsoImage): Promise<BootMeaning> {
  const entries = image.bootCatalog?.entries ?? [];
  const described = await Promise.all(entries.map((e) => describeBootEntry(source, e)));
  const digests = new Map<string, string>();
  for (const e of entries) {
    const node = e.imagePath === undefined || e.platform !== 'bios' ? undefined : image.lookup(e.imagePath);
    const digest = node ? await maskedImageDigest(source, node, e.lba) : undefined;
    if (digest !== undefined && e.imagePath !== undefined) digests.set(e.imagePath.slice(1), digest);
  }
  const meaning: BootMeaning = { entries: described, digests };
  const catalog = image.bootCatalog === undefined ? undefined : [...image.walk()].find((n) => n.type === 'file' && n.extents[0]?.lba === image.bootCatalog?.lba);
  if (catalog) {
    meaning.catalogPath = catalog.path.slice(1);
    digests.set(meaning.catalogPath, sha256(new TextEncoder().encode(`El Torito catalog: ${described.join('; ')}`)));
  }
  return meaning;
}
