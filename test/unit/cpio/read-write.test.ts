import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, writeFile, symlink, link, lstat, readFile, readlink, utimes, chmod } from 'node:fs/promises';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { readCpio, writeCpio, type CpioEntry, type CpioReadStats } from '../../../src/cpio/index.ts';
import { ByteReader } from '../../../src/io/byte-reader.ts';
import { CHUNK_SIZES, chunked, collect } from '../../helpers/chunked.ts';
import { makeCpio } from '../../helpers/make-cpio.ts';
import { requireTool, runTool } from '../../helpers/tools.ts';
import { tmpDir } from '../../helpers/tmp-dir.ts';

interface Listed {
  name: string;
  mode: number;
  uid: number;
  gid: number;
  nlink: number;
  mtime: number;
  size: number;
  ino: number;
  rdev: [number, number];
  target?: string;
  data: string;
}

async function list(bytes: Uint8Array, chunk: number, stats?: CpioReadStats): Promise<Listed[]> {
  const out: Listed[] = [];
  const reader = new ByteReader(chunked(bytes, chunk));
  for await (const e of readCpio(reader, stats ? { stats } : {})) out.push(await describe(e));
  return out;
}

async function describe(e: CpioEntry): Promise<Listed> {
  const data = Buffer.from(await collect(e.body)).toString('utf8');
  const h = e.header;
  const l: Listed = { name: e.name, mode: h.mode, uid: h.uid, gid: h.gid, nlink: h.nlink, mtime: h.mtime, size: h.fileSize, ino: h.ino, rdev: [h.rdevMajor, h.rdevMinor], data };
  if (e.linkTarget !== undefined) l.target = e.linkTarget;
  return l;
}

async function makeTree(dir: string): Promise<void> {
  await mkdir(join(dir, 'dir/sub'), { recursive: true });
  await writeFile(join(dir, 'dir/file'), 'hello\n');
  await link(join(dir, 'dir/file'), join(dir, 'dir/hard'));
  await symlink('file', join(dir, 'dir/sym'));
  await writeFile(join(dir, 'dir/sub/empty'), '');
  await writeFile(join(dir, 'dir/sub/odd-size'), 'abcde');
  await writeFile(join(dir, 'ünïcødé.txt'), 'utf-8 name\n');
  await chmod(join(dir, 'dir/sub/odd-size'), 0o4755);
  execFileSync('mkfifo', [join(dir, 'dir/fifo')]);
  for (const p of ['dir/file', 'dir/sub/empty', 'dir/sub/odd-size', 'ünïcødé.txt', 'dir/fifo', 'dir/sub', 'dir', '.']) {
    await utimes(join(dir, p), 1700000000, 1700000000);
  }
}

function gnuCpio(dir: string, format: 'newc' | 'crc'): Uint8Array {
  const names = execFileSync('sh', ['-c', 'find . -print0 | LC_ALL=C sort -z'], { cwd: dir });
  return runTool('cpio', ['-o', '--null', '--reproducible', '-H', format, '--quiet'], names, dir);
}

