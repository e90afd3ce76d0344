/**
 * The in-process LZMA decoder (LZMA-alone members, and the LZMA2 chunks of small xz streams) must
 * give exactly what xz gives, and end each member where xz's encoder ended it. xz is the oracle on
 * the installer payload (the fixtures made by the real tools), on random data and on the corners of
 * the format: empty and one-byte inputs, longest matches, a dictionary far smaller than the data
 * (the circular buffer wraps), every literal/position context setting, every match finder, several
 * blocks and LZMA2 chunks, uncompressed chunks between LZMA chunks, and every xz check.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { test } from 'node:test';
import { getCodec } from '../../src/compress/index.ts';
import { decodeXzStream } from '../../src/compress/xz-decoder.ts';
import { ByteReader, readFileChunks } from '../../src/io/index.ts';
import { ensureFixtures } from '../helpers/fixtures.ts';
import { requireTool, runTool } from '../helpers/tools.ts';
import { chunked } from '../helpers/chunked.ts';
import { FOLLOWING_CPIO, concat, sameBytes } from '../unit/compress/support.ts';

const lzma = getCodec('lzma');

/** sha256 (hex) of what `command` writes on stdout, run by bash; never holds the output. */
function cliDigest(command: string): string {
  const r = spawnSync('bash', ['-o', 'pipefail', '-c', `${command} | sha256sum`], { encoding: 'utf8' });
  assert.equal(r.status, 0, `${command}: ${r.stderr}`);
  return r.stdout.slice(0, 64);
}

async function digestOf(chunks: AsyncIterable<Uint8Array> | Iterable<Uint8Array>): Promise<{ sha256: string; size: number }> {
  const hash = createHash('sha256');
  let size = 0;
  for await (const c of chunks) {
    hash.update(c);
    size += c.length;
  }
  return { sha256: hash.digest('hex'), size };
}

/** Decode one LZMA-alone member followed by other bytes; return output, where the reader stopped and what is left. */
async function decodeAlone(member: Uint8Array, chunk = 0): Promise<{ out: Uint8Array; end: number; rest: Uint8Array }> {
  const reader = new ByteReader(chunked(concat(member, FOLLOWING_CPIO), chunk));
  const parts: Uint8Array[] = [];
  for await (const c of lzma.decompress(reader)) parts.push(c);
  const end = reader.offset;
  return { out: concat(...parts), end, rest: await reader.readAll() };
}

function decodeXz(member: Uint8Array): Uint8Array {
  return concat(...decodeXzStream(member, 0));
}

