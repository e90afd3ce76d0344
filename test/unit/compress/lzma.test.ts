/**
 * LZMA-alone members are decoded in process so their exact end is known: after the end marker (xz
 * --format=lzma, RHEL 6's mk-images), or after the uncompressed size in the header, with or without
 * an end marker. xz decodes every input here too, as the oracle for the bytes.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { getCodec } from '../../../src/compress/index.ts';
import { isRemasterError } from '../../../src/errors.ts';
import { requireTool, runTool } from '../../helpers/tools.ts';
import { concat, decodeOne, FOLLOWING_CPIO, sameBytes, sampleData } from './support.ts';

const lzma = getCodec('lzma');

function header(props: number, dictSize: number, size: bigint | 'unknown'): Uint8Array {
  const h = new Uint8Array(13);
  const view = new DataView(h.buffer);
  h[0] = props;
  view.setUint32(1, dictSize, true);
  view.setBigUint64(5, size === 'unknown' ? 0xffffffffffffffffn : size, true);
  return h;
}

/** A known-size LZMA1 stream without end marker: the LZMA data of a single LZMA2 chunk (xz spec §5.3.1). */
function knownSizeWithoutMarker(data: Uint8Array): Uint8Array {
  const raw = runTool('xz', ['--format=raw', '--lzma2=dict=1MiB', '-c'], data);
  assert.equal((raw[0] as number) & 0xe0, 0xe0, 'one LZMA chunk with dictionary reset and properties');
  const unpacked = (((raw[0] as number) & 0x1f) << 16) + ((raw[1] as number) << 8) + (raw[2] as number) + 1;
  const packed = ((raw[3] as number) << 8) + (raw[4] as number) + 1;
  assert.equal(unpacked, data.length);
  assert.equal(raw[6 + packed], 0x00, 'the chunk is the whole LZMA2 stream');
  return concat(header(raw[5] as number, 1 << 20, BigInt(unpacked)), raw.subarray(6, 6 + packed));
}

test('reads xz --format=lzma output (size unknown, end marker) to its exact end at every chunk size', async (t) => {
  if (!requireTool(t, 'xz')) return;
  for (const [size, level] of [[0, 9], [1, 0], [100_000, 9], [1_500_000, 6]] as const) {
    const data = sampleData(size, size + 1);
    const member = runTool('xz', ['--format=lzma', `-${level}`, '-c'], data);
    for (const chunk of [1, 3, 321, 0]) {
      if (size > 100_000 && chunk < 300) continue; // byte-by-byte over 1.5 MB adds nothing but time
      const { out, offset, rest } = await decodeOne(lzma, concat(member, FOLLOWING_CPIO), chunk);
      assert.ok(sameBytes(out, data), `size ${size}, chunks of ${chunk}`);
      assert.equal(offset, member.length, `size ${size}, chunks of ${chunk}: end`);
      assert.ok(sameBytes(rest, FOLLOWING_CPIO));
    }
  }
});

test('reads known-size streams with and without an end marker, ending where the data ends', async (t) => {
  if (!requireTool(t, 'xz')) return;
  const data = sampleData(100_000, 5);
  const withMarker = runTool('xz', ['--format=lzma', '-c'], data).slice();
  new DataView(withMarker.buffer).setBigUint64(5, BigInt(data.length), true);
  const withoutMarker = knownSizeWithoutMarker(data);
  for (const [name, member] of [['with end marker', withMarker], ['without end marker', withoutMarker]] as const) {
    assert.ok(sameBytes(runTool('xz', ['--format=lzma', '-dc'], member), data), `${name}: xz agrees the stream is valid`);
    const { out, offset, rest } = await decodeOne(lzma, concat(member, FOLLOWING_CPIO), 7);
    assert.ok(sameBytes(out, data), name);
    assert.equal(offset, member.length, `${name}: end`);
    assert.ok(sameBytes(rest, FOLLOWING_CPIO));
  }
});

test('a header dictionary of 4 GiB costs only what the member produces', async (t) => {
  if (!requireTool(t, 'xz')) return;
  const data = sampleData(50_000, 9);
  const member = runTool('xz', ['--format=lzma', '-c'], data).slice();
  new DataView(member.buffer).setUint32(1, 0xffffffff, true);
  assert.ok(sameBytes((await decodeOne(lzma, member)).out, data));
});

test('truncated and malformed LZMA-alone members fail with an offset', async (t) => {
  if (!requireTool(t, 'xz')) return;
  const member = runTool('xz', ['--format=lzma', '-c'], sampleData(200_000, 3));
  await assert.rejects(decodeOne(lzma, member.subarray(0, member.length >> 1), 4096), (e) => isRemasterError(e, 'CODEC_TRUNCATED') && e.offset !== undefined);
  await assert.rejects(decodeOne(lzma, member.subarray(0, 10)), (e) => isRemasterError(e, 'CODEC_TRUNCATED'));
  const badProps = member.slice();
  badProps[0] = 225; // lc/lp/pb out of range
  await assert.rejects(decodeOne(lzma, badProps), (e) => isRemasterError(e, 'CODEC_CORRUPT') && e.offset === 0);
  const badStart = member.slice();
  badStart[13] = 1; // the range coder's first byte is always 0
  await assert.rejects(decodeOne(lzma, badStart), (e) => isRemasterError(e, 'CODEC_CORRUPT') && e.offset === 0 && /byte 13 of the member/.test(e.detail));
});
