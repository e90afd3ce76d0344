import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, writeFile, symlink } from 'node:fs/promises';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { readInitrd, scanInitrd } from '../../src/index.ts';
import { chunked, CHUNK_SIZES } from '../helpers/chunked.ts';
import { gnuListing, ourListing, realDecompress } from '../helpers/oracle.ts';
import { requireTool, runTool } from '../helpers/tools.ts';
import { tmpDir } from '../helpers/tmp-dir.ts';

async function tree(dir: string, name: string, size: number): Promise<Uint8Array> {
  await mkdir(join(dir, 'etc/remaster'), { recursive: true });
  await writeFile(join(dir, `etc/remaster/${name}`), `${name}\n`.repeat(size));
  await symlink('usr/lib', join(dir, 'lib')).catch(() => {});
  const names = execFileSync('sh', ['-c', 'find . -print0 | LC_ALL=C sort -z'], { cwd: dir });
  return runTool('cpio', ['-o', '--null', '--reproducible', '-R', '0:0', '-H', 'newc', '--quiet'], names, dir);
}

// Every codec in the middle of an image: each member must end exactly where its tool ended it
// (lzma and bzip2 included: decoded in process / cut after the bit-aligned end marker).
const COMPRESSORS: [string, string, string[]][] = [
  ['gzip', 'gzip', ['-n', '-9']],
  ['xz', 'xz', ['--check=crc32', '--lzma2=dict=1MiB']],
  ['lzma', 'xz', ['--format=lzma', '-9']],
  ['zstd', 'zstd', ['-q', '-19']],
  ['bzip2', 'bzip2', ['-9']],
  ['lz4', 'lz4', ['-l', '-9', '-q']],
  ['lzo', 'lzop', ['-9', '-q']],
];

test('lists every segment of early cpio + gzip + xz + lzma + zstd + bzip2 + lz4 + lzo exactly as GNU cpio lists each payload', async (t) => {
  if (!requireTool(t, 'cpio', 'gzip', 'xz', 'zstd', 'lz4', 'bzip2', 'lzop')) return;
  const dir = await tmpDir(t);
  const early = await tree(join(dir, 'early'), 'early', 3);
  const parts: Uint8Array[] = [early];
  for (const [name, cmd, args] of COMPRESSORS) {
    const payload = await tree(join(dir, name), name, 2000);
    parts.push(runTool(cmd, args, payload));
    // Keep every segment 4-aligned; lz4 legacy has no end marker: 4 NULs end it (kernel >= 5.14 rule).
    const pad = (4 - (parts.reduce((n, p) => n + p.length, 0) % 4)) % 4 + (name === 'lz4' ? 4 : 0);
    if (pad > 0) parts.push(new Uint8Array(pad));
  }
  const image = Buffer.concat(parts);
  const index = await scanInitrd([image]);
  assert.deepEqual(index.segments.map((s) => s.format), ['cpio', ...COMPRESSORS.map(([name]) => name)]);
  assert.equal(index.size, image.length);
  for (const seg of index.segments) {
    // The real tool, fed exactly the bytes we say the segment occupies, must decode it: proves the boundary.
    const payload = realDecompress(seg.format, image.subarray(seg.offset, seg.offset + seg.length));
    const ours = [];
    for await (const e of readInitrd([image])) if (e.segment === seg.index) ours.push(ourListing(e));
    assert.deepEqual(ours, gnuListing(payload), `segment ${seg.index} (${seg.format})`);
    assert.equal(seg.uncompressedSize, payload.length);
  }
  assert.equal(index.segments.find((s) => s.format === 'xz')?.params?.kernelSafe, true);
});

test('reads the same entries at every chunk size across segment boundaries', async (t) => {
  if (!requireTool(t, 'cpio', 'gzip', 'zstd')) return;
  const dir = await tmpDir(t);
  const a = await tree(join(dir, 'a'), 'a', 5);
  const b = runTool('gzip', ['-n'], await tree(join(dir, 'b'), 'b', 50));
  const c = runTool('zstd', ['-q'], await tree(join(dir, 'c'), 'c', 70));
  const image = Buffer.concat([a, new Uint8Array(512), b, c]);
  const names = async (size: number) => {
    const out: string[] = [];
    for await (const e of readInitrd(chunked(image, size))) {
      let data = '';
      for await (const chunk of e.body) data += Buffer.from(chunk).toString();
      out.push(`${e.segment}:${e.name}:${data.length}`);
    }
    return out;
  };
  const reference = await names(0);
  assert.equal(reference.filter((n) => n.includes('etc/remaster/')).length, 3);
  for (const size of CHUNK_SIZES) assert.deepEqual(await names(size), reference, `chunk size ${size}`);
});
