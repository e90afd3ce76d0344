/**
 * lzop (the `.lzo` container of lzop 1.0x, which the kernel unpacks in
 * lib/decompress_unlzo.c) through the lzop CLI. The framing is walked here so
 * the member end is exact and whatever follows (an appended segment) stays in
 * the reader:
 *
 *   magic 89 4C 5A 4F 00 0D 0A 1A 0A | version BE16 | lib version BE16 |
 *   [version needed BE16 if version >= 0x0940] | method | [level if >= 0x0940] |
 *   flags BE32 | [filter BE32 if F_H_FILTER] | mode BE32 | mtime low BE32 |
 *   [mtime high BE32 if >= 0x0940] | name length + name | header checksum BE32 |
 *   [extra field: length BE32, data, checksum BE32 if F_H_EXTRA_FIELD]
 *   then blocks: uncompressed size BE32 (0 ends the stream) | compressed size BE32 |
 *   [adler32/crc32 of the data, per F_ADLER32_D/F_CRC32_D] |
 *   [adler32/crc32 of the compressed data, per F_ADLER32_C/F_CRC32_C, only when
 *   compressed < uncompressed] | compressed bytes (stored when the sizes are equal).
 *
 * The kernel skips the header the same way but then assumes exactly one 4-byte
 * checksum per block and blocks of at most 256 KiB, which is what `lzop`
 * writes by default (F_ADLER32_D only, 256 KiB blocks); describeLzop() says
 * when a member breaks those assumptions.
 *
 * Encoding runs `lzop -<level>` and rewrites the header's mtime (lzop stores
 * the time the stdin pipe was made) to 0 and its mode to 0644, with the
 * header checksum recomputed, so identical input gives identical bytes.
 */
import { crc32 } from 'node:zlib';
import { RemasterError } from '../errors.ts';
import type { ByteReader } from '../io/byte-reader.ts';
import { feedAll, feedExact, runTool, type ToolSink, type ToolSpec } from './child.ts';
import type { Codec, CompressOptions, DecompressOptions } from './codec.ts';
import { resolveLevel } from './levels.ts';

const LZOP_TOOL: ToolSpec = { command: 'lzop', debianPackage: 'lzop' };
/** lzop's file magic (lzop.c `lzop_magic`, lib/decompress_unlzo.c). */
export const LZOP_MAGIC = Uint8Array.of(0x89, 0x4c, 0x5a, 0x4f, 0x00, 0x0d, 0x0a, 0x1a, 0x0a);
/** Header flags (lzop's conf.h). */
const F_ADLER32_D = 0x1;
const F_ADLER32_C = 0x2;
const F_H_EXTRA_FIELD = 0x40;
const F_CRC32_D = 0x100;
const F_CRC32_C = 0x200;
const F_H_FILTER = 0x800;
const F_H_CRC32 = 0x1000;
/** Version from which the header has "version needed", level and mtime high (lzop.c p_header). */
const LZOP_VERSION_0940 = 0x0940;
/** lzop refuses blocks above 64 MiB (MAX_BLOCK_SIZE); the kernel above 256 KiB (LZO_BLOCK_SIZE). */
const LZOP_MAX_BLOCK = 64 << 20;
export const LZOP_KERNEL_MAX_BLOCK = 256 << 10;
/** Longest fixed header: magic, every optional field, a 255-byte name, the checksum. */
const LZOP_MAX_HEADER = 9 + 2 + 2 + 2 + 1 + 1 + 4 + 4 + 4 + 4 + 4 + 1 + 255 + 4;
/** Largest extra field accepted, so a lying length cannot make us buffer the input. */
const LZOP_MAX_EXTRA = 1 << 16;

/** A decoded lzop file header. */
export interface LzopHeader {
  version: number;
  method: number;
  level: number;
  flags: number;
  mode: number;
  mtime: number;
  /** Offset of the mode field and of the header checksum, from the member start. */
  modeAt: number;
  checksumAt: number;
  /** Bytes of the whole header, extra field included. */
  size: number;
}

const be32 = (b: Uint8Array, at: number): number => (((b[at] as number) << 24) | ((b[at + 1] as number) << 16) | ((b[at + 2] as number) << 8) | (b[at + 3] as number)) >>> 0;
const be16 = (b: Uint8Array, at: number): number => ((b[at] as number) << 8) | (b[at + 1] as number);

