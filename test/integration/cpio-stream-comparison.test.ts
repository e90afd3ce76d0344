/**
 * Why remaster has its own newc reader/writer instead of the npm package the user named,
 * `cpio-stream` (reference 09 rejected it): the same inputs go through cpio-stream's
 * extract -> pack (newc) and through remaster's readCpio/readInitrd -> writeCpio.
 * Input: a GNU `cpio -o -H newc --reproducible` archive holding a UTF-8 name, followed by a
 * second archive (made byte by byte) holding a character device — two archives with a
 * TRAILER!!! between them, as in every initrd with an early-microcode or appended segment.
 * Every assertion about cpio-stream is behaviour observed with cpio-stream 1.4.3.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdir, symlink, utimes, lutimes, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { ByteReader, readCpio, readInitrd, writeCpio, type CpioEntry, type CpioReadStats, type CpioWriteEntry } from '../../src/index.ts';
import { makeCpio } from '../helpers/make-cpio.ts';
import { tmpDir } from '../helpers/tmp-dir.ts';
import { requireTool } from '../helpers/tools.ts';

interface CpioStreamHeader {
  name: string;
  devminor: number;
  rdevmajor: number;
  rdevminor: number;
  [key: string]: unknown;
}

const require = createRequire(import.meta.url);
const cpioStream = require('cpio-stream') as {
  extract(): NodeJS.WritableStream & { on(event: 'entry', fn: (h: CpioStreamHeader, s: NodeJS.ReadableStream, next: () => void) => void): unknown };
  pack(opts: { format: 'newc' }): NodeJS.ReadableStream & { entry(h: CpioStreamHeader, body: Buffer, cb: () => void): void; finalize(): void };
};

const UTF8_NAME = 'etc/café-ñ.txt';
const EPOCH = 1700000000;

/** A GNU cpio newc archive of a small tree with a UTF-8 file name (padded by GNU cpio to 512 bytes). */
async function gnuArchive(t: import('node:test').TestContext): Promise<Buffer> {
  const dir = join(await tmpDir(t), 'tree');
  await mkdir(join(dir, 'etc'), { recursive: true });
  await writeFile(join(dir, 'etc/plain.txt'), 'hello\n');
  await writeFile(join(dir, UTF8_NAME), 'utf-8 name\n');
  await symlink('plain.txt', join(dir, 'etc/link'));
  for (const p of ['etc/plain.txt', UTF8_NAME, 'etc', '.']) await utimes(join(dir, p), EPOCH, EPOCH);
  await lutimes(join(dir, 'etc/link'), EPOCH, EPOCH);
  const list = execFileSync('bash', ['-c', 'find . -print0 | LC_ALL=C sort -z'], { cwd: dir });
  return execFileSync('cpio', ['--null', '--reproducible', '-R', '0:0', '-H', 'newc', '-o', '--quiet'], { cwd: dir, input: list });
}

/** The second archive: a character device (5,1) and a file, built byte by byte. */
function deviceArchive(): Buffer {
  const entries = makeCpio([
    { name: 'dev/console', mode: 0o020600, rdevMajor: 5, rdevMinor: 1 },
    { name: 'etc/appended.txt', data: 'second archive\n' },
  ], { trailer: false });
  // The trailer as GNU cpio and the kernel's gen_init_cpio write it: every field 0 but nlink 1.
  const trailer = makeCpio([{ name: 'TRAILER!!!', mode: 0, nlink: 1, ino: 0, mtime: 0 }], { trailer: false });
  return Buffer.concat([entries, trailer]);
}

/** Run bytes through cpio-stream's extract and re-pack every entry with its newc packer. */
async function throughCpioStream(input: Buffer): Promise<{ headers: CpioStreamHeader[]; output: Buffer }> {
  const extract = cpioStream.extract();
  const pack = cpioStream.pack({ format: 'newc' });
  const headers: CpioStreamHeader[] = [];
  const out: Buffer[] = [];
  pack.on('data', (c: Buffer) => out.push(c));
  const ended = new Promise<void>((resolve, reject) => {
    pack.on('end', resolve);
    pack.on('error', reject);
    extract.on('error', reject);
  });
  extract.on('entry', (header, stream, next) => {
    const parts: Buffer[] = [];
    stream.on('data', (d: Buffer) => parts.push(d));
    stream.on('end', () => {
      headers.push({ ...header });
      pack.entry(header, Buffer.concat(parts), next);
    });
  });
  extract.on('finish', () => pack.finalize());
  extract.end(input);
  await ended;
  return { headers, output: Buffer.concat(out) };
}

