// Attack: a directory entry "m" (mode 0777, an old mtime) is replaced by a
// symlink "m -> /outside". An extractor that applies directory modes and
// times at the end, by path and following links, chmods and touches the host
// directory (node-tar CVE-2021-32803 class: deferred metadata not re-checked).
// remaster ties a deferred mode to the directory inode it created and sets
// deferred times without following the final link, as the kernel's
// dir_utime() does (AT_SYMLINK_NOFOLLOW).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { lstat } from 'node:fs/promises';
import { join } from 'node:path';
import { makeCpio, type MakeEntry } from '../helpers/make-cpio.ts';
import { runAttack, type AttackPaths } from '../helpers/extract-attack.ts';

const link = (name: string, to: string, mtime = 1_600_000_000): MakeEntry => ({ name, mode: 0o120777, data: to, mtime });
const cases: [string, (p: AttackPaths) => Uint8Array[]][] = [
  ['one segment', (p) => [makeCpio([{ name: 'm', mode: 0o40777, mtime: 1 }, link('m', p.outside)])]],
  ['symlink in a later segment', (p) => [makeCpio([{ name: 'm', mode: 0o40777, mtime: 1 }]), makeCpio([link('m', p.outside)])]],
  ['setgid+sticky directory, owner 4242', (p) => [makeCpio([{ name: 'm', mode: 0o43777, mtime: 1, uid: 4242, gid: 4242 }, link('m', p.outside)])]],
  ['a subdirectory replaced, relative link up', () => [makeCpio([{ name: 'a', mode: 0o40755 }, { name: 'a/m', mode: 0o40777, mtime: 1 }, link('a/m', '../../outside')])]],
  ['the link points at a host file', (p) => [makeCpio([{ name: 'm', mode: 0o40777, mtime: 1 }, link('m', join(p.outside, 'host-file'))])]],
  ['replaced by a chain of symlinks', (p) => [makeCpio([{ name: 'm', mode: 0o40777, mtime: 1 }, link('m', 'n'), link('n', p.outside)])]],
  ['an implicit parent first (entry skipped), then the directory, then the symlink', (p) => [makeCpio([{ name: 'm/x', mode: 0o100666, data: 'x' }, { name: 'm', mode: 0o40777, mtime: 1 }]), makeCpio([link('m', p.outside)])]],
  ['the symlink climbs with ".." in the middle of its target', () => [makeCpio([{ name: 's', mode: 0o40755 }, { name: 'm', mode: 0o46777, mtime: 1, uid: 4242 }, link('m', 's/../../outside')])]],
  ['listed twice, replaced in between', (p) => [makeCpio([{ name: 'm', mode: 0o40777, mtime: 1 }, link('m', p.outside)]), makeCpio([{ name: 'm', mode: 0o40700, mtime: 2 }])]],
];

for (const [name, build] of cases) {
  test(`directory metadata never lands on a symlink's target: ${name}`, async (t) => {
    const r = await runAttack(t, build);
    assert.deepEqual(r.changes, [], 'nothing outside the target may change (mode, owner, mtime, content)');
    assert.equal(r.error, undefined, r.error?.message);
  });
}

test('the symlink that replaced the directory keeps its own mtime from the deferred directory time, like the kernel', async (t) => {
  const r = await runAttack(t, (p) => [makeCpio([{ name: 'm', mode: 0o40777, mtime: 1_000_000 }, link('m', p.outside, 2_000_000)])]);
  const st = await lstat(join(r.target, 'm'));
  assert.ok(st.isSymbolicLink());
  // init/initramfs.c dir_utime() runs last and uses AT_SYMLINK_NOFOLLOW: the link gets the directory's time.
  assert.equal(st.mtimeMs, 1_000_000_000);
});
