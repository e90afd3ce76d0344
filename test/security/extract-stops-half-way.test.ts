// Attack (careless use, issue 10 item 5): an extraction that stops half-way
// (the disk fills up, a later segment is corrupt, the target is read-only)
// must not leave a truncated file that looks complete, nor end as an
// internal error (exit 3). It removes the partial file, names the last file
// written completely, and fails as a RemasterError (exit 1) that names the
// operation and the path.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { RemasterError, extractEntries, readInitrd } from '../../src/index.ts';
import { makeCpio } from '../helpers/make-cpio.ts';
import { tmpDir } from '../helpers/tmp-dir.ts';
import { requireTool } from '../helpers/tools.ts';

const CLI = resolve(import.meta.dirname, '../../src/cli/main.ts');
const big = randomBytes(1 << 20);
const first = makeCpio([{ name: 'etc', mode: 0o40755 }, { name: 'etc/a', data: 'a'.repeat(10_000) }, { name: 'etc/b', data: 'b'.repeat(10_000) }]);

test('a corrupt later segment: the partial file is removed and the error names the last complete file', async (t) => {
  const dir = await tmpDir(t);
  const gz = gzipSync(makeCpio([{ name: 'big', data: big }]));
  const image = Buffer.concat([first, gz.subarray(0, gz.length >> 1)]); // the gzip stream ends inside big's data
  const err = await extractEntries(readInitrd([image]), dir).then(() => undefined, (e: unknown) => e);
  assert.ok(err instanceof RemasterError, String(err));
  assert.equal(err.segment, 2);
  assert.match(err.message, /the last file written completely is "etc\/b"; the partially written "big" was removed/u);
  assert.deepEqual((await readdir(dir)).sort(), ['etc']);
  assert.equal((await readFile(join(dir, 'etc/b'), 'utf8')).length, 10_000);
});

test('a hard-link member cut half-way is removed under every name, so the group\'s first member is not left truncated', async (t) => {
  const dir = await tmpDir(t);
  const member = (name: string, data: string | Uint8Array) => ({ name, mode: 0o100755, ino: 9, nlink: 3, data });
  // No TRAILER!!! ends segment 1, so "b" and "c" in segment 2 are linked to "a" (the kernel's hash survives).
  const one = makeCpio([{ name: 'etc', mode: 0o40755 }, member('a', 'first copy\n'), member('b', '')], { trailer: false });
  const gz = gzipSync(makeCpio([member('c', big)]));
  const image = Buffer.concat([one, new Uint8Array((4 - (one.length % 4)) % 4), gz.subarray(0, gz.length >> 1)]);
  const err = await extractEntries(readInitrd([image]), dir).then(() => undefined, (e: unknown) => e);
  assert.ok(err instanceof RemasterError, String(err));
  assert.equal(err.segment, 2);
  assert.match(err.message, /the last file written completely is "b" \(removed below: a hard link of the partial file\); the partially written "c" with its hard links "a", "b" was removed/u);
  assert.deepEqual((await readdir(dir)).sort(), ['etc']);
});

test('a plain file rewriting a hard-linked name half-way is removed under both names', async (t) => {
  const dir = await tmpDir(t);
  const one = makeCpio([{ name: 'x', mode: 0o100644, ino: 4, nlink: 2, data: 'OLD\n' }, { name: 'y', mode: 0o100644, ino: 4, nlink: 2 }]);
  const gz = gzipSync(makeCpio([{ name: 'x', data: big }]));
  const err = await extractEntries(readInitrd([Buffer.concat([one, gz.subarray(0, gz.length >> 1)])]), dir).then(() => undefined, (e: unknown) => e);
  assert.ok(err instanceof RemasterError, String(err));
  assert.match(err.message, /the partially written "x" with its hard links "y" was removed/u);
  assert.deepEqual(await readdir(dir), []);
});

/** Run the CLI's extract inside a private mount namespace with a small tmpfs (or a read-only one) as the target's parent. */
function extractOnTmpfs(image: string, mountOptions: string): { status: number; stderr: string; left: string[] } {
  const mnt = `${image}.mnt`;
  const script = [
    'set -u',
    `mkdir -p '${mnt}'`,
    `mount -t tmpfs -o ${mountOptions} tmpfs '${mnt}' || exit 99`,
    `'${process.execPath}' '${CLI}' extract '${image}' '${mnt}/out'; echo "EXIT=$?" >&2`,
    `find '${mnt}' -mindepth 1 -printf '%P\\n' | sort`,
  ].join('\n');
  // -U -r: a user namespace mapping us to root, so this works without root too (util-linux unshare).
  const r = spawnSync('unshare', ['-Urm', 'sh', '-c', script], { encoding: 'utf8' });
  const status = Number(/EXIT=(\d+)/u.exec(r.stderr)?.[1] ?? r.status ?? -1);
  return { status, stderr: r.stderr, left: r.stdout.split('\n').filter(Boolean) };
}

/** User and mount namespaces for a private tmpfs; without them skip locally, fail in CI (it runs as root). */
function canUnshare(t: TestContext): boolean {
  if (spawnSync('unshare', ['-Urm', 'true']).status === 0) return true;
  const msg = 'user and mount namespaces are not available here';
  if (process.env.CI === 'true') throw new Error(`${msg}; CI must allow unshare -Urm`);
  t.skip(msg);
  return false;
}

test('ENOSPC: exit 1 with DISK_FULL naming write and the path; the partial file is gone', async (t) => {
  if (!requireTool(t, 'unshare', 'find')) return;
  if (!canUnshare(t)) return;
  const dir = await tmpDir(t);
  const image = join(dir, 'initrd.img');
  await writeFile(image, Buffer.concat([first, makeCpio([{ name: 'big', data: big }])]));
  const r = extractOnTmpfs(image, 'size=256k');
  assert.equal(r.status, 1, r.stderr);
  assert.match(r.stderr, /\/out\/big: .*write: no space left on device \(ENOSPC\).*\[DISK_FULL\]/u);
  assert.match(r.stderr, /entry "big"/u);
  assert.match(r.stderr, /the last file written completely is "etc\/b"; the partially written "big" was removed/u);
  assert.deepEqual(r.left, ['out', 'out/etc', 'out/etc/a', 'out/etc/b']);
});

test('a read-only target filesystem: exit 1 with IO_ERROR, not an internal error', async (t) => {
  if (!requireTool(t, 'unshare', 'find')) return;
  if (!canUnshare(t)) return;
  const dir = await tmpDir(t);
  const image = join(dir, 'initrd.img');
  await writeFile(image, first);
  await mkdir(`${image}.mnt`);
  const r = extractOnTmpfs(image, 'ro');
  assert.equal(r.status, 1, r.stderr);
  assert.match(r.stderr, /\/out: .*mkdir: read-only file system \(EROFS\).*\[IO_ERROR\]/u);
  assert.doesNotMatch(r.stderr, /internal error/u);
});
