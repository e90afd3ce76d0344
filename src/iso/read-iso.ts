/**
 * readIso(): read an ISO 9660 image (ECMA-119) from a BlockSource — volume
 * descriptors from LBA 16, the directory tree with Rock Ridge (SUSP 1.12,
 * RRIP 1.12) or Joliet names, the El Torito boot catalog (El Torito 1.0) and
 * the hybrid MBR/GPT system area.
 *
 * Lazy by design: only descriptors, directory extents, continuation sectors,
 * the boot catalog and the system area are read here; file bytes are read by
 * readIsoFile() on demand. The Joliet tree is read only when there is no
 * Rock Ridge.
 */
import { emitWarning, makeWarning, RemasterError, type ErrorCode, type WarnOptions } from '../errors.ts';
import type { BlockSource } from '../io/block-source.ts';
import { decodeSpEntry, decodeSuspArea, extensionIds } from './susp.ts';
import { decodeBootCatalog, type BootCatalog } from './el-torito.ts';
import { readHybrid, type HybridInfo } from './hybrid.ts';
import { makeIsoImage, walkNodes, type IsoImage, type IsoNode } from './iso-image.ts';
import { DEFAULT_ISO_LIMITS, readTree, type IsoLimits, type TreeContext } from './read-tree.ts';
import { decodeDirectoryRecord, type DirectoryRecord } from './directory-record.ts';
import { decodeRockRidge } from './rock-ridge.ts';
import { checkExtent, readDirectory } from './directory.ts';
import {
  decodeVolumeDescriptor, ISO_SECTOR_SIZE, ISO_SYSTEM_AREA_SECTORS, type DecodedDescriptor, type VolumeDescriptor,
} from './volume-descriptor.ts';

/** Options for readIso(). */
export interface ReadIsoOptions extends WarnOptions {
  /** Bounds against hostile images; see IsoLimits for defaults. */
  limits?: IsoLimits;
}

/** Volume descriptors read at most before giving up on finding a terminator. */
export const MAX_VOLUME_DESCRIPTORS = 64;

interface Descriptors {
  primary: VolumeDescriptor;
  joliet?: VolumeDescriptor;
  catalogLba?: number;
}

async function readDescriptors(source: BlockSource, warn: TreeContext['warn']): Promise<Descriptors> {
  const first = ISO_SYSTEM_AREA_SECTORS * ISO_SECTOR_SIZE;
  if (source.size < first + ISO_SECTOR_SIZE) {
    throw new RemasterError('ISO_NO_PRIMARY_VOLUME', `image of ${source.size} bytes is too short to hold a volume descriptor at block 16 (needs ${first + ISO_SECTOR_SIZE})`, { offset: first });
  }
  let primary: VolumeDescriptor | undefined;
  let joliet: VolumeDescriptor | undefined;
  let catalogLba: number | undefined;
  for (let i = 0; i < MAX_VOLUME_DESCRIPTORS; i++) {
    const offset = first + i * ISO_SECTOR_SIZE;
    if (offset + ISO_SECTOR_SIZE > source.size) break;
    let d: DecodedDescriptor;
    try {
      d = decodeVolumeDescriptor(await source.read(offset, ISO_SECTOR_SIZE), 0, offset);
    } catch (err) {
      if (primary === undefined) throw err;
      warn('ISO_BAD_DESCRIPTOR', 'volume descriptor set ends without a terminator', { offset });
      break;
    }
    if (d.kind === 'terminator') break;
    if (d.kind === 'primary' && primary === undefined) primary = d;
    else if (d.kind === 'supplementary' && d.jolietLevel > 0 && joliet === undefined) joliet = d;
    else if (d.kind === 'boot' && d.catalogLba !== undefined) catalogLba = d.catalogLba;
  }
  if (primary === undefined) throw new RemasterError('ISO_NO_PRIMARY_VOLUME', 'no Primary Volume Descriptor in the descriptor set', { offset: first });
  for (const m of primary.mismatches) warn('ISO_BAD_DESCRIPTOR', `both-endian halves of ${m} differ; using the little-endian value`, { offset: first });
  if (primary.logicalBlockSize !== ISO_SECTOR_SIZE) {
    throw new RemasterError('ISO_BAD_DESCRIPTOR', `logical block size ${primary.logicalBlockSize}, expected ${ISO_SECTOR_SIZE}`, { offset: first + 128 });
  }
  return { primary, ...(joliet ? { joliet } : {}), ...(catalogLba !== undefined ? { catalogLba } : {}) };
}

/** Detect SUSP (the `SP` entry of the root "." record) and Rock Ridge (`ER` or RRIP entries there). */
async function probeRockRidge(source: BlockSource, root: DirectoryRecord): Promise<{ skip: number | undefined; hasRockRidge: boolean }> {
  checkExtent(source, root.extent, ISO_SECTOR_SIZE, '/');
  const sector = await source.read(root.extent * ISO_SECTOR_SIZE, ISO_SECTOR_SIZE);
  const dot = decodeDirectoryRecord(sector, 0, ISO_SECTOR_SIZE, root.extent * ISO_SECTOR_SIZE);
  const skip = decodeSpEntry(dot.systemUse);
  if (skip === undefined) return { skip, hasRockRidge: false };
  const area = decodeSuspArea(dot.systemUse, 0);
  const ids = extensionIds(area.entries);
  const hasRockRidge = ids.some((id) => /RRIP|IEEE_P?1282/u.test(id)) || decodeRockRidge(area.entries).hasEntries || area.continuation !== undefined;
  return { skip, hasRockRidge };
}

