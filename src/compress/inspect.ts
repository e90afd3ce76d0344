/**
 * Read the parameters of a compressed member that decide whether the kernel
 * can unpack it, from its first bytes: xz check type and filters (xz spec
 * 1.1.0 §2.1.1.2, §3.1), zstd window size (RFC 8878 §3.1.1.1), lz4 legacy vs
 * frame, LZMA-alone properties, gzip header fields (RFC 1952). Rules from
 * reference 01 §6.
 */
import { RemasterError } from '../errors.ts';
import type { CodecId } from './codec.ts';
import { describeLzop } from './lzo.ts';
import { zstdFrameHeaderSize } from './zstd.ts';

/** How much of a member describeCompression() wants; shorter is fine when the member is shorter. */
export const DESCRIBE_HEAD_SIZE = 320; // an lzop header with a 255-byte name
/** Largest zstd window considered safe: 8 MiB (zstd -19 from a pipe; `--zstd=wlog=23`). */
export const ZSTD_KERNEL_MAX_WINDOW = 8 << 20;

export type XzCheck = 'none' | 'crc32' | 'crc64' | 'sha256' | 'unknown';

/** Parameters that matter to the kernel, per codec. */
export type CompressionParams =
  | { codec: 'gzip'; kernelSafe: true; hasName: boolean; hasComment: boolean; mtime: number; os: number }
  | { codec: 'xz'; kernelSafe: boolean; check: XzCheck; filters?: string[]; dictSize?: number }
  | { codec: 'zstd'; kernelSafe: boolean; windowSize: number; hasChecksum: boolean; contentSize?: number }
  | { codec: 'lz4'; kernelSafe: boolean; format: 'legacy' | 'frame' }
  | { codec: 'lzma'; kernelSafe: boolean; kernelDetectable: boolean; lc: number; lp: number; pb: number; dictSize: number }
  | { codec: 'bzip2'; kernelSafe: true; blockSize100k: number }
  | { codec: 'lzo'; kernelSafe: boolean; method: number; level: number };

const XZ_CHECKS: Record<number, XzCheck> = { 0x00: 'none', 0x01: 'crc32', 0x04: 'crc64', 0x0a: 'sha256' };
/** xz filter IDs (xz spec §5.3); the kernel's XZ Embedded knows LZMA2 and the BCJ filters. */
const XZ_FILTERS: Record<number, string> = {
  0x21: 'lzma2', 0x03: 'delta', 0x04: 'x86', 0x05: 'powerpc', 0x06: 'ia64', 0x07: 'arm', 0x08: 'armthumb', 0x09: 'sparc', 0x0a: 'arm64', 0x0b: 'riscv',
};
const XZ_KERNEL_FILTERS = new Set(['lzma2', 'x86', 'powerpc', 'ia64', 'arm', 'armthumb', 'sparc', 'arm64', 'riscv']);

function need(head: Uint8Array, n: number, what: string): void {
  if (head.length < n) throw new RemasterError('CODEC_TRUNCATED', `${what} needs ${n} bytes, got ${head.length}`);
}

function le(head: Uint8Array, at: number, size: number): number {
  let v = 0;
  for (let i = size - 1; i >= 0; i--) v = v * 256 + (head[at + i] as number);
  return v;
}

/** Decode an xz multibyte integer (spec §1.2); return [value, next offset] or undefined past the end. */
function varint(b: Uint8Array, at: number): [number, number] | undefined {
  let value = 0;
  for (let i = 0; i < 9 && at + i < b.length; i++) {
    const byte = b[at + i] as number;
    value += (byte & 0x7f) * 2 ** (7 * i);
    if ((byte & 0x80) === 0) return [value, at + i + 1];
  }
  return undefined;
}

/** Read the filter chain of the first Block Header (spec §3.1), when the head holds it. */
function xzFilters(head: Uint8Array): { filters: string[]; dictSize?: number } | undefined {
  const size = ((head[12] ?? 0) + 1) * 4;
  if (head[12] === undefined || head[12] === 0 || head.length < 12 + size) return undefined; // 0: Index, no block
  const flags = head[13] as number;
  let at: number | undefined = 14;
  for (const bit of [0x40, 0x80]) if (flags & bit && at !== undefined) at = varint(head, at)?.[1];
  const filters: string[] = [];
  let dictSize: number | undefined;
  for (let i = 0; i <= (flags & 3) && at !== undefined; i++) {
    const id = varint(head, at);
    const propSize = id && varint(head, id[1]);
    if (!id || !propSize) return undefined;
    const name = XZ_FILTERS[id[0]] ?? `0x${id[0].toString(16)}`;
    filters.push(name);
    if (name === 'lzma2' && propSize[0] === 1) {
      const p = head[propSize[1]] as number;
      dictSize = p >= 40 ? 0xffffffff : (2 | (p & 1)) * 2 ** (Math.floor(p / 2) + 11);
    }
    at = propSize[1] + propSize[0];
  }
  return dictSize === undefined ? { filters } : { filters, dictSize };
}

