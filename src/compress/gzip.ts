/**
 * gzip (RFC 1952): one member per call. The header is parsed here (FEXTRA,
 * FNAME, FCOMMENT, FHCRC), the deflate body (RFC 1951) is inflated by
 * node:zlib's raw inflater, whose `bytesWritten` tells exactly where the body
 * ended, and the 8-byte trailer (CRC32, ISIZE) is verified. A following
 * member is left in the reader: the kernel treats it as the next segment.
 *
 * Encoding uses node:zlib with no name and mtime 0 (like `gzip -n`), so
 * identical input gives identical bytes.
 */
import { constants, crc32, createGzip, createInflateRaw } from 'node:zlib';
import { RemasterError } from '../errors.ts';
import type { ByteReader } from '../io/byte-reader.ts';
import type { Codec, CompressOptions, DecompressOptions } from './codec.ts';
import { resolveLevel } from './levels.ts';
import { runZlib, zlibFailure, type ZlibHandle, type ZlibSink } from './zlib-stream.ts';

const GZIP_FHCRC = 0x02;
const GZIP_FEXTRA = 0x04;
const GZIP_FNAME = 0x08;
const GZIP_FCOMMENT = 0x10;
const GZIP_FLAGS_RESERVED = 0xe0;
const GZIP_CM_DEFLATE = 8;
const GZIP_FIXED_HEADER_SIZE = 10;
/** Longest FNAME / FCOMMENT accepted, so a missing NUL cannot make us buffer the whole input. */
const GZIP_MAX_FIELD_SIZE = 1 << 16;
const ZLIB_CHUNK_SIZE = 1 << 17;
const READ_CHUNK_SIZE = 1 << 20;
const FEED_SIZE = 1 << 18;

async function readZeroTerminated(reader: ByteReader, what: string, parts: Uint8Array[]): Promise<void> {
  const start = reader.offset;
  for (;;) {
    const chunk = await reader.readSome(READ_CHUNK_SIZE);
    if (chunk.length === 0) {
      throw new RemasterError('CODEC_TRUNCATED', `gzip ${what} has no terminating NUL`, { offset: start });
    }
    const nul = chunk.indexOf(0);
    const used = nul < 0 ? chunk : chunk.subarray(0, nul + 1);
    parts.push(used.slice());
    if (nul >= 0) {
      reader.unshift(chunk.subarray(nul + 1));
      return;
    }
    if (reader.offset - start > GZIP_MAX_FIELD_SIZE) {
      throw new RemasterError('LIMIT_EXCEEDED', `gzip ${what} is longer than ${GZIP_MAX_FIELD_SIZE} bytes`, { offset: start });
    }
  }
}

/** Consume a gzip member header and verify its magic, method, reserved flags and FHCRC (FTEXT is only a hint). */
async function readGzipHeader(reader: ByteReader): Promise<void> {
  const start = reader.offset;
  const fixed = await reader.readExact(GZIP_FIXED_HEADER_SIZE, 'gzip header');
  const parts = [fixed.slice()];
  if (fixed[0] !== 0x1f || fixed[1] !== 0x8b || fixed[2] !== GZIP_CM_DEFLATE) {
    const seen = Array.from(fixed.subarray(0, 3), (b) => b.toString(16).padStart(2, '0')).join(' ');
    throw new RemasterError('CODEC_CORRUPT', `bad gzip header ${seen}, expected 1f 8b 08`, { offset: start });
  }
  const flags = fixed[3] as number;
  if (flags & GZIP_FLAGS_RESERVED) {
    throw new RemasterError('CODEC_CORRUPT', `gzip header has reserved flag bits set (0x${flags.toString(16)})`, { offset: start });
  }
  if (flags & GZIP_FEXTRA) {
    const xlen = await reader.readExact(2, 'gzip FEXTRA length');
    parts.push(xlen.slice());
    parts.push((await reader.readExact((xlen[0] as number) | ((xlen[1] as number) << 8), 'gzip FEXTRA')).slice());
  }
  if (flags & GZIP_FNAME) await readZeroTerminated(reader, 'file name', parts);
  if (flags & GZIP_FCOMMENT) await readZeroTerminated(reader, 'comment', parts);
  if (flags & GZIP_FHCRC) {
    const stored = await reader.readExact(2, 'gzip header CRC');
    const crc = parts.reduce((acc, p) => crc32(p, acc), 0) & 0xffff;
    if (crc !== ((stored[0] as number) | ((stored[1] as number) << 8))) {
      throw new RemasterError('CODEC_CORRUPT', 'gzip header CRC16 mismatch', { offset: start });
    }
  }
}

