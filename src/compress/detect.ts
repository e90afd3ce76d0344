/**
 * Codec table and signature detection. The kernel picks a decompressor from
 * the first two bytes only (lib/decompress.c); a reader should demand the
 * longer signatures 3cpio uses (bdrung/3cpio:src/compression.rs), so that
 * random data is not mistaken for a compressed segment (reference 01 §6).
 */
import { RemasterError } from '../errors.ts';
import { bzip2Codec } from './bzip2.ts';
import type { Codec, CodecId } from './codec.ts';
import { gzipCodec } from './gzip.ts';
import { lz4Codec } from './lz4.ts';
import { lzmaCodec } from './lzma.ts';
import { lzoCodec } from './lzo.ts';
import { xzCodec } from './xz.ts';
import { zstdCodec } from './zstd.ts';

/** Every codec, in the order of the kernel's decompressor table. */
export const CODECS: readonly Codec[] = [gzipCodec, bzip2Codec, lzmaCodec, xzCodec, lzoCodec, lz4Codec, zstdCodec];

/** Signatures a reader accepts, longest match wins (bytes from reference 01 §6). */
const SIGNATURES: readonly (readonly [CodecId, readonly number[]])[] = [
  ['gzip', [0x1f, 0x8b]], // RFC 1952 ID1 ID2
  ['gzip', [0x1f, 0x9e]], // old gzip magic, still mapped to gzip by lib/decompress.c
  ['bzip2', [0x42, 0x5a, 0x68]], // "BZh"
  ['xz', [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]], // xz spec §2.1.1.1
  ['lzo', [0x89, 0x4c, 0x5a, 0x4f]], // lzop: 89 "LZO"
  ['lz4', [0x02, 0x21, 0x4c, 0x18]], // lz4 legacy frame (the kernel's)
  ['lz4', [0x04, 0x22, 0x4d, 0x18]], // lz4 frame format
  ['zstd', [0x28, 0xb5, 0x2f, 0xfd]], // RFC 8878 §3.1.1
];

const LZMA_PROPERTIES_DEFAULT = 0x5d; // lc=3 lp=0 pb=2, what every encoder writes

function startsWith(head: Uint8Array, sig: readonly number[]): boolean {
  return head.length >= sig.length && sig.every((b, i) => head[i] === b);
}

/** Return true for a dictionary size liblzma would write: 2^n or 2^n + 2^(n-1), 4 KiB .. 1.5 GiB, or UINT32_MAX. */
export function isPlausibleLzmaDict(dict: number): boolean {
  if (dict === 0xffffffff) return true;
  for (let n = 12; n <= 30; n++) if (dict === 2 ** n || dict === 2 ** n + 2 ** (n - 1)) return true;
  return false;
}

function looksLikeLzma(head: Uint8Array): boolean {
  if (head[0] !== LZMA_PROPERTIES_DEFAULT || head.length < 2) return false;
  if (head[1] === 0) return true; // what the kernel itself requires
  if (head.length < 5) return false;
  const dict = ((head[1] as number) | ((head[2] as number) << 8) | ((head[3] as number) << 16) | ((head[4] as number) << 24)) >>> 0;
  return isPlausibleLzmaDict(dict);
}

/** Identify the codec of a member from its first bytes (up to 8 are used); undefined when none matches. */
export function detectCodec(head: Uint8Array): CodecId | undefined {
  for (const [id, sig] of SIGNATURES) if (startsWith(head, sig)) return id;
  return looksLikeLzma(head) ? 'lzma' : undefined;
}

/** Return the codec for an id. */
export function getCodec(id: CodecId): Codec {
  const codec = CODECS.find((c) => c.id === id);
  if (!codec) throw new RemasterError('CODEC_UNSUPPORTED', `unknown codec "${String(id)}"`);
  return codec;
}
