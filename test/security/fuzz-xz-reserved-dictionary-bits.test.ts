/**
 * Fuzz finding (xz-small, seed 1, cases 654, 914, 1541): a block header whose LZMA2 dictionary byte
 * has its reserved top bits set (0x83, 0x94, 0xc0), with the header CRC32 fixed up. The in-process
 * decoder masked the byte with 0x3f and decoded the stream; xz refuses it ("Unsupported options"),
 * and the format says bits 6-7 are reserved (xz file format 1.1.0 §5.3.1). Reading what xz and the
 * kernel's xz_dec refuse would list an image that does not boot.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { crc32 } from 'node:zlib';
import { test } from 'node:test';
import { getCodec } from '../../src/compress/index.ts';
import { isRemasterError } from '../../src/errors.ts';
import { ByteReader } from '../../src/io/index.ts';
import { requireTool, runTool } from '../helpers/tools.ts';

async function decode(member: Uint8Array): Promise<number> {
  let n = 0;
  for await (const c of getCodec('xz').decompress(new ByteReader([member]))) n += c.length;
  return n;
}

test('an LZMA2 dictionary byte with reserved bits set is refused, as xz refuses it', async (t) => {
  if (!requireTool(t, 'xz')) return;
  const data = new TextEncoder().encode('firmware/ql2500_fw.bin\n'.repeat(100));
  const member = runTool('xz', ['-c', '--check=crc32'], data).slice();
  assert.equal(await decode(member), data.length);
  // Block header at 12: size byte, flags 0x00 (one filter, no sizes), filter ID 0x21, props size 1, the dictionary byte.
  const size = ((member[12] as number) + 1) * 4;
  assert.deepEqual([...member.subarray(13, 16)], [0x00, 0x21, 0x01]);
  for (const reserved of [0x40, 0x80, 0xc0]) {
    const bad = member.slice();
    bad[16] = (member[16] as number) | reserved;
    new DataView(bad.buffer).setUint32(12 + size - 4, crc32(bad.subarray(12, 12 + size - 4)) >>> 0, true);
    assert.notEqual(spawnSync('xz', ['-dc'], { input: bad }).status, 0, `xz refuses 0x${(bad[16] as number).toString(16)}`);
    await assert.rejects(decode(bad), (e) => isRemasterError(e, 'CODEC_UNSUPPORTED') && e.offset === 0 && /dictionary size byte/.test(e.detail));
  }
});
