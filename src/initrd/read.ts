/**
 * Multi-segment initrd reader. An initrd is a sequence of uncompressed cpio
 * archives, compressed cpio archives and NUL padding, in any order
 * (buffer-format.rst grammar; init/initramfs.c unpack_to_rootfs). Segments
 * are found the way the kernel finds them: skip NULs, a "0707" at a 4-aligned
 * offset starts an uncompressed archive, anything else is looked up in the
 * codec table by its magic. Every entry and every error is tagged with its
 * segment, counted from 1 like 3cpio.
 */
import { RemasterError, emitWarning, makeWarning, type WarnOptions } from '../errors.ts';
import { ByteReader } from '../io/byte-reader.ts';
import { readCpio, looksLikeCpio, type CpioEntry, type CpioLimits, type CpioReadStats } from '../cpio/index.ts';
import { detectCodec, getCodec, describeCompression, DESCRIBE_HEAD_SIZE, type CodecId, type CompressionParams } from '../compress/index.ts';

/** Bounds for untrusted images, on top of the cpio limits. */
export interface InitrdLimits extends CpioLimits {
  /** Largest decompressed size of one segment (default 8 GiB). */
  maxTotalSize?: number;
  /** Largest ratio of decompressed to compressed bytes (default 1000, like node-tar). */
  maxRatio?: number;
  /**
   * Most entries in the whole image (default 4,194,304): commands that index an image keep about
   * 100 bytes per entry (diff: per path and side), so this bounds their memory.
   */
  maxEntries?: number;
}

/** One segment of an initrd, as found by the reader. */
export interface Segment {
  /** Counted from 1. */
  index: number;
  /** Absolute offset of the first byte. */
  offset: number;
  /** Bytes the segment occupies in the file (compressed size for compressed segments). */
  length: number;
  /** NUL bytes skipped right before this segment. */
  paddingBefore: number;
  /** 'cpio' for an uncompressed archive, else the codec. */
  format: 'cpio' | CodecId;
  /** Codec parameters that matter to the kernel (check type, window size, ...). */
  params?: CompressionParams;
  /** Bytes of cpio data (equals length for uncompressed segments). */
  uncompressedSize: number;
  /** Entries, without trailers. */
  entries: number;
  /** cpio archives (TRAILER!!!-terminated runs) inside the segment. */
  archives: number;
  /** Whether the last archive ended with TRAILER!!!. */
  hasTrailer: boolean;
}

/** An entry tagged with the segment it came from. */
export interface InitrdEntry extends CpioEntry {
  segment: number;
  /**
   * The cpio archive it belongs to, counted from 1 over the whole image: a new archive starts
   * after each TRAILER!!!, where the kernel forgets its hard-link table (free_hash), so hard-link
   * groups are keyed within an archive, not a segment.
   */
  archive: number;
}

/** Counts TRAILER!!!-terminated archives across segments. */
interface ArchiveCounter {
  current: number;
}

/** Options for readInitrd. */
export interface ReadInitrdOptions extends WarnOptions {
  limits?: InitrdLimits;
  /** Called when a segment has been read completely. */
  onSegment?: (segment: Segment) => void;
  /** Called once at the end with the NUL bytes that trail the last segment. */
  onEnd?: (info: { size: number; trailingPadding: number }) => void;
  signal?: AbortSignal;
}

const DEFAULT_MAX_RATIO = 1000;
const DEFAULT_MAX_TOTAL = 8 * 1024 ** 3;
/** 2^22 entries: twice the 2 million the memory targets are measured on (BENCHMARKS.md). */
export const DEFAULT_MAX_ENTRIES = 4 * 1024 * 1024;
/** Ratio checks start after this many decompressed bytes: tiny archives legitimately compress very well. */
const RATIO_GRACE_BYTES = 16 * 1024 ** 2;

function hexBytes(b: Uint8Array): string {
  return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join(' ');
}

