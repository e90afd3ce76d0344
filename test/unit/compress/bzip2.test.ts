/**
 * bzip2 members end where the kernel's bunzip2 stops: after the bit-aligned end-of-stream marker
 * (0x177245385090), its combined CRC and the padding to a byte. Streams from the bzip2 CLI at every
 * bit alignment of the marker, multi-block streams, empty streams and concatenated streams are cut
 * exactly; a marker pattern whose CRC does not match the blocks is not taken for the end.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Bzip2EndScanner } from '../../../src/compress/bzip2-end.ts';
import { getCodec, readInitrd } from '../../../src/index.ts';
import { makeCpio } from '../../helpers/make-cpio.ts';
import { requireTool, runTool } from '../../helpers/tools.ts';
import { concat, decodeOne, FOLLOWING_CPIO, sameBytes, sampleData } from './support.ts';

/** Bits of padding after the marker's CRC, found independently by looking for the marker from the end. */
function paddingBits(member: Uint8Array): number {
  const tail = member.subarray(member.length - 11).reduce((acc, b) => (acc << 8n) | BigInt(b), 0n);
  for (let pad = 0; pad < 8; pad++) if (((tail >> BigInt(pad + 32)) & 0xffffffffffffn) === 0x177245385090n) return pad;
  throw new Error('no end-of-stream marker in the last 11 bytes');
}

test('cuts bzip2 streams at the marker for all 8 bit alignments, at every chunk size', async (t) => {
  if (!requireTool(t, 'bzip2')) return;
  const seen = new Set<number>();
  for (let size = 1000; seen.size < 8 && size < 1000 + 97 * 64; size += 97) {
    const data = sampleData(size, size);
    const member = runTool('bzip2', ['-9', '-c'], data);
    seen.add(paddingBits(member));
    for (const chunk of [1, 3, 321, 0]) {
      const { out, offset, rest } = await decodeOne(getCodec('bzip2'), concat(member, FOLLOWING_CPIO), chunk);
      assert.ok(sameBytes(out, data), `size ${size}, chunks of ${chunk}`);
      assert.equal(offset, member.length, `size ${size}, chunks of ${chunk}: end`);
      assert.ok(sameBytes(rest, FOLLOWING_CPIO));
    }
  }
  assert.equal(seen.size, 8, `marker alignments seen: ${[...seen].sort().join(',')}`);
});

test('cuts multi-block and empty streams, and reads concatenated streams as separate segments', async (t) => {
  if (!requireTool(t, 'bzip2')) return;
  const big = sampleData(1_200_000);
  for (const member of [runTool('bzip2', ['-1', '-c'], big), runTool('bzip2', ['-c'], new Uint8Array(0))]) {
    const { offset, rest } = await decodeOne(getCodec('bzip2'), concat(member, new Uint8Array(4), FOLLOWING_CPIO), 4096);
    assert.equal(offset, member.length);
    assert.equal(rest.length, 4 + FOLLOWING_CPIO.length);
  }
  const a = runTool('bzip2', ['-c'], makeCpio([{ name: 'a', data: 'first' }]));
  const b = runTool('bzip2', ['-c'], makeCpio([{ name: 'b', data: 'second' }]));
  const names: string[] = [];
  for await (const e of readInitrd([concat(a, b)])) names.push(`${e.segment}:${e.name}`);
  assert.deepEqual(names, ['1:a', '2:b']);
});

test('a marker pattern whose CRC does not combine the block CRCs is not the end', () => {
  // Hand-made bits: "BZh9", a block magic with CRC 0x12345678 and no real data, a marker with a wrong
  // CRC, then the marker with rotl(0, 1) ^ 0x12345678, one pad byte of zeros.
  const bytes = Uint8Array.of(
    0x42, 0x5a, 0x68, 0x39, // BZh9
    0x31, 0x41, 0x59, 0x26, 0x53, 0x59, 0x12, 0x34, 0x56, 0x78, // block magic + block CRC
    0x17, 0x72, 0x45, 0x38, 0x50, 0x90, 0xde, 0xad, 0xbe, 0xef, // marker + wrong combined CRC
    0x17, 0x72, 0x45, 0x38, 0x50, 0x90, 0x12, 0x34, 0x56, 0x78, // marker + right combined CRC
    0x00, 0x07, 0x07, 0x01, // what follows
  );
  const scanner = new Bzip2EndScanner();
  assert.equal(scanner.push(bytes.subarray(0, 20)), -1);
  assert.equal(scanner.push(bytes.subarray(20)), 34 - 20);
});
