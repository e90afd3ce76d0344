/**
 * zstd codec (RFC 8878): frame walking for an exact end, consecutive and
 * skippable frames, kernel-safe window, thread-count independent output.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { describeCompression, getCodec } from '../../../src/compress/index.ts';
import { isRemasterError } from '../../../src/errors.ts';
import { CHUNK_SIZES } from '../../helpers/chunked.ts';
import { requireTool, runTool } from '../../helpers/tools.ts';
import { compressWith, concat, decodeOne, FOLLOWING_CPIO, sameBytes, sampleData } from './support.ts';

const zstd = getCodec('zstd');
const data = sampleData(200_000);

test('round-trips data through our zstd encoder and decoder', async (t) => {
  if (!requireTool(t, 'zstd')) return;
  const frame = await compressWith(zstd, data, { level: 3 });
  const { out, offset } = await decodeOne(zstd, frame);
  assert.ok(sameBytes(out, data));
  assert.equal(offset, frame.length);
});

test('writes frames zstd -t accepts with a window of at most 8 MiB', async (t) => {
  if (!requireTool(t, 'zstd')) return;
  const frame = await compressWith(zstd, data, { level: 19, threads: 2 });
  runTool('zstd', ['-t', '-q'], frame);
  const params = describeCompression('zstd', frame.subarray(0, 64));
  assert.ok(params.codec === 'zstd' && params.windowSize <= 8 << 20 && params.kernelSafe, JSON.stringify(params));
});

test('reads frames written by the zstd CLI', async (t) => {
  if (!requireTool(t, 'zstd')) return;
  const frame = runTool('zstd', ['-c', '-q', '-19'], data);
  assert.ok(sameBytes((await decodeOne(zstd, frame)).out, data));
});

test('reports the end of a zstd frame so a following cpio can be read, at every chunk size', async (t) => {
  if (!requireTool(t, 'zstd')) return;
  const frame = await compressWith(zstd, data.subarray(0, 40_000), { level: 3 });
  for (const size of CHUNK_SIZES) {
    const { out, offset, rest } = await decodeOne(zstd, concat(frame, FOLLOWING_CPIO), size);
    assert.ok(sameBytes(out, data.subarray(0, 40_000)), `chunk size ${size}`);
    assert.equal(offset, frame.length, `chunk size ${size}`);
    assert.deepEqual(rest, FOLLOWING_CPIO);
  }
});

test('decodes directly consecutive frames as one member and skips skippable frames, like the kernel', async (t) => {
  if (!requireTool(t, 'zstd')) return;
  const a = await compressWith(zstd, data.subarray(0, 1000), { level: 1 });
  const b = await compressWith(zstd, data.subarray(1000, 30_000), { level: 1 });
  const skippable = concat(Uint8Array.of(0x53, 0x2a, 0x4d, 0x18, 3, 0, 0, 0), Uint8Array.of(1, 2, 3));
  const member = concat(a, skippable, b);
  for (const size of [1, 321, 0]) {
    const { out, offset, rest } = await decodeOne(zstd, concat(member, new Uint8Array(4), FOLLOWING_CPIO), size);
    assert.ok(sameBytes(out, data.subarray(0, 30_000)));
    assert.equal(offset, member.length);
    assert.equal(rest.length, 4 + FOLLOWING_CPIO.length);
  }
});

test('writes the same bytes for 1, 2 and 3 worker threads', async (t) => {
  if (!requireTool(t, 'zstd')) return;
  const big = sampleData(40 << 20); // more than one 32 MiB job (4 x the 8 MiB window)
  const one = await compressWith(zstd, big, { level: 1, threads: 1 });
  for (const threads of [2, 3, 0]) assert.ok(sameBytes(one, await compressWith(zstd, big, { level: 1, threads })), `-T${threads}`);
});

test('rejects a damaged block with CODEC_CORRUPT and a cut frame with CODEC_TRUNCATED', async (t) => {
  if (!requireTool(t, 'zstd')) return;
  const frame = await compressWith(zstd, data, { level: 3 });
  const damaged = frame.slice();
  damaged.fill(0x55, 40, 200);
  await assert.rejects(decodeOne(zstd, damaged), (e) => isRemasterError(e, 'CODEC_CORRUPT', 'CODEC_TRUNCATED') && e.offset !== undefined);
  await assert.rejects(decodeOne(zstd, frame.subarray(0, frame.length - 10)), (e) => isRemasterError(e, 'CODEC_TRUNCATED'));
  await assert.rejects(decodeOne(zstd, FOLLOWING_CPIO), (e) => isRemasterError(e, 'CODEC_CORRUPT'));
});

test('clamps levels above 19 with a CODEC_LEVEL_CLAMPED warning', async (t) => {
  if (!requireTool(t, 'zstd')) return;
  const codes: string[] = [];
  await compressWith(zstd, data.subarray(0, 100), { level: 22, onWarning: (w) => codes.push(w.code) });
  assert.deepEqual(codes, ['CODEC_LEVEL_CLAMPED']);
});

test('decodes many small consecutive frames delivered in one chunk', async (t) => {
  if (!requireTool(t, 'zstd')) return;
  const parts = [data.subarray(0, 10), data.subarray(10, 5000), data.subarray(5000, 5001), data.subarray(5001, 60_000)];
  const frames = await Promise.all(parts.map((p) => compressWith(zstd, p, { level: 1 })));
  const member = concat(...frames);
  for (const size of [0, 7, 2048]) {
    const { out, offset, rest } = await decodeOne(zstd, concat(member, FOLLOWING_CPIO), size);
    assert.ok(sameBytes(out, data.subarray(0, 60_000)), `chunk size ${size}`);
    assert.equal(offset, member.length);
    assert.deepEqual(rest, FOLLOWING_CPIO);
  }
});