/** Read every entry of every segment of an initrd. */
export async function* readInitrd(
  source: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
  options: ReadInitrdOptions = {},
): AsyncGenerator<InitrdEntry> {
  const reader = new ByteReader(source);
  const counter = { entries: 0, max: options.limits?.maxEntries ?? DEFAULT_MAX_ENTRIES };
  const archive: ArchiveCounter = { current: 1 };
  let index = 0;
  let lastFormat: Segment['format'] | undefined;
  for (;;) {
    options.signal?.throwIfAborted();
    const padding = await skipNuls(reader);
    if (await reader.atEnd()) {
      options.onEnd?.({ size: reader.offset, trailingPadding: padding });
      return;
    }
    index++;
    const offset = reader.offset;
    const head = await reader.peek(8);
    if (lastFormat === 'lz4' && padding < 4) {
      emitWarning(options, makeWarning('SEGMENT_MISALIGNED', `follows an lz4 segment with ${padding} NUL bytes; kernels need at least 4 (and >= 5.14) or lose this segment`, { segment: index, offset }));
    }
    const seg: Segment = { index, offset, length: 0, paddingBefore: padding, format: 'cpio', uncompressedSize: 0, entries: 0, archives: 0, hasTrailer: false };
    try {
      if (looksLikeCpio(head)) {
        if (offset % 4 !== 0) {
          throw new RemasterError('SEGMENT_MISALIGNED', `uncompressed cpio starts at an offset that is not a multiple of 4; the kernel reads it as compressed data and fails`, { offset });
        }
        yield* readUncompressed(reader, seg, archive, options, counter);
      } else {
        const codec = detectCodec(head);
        if (codec === undefined) {
          throw new RemasterError('SEGMENT_UNKNOWN_MAGIC', `unknown segment magic ${hexBytes(head.subarray(0, 4))}, expected a cpio header ("070701"), NUL padding or a known compression magic`, { offset });
        }
        seg.format = codec;
        seg.params = describeCompression(codec, await reader.peek(DESCRIBE_HEAD_SIZE));
        yield* readCompressed(reader, seg, codec, archive, options, counter);
      }
    } catch (err) {
      throw tagSegment(err, seg);
    }
    lastFormat = seg.format;
    options.onSegment?.(seg);
  }
}

function tagSegment(err: unknown, seg: Segment): unknown {
  if (err instanceof RemasterError && err.segment === undefined) {
    if (err.offset === undefined) err.offset = seg.offset;
    err.segment = seg.index;
  }
  return err;
}

/** Move an offset inside decompressed data to innerOffset; the segment's own offset takes its place. */
function tagInner(err: unknown, seg: Segment): unknown {
  if (err instanceof RemasterError && err.segment === undefined) {
    if (err.offset !== undefined) err.innerOffset = err.offset;
    err.offset = seg.offset;
    err.segment = seg.index;
  }
  return err;
}

async function skipNuls(reader: ByteReader): Promise<number> {
  let count = 0;
  for (;;) {
    const chunk = await reader.peek(4096);
    if (chunk.length === 0) return count;
    let n = 0;
    while (n < chunk.length && chunk[n] === 0) n++;
    if (n > 0) {
      await reader.skip(n);
      count += n;
    }
    if (n < chunk.length) return count;
  }
}

async function* readUncompressed(reader: ByteReader, seg: Segment, archive: ArchiveCounter, options: ReadInitrdOptions, counter: EntryCounter): AsyncGenerator<InitrdEntry> {
  const stats: CpioReadStats = { hasTrailer: false, end: 0, entries: 0 };
  for await (const entry of readCpio(reader, { ...cpioOptions(options), stats })) {
    count(counter, entry.name);
    yield Object.assign(entry, { segment: seg.index, archive: archive.current });
  }
  if (stats.hasTrailer) archive.current++;
  seg.archives = 1;
  seg.entries = stats.entries;
  seg.hasTrailer = stats.hasTrailer;
  seg.length = reader.offset - seg.offset;
  seg.uncompressedSize = seg.length;
}

