/**
 * Fuzz finding (lzma, seed 1, case 11): an LZMA-alone header announcing 100 bytes in front of data
 * that ends with an end marker after 1 byte. The in-process decoder stopped at the marker and gave
 * the short output as the whole member, where xz (liblzma) and the LZMA SDK's reference decoder
 * refuse it: a known size must be reached before the end marker. A truncated member dressed up as
 * complete would list a cut file as whole.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { getCodec } from '../../src/compress/index.ts';
import { isRemasterError } from '../../src/errors.ts';
import { ByteReader } from '../../src/io/index.ts';
import { requireTool, runTool } from '../helpers/tools.ts';

async function decode(member: Uint8Array): Promise<number> {
  let n = 0;
  for await (const c of getCodec('lzma').decompress(new ByteReader([member]))) n += c.length;
  return n;
}

test('an LZMA-alone end marker before the size the header announces is CODEC_CORRUPT, as xz says', async (t) => {
  if (!requireTool(t, 'xz')) return;
  const member = runTool('xz', ['--format=lzma', '-c'], Uint8Array.of(0x41)).slice(); // size unknown, end marker
  assert.equal(await decode(member), 1, 'the honest member decodes');
  new DataView(member.buffer).setBigUint64(5, 100n, true); // the header now claims 100 bytes
  assert.notEqual(spawnSync('xz', ['--format=lzma', '-dc'], { input: member }).status, 0, 'xz refuses it');
  await assert.rejects(decode(member), (e) => isRemasterError(e, 'CODEC_CORRUPT') && e.offset === 0 && /end marker after 1 of the 100 bytes/.test(e.detail));
  new DataView(member.buffer).setBigUint64(5, 1n, true); // the true size, marker kept: valid for both
  assert.equal(spawnSync('xz', ['--format=lzma', '-dc'], { input: member }).status, 0);
  assert.equal(await decode(member), 1);
});
