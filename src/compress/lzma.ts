/**
 * LZMA-alone (`.lzma`, the format of the LZMA SDK and `xz --format=lzma`)
 * through the xz CLI. The header is 13 bytes: properties (lc/lp/pb), LE32
 * dictionary size, LE64 uncompressed size (all FF: unknown, the stream ends
 * with an end marker). The format has no reliable end when the size is
 * unknown, so the decoder consumes the rest of the input.
 *
 * The kernel recognises it only when the first bytes are 5D 00: default
 * lc/lp/pb and a dictionary whose low byte is 0. liblzma rounds the
 * dictionary up to 2^n or 2^n + 2^(n-1), so any size >= 4 KiB qualifies.
 */
import type { ByteReader } from '../io/byte-reader.ts';
import { drainReader, feedAll, feedReader, runTool } from './child.ts';
import type { Codec, CompressOptions, DecompressOptions } from './codec.ts';
import { resolveLevel } from './levels.ts';
import { checkDictSize, XZ_DEFAULT_DICT_SIZE, XZ_TOOL } from './xz.ts';

/** Decompress an LZMA-alone stream, consuming the rest of the input. */
async function* decompressLzma(reader: ByteReader, options: DecompressOptions = {}): AsyncGenerator<Uint8Array> {
  const offset = reader.offset;
  const args = ['--format=lzma', '-d', '-c', '--single-stream']; // ignore data after the end marker
  yield* runTool(XZ_TOOL, { args, mode: 'decode', offset, signal: options.signal, feed: (sink) => feedReader(reader, sink) });
  await drainReader(reader);
}

/** Compress to LZMA-alone with lc3 lp0 pb2 (header 5D 00 ..., which the kernel detects). */
async function* compressLzma(input: AsyncIterable<Uint8Array>, options: CompressOptions = {}): AsyncGenerator<Uint8Array> {
  const level = resolveLevel(LZMA_INFO, options);
  const dict = checkDictSize(options.dictSize ?? XZ_DEFAULT_DICT_SIZE);
  const args = ['--format=lzma', '-z', '-c', '-q', `--lzma1=preset=${level},dict=${dict},lc=3,lp=0,pb=2`];
  yield* runTool(XZ_TOOL, { args, mode: 'encode', signal: options.signal, feed: (sink) => feedAll(input, sink) });
}

const LZMA_INFO = {
  id: 'lzma',
  name: 'lzma',
  magic: Uint8Array.of(0x5d), // properties byte lc3 lp0 pb2 (3cpio checks only this byte; the kernel wants 5D 00)
  levels: [0, 9],
  defaultLevel: 9, // RHEL 6 mk-images: xz -9 --format=lzma
  canCompress: true,
  canReportEnd: false,
  tool: XZ_TOOL,
} as const;

/** The LZMA-alone codec (CLI-backed). */
export const lzmaCodec: Codec = { ...LZMA_INFO, decompress: decompressLzma, compress: compressLzma };
