/**
 * xz (xz file format spec 1.1.0) through the xz CLI: the in-process bindings
 * evaluated for this project were wrong or unmaintained (reference 09).
 *
 * Decoding feeds xz exactly the bytes of one stream: XzFooterScanner finds the
 * Stream Footer as the bytes pass, the rest goes back into the reader, and
 * xz's exit status 0 then proves the cut was right. Stream Padding after the
 * footer is left for the caller (the segment scanner skips NULs). Streams
 * whose footer lies within XZ_IN_PROCESS_MAX bytes are decoded in process
 * instead (xz-decoder.ts), which every field and check of the stream verifies.
 *
 * Encoding is kernel-safe (CRC32 check, LZMA2 only, 1 MiB dictionary like
 * dracut) and reproducible: xz >= 5.4 uses its multi-threaded encoder for
 * every thread count except 1, and that encoder's output depends only on the
 * block size, which is given explicitly, never on the number of cores.
 */
import { RemasterError } from '../errors.ts';
import type { ByteReader } from '../io/byte-reader.ts';
import { FEED_CHUNK_SIZE, feedAll, runTool, type ToolSink, type ToolSpec } from './child.ts';
import type { Codec, CompressOptions, DecompressOptions } from './codec.ts';
import { resolveLevel } from './levels.ts';
import { memberError } from './lzma-decoder.ts';
import { decodeXzStream, XZ_NEEDS_CLI } from './xz-decoder.ts';
import { decodeXzStreamHeader, xzFooterCandidates, XZ_HEADER_MAGIC, XZ_STREAM_HEADER_SIZE, XzFooterScanner } from './xz-footer.ts';

/** xz-utils ships both `xz` and the `.lzma` (LZMA-alone) coder. */
export const XZ_TOOL: ToolSpec = { command: 'xz', debianPackage: 'xz-utils' };
/** dracut and the kernel's own module compression use a 1 MiB dictionary (reference 01 §6 xz). */
export const XZ_DEFAULT_DICT_SIZE = 1 << 20;
const XZ_MIN_DICT_SIZE = 4096;
const XZ_MAX_DICT_SIZE = 1536 << 20;
/** Streams up to this size decode in process: below it a decoder process costs more than decoding (BENCHMARKS.md). */
export const XZ_IN_PROCESS_MAX = 32 << 10;

/** Validate a dictionary size for xz/lzma or throw USAGE. */
export function checkDictSize(dictSize: number): number {
  if (!Number.isInteger(dictSize) || dictSize < XZ_MIN_DICT_SIZE || dictSize > XZ_MAX_DICT_SIZE) {
    throw new RemasterError('USAGE', `dictSize must be an integer in ${XZ_MIN_DICT_SIZE}..${XZ_MAX_DICT_SIZE}, got ${dictSize}`);
  }
  return dictSize;
}

/** Feed one .xz stream to xz and give back every byte after its footer. */
async function feedXzStream(reader: ByteReader, sink: ToolSink): Promise<void> {
  const header = await reader.readExact(XZ_STREAM_HEADER_SIZE, 'xz stream header');
  const scanner = new XzFooterScanner(decodeXzStreamHeader(header, reader.offset - XZ_STREAM_HEADER_SIZE));
  if (!(await sink.write(header.slice()))) return;
  for (;;) {
    const chunk = await reader.readUpTo(FEED_CHUNK_SIZE); // coalesces tiny source chunks into large writes
    if (chunk.length === 0) return; // xz reports the truncation
    const cut = scanner.push(chunk);
    if (cut >= 0) reader.unshift(chunk.subarray(cut)); // what follows the footer is the caller's
    const open = await sink.write(cut >= 0 ? chunk.subarray(0, cut) : chunk);
    if (cut >= 0 || !open) return;
  }
}

const XZ_DECODE_ARGS = ['-d', '-c', '-T0', '--single-stream'];

/**
 * Return the bytes of the stream at the reader when it ends within XZ_IN_PROCESS_MAX bytes (the
 * reader is then past it), else undefined (nothing consumed). A footer candidate is taken only when
 * the stream up to it decodes (a copy of a footer inside the data is not its end; a fuzz finding);
 * when none does, the first candidate is taken and its decode reports the error.
 */
