/**
 * Fuzz finding (xz-small, seed 2, case 84166): a .xz stream whose data holds a copy of a Stream
 * Footer (with its index and CRC32) at a 4-byte boundary. xz reads the stream block by block and
 * decodes it; remaster cut the stream at the first footer-shaped bytes and refused the image
 * (CODEC_TRUNCATED), so a crafted image the kernel boots could not be listed or reviewed. Small
 * streams (decoded in process) now take the first footer candidate up to which the stream decodes.
 * Streams above 32 KiB still go to the xz CLI cut at the first candidate (they are refused, never
 * misread: a prefix that decodes as a whole stream is also where xz's own parse ends).
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { getCodec } from '../../src/compress/index.ts';
import { ByteReader } from '../../src/io/index.ts';
import { requireTool, runTool } from '../helpers/tools.ts';

test('a copy of an xz stream footer inside the data does not end the stream', async (t) => {
  if (!requireTool(t, 'xz')) return;
  const data = randomBytes(1500); // incompressible: LZMA2 stores it as one uncompressed chunk
  const stream = runTool('xz', ['-c', '--check=none'], data).slice();
  // Header 12, block header 12, chunk control + size 3, data from 27. The index + footer are the last 24 bytes.
  const tail = stream.subarray(stream.length - 24);
  const at = 200; // data byte 200 - 27 = 173: in the stored chunk, footer copy ends at 224 (a multiple of 4)
  const forged = stream.slice();
  forged.set(tail, at);
  const expected = Buffer.from(forged.subarray(27, 27 + 1500));
  assert.deepEqual(runTool('xz', ['-dc'], forged), new Uint8Array(expected), 'xz decodes the forged stream');

  const reader = new ByteReader([forged, Uint8Array.of(0, 0, 0, 0)]);
  const out: Uint8Array[] = [];
  for await (const c of getCodec('xz').decompress(reader)) out.push(c);
  assert.deepEqual(Buffer.concat(out), expected, 'remaster decodes the same bytes');
  assert.equal(reader.offset, forged.length, 'and stops at the real footer (a segment after it is read from there)');

});
