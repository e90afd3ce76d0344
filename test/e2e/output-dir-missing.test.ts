// Defect (issue 10 item 15): `repack … -o /no/such/x.img` decoded the whole image and then died with
// exit 3 "internal error" and a stack trace. Every command that writes an output file checks the
// location first and exits 1 with a message naming it. The input here is damaged after its first
// bytes, so a command that decoded before checking would report CODEC_CORRUPT instead.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { runCli } from '../helpers/run-cli.ts';
import { makeCpio } from '../helpers/make-cpio.ts';
import { tmpDir } from '../helpers/tmp-dir.ts';

async function damagedInitrd(dir: string): Promise<string> {
  const good = gzipSync(makeCpio([{ name: 'etc/x', data: 'x'.repeat(100_000) }]));
  const bad = Uint8Array.from(good);
  bad.fill(0x55, 40, bad.length - 8); // keeps the gzip header, ruins the deflate body
  const file = join(dir, 'damaged.img');
  await writeFile(file, bad);
  return file;
}

function commands(initrd: string, out: string, host: string): [string, string[]][] {
  return [
    ['repack', ['repack', initrd, '-o', out, '-c', 'gzip']],
    ['add --append', ['add', initrd, `${host}:/etc/added`, '-o', out]],
    ['add --rebuild', ['add', initrd, `${host}:/etc/added`, '--rebuild', '-o', out]],
    ['inject-module', ['inject-module', initrd, host, '-o', out]],
    ['inject-binary', ['inject-binary', initrd, '/usr/bin/x', '--sysroot', host, '-o', out]],
  ];
}

test('a missing output directory fails first with exit 1 naming it, for every writing command', async (t) => {
  const dir = await tmpDir(t);
  const initrd = await damagedInitrd(dir);
  const host = join(dir, 'host.txt');
  await writeFile(host, 'added\n');
  const missing = join(dir, 'no', 'such');
  for (const [name, args] of commands(initrd, join(missing, 'x.img'), host)) {
    const r = await runCli(['--quiet', ...args]);
    assert.equal(r.code, 1, `${name}: ${r.stderr}`);
    assert.match(r.stderr, new RegExp(`output directory "${missing.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}" does not exist \\[OUTPUT_NOT_WRITABLE\\]`), name);
    assert.doesNotMatch(r.stderr, /internal error|CODEC_|\n\s+at /, name);
    assert.equal(existsSync(join(dir, 'no')), false, `${name} created nothing`);
  }
});

test('an output directory that is a file, or an output that is a directory, is refused the same way', async (t) => {
  const dir = await tmpDir(t);
  const initrd = await damagedInitrd(dir);
  const file = join(dir, 'plain-file');
  await writeFile(file, 'not a directory\n');
  let r = await runCli(['--quiet', 'repack', initrd, '-o', join(file, 'x.img')]);
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.stderr, /is not a directory \[OUTPUT_NOT_WRITABLE\]/);
  await mkdir(join(dir, 'out.img'));
  r = await runCli(['--quiet', 'repack', initrd, '-o', join(dir, 'out.img')]);
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.stderr, /out\.img: the output is a directory, expected a file name \[OUTPUT_NOT_WRITABLE\]/);
});