function describeXz(head: Uint8Array): CompressionParams {
  need(head, 12, 'xz stream header');
  const check = XZ_CHECKS[head[7] as number] ?? 'unknown';
  const chain = xzFilters(head);
  const filtersOk = chain === undefined || chain.filters.every((f) => XZ_KERNEL_FILTERS.has(f));
  // XZ Embedded accepts only None and CRC32 checks ("settings that are not supported").
  const kernelSafe = (check === 'none' || check === 'crc32') && filtersOk;
  return chain ? { codec: 'xz', kernelSafe, check, ...chain } : { codec: 'xz', kernelSafe, check };
}

function describeZstd(head: Uint8Array): CompressionParams {
  need(head, 5, 'zstd frame header');
  const descriptor = head[4] as number;
  need(head, zstdFrameHeaderSize(descriptor), 'zstd frame header');
  const singleSegment = (descriptor & 0x20) !== 0;
  const fcsSize = [singleSegment ? 1 : 0, 2, 4, 8][descriptor >> 6] as number;
  const fcsAt = 5 + (singleSegment ? 0 : 1) + ([0, 1, 2, 4][descriptor & 3] as number);
  const contentSize = fcsSize === 0 ? undefined : le(head, fcsAt, fcsSize) + (fcsSize === 2 ? 256 : 0);
  let windowSize = contentSize ?? 0;
  if (!singleSegment) {
    const wd = head[5] as number;
    const base = 2 ** (10 + (wd >> 3));
    windowSize = base + (base / 8) * (wd & 7);
  }
  // The kernel allocates the window: 2 GiB windows ran out of memory, > 128 MiB fails on 5.9-5.15.
  const params = { codec: 'zstd' as const, kernelSafe: windowSize <= ZSTD_KERNEL_MAX_WINDOW, windowSize, hasChecksum: (descriptor & 4) !== 0 };
  return contentSize === undefined ? params : { ...params, contentSize };
}

function describeLzma(head: Uint8Array): CompressionParams {
  need(head, 5, 'lzma header');
  const props = head[0] as number;
  const kernelDetectable = props === 0x5d && head[1] === 0; // lib/decompress.c compares 5D 00
  const lc = props % 9;
  const lp = Math.floor(props / 9) % 5;
  const pb = Math.floor(props / 45);
  return { codec: 'lzma', kernelSafe: kernelDetectable, kernelDetectable, lc, lp, pb, dictSize: le(head, 1, 4) };
}

/** Describe the kernel-relevant parameters of a member from its first bytes (DESCRIBE_HEAD_SIZE is enough). */
export function describeCompression(id: CodecId, head: Uint8Array): CompressionParams {
  switch (id) {
    case 'gzip': {
      need(head, 10, 'gzip header');
      const flags = head[3] as number;
      return { codec: 'gzip', kernelSafe: true, hasName: (flags & 8) !== 0, hasComment: (flags & 16) !== 0, mtime: le(head, 4, 4), os: head[9] as number };
    }
    case 'xz':
      return describeXz(head);
    case 'zstd':
      return describeZstd(head);
    case 'lz4':
      need(head, 4, 'lz4 magic');
      // The kernel unpacks only the legacy frame (lib/decompress_unlz4.c).
      return head[0] === 0x02 ? { codec: 'lz4', kernelSafe: true, format: 'legacy' } : { codec: 'lz4', kernelSafe: false, format: 'frame' };
    case 'lzma':
      return describeLzma(head);
    case 'bzip2':
      need(head, 4, 'bzip2 header');
      return { codec: 'bzip2', kernelSafe: true, blockSize100k: (head[3] as number) - 0x30 };
    case 'lzo': {
      const { kernelSafe, method, level } = describeLzop(head);
      return { codec: 'lzo', kernelSafe, method, level };
    }
  }
}
