/**
 * CLI-backed codecs (LZMA-alone, bzip2, lzo) and CLI error handling:
 * kernel-detectable lzma headers, oracle cross-checks, missing tools.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtemp, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { describeCompression, getCodec } from '../../../src/compress/index.ts';
import { isRemasterError } from '../../../src/errors.ts';
import { hasTool, requireTool, runTool } from '../../helpers/tools.ts';
import { compressWith, concat, decodeOne, sameBytes, sampleData } from './support.ts';

const data = sampleData(100_000);

test('writes LZMA-alone with the 5D 00 header the kernel detects, decodable by xz', async (t) => {
  if (!requireTool(t, 'xz')) return;
  const lzma = getCodec('lzma');
  const member = await compressWith(lzma, data);
  assert.deepEqual([...member.subarray(0, 5)], [0x5d, 0, 0, 0x10, 0]); // 1 MiB dictionary
  assert.deepEqual(describeCompression('lzma', member), { codec: 'lzma', kernelSafe: true, kernelDetectable: true, lc: 3, lp: 0, pb: 2, dictSize: 1 << 20 });
  assert.ok(sameBytes(runTool('xz', ['--format=lzma', '-dc'], member), data));
  assert.ok(sameBytes(member, await compressWith(lzma, data)), 'deterministic');
});

test('round-trips bzip2 and cross-checks with bzip2 -t', async (t) => {
  if (!requireTool(t, 'bzip2')) return;
  const bzip2 = getCodec('bzip2');
  const member = await compressWith(bzip2, data, { level: 1 });
  runTool('bzip2', ['-t'], member);
  assert.equal(describeCompression('bzip2', member).codec, 'bzip2');
  const { out, offset } = await decodeOne(bzip2, concat(member, new Uint8Array(16)), 2048);
  assert.ok(sameBytes(out, data));
  assert.equal(offset, member.length, 'the NUL padding after the stream is the caller\'s');
  assert.ok(sameBytes((await decodeOne(bzip2, runTool('bzip2', ['-c'], data))).out, data));
});

test('maps a bzip2 failure to CODEC_CORRUPT or CODEC_TRUNCATED with the tool message', async (t) => {
  if (!requireTool(t, 'bzip2')) return;
  const member = await compressWith(getCodec('bzip2'), data);
  await assert.rejects(decodeOne(getCodec('bzip2'), member.subarray(0, member.length >> 1)), (e) =>
    isRemasterError(e, 'CODEC_TRUNCATED', 'CODEC_CORRUPT') && /bzip2/.test(e.detail),
  );
});

test('names the Debian package when lzop is missing', async (t) => {
  if (hasTool('lzop')) {
    const member = await compressWith(getCodec('lzo'), data);
    assert.ok(sameBytes((await decodeOne(getCodec('lzo'), member)).out, data));
    return;
  }
  await assert.rejects(compressWith(getCodec('lzo'), data), (e) => isRemasterError(e, 'CODEC_TOOL_MISSING') && /"lzop"/.test(e.detail));
  const fake = concat(Uint8Array.of(0x89, 0x4c, 0x5a, 0x4f, 0, 0x0d, 0x0a, 0x1a, 0x0a), new Uint8Array(40));
  await assert.rejects(decodeOne(getCodec('lzo'), fake), (e) => isRemasterError(e, 'CODEC_TOOL_MISSING'));
});

test('bzip2 decodes through lbzip2 when it is installed and through bzip2 when it is not, to the same bytes', async (t) => {
  if (!requireTool(t, 'bzip2', 'lbzip2')) return;
  // several 100 kB blocks (-1), so lbzip2 really splits the work
  const big = sampleData(1_000_000);
  const member = runTool('bzip2', ['-1', '-c'], big);
  const child = (path: string) => spawnSync(process.execPath, ['--input-type=module', '-e', `
    import { getCodec } from ${JSON.stringify(new URL('../../../src/compress/index.ts', import.meta.url).href)};
    import { ByteReader } from ${JSON.stringify(new URL('../../../src/io/index.ts', import.meta.url).href)};
    import { createHash } from 'node:crypto';
    const hash = createHash('sha256');
    for await (const c of getCodec('bzip2').decompress(new ByteReader(process.stdin))) hash.update(c);
    console.log(hash.digest('hex'));`], { input: member, encoding: 'utf8', env: { ...process.env, PATH: path } });
  // a PATH holding only one of the two tools shows which one decoded
  const pathWith = async (tool: string): Promise<string> => {
    const bin = await mkdtemp(join(tmpdir(), 'remaster-path-'));
    t.after(() => rm(bin, { recursive: true, force: true }));
    await symlink(execFileSync('sh', ['-c', `command -v ${tool}`], { encoding: 'utf8' }).trim(), join(bin, tool));
    return bin;
  };
  const expected = createHash('sha256').update(big).digest('hex');
  for (const tool of ['lbzip2', 'bzip2']) {
    const r = child(await pathWith(tool));
    assert.equal(r.stdout.trim(), expected, `${tool} only: ${r.stderr}`);
  }
  const empty = await mkdtemp(join(tmpdir(), 'remaster-path-'));
  t.after(() => rm(empty, { recursive: true, force: true }));
  const neither = child(empty);
  assert.match(neither.stderr, /"bzip2" is not installed \(Debian\/Ubuntu package "bzip2"\)/u);
});
