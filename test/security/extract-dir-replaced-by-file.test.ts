// Attack: a directory is replaced by a regular file (or a hard-link member),
// in the same or a later segment, and the archive keeps writing "under" it:
// files, directories, symlinks and hard-link members. An extractor that
// remembers the directory it created may recreate it, write beside the file,
// or apply the directory's deferred mode (0777, setgid) to the file that took
// its place. The kernel's writes under a file fail (ENOTDIR) and so do
// remaster's: the entries are skipped with ENTRY_SKIPPED, the file keeps its
// data and mode, and if the file is then replaced by a symlink to the host,
// the next write under it is refused.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { lstat, readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { makeCpio, type MakeEntry } from '../helpers/make-cpio.ts';
import { runAttack } from '../helpers/extract-attack.ts';

const dir = (name: string, mode = 0o40755): MakeEntry => ({ name, mode });
const link = (name: string, to: string): MakeEntry => ({ name, mode: 0o120777, data: to });
const file = (name: string, data = 'EVIL\n', extra: Partial<MakeEntry> = {}): MakeEntry => ({ name, mode: 0o100644, data, ...extra });
const member = (name: string, data: string): MakeEntry => file(name, data, { ino: 31, nlink: 2, mode: 0o100600 });
/** Everything an archive can put under a path. */
const under = (d: string): MakeEntry[] => [file(`${d}/evil`), dir(`${d}/sub`, 0o40777), file(`${d}/sub/deep`), link(`${d}/l`, '/'), member('g', 'G\n'), member(`${d}/g`, '')];

const cases: [string, Uint8Array[]][] = [
  ['one segment', [makeCpio([dir('d', 0o42777), file('d', 'FILE\n'), ...under('d')])]],
  ['replaced in segment 2, written under in segment 3', [makeCpio([dir('d', 0o42777)]), makeCpio([file('d', 'FILE\n')]), makeCpio(under('d'))]],
  ['replaced by a hard-link member', [makeCpio([dir('d', 0o42777), file('h1', 'FILE\n', { ino: 5, nlink: 2 }), file('d', '', { ino: 5, nlink: 2 }), ...under('d')])]],
  ['a nested directory replaced', [makeCpio([dir('a'), dir('a/d', 0o40777)]), makeCpio([file('a/d', 'FILE\n'), ...under('a/d')])]],
  ['an implicit parent that was always a file', [makeCpio([file('d', 'FILE\n'), ...under('d')])]],
];

for (const [name, segments] of cases) {
  test(`nothing is written under a directory that became a file: ${name}`, async (t) => {
    const r = await runAttack(t, () => segments);
    assert.deepEqual(r.changes, [], 'nothing outside the target may change');
    assert.equal(r.error, undefined, r.error?.message);
    const path = name.startsWith('a nested') ? 'a/d' : 'd';
    const st = await lstat(join(r.target, path));
    assert.ok(st.isFile(), `${path} is the file`);
    assert.equal(await readFile(join(r.target, path), 'utf8'), 'FILE\n');
    // The directory's deferred mode (0777, setgid) belongs to the directory's inode, not to the file.
    assert.equal((st.mode & 0o7777).toString(8), '644');
    const skipped = r.warnings.filter((w) => w.code === 'ENTRY_SKIPPED').map((w) => w.entry);
    for (const e of ['evil', 'sub', 'sub/deep', 'l', 'g']) assert.ok(skipped.includes(`${path}/${e}`), `${path}/${e} skipped: ${skipped.join(', ')}`);
    const top = await readdir(r.target);
    assert.ok(!top.includes('evil') && !top.includes('sub') && !top.includes('deep'), top.join(', '));
  });
}

test('a directory replaced by a file, a directory again, then a symlink to the host: the write under it is refused', async (t) => {
  const r = await runAttack(t, (p) => [makeCpio([dir('d', 0o40777), file('d', 'FILE\n')]), makeCpio([dir('d', 0o40777)]), makeCpio([link('d', p.outside), ...under('d')])]);
  assert.deepEqual(r.changes, []);
  assert.equal(r.error?.code, 'PATH_THROUGH_SYMLINK', r.error?.message ?? 'success');
  assert.equal(r.error?.entry, 'd/evil');
});

test('a file that replaced a directory is itself replaced by a symlink to a host file; a hard-link member under its name is refused', async (t) => {
  const r = await runAttack(t, (p) => [makeCpio([dir('d'), file('d', 'FILE\n', { ino: 8, nlink: 2 }), link('d', join(p.outside, 'host-file')), file('e', 'PWNED\n', { ino: 8, nlink: 2 })])]);
  assert.deepEqual(r.changes, []);
  assert.equal(r.error?.code, 'PATH_THROUGH_SYMLINK', r.error?.message ?? 'success');
  assert.equal(r.error?.entry, 'e');
});
