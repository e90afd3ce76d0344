/**
 * LZMA-alone (`.lzma`, the format of the LZMA SDK and `xz --format=lzma`).
 * The header is 13 bytes: properties (lc/lp/pb), LE32 dictionary size, LE64
 * uncompressed size (all FF: unknown, the stream ends with an end marker).
 * Nothing outside the range-coded data marks where the member ends, so it
 * is decoded in process (lzma-decoder.ts), which counts the bytes it reads:
 * the reader is left on the first byte after the member, where the kernel's
 * unlzma also stops (`posp`), and an appended segment is listed. Encoding
 * goes through the xz CLI.
 *
 * The kernel recognises it only when the first bytes are 5D 00: default
 * lc/lp/pb and a dictionary whose low byte is 0. liblzma rounds the
 * dictionary up to 2^n or 2^n + 2^(n-1), so any size >= 4 KiB qualifies.
 */
import type { ByteReader } from '../io/byte-reader.ts';
import { feedAll, runTool, throwIfAborted } from './child.ts';
import type { Codec, CompressOptions, DecompressOptions } from './codec.ts';
import { corrupt, decodeLzmaProperties, LZMA_MAX_SYMBOL_INPUT, LzmaDecoder, memberError } from './lzma-decoder.ts';
import { resolveLevel } from './levels.ts';
import { checkDictSize, XZ_DEFAULT_DICT_SIZE, XZ_TOOL } from './xz.ts';

const LZMA_ALONE_HEADER_SIZE = 13;
/** Compressed bytes taken from the reader per refill. */
const LZMA_READ_SIZE = 1 << 16;

/** Decode the 13-byte header: properties, dictionary size, uncompressed size (Infinity when unknown). */
function decodeAloneHeader(header: Uint8Array, offset: number): { decoder: LzmaDecoder; size: number } {
  const view = new DataView(header.buffer, header.byteOffset, header.byteLength);
  const props = decodeLzmaProperties(header[0] as number, offset);
  const low = view.getUint32(5, true);
  const high = view.getUint32(9, true);
  const size = low === 0xffffffff && high === 0xffffffff ? Infinity : high * 2 ** 32 + low;
  const decoder = new LzmaDecoder(view.getUint32(1, true));
  decoder.setProperties(props);
  decoder.resetState();
  return { decoder, size };
}

/** Decompress one LZMA-alone member and leave the reader on the first byte after it. */
async function* decompressLzma(reader: ByteReader, options: DecompressOptions = {}): AsyncGenerator<Uint8Array> {
  const start = reader.offset;
  try {
    yield* decodeAlone(reader, start, options);
  } catch (err) {
    throw memberError(err, start, 'lzma');
  }
}

async function* decodeAlone(reader: ByteReader, start: number, options: DecompressOptions): AsyncGenerator<Uint8Array> {
  const { decoder, size } = decodeAloneHeader(await reader.readExact(LZMA_ALONE_HEADER_SIZE, 'lzma header'), start);
  let buf: Uint8Array = new Uint8Array(0);
  let bufOffset = reader.offset; // absolute offset of buf[0]
  let pos = 0;
  let ended = false;
  let endMarkerOnly = false;
  for (;;) {
    throwIfAborted(options.signal, start);
    if (!ended && buf.length - pos <= LZMA_MAX_SYMBOL_INPUT) {
      // Bytes taken from the reader count as consumed (ratio checks); the unused tail goes back at the end.
      const chunk = await reader.readUpTo(LZMA_READ_SIZE);
      ended = chunk.length < LZMA_READ_SIZE;
      const joined = new Uint8Array(buf.length - pos + chunk.length);
      joined.set(buf.subarray(pos));
      joined.set(chunk, buf.length - pos);
      bufOffset += pos;
      buf = joined;
      pos = 0;
    }
    const r = decoder.decode(buf, pos, buf.length, ended, size, bufOffset, endMarkerOnly);
    pos = r.inPos;
    const out = decoder.takeOutput();
    if (out.length > 0) yield out;
    if (r.status === 'end-marker') {
      // a known size must be reached before the end marker (LzmaSpec.cpp and liblzma refuse an early one)
      if (size !== Infinity && decoder.position !== size) throw corrupt(bufOffset + pos, `an end marker after ${decoder.position} of the ${size} bytes the header announces`);
      break;
    }
    if (r.status === 'size-reached') {
      // Known size: the member ends here when the range coder is finished, else an end marker follows.
      const f = decoder.finish(buf, pos, buf.length, bufOffset);
      pos = f.inPos;
      if (f.finished) break;
      endMarkerOnly = true;
    }
  }
  reader.unshift(buf.subarray(pos));
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
  canReportEnd: true,
  tool: XZ_TOOL,
} as const;

/** The LZMA-alone codec (decoded in process, encoded by the xz CLI). */
export const lzmaCodec: Codec = { ...LZMA_INFO, decompress: decompressLzma, compress: compressLzma };
