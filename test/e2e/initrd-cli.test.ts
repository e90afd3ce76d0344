import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile, readdir, readFile, mkdir } from 'node:fs/promises';
import { gzipSync } from 'node:zlib';
import { join } from 'node:path';
import { makeCpio } from '../helpers/make-cpio.ts';
import { runCli } from '../helpers/run-cli.ts';
import { tmpDir } from '../helpers/tmp-dir.ts';

const early = makeCpio([{ name: 'kernel', mode: 0o40755 }, { name: 'kernel/x86', mode: 0o40755 }, { name: 'kernel/x86/microcode', mode: 0o40755 }, { name: 'kernel/x86/microcode/AuthenticAMD.bin', data: 'mc' }]);
const main = makeCpio([
  { name: '.', mode: 0o40755 },
  { name: 'etc', mode: 0o40755 },
  { name: 'etc/hostname', data: 'installer\n', mtime: 1700000000 },
  { name: 'dev', mode: 0o40755 },
  { name: 'dev/console', mode: 0o20600, rdevMajor: 5, rdevMinor: 1 },
  { name: 'usr', mode: 0o40755 },
  { name: 'usr/lib', mode: 0o40755 },
  { name: 'usr/lib/modules', mode: 0o40755 },
  { name: 'usr/lib/modules/6.1.0-9-amd64', mode: 0o40755 },
  { name: 'lib', mode: 0o120777, data: 'usr/lib' },
]);

async function image(dir: string): Promise<string> {
  const path = join(dir, 'initrd.img');
  await writeFile(path, new Uint8Array([...early, ...gzipSync(main)]));
  return path;
}

test('inspect shows each segment with its format and the kernel version', async (t) => {
  const dir = await tmpDir(t);
  const r = await runCli(['inspect', await image(dir)]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /2 segments, 14 entries/);
  assert.match(r.stdout, /\n 1  0x00000000 +\d+  cpio /);
  assert.match(r.stdout, /\n 2  0x[0-9a-f]{8} +\d+  gzip /);
  assert.match(r.stdout, /kernel versions: 6\.1\.0-9-amd64/);
  const json = JSON.parse((await runCli(['inspect', '--json', await image(dir)])).stdout);
  assert.deepEqual(json.segments.map((s: { format: string }) => s.format), ['cpio', 'gzip']);
});

test('ls prints every entry with a segment column, devices with their numbers', async (t) => {
  const dir = await tmpDir(t);
  const r = await runCli(['ls', await image(dir)]);
  assert.equal(r.code, 0, r.stderr);
  const lines = r.stdout.trimEnd().split('\n');
  assert.equal(lines.length, 14);
  assert.match(lines[0]!, /^ 1 drwxr-xr-x +1 0 +0 +0 \d{4}-\d\d-\d\d \d\d:\d\d kernel$/);
  assert.ok(lines.some((l) => /^ 2 crw------- .* 5, 1 .* dev\/console$/.test(l)));
  assert.ok(lines.some((l) => / lib -> usr\/lib$/.test(l)));
  assert.ok(lines.some((l) => /^ 2 -rw-r--r-- .* 10 2023-11-14 22:13 etc\/hostname$/.test(l)));
});

test('add appends, cat reads the effective copy, repack rebuilds to xz', async (t) => {
  const dir = await tmpDir(t);
  const input = await image(dir);
  await writeFile(join(dir, 'hostname'), 'remastered\n');
  const out = join(dir, 'out.img');
  let r = await runCli(['add', input, `${join(dir, 'hostname')}:/etc/hostname`, '-o', out, '--quiet']);
  assert.equal(r.code, 0, r.stderr);
  r = await runCli(['cat', out, '/etc/hostname']);
  assert.equal(r.stdout, 'remastered\n');
  r = await runCli(['repack', out, '-o', join(dir, 'xz.img'), '-c', 'xz', '--quiet']);
  assert.equal(r.code, 0, r.stderr);
  r = await runCli(['inspect', join(dir, 'xz.img')]);
  assert.match(r.stdout, /xz .*check=crc32/);
  assert.equal((await runCli(['cat', join(dir, 'xz.img'), 'etc/hostname'])).stdout, 'remastered\n');
});

test('extract writes files and records device nodes instead of creating them', async (t) => {
  const dir = await tmpDir(t);
  const target = join(dir, 'root');
  const r = await runCli(['extract', await image(dir), target]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(await readFile(join(target, 'etc/hostname'), 'utf8'), 'installer\n');
  assert.match(r.stderr, /device nodes\/fifos recorded \(not created\): dev\/console/);
  assert.deepEqual((await readdir(join(target, 'dev'))), []);
});

test('a corrupt image exits 1 with file, segment and offset, and leaves no output file', async (t) => {
  const dir = await tmpDir(t);
  const bad = join(dir, 'bad.img');
  const gz = gzipSync(main);
  gz[gz.length - 20] = (gz[gz.length - 20] as number) ^ 0xff;
  await writeFile(bad, new Uint8Array([...early, ...gz]));
  const out = join(dir, 'never.img');
  const r = await runCli(['repack', bad, '-o', out, '-c', 'gzip', '--quiet']);
  assert.equal(r.code, 1);
  assert.match(r.stderr, new RegExp(`^remaster: ${bad.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: segment 2 \\(at 0x[0-9a-f]+\\).*\\[CODEC_CORRUPT\\]`));
  assert.deepEqual(await readdir(dir), ['bad.img']);
});

test('usage errors exit 2, a missing file exits 1 naming it', async (t) => {
  const dir = await tmpDir(t);
  assert.equal((await runCli(['frobnicate'])).code, 2);
  assert.equal((await runCli(['add', 'x.img', 'no-colon', '-o', 'y'])).code, 2);
  const r = await runCli(['ls', join(dir, 'missing.img')]);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /missing\.img: cannot open.*\[INPUT_NOT_FOUND\]/);
});

test('ls into a closed pipe ends quietly', async (t) => {
  const dir = await tmpDir(t);
  await mkdir(join(dir, 'x'));
  const { execSync } = await import('node:child_process');
  const out = execSync(`"${process.execPath}" "${join(import.meta.dirname, '../../dist/cli/main.js')}" ls "${await image(dir)}" | head -1`, { shell: '/bin/bash' }).toString();
  assert.equal(out.split('\n').length, 2);
});

test('ls streams an initrd straight out of an ISO named as iso:/path', async (t) => {
  const { requireTool } = await import('../helpers/tools.ts');
  if (!requireTool(t, 'xorriso')) return;
  const dir = await tmpDir(t);
  const tree = join(dir, 'tree/images/pxeboot');
  await mkdir(tree, { recursive: true });
  const initrd = await image(dir);
  await writeFile(join(tree, 'initrd.img'), await readFile(initrd));
  const { execFileSync } = await import('node:child_process');
  execFileSync('xorriso', ['-as', 'mkisofs', '-quiet', '-R', '-J', '-o', join(dir, 'x.iso'), join(dir, 'tree')]);
  const direct = await runCli(['ls', initrd]);
  const inIso = await runCli(['ls', `${join(dir, 'x.iso')}:/images/pxeboot/initrd.img`]);
  assert.equal(inIso.code, 0, inIso.stderr);
  assert.equal(inIso.stdout, direct.stdout);
  const missing = await runCli(['ls', `${join(dir, 'x.iso')}:/nope.img`]);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /no \/nope\.img in the ISO \[ISO_NOT_FOUND\]/);
});