/** Deterministic bytes from a 32-bit xorshift (incompressible). */
function randomBytes(size: number, seed: number): Uint8Array {
  const out = new Uint8Array(size);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < size; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

/** The same `block` repeated: matches at exactly one distance, longer than any dictionary when `block` is. */
function periodic(block: Uint8Array, size: number): Uint8Array {
  const out = new Uint8Array(size);
  for (let i = 0; i < size; i += block.length) out.set(block.subarray(0, Math.min(block.length, size - i)), i);
  return out;
}

test('the installer payload: the LZMA-alone fixture decodes in process to what xz gives, ending at the end of the file', async (t) => {
  if (!requireTool(t, 'xz', 'sha256sum')) return;
  const fx = await ensureFixtures(t);
  if (!fx) return;
  const reader = new ByteReader(readFileChunks(fx.initrd.lzma));
  const ours = await digestOf(lzma.decompress(reader));
  assert.equal(ours.sha256, cliDigest(`xz --format=lzma -dc '${fx.initrd.lzma}'`));
  assert.equal(ours.size, statSync(fx.initrd.main).size);
  assert.equal(reader.offset, statSync(fx.initrd.lzma).size, 'the member ends at the end of the file');
});

test('the installer payload: the xz fixture (CRC32, 3 MiB blocks) decodes in process to what xz gives', async (t) => {
  if (!requireTool(t, 'xz', 'sha256sum')) return;
  const fx = await ensureFixtures(t);
  if (!fx) return;
  // decodeXzStream serves streams up to 32 KiB in the CLI; here it decodes all 28 MB, block by block.
  const ours = await digestOf(decodeXzStream(readFileSync(fx.initrd.xzCrc32), 0));
  assert.equal(ours.sha256, cliDigest(`xz -dc '${fx.initrd.xzCrc32}'`));
  assert.equal(ours.size, statSync(fx.initrd.main).size);
});

/** Inputs: a slice of the real payload (modules, firmware, text), random, zeros, long-distance repeats. */
function inputs(payload: Uint8Array): [string, Uint8Array][] {
  return [
    ['empty', new Uint8Array(0)],
    ['one byte', Uint8Array.of(0x41)],
    ['payload 2 MiB', payload.subarray(0, 2 << 20)],
    ['random 600 KiB (stored uncompressed by LZMA2)', randomBytes(600 << 10, 7)],
    ['zeros 3 MiB (longest matches, rep0)', new Uint8Array(3 << 20)],
    ['random block of 70 KiB repeated to 1 MiB', periodic(randomBytes(70 << 10, 9), 1 << 20)],
    ['random, then payload, then random (chunk kinds change)', concat(randomBytes(200 << 10, 3), payload.subarray(4 << 20, (4 << 20) + (300 << 10)), randomBytes(100 << 10, 4))],
  ];
}

/** Encoder settings for --lzma1 / --lzma2 (xz's option syntax). */
const SETTINGS = [
  'preset=0',
  'preset=6',
  'preset=9e',
  'preset=6,lc=0,lp=0,pb=0',
  'preset=6,lc=4,lp=0,pb=4',
  'preset=6,lc=0,lp=4,pb=2',
  'preset=6,lc=1,lp=3,pb=1',
  'preset=6,dict=4KiB',
  'preset=6,mf=hc3,mode=fast',
  'preset=6,mf=hc4,mode=fast,nice=273',
  'preset=6,mf=bt2,nice=273',
  'preset=6,mf=bt3,depth=1',
];

async function payloadSlice(t: Parameters<typeof ensureFixtures>[0]): Promise<Uint8Array | undefined> {
  const fx = await ensureFixtures(t);
  if (!fx) return undefined;
  const reader = new ByteReader(readFileChunks(fx.initrd.main, { end: (6 << 20) - 1 }));
  return reader.readAll();
}

test('LZMA-alone: every input and encoder setting decodes to the bytes xz decodes, ending exactly', async (t) => {
  if (!requireTool(t, 'xz')) return;
  const payload = await payloadSlice(t);
  if (!payload) return;
  for (const [name, data] of inputs(payload)) {
    for (const setting of SETTINGS) {
      const member = runTool('xz', ['--format=lzma', `--lzma1=${setting}`, '-c'], data);
      const oracle = runTool('xz', ['--format=lzma', '-dc'], member);
      assert.ok(sameBytes(oracle, data), `${name}, ${setting}: xz round trip`);
      const { out, end, rest } = await decodeAlone(member, setting === 'preset=6' ? 4093 : 0);
      assert.ok(sameBytes(out, oracle), `${name}, ${setting}: same bytes as xz`);
      assert.equal(end, member.length, `${name}, ${setting}: ends where the member ends`);
      assert.ok(sameBytes(rest, FOLLOWING_CPIO), `${name}, ${setting}: the next segment is untouched`);
    }
  }
});

test('xz (LZMA2): every input, encoder setting, check and block layout decodes to the bytes xz decodes', async (t) => {
  if (!requireTool(t, 'xz')) return;
  const payload = await payloadSlice(t);
  if (!payload) return;
  const layouts = [['--check=crc32'], ['--check=crc64'], ['--check=sha256'], ['--check=none'], ['--check=crc32', '--block-size=300KiB'], ['--check=crc32', '-T2', '--block-size=1MiB']];
  for (const [name, data] of inputs(payload)) {
    for (const setting of SETTINGS) {
      // LZMA2 allows lc + lp <= 4 only; xz refuses the others
      const args = [`--lzma2=${setting}`, ...(layouts[SETTINGS.indexOf(setting) % layouts.length] as string[])];
      const member = runTool('xz', ['-c', ...args], data);
      const oracle = runTool('xz', ['-dc'], member);
      assert.ok(sameBytes(oracle, data), `${name}, ${args.join(' ')}: xz round trip`);
      assert.ok(sameBytes(decodeXz(member), oracle), `${name}, ${args.join(' ')}: same bytes as xz`);
    }
  }
});
