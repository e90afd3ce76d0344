/**
 * Fuzz targets for the in-process LZMA decoders, each checked against the xz CLI as an oracle
 * (differential fuzzing), not only for crashes:
 *
 * lzma: an LZMA-alone member through lzmaCodec.decompress (the in-process decoder). When it
 *   succeeds, `xz --format=lzma -dc` on exactly the bytes it consumed must succeed with the same
 *   output; when it fails, xz on the whole input must fail too. Headers the xz CLI refuses by its
 *   own heuristics (xzTakesLzmaHeader) are decoded but not compared.
 * xz-small: a small .xz stream through xzCodec.decompress (decoded in process when its footer is
 *   within 32 KiB). When it succeeds, `xz -dc --single-stream` on the consumed bytes must give the
 *   same output; when it fails, xz on the whole input must fail too.
 *
 * Every member remaster accepts is compared; one in four it refuses is given to xz too (a
 * process per case is the cost of the oracle).
 *
 * LZMA-alone has no check, so mutated members often decode to other bytes: those cases compare the
 * two decoders symbol by symbol. Seeds with --check=none do the same for LZMA2 inside xz.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { crc32 } from 'node:zlib';
import { getCodec } from '../src/compress/index.ts';
import { RemasterError } from '../src/errors.ts';
import { ByteReader } from '../src/io/index.ts';
import { GENERIC_MUTATORS, INTERESTING_32, type Mutator } from './mutate.ts';

/** One in this many inputs our decoder refuses is also given to xz (every accepted one is). */
const REFUSAL_SAMPLE = 4;
/** Output beyond this is not compared (a mutated header can ask for gigabytes); the case counts as ok. */
const MAX_COMPARED_OUTPUT = 16 << 20;

function tool(args: string[], input: Uint8Array): Uint8Array | undefined {
  const r = spawnSync('xz', args, { input, maxBuffer: 1 << 26, stdio: ['pipe', 'pipe', 'ignore'] });
  return r.status === 0 ? Uint8Array.from(r.stdout) : undefined;
}

/** Text-like, random, zero and repeated data of a few KiB: what tiny initrd segments hold. */
function seedData(): Uint8Array[] {
  const text = new TextEncoder().encode('usr/lib/modules/6.1.0-13-amd64/kernel/drivers/scsi/hpsa.ko\nfirmware/ql2500_fw.bin\n'.repeat(40));
  let x = 12345;
  const random = Uint8Array.from({ length: 1500 }, () => {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    return x >>> 24;
  });
  const mixed = new Uint8Array(6000);
  mixed.set(random, 0);
  mixed.set(text.subarray(0, 3000), 1500);
  mixed.set(random, 4500);
  return [new Uint8Array(0), Uint8Array.of(0x41), text, random, new Uint8Array(5000), mixed];
}

/** LZMA-alone seeds written by xz: presets, context settings, a small dictionary, and known-size headers. */
export function lzmaSeeds(): { seeds: Uint8Array[]; missing: string[] } {
  const settings = ['preset=0', 'preset=6', 'preset=6,lc=0,lp=2,pb=0', 'preset=6,lc=4,pb=4', 'preset=6,dict=4KiB,mf=hc3,mode=fast'];
  const seeds: Uint8Array[] = [];
  for (const data of seedData()) {
    for (const setting of settings) {
      const member = tool(['--format=lzma', `--lzma1=${setting}`, '-c'], data);
      if (member === undefined) return { seeds: [], missing: ['xz'] };
      seeds.push(member);
    }
    // A known size in the header, the end marker kept (liblzma accepts both forms).
    const known = (seeds.at(-1) as Uint8Array).slice();
    new DataView(known.buffer).setBigUint64(5, BigInt(data.length), true);
    seeds.push(known);
  }
  return { seeds, missing: [] };
}

/** xz seeds written by xz: every check, several blocks, sizes in block headers. */
export function xzSeeds(): { seeds: Uint8Array[]; missing: string[] } {
  const layouts = [['--check=crc32'], ['--check=none'], ['--check=crc64'], ['--check=sha256'], ['--check=none', '--block-size=2000'], ['--check=crc32', '-T2', '--block-size=3000']];
  const seeds: Uint8Array[] = [];
  for (const data of seedData()) {
    for (const layout of layouts) {
      const member = tool(['-c', '--lzma2=preset=6', ...layout], data);
      if (member === undefined) return { seeds: [], missing: ['xz'] };
      seeds.push(member);
    }
  }
  return { seeds, missing: [] };
}

/** Rewrite the LZMA-alone header: properties, dictionary size or uncompressed size. */
const lzmaHeader: Mutator = (input, rng) => {
  if (input.length < 13) return input;
  const out = input.slice();
  const view = new DataView(out.buffer);
  const what = rng.below(3);
  if (what === 0) out[0] = rng.pick([0x00, 0x5d, 0x5e, 0x2c, 0xe0, 0xe1, 0xff, rng.below(225)]);
  else if (what === 1) view.setUint32(1, rng.pick([0, 1, 4095, 4096, 0xffffffff, 1 << 16, 3 << 20, ...INTERESTING_32]) >>> 0, true);
  else {
    const known = view.getBigUint64(5, true);
    const size = rng.pick([0n, 1n, 2n, 0xffffffffffffffffn, 0xfffffffffffffffen, 1n << 40n, known === 0xffffffffffffffffn ? 100n : known + BigInt(rng.between(-3, 3))]);
    view.setBigUint64(5, size < 0n ? 0n : size, true);
  }
  return out;
};