/** Return the adler32 of `bytes` (RFC 1950 §8.2), as lzop checksums its header. */
export function adler32(bytes: Uint8Array, start = 1): number {
  let a = start & 0xffff;
  let b = start >>> 16;
  for (let i = 0; i < bytes.length; ) {
    const end = Math.min(bytes.length, i + 5552); // largest run before the sums can overflow 2^32
    for (; i < end; i++) {
      a += bytes[i] as number;
      b += a;
    }
    a %= 65521;
    b %= 65521;
  }
  return ((b << 16) | a) >>> 0;
}

function headerChecksum(flags: number, bytes: Uint8Array): number {
  return flags & F_H_CRC32 ? crc32(bytes) >>> 0 : adler32(bytes);
}

/**
 * Decode an lzop header from the first bytes of a member; return undefined when `head` is too short
 * to hold it (the caller peeks more), throw CODEC_CORRUPT on a bad magic, checksum or field. With
 * `extraField: false` the size leaves out an extra field (enough to describe the member).
 */
export function decodeLzopHeader(head: Uint8Array, offset = 0, extraField = true): LzopHeader | undefined {
  if (head.length < 9 + 8) return undefined;
  for (let i = 0; i < LZOP_MAGIC.length; i++) {
    if (head[i] !== LZOP_MAGIC[i]) throw new RemasterError('CODEC_CORRUPT', 'no lzop magic (89 4c 5a 4f 00 0d 0a 1a 0a) at member start', { offset });
  }
  const version = be16(head, 9);
  const modern = version >= LZOP_VERSION_0940;
  let at = 13 + (modern ? 2 : 0);
  const method = head[at++] as number;
  const level = modern ? (head[at++] as number) : 0;
  if (head.length < at + 4) return undefined;
  const flags = be32(head, at);
  at += 4 + (flags & F_H_FILTER ? 4 : 0);
  const modeAt = at;
  at += 4 + 4 + (modern ? 4 : 0);
  if (head.length < at + 1) return undefined;
  const checksumAt = at + 1 + (head[at] as number);
  if (head.length < checksumAt + 4) return undefined;
  const mtime = be32(head, modeAt + 4) + (modern ? be32(head, modeAt + 8) * 2 ** 32 : 0);
  if (headerChecksum(flags, head.subarray(9, checksumAt)) !== be32(head, checksumAt)) {
    throw new RemasterError('CODEC_CORRUPT', 'lzop header checksum mismatch', { offset });
  }
  let size = checksumAt + 4;
  if (flags & F_H_EXTRA_FIELD && extraField) {
    if (head.length < size + 4) return undefined;
    const extra = be32(head, size);
    if (extra > LZOP_MAX_EXTRA) throw new RemasterError('CODEC_CORRUPT', `lzop extra field of ${extra} bytes, expected at most ${LZOP_MAX_EXTRA}`, { offset });
    size += 4 + extra + 4;
  }
  return { version, method, level, flags, mode: be32(head, modeAt), mtime, modeAt, checksumAt, size };
}

/** Return the kernel-relevant facts of a member header (lib/decompress_unlzo.c's assumptions). */
export function describeLzop(head: Uint8Array): { kernelSafe: boolean; method: number; level: number; flags: number } {
  const h = decodeLzopHeader(head, 0, false);
  if (h === undefined) throw new RemasterError('CODEC_TRUNCATED', 'lzop header ends early');
  const dataChecks = (h.flags & F_ADLER32_D ? 1 : 0) + (h.flags & F_CRC32_D ? 1 : 0);
  // unlzo reads "version needed" and the level unconditionally, skips exactly one checksum per block
  // and knows no extra field.
  const kernelSafe = h.version >= LZOP_VERSION_0940 && dataChecks === 1 && (h.flags & (F_ADLER32_C | F_CRC32_C | F_H_EXTRA_FIELD)) === 0;
  return { kernelSafe, method: h.method, level: h.level, flags: h.flags };
}

async function readHeader(reader: ByteReader): Promise<LzopHeader> {
  const head = await reader.peek(LZOP_MAX_HEADER);
  const header = decodeLzopHeader(head, reader.offset);
  if (header === undefined) throw new RemasterError('CODEC_TRUNCATED', 'lzop header ends early', { offset: reader.offset });
  return header;
}

