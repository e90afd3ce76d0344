/**
 * Small xz streams decode in process (issue 10 item 9: 10,000 tiny xz segments cost one xz process
 * each). The xz CLI writes every input; xz is the oracle for the output; a PATH without xz proves
 * which path decoded; BCJ-filtered streams still go to the CLI.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { crc64 } from '../../../src/compress/xz-decoder.ts';
import { XZ_IN_PROCESS_MAX } from '../../../src/compress/xz.ts';
import { getCodec } from '../../../src/compress/index.ts';
import { isRemasterError } from '../../../src/errors.ts';
import { requireTool, runTool } from '../../helpers/tools.ts';
import { concat, decodeOne, FOLLOWING_CPIO, sameBytes, sampleData } from './support.ts';

const xz = getCodec('xz');

test('crc64 is CRC-64/XZ', () => {
  assert.equal(Buffer.from(crc64([new TextEncoder().encode('123456789')])).readBigUInt64LE(), 0x995dc9bbdf1939fan);
});

test('decodes small streams of every check type, block layout and chunk kind to their exact end', async (t) => {
  if (!requireTool(t, 'xz')) return;
  const text = sampleData(60_000, 11);
  const random = Uint8Array.from(sampleData(3000, 12), (b, i) => (b * 2654435761 + i * 40503) >>> 24); // LZMA2 stores it uncompressed
  const cases: [string, Uint8Array, string[]][] = [
    ['crc32', text, ['--check=crc32']],
    ['crc64', text, ['--check=crc64']],
    ['sha256', text, ['--check=sha256']],
    ['none', text, ['--check=none']],
    ['several blocks', text, ['--check=crc32', '--block-size=7000']],
    ['block sizes in the headers (multi-threaded encoder)', text, ['--check=crc32', '-T2', '--block-size=20000']],
    ['uncompressed chunks', random, ['--check=crc32']],
    ['empty input', new Uint8Array(0), ['--check=crc32']],
  ];
  for (const [name, data, args] of cases) {
    const member = runTool('xz', ['-c', ...args], data);
    assert.ok(member.length <= XZ_IN_PROCESS_MAX, `${name} is a small stream`);
    for (const chunk of name === 'crc32' ? [1, 3, 110, 0] : [110, 0]) {
      const { out, offset, rest } = await decodeOne(xz, concat(member, FOLLOWING_CPIO), chunk);
      assert.ok(sameBytes(out, data), `${name}, chunks of ${chunk}`);
      assert.equal(offset, member.length, `${name}: end`);
      assert.ok(sameBytes(rest, FOLLOWING_CPIO));
    }
  }
});

test('small streams decode without the xz CLI; large ones and BCJ-filtered ones need it', async (t) => {
  if (!requireTool(t, 'xz')) return;
  const empty = await mkdtemp(join(tmpdir(), 'remaster-path-'));
  t.after(() => rm(empty, { recursive: true, force: true }));
  const decodeWithoutXz = (member: Uint8Array) => spawnSync(process.execPath, ['--input-type=module', '-e', `
    import { getCodec } from ${JSON.stringify(new URL('../../../src/compress/index.ts', import.meta.url).href)};
    import { ByteReader } from ${JSON.stringify(new URL('../../../src/io/index.ts', import.meta.url).href)};
    let n = 0;
    for await (const c of getCodec('xz').decompress(new ByteReader(process.stdin))) n += c.length;
    console.log(n);`], { input: member, encoding: 'utf8', env: { ...process.env, PATH: empty } });
  const small = decodeWithoutXz(runTool('xz', ['-c', '--check=crc32'], sampleData(50_000, 2)));
  assert.equal(small.stdout.trim(), '50000', small.stderr);
  const large = decodeWithoutXz(runTool('xz', ['-c', '-0', '--check=crc32'], Uint8Array.from(sampleData(200_000, 3), (b, i) => (b * 2654435761 + i) >>> 24)));
  assert.match(large.stderr, /"xz" is not installed/);
  const bcj = decodeWithoutXz(runTool('xz', ['-c', '--check=crc32', '--x86', '--lzma2'], sampleData(20_000, 4)));
  assert.match(bcj.stderr, /"xz" is not installed/, 'a BCJ filter goes to the CLI');
  const bcjData = sampleData(20_000, 4);
  const { out } = await decodeOne(xz, runTool('xz', ['-c', '--check=crc32', '--x86', '--lzma2'], bcjData));
  assert.ok(sameBytes(out, bcjData), 'and the CLI decodes it');
});

test('a damaged small stream fails with the member offset and the byte that is wrong', async (t) => {
  if (!requireTool(t, 'xz')) return;
  const data = sampleData(40_000, 6);
  const member = runTool('xz', ['-c', '--check=crc32'], data);
  const check = member.slice();
  const checkAt = member.length - 12 - 12 - 4; // footer, a one-record index, then the block's CRC32
  check[checkAt] = (check[checkAt] as number) ^ 1;
  await assert.rejects(decodeOne(xz, concat(new Uint8Array(4), check).subarray(4)), (e) => isRemasterError(e, 'CODEC_CORRUPT') && e.offset === 0 && /xz member: .*block check mismatch/.test(e.detail));
  const lzma2 = member.slice();
  lzma2[100] = (lzma2[100] as number) ^ 0x55;
  await assert.rejects(decodeOne(xz, lzma2), (e) => isRemasterError(e, 'CODEC_CORRUPT') && /xz member: /.test(e.detail));
});
