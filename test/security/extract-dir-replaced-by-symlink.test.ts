// Attack: the archive creates a directory (or lets a parent be implied),
// replaces it by a symlink to a host directory, in the same or a later
// segment, then writes an entry "under" it. An extractor that trusts what it
// checked or created earlier writes through the link onto the host (node-tar
// CVE-2021-32803/37701: a directory cache that outlives the directory). The
// kernel itself would follow the link inside its rootfs; remaster refuses the
// entry with PATH_THROUGH_SYMLINK and nothing outside the target changes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { lstat, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { makeCpio, type MakeEntry } from '../helpers/make-cpio.ts';
import { runAttack, type AttackPaths } from '../helpers/extract-attack.ts';

const DIR = 0o40755;
const LINK = 0o120777;
const dir = (name: string): MakeEntry => ({ name, mode: DIR });
const link = (name: string, to: string): MakeEntry => ({ name, mode: LINK, data: to });
const file = (name: string, data = 'EVIL\n', extra: Partial<MakeEntry> = {}): MakeEntry => ({ name, mode: 0o100644, data, ...extra });

const refused: [string, (p: AttackPaths) => MakeEntry[][], string][] = [
  ['directory, then symlink over it, then a file under it (one segment)', (p) => [[dir('d'), link('d', p.outside), file('d/evil')]], 'd/evil'],
  ['directory in segment 1, symlink and file in segment 2', (p) => [[dir('d')], [link('d', p.outside), file('d/evil')]], 'd/evil'],
  ['directory, symlink, then the file in a third segment', (p) => [[dir('d')], [link('d', p.outside)], [file('d/evil')]], 'd/evil'],
  ['implicit parent (never created), symlink, then a file under it', (p) => [[file('d/x'), link('d', p.outside), file('d/evil')]], 'd/evil'],
  ['deeper: a subdirectory replaced by a symlink', (p) => [[dir('d'), dir('d/e'), link('d/e', p.outside), file('d/e/evil')]], 'd/e/evil'],
  ['a "..-free" relative symlink pointing up', () => [[dir('d'), link('d', '../outside'), file('d/evil')]], 'd/evil'],
  ['a relative symlink pointing up from a subdirectory', () => [[dir('a'), link('a/d', '../../outside'), file('a/d/evil')]], 'a/d/evil'],
  ['a chain of symlinks ending outside', (p) => [[link('a', 'b'), link('b', p.outside), file('a/evil')]], 'a/evil'],
  ['symlink first, then a directory entry under it', (p) => [[link('d', p.outside), dir('d/newdir')]], 'd/newdir'],
  ['symlink first, then a nested file under it', (p) => [[link('d', p.outside), file('d/sub/evil')]], 'd/sub/evil'],
  ['symlink first, then a symlink under it', (p) => [[link('d', p.outside), link('d/planted', '/etc/shadow')]], 'd/planted'],
  ['symlink first, then the first member of a hard-link group under it', (p) => [[link('d', p.outside), file('d/host-file', 'EVIL\n', { ino: 9, nlink: 2 }), file('mine', '', { ino: 9, nlink: 2 })]], 'd/host-file'],
  ['symlink to a host file path component, then a file under it', (p) => [[link('d', join(p.outside, 'sub')), file('d/deep')]], 'd/deep'],
];

for (const [name, build, entry] of refused) {
  test(`refuses to write through a replaced parent: ${name}`, async (t) => {
    const r = await runAttack(t, (p) => build(p).map((entries) => makeCpio(entries)));
    assert.deepEqual(r.changes, [], 'nothing outside the target may change');
    assert.equal(r.error?.code, 'PATH_THROUGH_SYMLINK', `expected a refusal, got ${r.error?.message ?? 'success'}`);
    assert.equal(r.error?.entry, entry);
  });
}

test('a non-empty directory is never replaced by a symlink, so a later file lands inside the target', async (t) => {
  const r = await runAttack(t, (p) => [makeCpio([dir('d'), file('d/x', 'x\n')]), makeCpio([link('d', p.outside), file('d/evil')])]);
  assert.deepEqual(r.changes, []);
  assert.equal(r.error, undefined);
  assert.ok((await lstat(join(r.target, 'd'))).isDirectory(), 'the kernel keeps a non-empty directory');
  assert.deepEqual(await readdir(join(r.target, 'd')), ['evil', 'x']);
});

test('a directory replaced by a file makes a later entry under it fail like the kernel (ENOTDIR), not escape', async (t) => {
  const r = await runAttack(t, () => [makeCpio([dir('d'), file('d', 'now a file\n'), file('d/evil')])]);
  assert.deepEqual(r.changes, []);
  assert.equal(r.error, undefined);
  assert.ok((await lstat(join(r.target, 'd'))).isFile());
  assert.deepEqual(r.warnings.map((w) => [w.code, w.entry]), [['ENTRY_SKIPPED', 'd/evil']]);
});

test('a symlink at the final path is replaced, never written through', async (t) => {
  const r = await runAttack(t, (p) => [makeCpio([link('victim', join(p.outside, 'host-file')), file('victim', 'mine\n', { mode: 0o100600 })])]);
  assert.deepEqual(r.changes, []);
  assert.equal(r.error, undefined);
  assert.ok((await lstat(join(r.target, 'victim'))).isFile());
});

test('a symlink replaced by a directory (or a file, or a hard link) is unlinked first, never followed', async (t) => {
  const r = await runAttack(t, (p) => [
    makeCpio([link('d', p.outside), link('f', join(p.outside, 'host-file')), link('h', join(p.outside, 'host-file')), file('g', 'G\n', { ino: 3, nlink: 2 })]),
    makeCpio([dir('d'), file('d/x', 'inside\n'), file('f', 'mine\n'), file('h', '', { ino: 3, nlink: 2 })], { trailer: false }),
  ]);
  assert.deepEqual(r.changes, []);
  assert.equal(r.error, undefined, r.error?.message);
  assert.ok((await lstat(join(r.target, 'd'))).isDirectory());
  assert.deepEqual(await readdir(join(r.target, 'd')), ['x']);
  assert.ok((await lstat(join(r.target, 'f'))).isFile());
});