interface EntryCounter {
  entries: number;
  max: number;
}

/** Count an entry against maxEntries: every command that indexes an image keeps state per entry. */
function count(counter: EntryCounter, name: string): void {
  if (++counter.entries > counter.max) {
    throw new RemasterError('LIMIT_EXCEEDED', `more than maxEntries ${counter.max} entries in the image (raise limits.maxEntries, or --max-entries)`, { entry: name });
  }
}

function cpioOptions(options: ReadInitrdOptions): WarnOptions & { limits?: CpioLimits } {
  const out: WarnOptions & { limits?: CpioLimits } = {};
  if (options.limits) out.limits = options.limits;
  if (options.onWarning) out.onWarning = options.onWarning;
  if (options.strict) out.strict = options.strict;
  return out;
}

async function* readCompressed(reader: ByteReader, seg: Segment, codecId: CodecId, archive: ArchiveCounter, options: ReadInitrdOptions, counter: EntryCounter): AsyncGenerator<InitrdEntry> {
  const codec = getCodec(codecId);
  const decodeOptions: WarnOptions & { signal?: AbortSignal } = cpioOptions(options);
  if (options.signal) decodeOptions.signal = options.signal;
  const limited = limitRatio(codec.decompress(reader, decodeOptions), reader, seg, options.limits);
  const inner = new ByteReader(limited);
  try {
    for (;;) {
      await skipNuls(inner);
      if (await inner.atEnd()) break;
      const head = await inner.peek(6);
      if (!looksLikeCpio(head) || inner.offset % 4 !== 0) {
        throw new RemasterError('CPIO_BAD_MAGIC', `junk within compressed archive: ${hexBytes(head.subarray(0, 4))} where a cpio header or NUL padding must follow (the kernel stops here)`, { offset: inner.offset });
      }
      const stats: CpioReadStats = { hasTrailer: false, end: 0, entries: 0 };
      for await (const entry of readCpio(inner, { ...cpioOptions(options), stats })) {
        count(counter, entry.name);
        yield Object.assign(entry, { segment: seg.index, archive: archive.current });
      }
      if (stats.hasTrailer) archive.current++;
      seg.archives++;
      seg.entries += stats.entries;
      seg.hasTrailer = stats.hasTrailer;
    }
  } catch (err) {
    throw tagInner(err, seg);
  } finally {
    await inner.close();
  }
  seg.uncompressedSize = inner.offset;
  seg.length = reader.offset - seg.offset;
}

async function* limitRatio(
  chunks: AsyncIterable<Uint8Array>,
  reader: ByteReader,
  seg: Segment,
  limits: InitrdLimits | undefined,
): AsyncGenerator<Uint8Array> {
  const maxRatio = limits?.maxRatio ?? DEFAULT_MAX_RATIO;
  const maxTotal = limits?.maxTotalSize ?? DEFAULT_MAX_TOTAL;
  let out = 0;
  // Errors raised here or by the codec carry outer offsets: tag them now so
  // readCompressed does not mistake them for offsets inside the cpio data.
  try {
  for await (const chunk of chunks) {
    out += chunk.length;
    const consumed = Math.max(1, reader.offset - seg.offset);
    if (out > maxTotal) {
      throw new RemasterError('LIMIT_EXCEEDED', `segment decompresses to more than maxTotalSize ${maxTotal} bytes`, { offset: seg.offset });
    }
    if (out > RATIO_GRACE_BYTES && out / consumed > maxRatio) {
      throw new RemasterError('LIMIT_EXCEEDED', `decompression ratio above maxRatio ${maxRatio} (${out} bytes from ${consumed}): refusing a likely decompression bomb`, { offset: seg.offset });
    }
    yield chunk;
  }
  } catch (err) {
    throw tagSegment(err, seg);
  }
}