/** Mutate a byte of the first block header or the stream flags, then fix the CRC32 that covers it, to reach what follows. */
const xzHeaderWithCrc: Mutator = (input, rng) => {
  if (input.length < 32) return input;
  const out = input.slice();
  const view = new DataView(out.buffer);
  if (rng.chance(0.3)) {
    out[7] = rng.below(16); // check ID 0..15 in the stream flags, header and footer kept equal
    view.setUint32(8, crc32(out.subarray(6, 8)) >>> 0, true);
    out[out.length - 2 - 1] = out[7] as number;
    view.setUint32(out.length - 12, crc32(out.subarray(out.length - 8, out.length - 2)) >>> 0, true);
    return out;
  }
  const size = ((out[12] as number) + 1) * 4;
  if (12 + size > out.length) return out;
  const at = 13 + rng.below(size - 5);
  out[at] = rng.chance(0.5) ? rng.below(256) : rng.pick([0x00, 0x01, 0x03, 0x21, 0x40, 0x80, 0xc0, 0x16, 0x28, 0x29]);
  view.setUint32(12 + size - 4, crc32(out.subarray(12, 12 + size - 4)) >>> 0, true);
  return out;
};

export const LZMA_MUTATORS: readonly Mutator[] = [...GENERIC_MUTATORS, lzmaHeader, lzmaHeader];
export const XZ_MUTATORS: readonly Mutator[] = [...GENERIC_MUTATORS, xzHeaderWithCrc, xzHeaderWithCrc];

/** Decode one member with `codec`; return the sha256 of the output and the bytes consumed, or the RemasterError. */
async function ours(codecId: 'lzma' | 'xz', bytes: Uint8Array): Promise<{ sha256: string; size: number; consumed: number } | { error: RemasterError } | undefined> {
  const reader = new ByteReader([bytes]);
  const hash = createHash('sha256');
  let size = 0;
  try {
    for await (const chunk of getCodec(codecId).decompress(reader)) {
      hash.update(chunk);
      size += chunk.length;
      if (size > MAX_COMPARED_OUTPUT) return undefined;
    }
  } catch (err) {
    if (err instanceof RemasterError) return { error: err };
    throw err;
  }
  return { sha256: hash.digest('hex'), size, consumed: reader.offset };
}

/**
 * Say whether the xz CLI takes this LZMA-alone header at all: xz's is_format_lzma() refuses, by
 * heuristics against false positives, a dictionary size that is not 2^n or 2^n + 2^(n-1) (or
 * UINT32_MAX) and a known size of 2^38 or more, and liblzma refuses lc + lp > 4. The kernel's unlzma
 * and remaster's decoder take all of these, so such members are decoded but not compared.
 */
export function xzTakesLzmaHeader(bytes: Uint8Array): boolean {
  if (bytes.length < 13) return true; // too short for anyone: both must refuse
  const props = bytes[0] as number;
  if (props >= 225 || (props % 9) + (Math.floor(props / 9) % 5) > 4) return false;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const dict = view.getUint32(1, true);
  if (dict !== 0xffffffff) {
    let d = dict - 1;
    d |= d >>> 2;
    d |= d >>> 3;
    d |= d >>> 4;
    d |= d >>> 8;
    d |= d >>> 16;
    if (dict === 0 || ((d + 1) >>> 0) !== dict) return false;
  }
  const size = view.getBigUint64(5, true);
  return size === 0xffffffffffffffffn || size <= 1n << 38n;
}

/** Compare our decoder with xz on one input; throw a plain Error (a finding) when they disagree. */
async function differential(codecId: 'lzma' | 'xz', args: string[], bytes: Uint8Array): Promise<string> {
  const mine = await ours(codecId, bytes);
  if (mine === undefined) return 'ok, over 16 MiB (not compared)';
  if (codecId === 'lzma' && !xzTakesLzmaHeader(bytes)) {
    if ('error' in mine) throw mine.error;
    return 'ok, a header xz refuses by heuristics (not compared)';
  }
  if ('error' in mine) {
    // Refusals are most cases and xz almost always agrees: one in REFUSAL_SAMPLE is checked (by a hash of the input).
    if (crc32(bytes) % REFUSAL_SAMPLE !== 0) throw mine.error;
    const theirs = tool(args, bytes);
    if (theirs !== undefined) throw new Error(`${codecId}: remaster refuses (${mine.error.code}: ${mine.error.detail}) a member xz decodes to ${theirs.length} bytes`);
    throw mine.error; // both refuse: counted in the outcome table
  }
  const theirs = tool(args, bytes.subarray(0, mine.consumed));
  if (theirs === undefined) throw new Error(`${codecId}: remaster decodes ${mine.consumed} bytes to ${mine.size} bytes; xz refuses those bytes`);
  const sha = createHash('sha256').update(theirs).digest('hex');
  if (sha !== mine.sha256) throw new Error(`${codecId}: remaster and xz decode the same ${mine.consumed} bytes differently (${mine.size} vs ${theirs.length} bytes)`);
  return 'ok, same bytes as xz';
}

/** Run one lzma case. */
export async function runLzma(bytes: Uint8Array): Promise<string> {
  return differential('lzma', ['--format=lzma', '-dc'], bytes);
}

/** Run one xz-small case. */
export async function runXzSmall(bytes: Uint8Array): Promise<string> {
  return differential('xz', ['-dc', '--single-stream'], bytes);
}