/** Feed one lzop member: the header, every block, the zero end marker. */
async function feedLzop(reader: ByteReader, sink: ToolSink): Promise<void> {
  const header = await readHeader(reader);
  if (!(await feedExact(reader, sink, header.size, 'lzop header'))) return;
  const dataChecks = (header.flags & F_ADLER32_D ? 4 : 0) + (header.flags & F_CRC32_D ? 4 : 0);
  const packedChecks = (header.flags & F_ADLER32_C ? 4 : 0) + (header.flags & F_CRC32_C ? 4 : 0);
  for (;;) {
    const at = reader.offset;
    const sizes = await reader.peek(8);
    if (sizes.length < 4) throw new RemasterError('CODEC_TRUNCATED', 'lzop stream ends before its end marker', { offset: at });
    const dst = be32(sizes, 0);
    if (dst === 0) {
      await feedExact(reader, sink, 4, 'lzop end marker');
      return;
    }
    if (sizes.length < 8) throw new RemasterError('CODEC_TRUNCATED', 'lzop block header ends early', { offset: at });
    const src = be32(sizes, 4);
    if (dst > LZOP_MAX_BLOCK || src === 0 || src > dst) {
      throw new RemasterError('CODEC_CORRUPT', `lzop block sizes ${src} → ${dst}: expected 0 < compressed ≤ uncompressed ≤ ${LZOP_MAX_BLOCK}`, { offset: at });
    }
    const checks = dataChecks + (src < dst ? packedChecks : 0);
    if (!(await feedExact(reader, sink, 8 + checks + src, 'lzop block'))) return;
  }
}

/** Decompress one lzop member and leave the reader on the first byte after its end marker. */
async function* decompressLzo(reader: ByteReader, options: DecompressOptions = {}): AsyncGenerator<Uint8Array> {
  const offset = reader.offset;
  yield* runTool(LZOP_TOOL, { args: ['-d', '-c', '-q'], mode: 'decode', offset, signal: options.signal, feed: (sink) => feedLzop(reader, sink) });
}

/** Set mtime 0 and mode 0644 in a header lzop wrote, and recompute its checksum. */
function normaliseHeader(bytes: Uint8Array): Uint8Array {
  const h = decodeLzopHeader(bytes) as LzopHeader;
  const out = bytes.slice();
  const view = new DataView(out.buffer, out.byteOffset, out.byteLength);
  view.setUint32(h.modeAt, 0o100644);
  view.setUint32(h.modeAt + 4, 0);
  if (h.version >= LZOP_VERSION_0940) view.setUint32(h.modeAt + 8, 0);
  view.setUint32(h.checksumAt, headerChecksum(h.flags, out.subarray(9, h.checksumAt)));
  return out;
}

/** Compress to one lzop member the kernel reads: lzop's defaults (adler32 of each block, 256 KiB blocks). */
async function* compressLzo(input: AsyncIterable<Uint8Array>, options: CompressOptions = {}): AsyncGenerator<Uint8Array> {
  const args = ['-c', '-q', `-${resolveLevel(LZO_INFO, options)}`];
  let head: Uint8Array | undefined = new Uint8Array(0);
  for await (const chunk of runTool(LZOP_TOOL, { args, mode: 'encode', signal: options.signal, feed: (sink) => feedAll(input, sink) })) {
    if (head === undefined) {
      yield chunk;
      continue;
    }
    const joined: Uint8Array = new Uint8Array(head.length + chunk.length);
    joined.set(head);
    joined.set(chunk, head.length);
    const header = decodeLzopHeader(joined);
    if (header === undefined) {
      head = joined;
      continue;
    }
    head = undefined;
    yield normaliseHeader(joined);
  }
  if (head !== undefined) throw new RemasterError('TOOL_FAILED', 'lzop wrote no complete header');
}

const LZO_INFO = {
  id: 'lzo',
  name: 'lzo',
  magic: LZOP_MAGIC.subarray(0, 4), // lzop magic 89 'LZO' 00 0D 0A 1A 0A (lib/decompress_unlzo.c)
  levels: [1, 9],
  defaultLevel: 9, // dracut and mkinitramfs: lzop -9
  canCompress: true,
  canReportEnd: true,
  tool: LZOP_TOOL,
} as const;

/** The lzo codec (lzop container, CLI-backed). */
export const lzoCodec: Codec = { ...LZO_INFO, decompress: decompressLzo, compress: compressLzo };
