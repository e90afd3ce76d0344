/**
 * RPM packages (LSB Core 4.1 §22 "Package File Format"; rpm's
 * lib/package.c and docs/manual/format.md): lead, signature header padded to
 * 8 bytes, main header, then the payload, a cpio (newc) archive compressed as
 * PAYLOADCOMPRESSOR says. The payload goes through the initrd engine's own
 * codec table and cpio reader; names ("./usr/sbin/x") are normalised by
 * toArchivePath. Files over 4 GiB ("stripped" cpio, rpmlib(LargeFiles)) are
 * not supported and reported as such.
 */
import { readCpio, type CpioEntry } from '../cpio/index.ts';
import type { CodecId } from '../compress/index.ts';
import { RemasterError } from '../errors.ts';
import { ByteReader } from '../io/byte-reader.ts';
import { toArchivePath } from '../tree/index.ts';
import { DEFAULT_MAX_ENTRY_SIZE, DEFAULT_MAX_HEADER_SIZE, DEFAULT_MAX_INDEX_ENTRIES, type PackageEntry, type PackageLimits } from './entry.ts';
import { decompressPayload, type PayloadCompression } from './payload.ts';
import { RPM_HEADER_INTRO_SIZE, RPM_INDEX_ENTRY_SIZE, RPM_LEAD_SIZE, decodeRpmHeader, decodeRpmHeaderIntro, decodeRpmLead, type RpmHeader, type RpmLead } from './rpm-header.ts';
import { rpmFiles, rpmString, RPMTAG, type RpmFileInfo } from './rpm-tags.ts';

/** The main header with the fields recipes need pulled out. */
export interface RpmPackageHeader extends RpmHeader {
  name: string;
  version: string;
  release: string;
  epoch?: number;
  arch: string;
  payloadFormat: string;
  payloadCompressor: PayloadCompression;
  /** Every file the package owns (including %ghost files, which the payload does not carry). */
  files: RpmFileInfo[];
}

/** An .rpm with its headers read and its payload entries still to stream. */
export interface RpmPackage {
  lead: RpmLead;
  signature: RpmHeader;
  header: RpmPackageHeader;
  /** Absolute offset of the compressed payload. */
  payloadOffset: number;
  /** The payload members; read once, in order. */
  entries: AsyncGenerator<PackageEntry>;
}

/** Options for readRpm. */
export interface ReadRpmOptions {
  limits?: PackageLimits;
}

const COMPRESSORS: Record<string, CodecId> = { gzip: 'gzip', bzip2: 'bzip2', xz: 'xz', lzma: 'lzma', zstd: 'zstd' };

/** Read an .rpm: decode lead, signature and header, and return the payload entries as a stream. */
export async function readRpm(source: AsyncIterable<Uint8Array> | Iterable<Uint8Array>, options: ReadRpmOptions = {}): Promise<RpmPackage> {
  const limits = {
    maxIndexEntries: options.limits?.maxIndexEntries ?? DEFAULT_MAX_INDEX_ENTRIES,
    maxHeaderSize: options.limits?.maxHeaderSize ?? DEFAULT_MAX_HEADER_SIZE,
  };
  const reader = new ByteReader(source);
  const lead = decodeRpmLead(await reader.readExact(RPM_LEAD_SIZE, 'rpm lead', 'RPM_BAD_HEADER'), 0);
  const signature = await readHeader(reader, limits);
  // The signature header's store is padded to a multiple of 8 (rpm lib/signature.c).
  await skipExact(reader, (8 - (signature.size % 8)) % 8);
  const main = await readHeader(reader, limits);
  const header = summarise(main);
  const payloadOffset = reader.offset;
  const entries = readPayload(reader, header, payloadOffset, options.limits?.maxEntrySize ?? DEFAULT_MAX_ENTRY_SIZE);
  return { lead, signature, header, payloadOffset, entries };
}

async function readHeader(reader: ByteReader, limits: { maxIndexEntries: number; maxHeaderSize: number }): Promise<RpmHeader> {
  const at = reader.offset;
  const { indexCount, dataSize } = decodeRpmHeaderIntro(await reader.readExact(RPM_HEADER_INTRO_SIZE, 'rpm header intro', 'RPM_BAD_HEADER'), at, limits);
  const index = (await reader.readExact(indexCount * RPM_INDEX_ENTRY_SIZE, 'rpm header index', 'RPM_BAD_HEADER')).slice();
  const store = (await reader.readExact(dataSize, 'rpm header data', 'RPM_BAD_HEADER')).slice();
  return decodeRpmHeader(index, store, at);
}