/** Read one archive with remaster and write it back with remaster's writer. */
async function throughRemaster(input: Uint8Array): Promise<{ entries: string[]; output: Buffer; end: number }> {
  const stats: CpioReadStats = { hasTrailer: false, end: 0, entries: 0 };
  const entries: CpioWriteEntry[] = [];
  for await (const e of readCpio(new ByteReader([input]), { stats }) as AsyncIterable<CpioEntry>) {
    const parts: Uint8Array[] = [];
    for await (const c of e.body) parts.push(c.slice());
    entries.push({ name: e.name, nameBytes: e.nameBytes.slice(), header: { ...e.header }, body: Buffer.concat(parts) });
  }
  const out: Uint8Array[] = [];
  for await (const c of writeCpio(entries)) out.push(c.slice());
  return { entries: entries.map((e) => e.name), output: Buffer.concat(out), end: stats.end };
}

/** The hex text of a newc header field (index 0 = c_ino) of the header at `at`. */
function field(archive: Buffer, at: number, index: number): string {
  return archive.toString('latin1', at + 6 + index * 8, at + 14 + index * 8);
}
const C_DEVMINOR = 8;

test('cpio-stream drops entries after the first TRAILER!!!; remaster reads them', async (t) => {
  if (!requireTool(t, 'cpio')) return;
  const first = await gnuArchive(t);
  const second = deviceArchive();
  const { headers } = await throughCpioStream(Buffer.concat([first, second]));
  const theirs = headers.map((h) => h.name);
  assert.equal(theirs.length, 5, `cpio-stream saw ${theirs.join(', ')}`);
  assert.ok(!theirs.includes('dev/console') && !theirs.includes('etc/appended.txt'));

  const ours: string[] = [];
  for await (const e of readInitrd([Buffer.concat([first, second])])) ours.push(e.name);
  assert.deepEqual(ours, ['.', 'etc', 'etc/café-ñ.txt', 'etc/link', 'etc/plain.txt', 'dev/console', 'etc/appended.txt']);
});

test('cpio-stream mangles a UTF-8 file name; remaster keeps it', async (t) => {
  if (!requireTool(t, 'cpio')) return;
  const first = await gnuArchive(t);
  const { headers, output } = await throughCpioStream(first);
  const theirs = headers[2]?.name;
  assert.notEqual(theirs, UTF8_NAME);
  assert.equal(theirs, 'etc/cafC)-C1.txt'); // each byte decoded as 7-bit ASCII
  assert.ok(!output.includes(Buffer.from(UTF8_NAME)), 'the mangled name is what cpio-stream writes back');

  const ours = await throughRemaster(first);
  assert.equal(ours.entries[2], UTF8_NAME);
  assert.ok(ours.output.includes(Buffer.from(UTF8_NAME)));
});

test('cpio-stream re-packs a GNU archive with other bytes (c_devminor 0 becomes 3FFFF, other length); remaster writes it back byte-identical', async (t) => {
  if (!requireTool(t, 'cpio')) return;
  const first = await gnuArchive(t);
  const { output } = await throughCpioStream(first);
  assert.notDeepEqual(output, first);
  assert.notEqual(output.length, first.length);
  assert.equal(field(first, 0, C_DEVMINOR), '00000000');
  assert.equal(field(output, 0, C_DEVMINOR), '0003FFFF');

  const ours = await throughRemaster(first);
  // GNU cpio pads the archive to a 512-byte block after the trailer; the archive itself ends at `end`.
  assert.deepEqual(ours.output, first.subarray(0, ours.end));
  assert.ok(first.subarray(ours.end).every((b) => b === 0), 'only NUL block padding follows the trailer');
});

test('cpio-stream rewrites a device node archive with other bytes (c_devminor, trailer padding) though rdev survives; remaster is byte-identical', async () => {
  const second = deviceArchive();
  const { headers, output } = await throughCpioStream(second);
  assert.equal(headers[0]?.name, 'dev/console');
  assert.deepEqual([headers[0]?.rdevmajor, headers[0]?.rdevminor], [5, 1]);
  assert.notDeepEqual(output, second);
  assert.equal(field(output, 0, C_DEVMINOR), '0003FFFF');
  assert.equal(output.length % 512, 0, 'cpio-stream pads its output to 512 bytes');
  assert.notEqual(output.length, second.length);

  const ours = await throughRemaster(second);
  assert.deepEqual(ours.output, second);
  assert.deepEqual(ours.entries, ['dev/console', 'etc/appended.txt']);
});