/**
 * Feed the deflate body until the inflater stops consuming. Large reads coalesce tiny source
 * chunks; what the inflater leaves unused goes back into the reader.
 */
async function feedDeflate(reader: ByteReader, sink: ZlibSink): Promise<void> {
  for (;;) {
    const chunk = await reader.readUpTo(FEED_SIZE);
    if (chunk.length === 0) return;
    const used = await sink.write(chunk);
    if (used < chunk.length) {
      reader.unshift(chunk.subarray(used)); // the inflater stopped: the rest follows the member
      return;
    }
  }
}

function readLE32(bytes: Uint8Array, at: number): number {
  return ((bytes[at] as number) | ((bytes[at + 1] as number) << 8) | ((bytes[at + 2] as number) << 16) | ((bytes[at + 3] as number) << 24)) >>> 0;
}

/** Decompress one gzip member and leave the reader just after its trailer. */
async function* decompressGzip(reader: ByteReader, options: DecompressOptions = {}): AsyncGenerator<Uint8Array> {
  const start = reader.offset;
  await readGzipHeader(reader);
  const inflater = createInflateRaw({ chunkSize: ZLIB_CHUNK_SIZE }) as unknown as ZlibHandle;
  let crc = 0;
  let size = 0;
  try {
    for await (const chunk of runZlib(inflater, (sink) => feedDeflate(reader, sink), options.signal)) {
      crc = crc32(chunk, crc);
      size += chunk.length;
      yield chunk;
    }
  } catch (err) {
    throw zlibFailure(err, 'gzip member is damaged', start);
  }
  const trailer = await reader.readExact(8, 'gzip trailer');
  if (readLE32(trailer, 0) !== crc >>> 0 || readLE32(trailer, 4) !== size % 2 ** 32) {
    throw new RemasterError(
      'CODEC_CORRUPT',
      `gzip trailer mismatch: stored crc32 0x${readLE32(trailer, 0).toString(16)} size ${readLE32(trailer, 4)}, ` +
        `decoded crc32 0x${(crc >>> 0).toString(16)} size ${size % 2 ** 32}`,
      { offset: start },
    );
  }
}

/** Compress to one gzip member with no name and mtime 0 (like `gzip -n`). */
async function* compressGzip(input: AsyncIterable<Uint8Array>, options: CompressOptions = {}): AsyncGenerator<Uint8Array> {
  const level = resolveLevel(GZIP_INFO, options);
  const deflater = createGzip({ level, chunkSize: ZLIB_CHUNK_SIZE, strategy: constants.Z_DEFAULT_STRATEGY }) as unknown as ZlibHandle;
  yield* runZlib(
    deflater,
    async (sink) => {
      for await (const chunk of input) await sink.write(chunk);
    },
    options.signal,
  );
}

const GZIP_INFO = {
  id: 'gzip',
  name: 'gzip',
  magic: Uint8Array.of(0x1f, 0x8b), // RFC 1952 §2.3.1 ID1 ID2; the kernel also maps 1F 9E (old gzip) here
  levels: [1, 9],
  defaultLevel: 9, // dracut: gzip -n -9
  canCompress: true,
  canReportEnd: true,
} as const;

/** The gzip codec (RFC 1952). */
export const gzipCodec: Codec = { ...GZIP_INFO, magic: GZIP_INFO.magic, decompress: decompressGzip, compress: compressGzip };