async function skipExact(reader: ByteReader, n: number): Promise<void> {
  const at = reader.offset;
  if ((await reader.skip(n)) !== n) throw new RemasterError('RPM_BAD_HEADER', `rpm ends inside the signature padding`, { offset: at });
}

function summarise(h: RpmHeader): RpmPackageHeader {
  const compressorName = rpmString(h, RPMTAG.PAYLOADCOMPRESSOR) ?? 'gzip';
  const payloadCompressor = COMPRESSORS[compressorName];
  if (payloadCompressor === undefined) throw new RemasterError('CODEC_UNSUPPORTED', `rpm payload compressor "${compressorName}" is not supported`, { offset: h.offset });
  const payloadFormat = rpmString(h, RPMTAG.PAYLOADFORMAT) ?? 'cpio';
  if (payloadFormat !== 'cpio') throw new RemasterError('RPM_BAD_HEADER', `rpm payload format "${payloadFormat}" is not supported, expected "cpio"`, { offset: h.offset });
  const epoch = h.values.get(RPMTAG.EPOCH);
  return {
    ...h,
    name: rpmString(h, RPMTAG.NAME) ?? '',
    version: rpmString(h, RPMTAG.VERSION) ?? '',
    release: rpmString(h, RPMTAG.RELEASE) ?? '',
    ...(Array.isArray(epoch) && typeof epoch[0] === 'number' ? { epoch: epoch[0] } : {}),
    arch: rpmString(h, RPMTAG.ARCH) ?? '',
    payloadFormat,
    payloadCompressor,
    files: rpmFiles(h),
  };
}

async function* readPayload(reader: ByteReader, header: RpmPackageHeader, payloadOffset: number, maxEntry: number): AsyncGenerator<PackageEntry> {
  const byPath = new Map(header.files.map((f) => [f.path, f]));
  const codecErrors = new WeakSet<object>();
  const inner = new ByteReader(tagErrors(decompressPayload(reader.rest(), header.payloadCompressor, payloadOffset, 'rpm payload'), codecErrors));
  try {
    if (!(await inner.atEnd()) && new TextDecoder().decode(await inner.peek(6)) === '07070X') {
      throw new RemasterError('CODEC_UNSUPPORTED', `rpm payload is a "stripped" cpio (files over 4 GiB); not supported`, { offset: payloadOffset });
    }
    for await (const c of readCpio(inner, { limits: { maxEntrySize: Math.min(maxEntry, 0xffffffff) } })) yield toEntry(c, byPath);
  } catch (err) {
    // Errors of the cpio layer carry offsets inside the decompressed payload.
    if (err instanceof RemasterError && !codecErrors.has(err) && err.innerOffset === undefined) {
      if (err.offset !== undefined) err.innerOffset = err.offset;
      err.offset = payloadOffset;
    }
    throw err;
  }
}

async function* tagErrors(source: AsyncIterable<Uint8Array>, marks: WeakSet<object>): AsyncGenerator<Uint8Array> {
  try {
    yield* source;
  } catch (err) {
    if (typeof err === 'object' && err !== null) marks.add(err);
    throw err;
  }
}

function toEntry(c: CpioEntry, byPath: Map<string, RpmFileInfo>): PackageEntry {
  if (c.type === undefined) throw new RemasterError('PACKAGE_BAD', `payload entry has unknown mode 0${c.header.mode.toString(8)}`, { offset: c.offset, entry: c.name });
  const path = toArchivePath(c.name);
  const info = byPath.get(path);
  const entry: PackageEntry = {
    path,
    type: c.type,
    mode: c.header.mode & 0o7777,
    uid: c.header.uid,
    gid: c.header.gid,
    mtime: c.header.mtime,
    size: c.type === 'file' ? c.header.fileSize : 0,
    body: c.body,
  };
  if (info?.user) entry.user = info.user;
  if (info?.group) entry.group = info.group;
  if (c.linkTarget !== undefined) entry.linkTarget = c.linkTarget;
  if (c.type === 'char' || c.type === 'block') Object.assign(entry, { devmajor: c.header.rdevMajor, devminor: c.header.rdevMinor });
  return entry;
}
