/**
 * Real material: the Debian 12 netboot installer initrd and its variants made
 * with the real tools (fixtures/generate.sh). Oracles: GNU cpio lists each
 * segment's payload, which the real decompressor extracts from exactly the
 * bytes remaster says the segment occupies; the real tools test our outputs.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileRangeSource, planInitrdEdit, readInitrd, scanInitrd, writeInitrd, type Compression } from '../../src/index.ts';
import { collect } from '../helpers/chunked.ts';
import { ensureFixtures, type FixturePaths } from '../helpers/fixtures.ts';
import { gnuListing, ourListing, realDecompress } from '../helpers/oracle.ts';
import { requireTool } from '../helpers/tools.ts';
import { tmpDir } from '../helpers/tmp-dir.ts';

const VARIANTS: [keyof FixturePaths['initrd'] | 'original', string[]][] = [
  ['original', ['gzip']],
  ['xzCrc32', ['xz']],
  ['lzma', ['lzma']],
  ['zstd', ['zstd']],
  ['earlyZstd', ['cpio', 'cpio', 'zstd']],
  ['gzipPlusXz', ['gzip', 'xz']],
  ['lz4', ['lz4']],
  ['bzip2', ['bzip2']],
];

function variantPath(fx: FixturePaths, name: string): string {
  return name === 'original' ? fx.di.initrdGz : (fx.initrd[name as keyof FixturePaths['initrd']] as string);
}

for (const [name, formats] of VARIANTS) {
  test(`lists every segment of the real installer initrd (${name}) as GNU cpio does`, async (t) => {
    if (!requireTool(t, 'cpio', 'gzip', 'xz', 'zstd', 'lz4', 'bzip2')) return;
    const fx = await ensureFixtures(t);
    if (!fx) return;
    const file = variantPath(fx, name);
    const image = new Uint8Array(await readFile(file));
    const index = await scanInitrd(fileRangeSource(file).open());
    assert.deepEqual(index.segments.map((s) => s.format), formats);
    assert.equal(index.size, image.length);
    const ours = new Map<number, string[]>();
    for await (const e of readInitrd(fileRangeSource(file).open())) {
      const list = ours.get(e.segment) ?? [];
      list.push(ourListing(e));
      ours.set(e.segment, list);
    }
    for (const seg of index.segments) {
      const payload = realDecompress(seg.format, image.subarray(seg.offset, seg.offset + seg.length));
      assert.deepEqual(ours.get(seg.index), gnuListing(payload), `segment ${seg.index}`);
    }
    assert.ok(index.kernelVersions.includes(fx.di.kver));
  });
}

async function contentDigest(chunks: AsyncIterable<Uint8Array> | Iterable<Uint8Array>): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for await (const e of readInitrd(chunks)) {
    const h = createHash('sha256');
    for await (const c of e.body) h.update(c);
    const x = e.header;
    out.set(e.name, `${x.mode} ${x.uid} ${x.gid} ${x.mtime} ${x.fileSize} ${x.rdevMajor}:${x.rdevMinor} ${e.linkTarget ?? ''} ${h.digest('hex')}`);
  }
  return out;
}

const TESTERS: Partial<Record<Compression, string[]>> = { gzip: ['gzip', '-t'], xz: ['xz', '-t'], zstd: ['zstd', '-tq'], lz4: ['lz4', '-tq'] };

for (const compression of ['xz', 'zstd', 'gzip'] as const) {
  test(`repacks the real early+zstd initrd to ${compression}: microcode byte-identical, same content, accepted by the real tool`, async (t) => {
    if (!requireTool(t, 'xz', 'zstd', 'gzip')) return;
    const fx = await ensureFixtures(t);
    if (!fx) return;
    const source = fileRangeSource(fx.initrd.earlyZstd);
    const index = await scanInitrd(source.open());
    const plan = planInitrdEdit(index, {}, { mode: 'rebuild', compression });
    // Low levels keep CI fast; level handling is covered by the codec tests.
    const out = await collect(writeInitrd(source, index, plan, { level: compression === 'zstd' ? 3 : 1 }));
    const early = await readFile(fx.initrd.earlyAmdCpio);
    assert.equal(Buffer.compare(out.subarray(0, early.length), early), 0);
    const after = await scanInitrd([out]);
    assert.deepEqual(after.segments.map((s) => s.format), ['cpio', 'cpio', compression]);
    const main = after.segments[2]!;
    const tester = TESTERS[compression] as string[];
    execFileSync(tester[0] as string, tester.slice(1), { input: out.subarray(main.offset), maxBuffer: 2 ** 31 });
    if (compression === 'xz') {
      // xz --list needs a seekable file.
      const file = join(await tmpDir(t), 'main.xz');
      await writeFile(file, out.subarray(main.offset));
      const robot = execFileSync('xz', ['-lvv', '--robot', file]).toString();
      assert.match(robot, /\tCRC32\t/);
      assert.doesNotMatch(robot, /CRC64|SHA-256/);
    }
    assert.deepEqual(await contentDigest([out]), await contentDigest(source.open()));
  });
}

test('a no-op rebuild of the real early+zstd initrd gives identical bytes', async (t) => {
  const fx = await ensureFixtures(t);
  if (!fx) return;
  const source = fileRangeSource(fx.initrd.earlyZstd);
  const index = await scanInitrd(source.open());
  const plan = planInitrdEdit(index, {}, { mode: 'rebuild' });
  assert.deepEqual(plan.mergeSegments, []);
  const out = await collect(writeInitrd(source, index, plan));
  // Compare digests: a failing deepEqual on 30 MB arrays would render a gigantic diff.
  const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
  assert.equal(sha(out), sha(new Uint8Array(await readFile(fx.initrd.earlyZstd))));
});
