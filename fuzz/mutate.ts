/**
 * Mutation operators. Generic ones work on any bytes (bit flips, interesting
 * bytes and integers, insert/delete/duplicate runs, truncation, splicing two
 * seeds, ASCII numbers for text headers such as cpio's hex and ar's decimal
 * fields); targets add format-aware ones (see targets.ts).
 */
import type { Rng } from './prng.ts';
import { concatBytes } from '../src/io/align.ts';

export const INTERESTING_BYTES = [0x00, 0xff, 0x7f, 0x80, 0x30, 0x37, 0x01, 0x20, 0x0a, 0x2f, 0x2e] as const;
export const INTERESTING_32 = [
  0, 1, 2, 0x7f, 0x80, 0xff, 0x100, 0x7fff, 0x8000, 0xffff, 0x10000, 0x7ffffff, 0x7fffffff, 0x80000000, 0xfffffffe, 0xffffffff, 2048, 4096,
] as const;
export const INTERESTING_HEX8 = ['FFFFFFFF', '7FFFFFFF', '80000000', '00000000', '00000001', '0000FFFF', '00100000', 'zzzzzzzz', '-0000001', ' 0x10000', '0000006E'] as const;
export const INTERESTING_TEXT = ['\\', '"', "'", '%', '%end', '%post', '%pre', '%packages', '#', '\n', '\r\n', '\0', ' ', '\t', '--', '=', '${', '*', '&a', '*a', '- ', ': ', '[', '{', '!!', '\u2028', '\ufeff'] as const;

/** Most bytes a mutated case may have (keeps cases fast and memory flat). */
export const MAX_CASE_SIZE = 256 * 1024;

export type Mutator = (input: Uint8Array, rng: Rng, seeds: readonly Uint8Array[]) => Uint8Array;

function concat(...parts: Uint8Array[]): Uint8Array {
  return concatBytes(parts);
}

/** A position biased to the start (headers live there) half of the time. */
export function position(rng: Rng, length: number): number {
  if (length === 0) return 0;
  return rng.chance(0.5) ? rng.below(Math.min(length, 512)) : rng.below(length);
}

const enc = new TextEncoder();

function runOf(rng: Rng, length: number): Uint8Array {
  const run = new Uint8Array(length);
  if (rng.chance(0.5)) run.fill(rng.pick(INTERESTING_BYTES));
  else for (let i = 0; i < length; i++) run[i] = rng.below(256);
  return run;
}

function runLength(rng: Rng): number {
  return rng.chance(0.8) ? rng.between(1, 16) : rng.between(17, 4096);
}

export function writeU32(out: Uint8Array, at: number, value: number, littleEndian: boolean): void {
  if (at < 0 || at + 4 > out.length) return;
  new DataView(out.buffer, out.byteOffset, out.byteLength).setUint32(at, value >>> 0, littleEndian);
}

export const GENERIC_MUTATORS: readonly Mutator[] = [
  function bitFlip(input, rng) {
    const out = input.slice();
    if (out.length === 0) return out;
    const at = position(rng, out.length);
    out[at] = (out[at] as number) ^ (1 << rng.below(8));
    return out;
  },
  function interestingByte(input, rng) {
    const out = input.slice();
    if (out.length > 0) out[position(rng, out.length)] = rng.pick(INTERESTING_BYTES);
    return out;
  },
  function randomByte(input, rng) {
    const out = input.slice();
    if (out.length > 0) out[position(rng, out.length)] = rng.below(256);
    return out;
  },
  function arithmetic(input, rng) {
    const out = input.slice();
    if (out.length > 0) {
      const at = position(rng, out.length);
      out[at] = ((out[at] as number) + rng.between(-16, 16)) & 0xff;
    }
    return out;
  },
  function interesting32(input, rng) {
    const out = input.slice();
    const at = position(rng, Math.max(0, out.length - 3)) & ~(rng.chance(0.7) ? 3 : 0);
    writeU32(out, at, rng.pick(INTERESTING_32) + (rng.chance(0.2) ? rng.between(-2, 2) : 0), rng.chance(0.5));
    return out;
  },
  function asciiNumber(input, rng) {
    const out = input.slice();
    const text = enc.encode(rng.chance(0.5) ? rng.pick(INTERESTING_HEX8) : String(rng.pick([0, 1, 9, 99999999999, 4294967295, 4294967296, -1, 0.5])));
    const at = position(rng, out.length);
    out.set(text.subarray(0, out.length - at), at);
    return out;
  },
  function insertRun(input, rng) {
    const at = position(rng, input.length + 1);
    return concat(input.subarray(0, at), runOf(rng, runLength(rng)), input.subarray(at));
  },
  function deleteRun(input, rng) {
    const at = position(rng, input.length);
    return concat(input.subarray(0, at), input.subarray(Math.min(input.length, at + runLength(rng))));
  },
  function truncate(input, rng) {
    return input.slice(0, rng.below(input.length + 1));
  },
  function duplicateChunk(input, rng) {
    if (input.length === 0) return input;
    const from = rng.below(input.length);
    const chunk = input.subarray(from, Math.min(input.length, from + runLength(rng)));
    const at = position(rng, input.length + 1);
    return concat(input.subarray(0, at), chunk, input.subarray(at));
  },
  function overwriteChunk(input, rng) {
    const out = input.slice();
    if (out.length === 0) return out;
    const from = rng.below(out.length);
    const chunk = input.slice(from, Math.min(out.length, from + runLength(rng)));
    const at = position(rng, out.length);
    out.set(chunk.subarray(0, out.length - at), at);
    return out;
  },
  function splice(input, rng, seeds) {
    const other = rng.pick(seeds);
    return concat(input.subarray(0, rng.below(input.length + 1)), other.subarray(rng.below(other.length + 1)));
  },
  function appendSeed(input, rng, seeds) {
    return concat(input, new Uint8Array(rng.pick([0, 1, 3, 4, 512])), rng.pick(seeds));
  },
];

export const TEXT_MUTATORS: readonly Mutator[] = [
  function insertToken(input, rng) {
    const at = position(rng, input.length + 1);
    const token = enc.encode(rng.pick(INTERESTING_TEXT).repeat(rng.chance(0.9) ? 1 : rng.between(2, 2000)));
    return concat(input.subarray(0, at), token, input.subarray(at));
  },
  function swapLines(input, rng) {
    const text = new TextDecoder().decode(input).split('\n');
    if (text.length < 2) return input;
    const a = rng.below(text.length);
    const b = rng.below(text.length);
    [text[a], text[b]] = [text[b] as string, text[a] as string];
    return enc.encode(text.join('\n'));
  },
  function duplicateLine(input, rng) {
    const text = new TextDecoder().decode(input).split('\n');
    const a = rng.below(text.length);
    text.splice(rng.below(text.length + 1), 0, ...Array.from({ length: rng.chance(0.9) ? 1 : rng.between(2, 500) }, () => text[a] as string));
    return enc.encode(text.join('\n'));
  },
];

/** Apply 1..8 operators (geometric: most cases get one or two) drawn from `mutators`. */
export function mutate(seed: Uint8Array, rng: Rng, seeds: readonly Uint8Array[], mutators: readonly Mutator[]): Uint8Array {
  let out = seed;
  let rounds = 1;
  while (rounds < 8 && rng.chance(0.45)) rounds++;
  for (let i = 0; i < rounds; i++) {
    out = rng.pick(mutators)(out, rng, seeds);
    if (out.length > MAX_CASE_SIZE) out = out.subarray(0, MAX_CASE_SIZE);
  }
  return out;
}
