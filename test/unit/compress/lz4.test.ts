/**
 * lz4 codec: legacy frame (the kernel's format) walked for an exact end,
 * modern frame decoded but never written, oracle checks with the lz4 CLI.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { describeCompression, getCodec } from '../../../src/compress/index.ts';
import { isRemasterError } from '../../../src/errors.ts';
import { CHUNK_SIZES } from '../../helpers/chunked.ts';
import { requireTool, runTool } from '../../helpers/tools.ts';
import { compressWith, concat, decodeOne, FOLLOWING_CPIO, sameBytes, sampleData } from './support.ts';

const lz4 = getCodec('lz4');
const data = sampleData(100_000);

test('round-trips data through the legacy lz4 frame the kernel requires', async (t) => {
  if (!requireTool(t, 'lz4')) return;
  const member = await compressWith(lz4, data);
  assert.deepEqual([...member.subarray(0, 4)], [0x02, 0x21, 0x4c, 0x18]);
  assert.equal(describeCompression('lz4', member).kernelSafe, true);
  runTool('lz4', ['-t', '-q'], member);
  const { out, offset } = await decodeOne(lz4, member);
  assert.ok(sameBytes(out, data));
  assert.equal(offset, member.length);
  assert.ok(sameBytes(member, await compressWith(lz4, data)), 'deterministic');
});

test('reports the end of a legacy lz4 member before a cpio, NUL padding or a gzip magic, at every chunk size', async (t) => {
  if (!requireTool(t, 'lz4')) return;
  const member = await compressWith(lz4, data.subarray(0, 20_000));
  for (const after of [FOLLOWING_CPIO, new Uint8Array(4), Uint8Array.of(0x1f, 0x8b, 8, 0), Uint8Array.of(1, 2)]) {
    for (const size of CHUNK_SIZES) {
      const { out, offset, rest } = await decodeOne(lz4, concat(member, after), size);
      assert.ok(sameBytes(out, data.subarray(0, 20_000)));
      assert.equal(offset, member.length, `chunk size ${size}`);
      assert.deepEqual(rest, after);
    }
  }
});

test('skips a repeated legacy magic so concatenated lz4 -l outputs decode as one member', async (t) => {
  if (!requireTool(t, 'lz4')) return;
  const a = runTool('lz4', ['-l', '-c', '-q'], data.subarray(0, 50_000));
  const b = runTool('lz4', ['-l', '-c', '-q'], data.subarray(50_000));
  const { out, offset } = await decodeOne(lz4, concat(a, b, FOLLOWING_CPIO), 321);
  assert.ok(sameBytes(out, data));
  assert.equal(offset, a.length + b.length);
});

test('decodes a modern lz4 frame exactly, and describes it as not kernel safe', async (t) => {
  if (!requireTool(t, 'lz4')) return;
  for (const flags of [[], ['--content-size', '-BX', '-B4']]) {
    const frame = runTool('lz4', ['-c', '-q', ...flags], data);
    assert.equal(describeCompression('lz4', frame).kernelSafe, false);
    const { out, offset, rest } = await decodeOne(lz4, concat(frame, FOLLOWING_CPIO), 110);
    assert.ok(sameBytes(out, data));
    assert.equal(offset, frame.length);
    assert.deepEqual(rest, FOLLOWING_CPIO);
  }
});

test('rejects a cut block with CODEC_TRUNCATED and a damaged block with CODEC_CORRUPT', async (t) => {
  if (!requireTool(t, 'lz4')) return;
  const member = await compressWith(lz4, data);
  await assert.rejects(decodeOne(lz4, member.subarray(0, member.length - 5)), (e) => isRemasterError(e, 'CODEC_TRUNCATED'));
  const damaged = member.slice();
  damaged.fill(0xff, 20, 400);
  await assert.rejects(decodeOne(lz4, damaged), (e) => isRemasterError(e, 'CODEC_CORRUPT', 'CODEC_TRUNCATED') && e.offset === 0);
});
