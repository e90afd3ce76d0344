/**
 * lzop members: the framing walk finds the exact end (so an appended segment survives), for every
 * header and checksum variant lzop writes; the encoder is reproducible and kernel-shaped, with
 * lzop itself as the oracle.
 */
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { adler32, decodeLzopHeader } from '../../../src/compress/lzo.ts';
import { describeCompression, getCodec } from '../../../src/compress/index.ts';
import { isRemasterError } from '../../../src/errors.ts';
import { requireTool, runTool } from '../../helpers/tools.ts';
import { tmpDir } from '../../helpers/tmp-dir.ts';
import { compressWith, concat, decodeOne, FOLLOWING_CPIO, sameBytes, sampleData } from './support.ts';

const data = sampleData(700_000); // three 256 KiB blocks, the last one short

test('adler32 matches the RFC 1950 example value', () => {
  assert.equal(adler32(new TextEncoder().encode('Wikipedia')), 0x11e60398);
});

test('reads every lzop variant to its exact end and leaves what follows', async (t) => {
  if (!requireTool(t, 'lzop')) return;
  const dir = await tmpDir(t);
  const named = join(dir, 'payload.cpio');
  await writeFile(named, data);
  const variants: [string, Uint8Array][] = [
    ['-9 from a pipe', runTool('lzop', ['-9', '-c', '-q'], data)],
    ['-1', runTool('lzop', ['-1', '-c', '-q'], data)],
    ['--crc32 (crc32 header and data checks)', runTool('lzop', ['--crc32', '-c', '-q'], data)],
    ['-F (no checksums)', runTool('lzop', ['-F', '-c', '-q'], data)],
    ['a named file (name in the header)', runTool('lzop', ['-c', '-q', named])],
    ['incompressible (stored blocks)', runTool('lzop', ['-c', '-q'], Uint8Array.from(sampleData(300_000, 7), (b, i) => (b * 2654435761 + i * 40503) >>> 24))],
  ];
  for (const [name, member] of variants) {
    const expected = runTool('lzop', ['-d', '-c', '-q'], member);
    for (const chunk of [1, 3, 321, 0]) {
      const { out, offset, rest } = await decodeOne(getCodec('lzo'), concat(member, FOLLOWING_CPIO), chunk);
      assert.ok(sameBytes(out, expected), `${name}, chunks of ${chunk}: data`);
      assert.equal(offset, member.length, `${name}, chunks of ${chunk}: end`);
      assert.ok(sameBytes(rest, FOLLOWING_CPIO), `${name}: what follows stays`);
    }
  }
  assert.equal(describeCompression('lzo', variants[0]![1]).kernelSafe, true);
  assert.equal(describeCompression('lzo', variants[2]![1]).kernelSafe, true, 'one crc32 per block is what unlzo skips');
  assert.equal(describeCompression('lzo', variants[3]![1]).kernelSafe, false, 'no checksum: unlzo would skip 4 data bytes');
});

test('writes reproducible lzop that lzop decodes, with the kernel-shaped header and blocks', async (t) => {
  if (!requireTool(t, 'lzop')) return;
  const lzo = getCodec('lzo');
  const member = await compressWith(lzo, data);
  assert.ok(sameBytes(runTool('lzop', ['-d', '-c', '-q'], member), data));
  runTool('lzop', ['-t', '-q'], member);
  await new Promise((r) => setTimeout(r, 1100)); // lzop stores the pipe's time: a second later it differs
  assert.ok(sameBytes(member, await compressWith(lzo, data)), 'deterministic');
  const h = decodeLzopHeader(member);
  assert.ok(h);
  assert.equal(h.mtime, 0);
  assert.equal(h.mode, 0o100644);
  assert.equal(h.level, 9);
  assert.deepEqual(describeCompression('lzo', member), { codec: 'lzo', kernelSafe: true, method: 3, level: 9 });
  // blocks as unlzo wants them: at most 256 KiB, compressed ≤ uncompressed, one 4-byte checksum
  let at = h.size;
  const view = new DataView(member.buffer, member.byteOffset, member.byteLength);
  let blocks = 0;
  for (let dst = view.getUint32(at); dst !== 0; dst = view.getUint32(at)) {
    const src = view.getUint32(at + 4);
    assert.ok(dst <= 256 * 1024 && src <= dst);
    at += 12 + src;
    blocks++;
  }
  assert.equal(at + 4, member.length);
  assert.equal(blocks, 3);
});

test('a truncated or damaged lzop member fails with the offset', async (t) => {
  if (!requireTool(t, 'lzop')) return;
  const member = runTool('lzop', ['-c', '-q'], data);
  await assert.rejects(decodeOne(getCodec('lzo'), member.subarray(0, 5000)), (e) => isRemasterError(e, 'CODEC_TRUNCATED'));
  const bad = member.slice();
  bad[20] = (bad[20] as number) ^ 0x40; // a header byte: the header checksum catches it
  await assert.rejects(decodeOne(getCodec('lzo'), bad), (e) => isRemasterError(e, 'CODEC_CORRUPT') && /checksum/.test(e.detail) && e.offset === 0);
});