function rootNode(root: DirectoryRecord, offset: number): IsoNode {
  return {
    path: '/', name: '', type: 'dir', mode: 0o040755, uid: 0, gid: 0, nlink: 1, mtime: root.recorded, size: root.dataLength,
    extents: [{ lba: root.extent, length: root.dataLength }], recordOffset: offset,
  };
}

/** Read the metadata of an ISO image: volume, tree, boot catalog and hybrid system area. */
export async function readIso(source: BlockSource, options: ReadIsoOptions = {}): Promise<IsoImage> {
  const limits = { ...DEFAULT_ISO_LIMITS, ...options.limits };
  const warn = (code: ErrorCode, detail: string, ctx: { offset?: number; entry?: string }): void =>
    emitWarning(options, makeWarning(code, detail, ctx));
  const { primary, joliet, catalogLba } = await readDescriptors(source, warn);
  const probe = await probeRockRidge(source, primary.root);
  const names = probe.hasRockRidge ? 'rock-ridge' : joliet ? 'joliet' : 'iso9660';
  const treeRoot = names === 'joliet' && joliet ? joliet.root : primary.root;
  const ctx: TreeContext = {
    source, names, suspSkip: names === 'rock-ridge' ? probe.skip : undefined, sectorCache: new Map(), warn,
    maxDirectorySize: limits.maxDirectorySize, maxDepth: limits.maxDepth, maxEntries: limits.maxEntries, entryCount: 0,
    visited: new Set(), relocationOnly: new WeakSet(), childLinks: new WeakSet(),
  };
  const root = rootNode(treeRoot, (ISO_SYSTEM_AREA_SECTORS * ISO_SECTOR_SIZE) + 156);
  await readRootAttributes(ctx, root);
  await readTree(ctx, root, 0);
  const hybrid = await readHybrid(source, primary.volumeSpaceSize * ISO_SECTOR_SIZE);
  const bootCatalog = catalogLba === undefined ? undefined : await readCatalog(source, catalogLba, root, hybrid, warn);
  return makeIsoImage({
    volume: {
      label: primary.volumeId, systemId: primary.systemId, volumeSetId: primary.volumeSetId, publisherId: primary.publisherId,
      dataPreparerId: primary.dataPreparerId, applicationId: primary.applicationId, size: primary.volumeSpaceSize,
      blockSize: primary.logicalBlockSize, created: primary.created, modified: primary.modified,
    },
    hasRockRidge: probe.hasRockRidge, hasJoliet: joliet !== undefined, namesFrom: names, root, hybrid,
    ...(bootCatalog ? { bootCatalog } : {}),
  });
}

/** Take the root's mode, owner and time from the Rock Ridge entries of its "." record. */
async function readRootAttributes(ctx: TreeContext, root: IsoNode): Promise<void> {
  if (ctx.names !== 'rock-ridge') return;
  const first = root.extents[0] as { lba: number; length: number };
  const entries = await readDirectory(ctx, first.lba, Math.min(first.length, ISO_SECTOR_SIZE), '/');
  const rr = entries[0]?.rr;
  if (rr === undefined) return;
  root.mode = rr.mode ?? root.mode;
  root.uid = rr.uid ?? 0;
  root.gid = rr.gid ?? 0;
  root.nlink = rr.nlink ?? 1;
  root.mtime = rr.mtime ?? root.mtime;
}

/** Read and decode the boot catalog; a broken catalog is a warning, not a failed read. */
async function readCatalog(source: BlockSource, lba: number, root: IsoNode, hybrid: HybridInfo, warn: TreeContext['warn']): Promise<BootCatalog | undefined> {
  try {
    checkExtent(source, lba, ISO_SECTOR_SIZE, '(boot catalog)');
    const catalog = decodeBootCatalog(await source.read(lba * ISO_SECTOR_SIZE, ISO_SECTOR_SIZE), lba, lba * ISO_SECTOR_SIZE);
    if (!catalog.validation.isChecksumValid) warn('ELTORITO_BAD_VALIDATION_ENTRY', 'boot catalog validation entry checksum does not sum to 0', { offset: lba * ISO_SECTOR_SIZE });
    resolveBootImages(catalog, root, hybrid);
    return catalog;
  } catch (err) {
    if (!(err instanceof RemasterError)) throw err;
    warn(err.code, `ignoring the boot catalog: ${err.detail}`, { offset: err.offset ?? lba * ISO_SECTOR_SIZE });
    return undefined;
  }
}

/**
 * Name each boot image's file and size. A no-emulation image's sector count
 * says only how much BIOS loads (often 4, or 0/1 for EFI images larger than
 * the 16-bit field), so the file's directory record or the appended
 * partition at the same place gives the real size.
 */
function resolveBootImages(catalog: BootCatalog, root: IsoNode, hybrid: HybridInfo): void {
  const byLba = new Map<number, IsoNode>();
  for (const n of walkNodes(root)) {
    const first = n.extents[0];
    if (n.type === 'file' && first !== undefined && n.size > 0 && !byLba.has(first.lba)) byLba.set(first.lba, n);
  }
  for (const e of catalog.entries) {
    const file = byLba.get(e.lba);
    const part = hybrid.appendedPartitions.find((p) => p.start === e.lba * 4);
    if (file) e.imagePath = file.path;
    if (e.mediaType === 0 && e.sectorCount <= 1 && (file || part)) e.imageSize = file ? file.size : (part?.sectors ?? 0) * 512;
    else if (file && e.platform === 'efi') e.imageSize = file.size;
    else e.imageSize = e.sectorCount * 512;
  }
}