async function takeSmallStream(reader: ByteReader): Promise<Uint8Array | undefined> {
  let first: number | undefined;
  for (const size of [XZ_IN_PROCESS_MAX >> 4, XZ_IN_PROCESS_MAX]) { // most tiny streams fit the first look
    const head = await reader.peek(size);
    if (head.length <= XZ_STREAM_HEADER_SIZE) return undefined;
    const ends = xzFooterCandidates(decodeXzStreamHeader(head.subarray(0, XZ_STREAM_HEADER_SIZE), reader.offset), head);
    first ??= ends[0];
    const end = ends.find((n) => decodesCompletely(head.subarray(0, n), reader.offset));
    if (end !== undefined) return (await reader.readExact(end, 'xz stream')).slice();
    if (head.length < size) break;
  }
  return first === undefined ? undefined : (await reader.readExact(first, 'xz stream')).slice();
}

/** Output a candidate may produce while being checked; past it the candidate is taken (limits apply to the real decode). */
const XZ_CHECK_BUDGET = 16 << 20;

/** Whether `stream` decodes as one whole .xz stream (within XZ_CHECK_BUDGET bytes of output). */
function decodesCompletely(stream: Uint8Array, offset: number): boolean {
  let produced = 0;
  try {
    for (const chunk of decodeXzStream(stream, offset)) {
      produced += chunk.length;
      if (produced > XZ_CHECK_BUDGET) return true;
    }
    return true;
  } catch (err) {
    return err === XZ_NEEDS_CLI; // xz decides for filters this decoder leaves out
  }
}

/**
 * Decompress one .xz stream and leave the reader on the first byte after its footer. Small streams
 * (thousands of tiny segments are a real layout) are decoded in process; large ones, and filters
 * the in-process decoder leaves out, by the multi-threaded xz CLI.
 */
async function* decompressXz(reader: ByteReader, options: DecompressOptions = {}): AsyncGenerator<Uint8Array> {
  const offset = reader.offset;
  const small = await takeSmallStream(reader);
  if (small === undefined) {
    yield* runTool(XZ_TOOL, { args: XZ_DECODE_ARGS, mode: 'decode', offset, signal: options.signal, feed: (sink) => feedXzStream(reader, sink) });
    return;
  }
  let produced = false;
  try {
    for (const chunk of decodeXzStream(small, offset)) {
      produced = true;
      yield chunk;
    }
  } catch (err) {
    if (err !== XZ_NEEDS_CLI) throw memberError(err, offset, 'xz');
    if (produced) throw new RemasterError('CODEC_UNSUPPORTED', 'xz stream changes its filter chain between blocks', { offset });
    yield* runTool(XZ_TOOL, { args: XZ_DECODE_ARGS, mode: 'decode', offset, signal: options.signal, feed: async (sink) => void (await sink.write(small)) });
  }
}

/** Return the xz -T argument that keeps the multi-threaded (core-count independent) encoder. */
function xzThreadsArg(threads: number | undefined): string {
  const n = Math.max(0, Math.floor(threads ?? 0));
  return n === 1 ? '-T+1' : `-T${n}`; // plain -T1 would select the single-threaded encoder (other bytes)
}

/** Compress to one .xz stream with CRC32 checks, LZMA2 only and a fixed block size. */
async function* compressXz(input: AsyncIterable<Uint8Array>, options: CompressOptions = {}): AsyncGenerator<Uint8Array> {
  const level = resolveLevel(XZ_INFO, options);
  const dict = checkDictSize(options.dictSize ?? XZ_DEFAULT_DICT_SIZE);
  const blockSize = Math.max(3 * dict, 1 << 20); // xz's own multi-threaded default is 3 x dict
  const args = ['-z', '-c', '-q', '--check=crc32', `--lzma2=preset=${level},dict=${dict}`, xzThreadsArg(options.threads), `--block-size=${blockSize}`];
  yield* runTool(XZ_TOOL, { args, mode: 'encode', signal: options.signal, feed: (sink) => feedAll(input, sink) });
}

const XZ_INFO = {
  id: 'xz',
  name: 'xz',
  magic: XZ_HEADER_MAGIC, // xz spec §2.1.1.1; the kernel compares only FD 37
  levels: [0, 9],
  defaultLevel: 6, // xz's own default preset
  canCompress: true,
  canReportEnd: true,
  tool: XZ_TOOL,
} as const;

/** The xz codec (xz file format 1.1.0, CLI-backed). */
export const xzCodec: Codec = { ...XZ_INFO, decompress: decompressXz, compress: compressXz };
