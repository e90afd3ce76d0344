/**
 * xz codec (xz file format 1.1.0): footer scan for an exact end, CRC32
 * checks, core-count independent output, error mapping, child cleanup.
 */
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { test } from 'node:test';
import { describeCompression, getCodec } from '../../../src/compress/index.ts';
import { isRemasterError } from '../../../src/errors.ts';
import { ByteReader } from '../../../src/io/byte-reader.ts';
import { CHUNK_SIZES, chunked, collect } from '../../helpers/chunked.ts';
import { tmpDir } from '../../helpers/tmp-dir.ts';
import { requireTool, runTool } from '../../helpers/tools.ts';
import { childProcesses, compressWith, concat, decodeOne, FOLLOWING_CPIO, sameBytes, sampleData } from './support.ts';

const xz = getCodec('xz');
const data = sampleData(100_000);

test('round-trips data through our xz encoder and decoder', async (t) => {
  if (!requireTool(t, 'xz')) return;
  const stream = await compressWith(xz, data, { level: 1 });
  const { out, offset } = await decodeOne(xz, stream);
  assert.ok(sameBytes(out, data));
  assert.equal(offset, stream.length);
});

test('writes streams xz -t accepts with CRC32 checks, LZMA2 and a 1 MiB dictionary', async (t) => {
  if (!requireTool(t, 'xz')) return;
  const stream = await compressWith(xz, data);
  runTool('xz', ['-t'], stream);
  const file = join(await tmpDir(t), 'out.xz');
  await writeFile(file, stream);
  const robot = new TextDecoder().decode(runTool('xz', ['-lvv', '--robot', file]));
  assert.match(robot, /^stream\t.*\tCRC32\t/m);
  assert.match(robot, /^block\t.*\tCRC32\t.*--lzma2=dict=1MiB/m);
  const params = describeCompression('xz', stream.subarray(0, 64));
  assert.deepEqual(params, { codec: 'xz', kernelSafe: true, check: 'crc32', filters: ['lzma2'], dictSize: 1 << 20 });
});

test('reads streams the xz CLI writes, including CRC64 and SHA-256 checks', async (t) => {
  if (!requireTool(t, 'xz')) return;
  for (const check of ['crc64', 'sha256', 'none']) {
    const stream = runTool('xz', ['-c', '-1', `--check=${check}`], data);
    assert.ok(sameBytes((await decodeOne(xz, stream)).out, data), check);
    assert.equal(describeCompression('xz', stream).kernelSafe, check === 'none', check);
  }
});

test('reports the end of an xz stream so a following cpio can be read, at every chunk size', async (t) => {
  if (!requireTool(t, 'xz')) return;
  const stream = await compressWith(xz, data.subarray(0, 30_000), { level: 1 });
  for (const size of CHUNK_SIZES) {
    const { out, offset, rest } = await decodeOne(xz, concat(stream, FOLLOWING_CPIO), size);
    assert.ok(sameBytes(out, data.subarray(0, 30_000)), `chunk size ${size}`);
    assert.equal(offset, stream.length, `chunk size ${size}`);
    assert.deepEqual(rest, FOLLOWING_CPIO);
  }
});

test('leaves stream padding and a second stream in the reader', async (t) => {
  if (!requireTool(t, 'xz')) return;
  const a = await compressWith(xz, data, { level: 0 });
  const b = runTool('xz', ['-c', '-0', '-T2', '--block-size=20000'], data);
  const reader = new ByteReader(chunked(concat(a, new Uint8Array(8), b), 3));
  assert.ok(sameBytes(await collect(xz.decompress(reader)), data));
  assert.equal(reader.offset, a.length);
  assert.equal(await reader.skip(8), 8);
  assert.ok(sameBytes(await collect(xz.decompress(reader)), data));
  assert.ok(await reader.atEnd());
});

test('writes the same bytes whatever the thread count (multi-threaded encoder, fixed block size)', async (t) => {
  if (!requireTool(t, 'xz')) return;
  const big = sampleData(7 << 20); // three 3 MiB blocks
  const one = await compressWith(xz, big, { level: 0, threads: 1 });
  for (const threads of [2, 3, 0]) assert.ok(sameBytes(one, await compressWith(xz, big, { level: 0, threads })), `threads ${threads}`);
  assert.ok(sameBytes(one, await compressWith(xz, big, { level: 0 })), 'deterministic');
});

test('rejects a damaged stream with CODEC_CORRUPT carrying the member offset and xz message', async (t) => {
  if (!requireTool(t, 'xz')) return;
  const stream = await compressWith(xz, data, { level: 1 });
  const damaged = stream.slice();
  damaged.fill(0x77, 40, 80);
  const reader = new ByteReader(chunked(concat(Uint8Array.of(0, 0, 0, 0), damaged), 2048));
  await reader.skip(4);
  await assert.rejects(collect(xz.decompress(reader)), (e) => isRemasterError(e, 'CODEC_CORRUPT') && e.offset === 4 && /xz/.test(e.detail));
  const header = stream.slice();
  header[7] = 0x05;
  await assert.rejects(decodeOne(xz, header), (e) => isRemasterError(e, 'CODEC_CORRUPT'));
});

test('rejects a cut stream with CODEC_TRUNCATED', async (t) => {
  if (!requireTool(t, 'xz')) return;
  const stream = await compressWith(xz, data, { level: 1 });
  for (const cut of [6, stream.length >> 1, stream.length - 1]) {
    await assert.rejects(decodeOne(xz, stream.subarray(0, cut)), (e) => isRemasterError(e, 'CODEC_TRUNCATED'), `cut at ${cut}`);
  }
});

test('kills xz when the consumer stops early, leaving no child behind', async (t) => {
  if (!requireTool(t, 'xz', 'ps')) return;
  const stream = await compressWith(xz, sampleData(8 << 20), { level: 0 });
  for await (const _ of xz.decompress(new ByteReader(chunked(stream, 4096)))) break;
  await sleep(50);
  assert.deepEqual(childProcesses('xz'), []);
});

test('kills xz and throws ABORTED when the signal fires', async (t) => {
  if (!requireTool(t, 'xz', 'ps')) return;
  const stream = await compressWith(xz, sampleData(8 << 20), { level: 0 });
  const controller = new AbortController();
  const run = async () => {
    for await (const _ of xz.decompress(new ByteReader(chunked(stream, 4096)), { signal: controller.signal })) controller.abort();
  };
  await assert.rejects(run(), (e) => isRemasterError(e, 'ABORTED'));
  assert.deepEqual(childProcesses('xz'), []);
});
