/**
 * Shared fixtures for codec tests: deterministic compressible data, and a
 * helper that decodes one member from a re-chunked buffer and returns what
 * the reader has left (the end-detection contract every decoder must keep).
 */
import { spawnSync } from 'node:child_process';
import type { Codec, DecompressOptions } from '../../../src/compress/index.ts';
import { ByteReader } from '../../../src/io/byte-reader.ts';
import { chunked, collect } from '../../helpers/chunked.ts';
import { concatBytes } from '../../../src/io/align.ts';

/** Return `size` bytes of text-like data that compresses about 3:1 (same bytes every run). */
export function sampleData(size: number, seed = 1): Uint8Array {
  const words = ['usr/', 'lib/', 'modules/', 'kernel/', 'drivers/', 'net/', '.ko', 'firmware', '\n', 'x86_64', 'initrd '];
  const out = new Uint8Array(size);
  let state = seed >>> 0 || 1;
  let pos = 0;
  while (pos < size) {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    const word = (state >>> 16) % 7 === 0 ? String.fromCharCode(33 + ((state >>> 8) % 90)) : (words[(state >>> 20) % words.length] as string);
    for (let i = 0; i < word.length && pos < size; i++) out[pos++] = word.charCodeAt(i);
  }
  return out;
}

/** Concatenate byte arrays. */
export function concat(...parts: Uint8Array[]): Uint8Array {
  return concatBytes(parts);
}

/** Bytes that must survive after a member: the start of a newc archive. */
export const FOLLOWING_CPIO = new TextEncoder().encode('070701000000010000');

/** Decode one member of `bytes` fed in `chunkSize` pieces; return the output, the reader offset and what is left. */
export async function decodeOne(
  codec: Codec,
  bytes: Uint8Array,
  chunkSize = 0,
  options?: DecompressOptions,
): Promise<{ out: Uint8Array; offset: number; rest: Uint8Array }> {
  const reader = new ByteReader(chunked(bytes, chunkSize));
  const out = await collect(codec.decompress(reader, options));
  const offset = reader.offset;
  return { out, offset, rest: await reader.readAll() };
}

/** Compress `data` with our encoder, fed in 64 KiB pieces. */
export async function compressWith(codec: Codec, data: Uint8Array, options?: Parameters<Codec['compress']>[1]): Promise<Uint8Array> {
  return collect(codec.compress(chunked(data, 1 << 16), options));
}

/** Return the PIDs of running children of this process whose command is `name`. */
export function childProcesses(name: string): string[] {
  const r = spawnSync('ps', ['--ppid', String(process.pid), '-o', 'pid=,comm='], { encoding: 'utf8' });
  return r.stdout
    .split('\n')
    .map((l) => l.trim().split(/\s+/))
    .filter(([, comm]) => comm === name)
    .map(([pid]) => pid as string);
}

/** Return true when two byte arrays are equal (faster assertion messages than deepStrictEqual on MBs). */
export function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return Buffer.from(a.buffer, a.byteOffset, a.length).equals(Buffer.from(b.buffer, b.byteOffset, b.length));
}
