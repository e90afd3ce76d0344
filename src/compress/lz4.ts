/**
 * lz4 through the lz4 CLI. The kernel accepts only the legacy frame
 * (lib/decompress_unlz4.c): magic 02 21 4C 18, then `[LE32 size][block]`
 * repeated, each block decoding to at most 8 MiB. The framing is walked here
 * so the end is exact: a repeated magic is skipped, and a size of 0, a size
 * larger than LZ4_compressBound(8 MiB), fewer than 4 bytes, or anything that
 * is not a size (a gzip magic, "0707...") ends the member, as in Linux >= 5.14
 * (which however fails on a gzip magic: see isGzipMagic).
 * The modern frame format (04 22 4D 18, lz4 Frame_format.md) is walked too
 * (header, blocks, EndMark, checksums) and decoded; the kernel rejects it, so
 * the encoder never writes it.
 */
import { RemasterError } from '../errors.ts';
import type { ByteReader } from '../io/byte-reader.ts';
import { feedAll, feedExact, runTool, type ToolSink, type ToolSpec } from './child.ts';
import type { Codec, CompressOptions, DecompressOptions } from './codec.ts';
import { resolveLevel } from './levels.ts';

const LZ4_TOOL: ToolSpec = { command: 'lz4', debianPackage: 'lz4' };
/** Legacy frame magic 0x184C2102 (lz4 Frame_format.md, "Legacy frame"). */
export const LZ4_LEGACY_MAGIC = 0x184c2102;
/** Modern frame magic 0x184D2204 (lz4 Frame_format.md). */
export const LZ4_FRAME_MAGIC = 0x184d2204;
/** LZ4_compressBound(8 MiB) = n + n/255 + 16: the largest legal legacy block. */
const LZ4_LEGACY_MAX_BLOCK = (8 << 20) + Math.floor((8 << 20) / 255) + 16;

function le32(b: Uint8Array, at = 0): number {
  return ((b[at] as number) | ((b[at + 1] as number) << 8) | ((b[at + 2] as number) << 16) | ((b[at + 3] as number) << 24)) >>> 0;
}

/**
 * Return true for a gzip member header. Every other segment magic (0707, 28 B5, FD 37, BZh, 5D 00 00,
 * 89 4C) read as a block size exceeds the largest legal block; a gzip header reads as 559 903 bytes.
 * The kernel would fail on it ("data corrupted"); a reader is more lenient and ends the member, at
 * the cost of misreading a real block of exactly that size that starts with 08.
 */
function isGzipMagic(head: Uint8Array): boolean {
  return head[0] === 0x1f && head[1] === 0x8b && head[2] === 0x08;
}

/** Feed legacy blocks to the sink until the framing says the member ended. */
async function feedLegacy(reader: ByteReader, sink: ToolSink): Promise<void> {
  if (!(await sink.write((await reader.readExact(4, 'lz4 magic')).slice()))) return;
  for (;;) {
    const head = await reader.peek(4);
    if (head.length < 4) return;
    const size = le32(head);
    if (size === LZ4_LEGACY_MAGIC) {
      await reader.skip(4);
      continue;
    }
    if (size === 0 || size > LZ4_LEGACY_MAX_BLOCK || isGzipMagic(head)) return;
    if (!(await feedExact(reader, sink, 4 + size, 'lz4 block'))) return;
  }
}

/** Feed one modern lz4 frame: header, data blocks up to the EndMark, optional content checksum. */
async function feedFrame(reader: ByteReader, sink: ToolSink): Promise<void> {
  const head = await reader.peek(6);
  if (head.length < 6) throw new RemasterError('CODEC_TRUNCATED', 'lz4 frame header ends early', { offset: reader.offset });
  const flg = head[4] as number;
  const headerSize = 7 + (flg & 0x08 ? 8 : 0) + (flg & 0x01 ? 4 : 0);
  if (!(await feedExact(reader, sink, headerSize, 'lz4 frame header'))) return;
  for (;;) {
    const sizeBytes = (await reader.readExact(4, 'lz4 block size')).slice();
    if (!(await sink.write(sizeBytes))) return;
    const size = le32(sizeBytes) & 0x7fffffff; // high bit: block stored uncompressed
    if (size === 0) break; // EndMark
    if (!(await feedExact(reader, sink, size + (flg & 0x10 ? 4 : 0), 'lz4 block'))) return;
  }
  if (flg & 0x04) await feedExact(reader, sink, 4, 'lz4 content checksum');
}

/** Decompress one lz4 member (legacy or modern frame) and leave the reader just after it. */
async function* decompressLz4(reader: ByteReader, options: DecompressOptions = {}): AsyncGenerator<Uint8Array> {
  const offset = reader.offset;
  const head = await reader.peek(4);
  const magic = head.length === 4 ? le32(head) : 0;
  if (magic !== LZ4_LEGACY_MAGIC && magic !== LZ4_FRAME_MAGIC) {
    throw new RemasterError('CODEC_CORRUPT', 'no lz4 magic (02 21 4c 18 or 04 22 4d 18) at member start', { offset });
  }
  const legacy = magic === LZ4_LEGACY_MAGIC;
  const feed = legacy ? (sink: ToolSink) => feedLegacy(reader, sink) : (sink: ToolSink) => feedFrame(reader, sink);
  yield* runTool(LZ4_TOOL, { args: ['-d', '-c', '-q'], mode: 'decode', offset, signal: options.signal, feed });
}

/** Compress to the lz4 legacy frame, the only lz4 format the kernel unpacks. */
async function* compressLz4(input: AsyncIterable<Uint8Array>, options: CompressOptions = {}): AsyncGenerator<Uint8Array> {
  const level = resolveLevel(LZ4_INFO, options);
  const args = ['-l', '-c', '-q', `-${level}`];
  yield* runTool(LZ4_TOOL, { args, mode: 'encode', signal: options.signal, feed: (sink) => feedAll(input, sink) });
}

const LZ4_INFO = {
  id: 'lz4',
  name: 'lz4',
  magic: Uint8Array.of(0x02, 0x21, 0x4c, 0x18), // legacy frame, the kernel's format (modern: 04 22 4D 18)
  levels: [1, 12],
  defaultLevel: 9, // dracut: lz4 -l -9
  canCompress: true,
  canReportEnd: true,
  tool: LZ4_TOOL,
} as const;

/** The lz4 codec (legacy frame for the kernel, CLI-backed). */
export const lz4Codec: Codec = { ...LZ4_INFO, decompress: decompressLz4, compress: compressLz4 };