for (const format of ['newc', 'crc'] as const) {
  test(`lists a GNU cpio -H ${format} archive exactly as the file system holds it, at every chunk size`, async (t) => {
    if (!requireTool(t, 'cpio')) return;
    const dir = await tmpDir(t);
    await makeTree(dir);
    const bytes = gnuCpio(dir, format);
    const reference = await list(bytes, 0);
    for (const e of reference) {
      const st = await lstat(join(dir, e.name));
      assert.equal(e.mode, st.mode, e.name);
      assert.equal(e.uid, st.uid, e.name);
      assert.equal(e.mtime, Math.floor(st.mtimeMs / 1000), e.name);
      if (st.isSymbolicLink()) assert.equal(e.target, await readlink(join(dir, e.name)));
      if (st.isFile() && e.size > 0) assert.equal(e.data, await readFile(join(dir, e.name), 'utf8'), e.name);
    }
    assert.deepEqual(reference.map((e) => e.name).sort(), ['.', 'dir', 'dir/fifo', 'dir/file', 'dir/hard', 'dir/sub', 'dir/sub/empty', 'dir/sub/odd-size', 'dir/sym', 'ünïcødé.txt']);
    // GNU cpio puts hard-link data on the last link only.
    const links = reference.filter((e) => e.name === 'dir/file' || e.name === 'dir/hard');
    assert.deepEqual(links.map((e) => [e.nlink, e.size]), [[2, 0], [2, 6]]);
    for (const size of CHUNK_SIZES) assert.deepEqual(await list(bytes, size), reference, `chunk size ${size}`);
  });

  test(`rewrites a GNU cpio -H ${format} archive byte for byte`, async (t) => {
    if (!requireTool(t, 'cpio')) return;
    const dir = await tmpDir(t);
    await makeTree(dir);
    const bytes = gnuCpio(dir, format);
    const stats = { hasTrailer: false, end: 0, entries: 0 };
    const reader = new ByteReader(chunked(bytes, 321));
    const rewritten = await collect(writeCpio(readCpio(reader, { stats }), { magic: format === 'newc' ? '070701' : '070702' }));
    assert.equal(stats.hasTrailer, true);
    // GNU pads the archive to 512 bytes after the trailer; those NULs belong to the segment, not the archive.
    assert.deepEqual(rewritten, bytes.subarray(0, stats.end));
    assert.ok(bytes.subarray(stats.end).every((b) => b === 0));
  });
}

test('GNU cpio extracts what the writer made, with modes, links and contents intact', async (t) => {
  if (!requireTool(t, 'cpio')) return;
  const dir = await tmpDir(t);
  const mtime = 1700000000;
  const base = { ino: 0, uid: 0, gid: 0, nlink: 1, mtime, devMajor: 0, devMinor: 0, rdevMajor: 0, rdevMinor: 0 };
  const archive = await collect(
    writeCpio([
      { name: 'a', header: { ...base, ino: 1, mode: 0o40755, fileSize: 0 } },
      { name: 'a/x.txt', header: { ...base, ino: 2, mode: 0o100640, fileSize: 3 }, body: new TextEncoder().encode('xyz') },
      { name: 'a/l', header: { ...base, ino: 3, mode: 0o120777, fileSize: 5 }, body: new TextEncoder().encode('x.txt') },
    ]),
  );
  execFileSync('cpio', ['-idm', '--quiet', '--no-absolute-filenames'], { cwd: dir, input: archive });
  assert.equal(await readFile(join(dir, 'a/x.txt'), 'utf8'), 'xyz');
  assert.equal((await lstat(join(dir, 'a/x.txt'))).mode, 0o100640);
  assert.equal(await readlink(join(dir, 'a/l')), 'x.txt');
  assert.equal(Math.floor((await lstat(join(dir, 'a/x.txt'))).mtimeMs / 1000), mtime);
  const listing = execFileSync('cpio', ['-t', '--quiet'], { input: archive }).toString();
  assert.equal(listing, 'a\na/x.txt\na/l\n');
});

test('reads device nodes with their rdev numbers', async () => {
  const bytes = makeCpio([
    { name: 'dev', mode: 0o40755 },
    { name: 'dev/console', mode: 0o20600, rdevMajor: 5, rdevMinor: 1 },
    { name: 'dev/sda', mode: 0o60660, rdevMajor: 8, rdevMinor: 0 },
  ]);
  for (const size of CHUNK_SIZES) {
    const l = await list(bytes, size);
    assert.deepEqual(l.map((e) => [e.name, e.mode, e.rdev]), [['dev', 0o40755, [0, 0]], ['dev/console', 0o20600, [5, 1]], ['dev/sda', 0o60660, [8, 0]]]);
  }
});

test('stops before the next segment when an archive has no trailer', async () => {
  const archive = makeCpio([{ name: 'x', data: 'abc' }], { trailer: false });
  const next = Uint8Array.of(0x1f, 0x8b, 8, 0);
  const bytes = new Uint8Array([...archive, ...next]);
  const stats = { hasTrailer: true, end: 0, entries: 0 };
  const reader = new ByteReader(chunked(bytes, 3));
  const names = [];
  for await (const e of readCpio(reader, { stats })) names.push(e.name);
  assert.deepEqual(names, ['x']);
  assert.equal(stats.hasTrailer, false);
  assert.equal(stats.end, archive.length);
  assert.deepEqual(await reader.peek(4), next);
});
