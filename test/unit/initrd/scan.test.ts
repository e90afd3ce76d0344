/** scanInitrd's fileData hook on hand-made newc archives (test/helpers/make-cpio.ts). */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { scanInitrd, type ScanOptions } from '../../../src/index.ts';
import { makeCpio } from '../../helpers/make-cpio.ts';

/** Collect what fileData hands over, in call order. */
function collector(select: (path: string) => boolean): { calls: [string, string][]; fileData: NonNullable<ScanOptions['fileData']> } {
  const calls: [string, string][] = [];
  return { calls, fileData: { select, take: (path, data) => void calls.push([path, new TextDecoder().decode(data)]) } };
}

test('fileData hands over the selected files, a later entry again (the last call is the effective copy)', async () => {
  const first = makeCpio([
    { name: 'lib/modules/6.1.0/kernel/a.ko', mode: 0o100644, data: 'old a' },
    { name: 'lib/modules/6.1.0/modules.order', mode: 0o100644, data: 'kernel/a.ko\n' },
    { name: 'etc/motd', mode: 0o100644, data: 'not selected' },
    { name: 'lib/modules/6.1.0/kernel/link.ko', mode: 0o120777, data: 'a.ko' },
  ]);
  const second = makeCpio([{ name: './lib/modules/6.1.0/kernel/a.ko', mode: 0o100644, data: 'new a' }]);
  const c = collector((p) => p.startsWith('lib/modules/'));
  const index = await scanInitrd([Buffer.concat([first, second])], { fileData: c.fileData });
  assert.deepEqual(c.calls, [
    ['lib/modules/6.1.0/kernel/a.ko', 'old a'],
    ['lib/modules/6.1.0/modules.order', 'kernel/a.ko\n'],
    ['lib/modules/6.1.0/kernel/a.ko', 'new a'],
  ]);
  assert.equal(index.entries.length, 5, 'the index itself is unchanged by fileData');
});

test('fileData: an empty later link of a hard-link group does not replace the data already handed over', async () => {
  const c = collector(() => true);
  await scanInitrd([makeCpio([
    { name: 'bin/busybox', mode: 0o100755, ino: 9, nlink: 2, data: 'multi-call' },
    { name: 'bin/busybox', mode: 0o100755, ino: 9, nlink: 2 },
  ])], { fileData: c.fileData });
  assert.deepEqual(c.calls, [['bin/busybox', 'multi-call']]);
});

test('the compact index keeps names, paths, links and the later-entry-wins lookup of the object index it replaced', async () => {
  const image = new Uint8Array([
    ...makeCpio([
      { name: 'bin', mode: 0o40755 },
      { name: 'bin/sh', mode: 0o120777, data: 'busybox' },
      { name: 'etc/motd', data: 'first' },
      { name: '../escape', data: 'x' },
      { name: 'é/naïve', data: 'utf-8 name' },
    ]),
    ...makeCpio([
      { name: './etc/motd', mode: 0o100600, uid: 7, data: 'second, longer' },
      { name: '/bin', mode: 0o40700 },
    ]),
  ]);
  const index = await scanInitrd([image]);
  assert.equal(index.entries.length, 7);
  assert.equal(index.entryCount, 7);
  assert.deepEqual([...index.entries].map((e) => [e.name, e.path, e.segment, e.position]), [
    ['bin', 'bin', 1, 0], ['bin/sh', 'bin/sh', 1, 1], ['etc/motd', 'etc/motd', 1, 2], ['../escape', undefined, 1, 3],
    ['é/naïve', 'é/naïve', 1, 4], ['./etc/motd', 'etc/motd', 2, 5], ['/bin', 'bin', 2, 6],
  ]);
  assert.deepEqual(index.lookup('etc/motd'), index.entries.get(5));
  assert.equal(index.lookup('etc/motd')?.uid, 7);
  assert.equal(index.lookup('bin')?.mode, 0o40700);
  assert.equal(index.lookup('é/naïve')?.size, 10);
  assert.equal(index.lookup('../escape'), undefined);
  assert.deepEqual(index.pathInfo('bin/sh'), { type: 'symlink', linkTarget: 'busybox' });
  assert.deepEqual(index.pathInfo('bin'), { type: 'dir' });
  assert.equal(index.entries.samePath(2, 5), true);
  assert.equal(index.entries.samePath(0, 6), true);
  assert.equal(index.entries.samePath(2, 6), false);
  assert.equal(index.entries.pathCount, 4);
});

test('an image with more entries than maxEntries is refused with LIMIT_EXCEEDED naming the entry', async () => {
  const image = makeCpio(Array.from({ length: 50 }, (_, i) => ({ name: `f${i}`, data: '' })));
  assert.equal((await scanInitrd([image], { limits: { maxEntries: 50 } })).entryCount, 50);
  await assert.rejects(scanInitrd([image], { limits: { maxEntries: 49 } }), (e: Error & { code?: string; entry?: string; segment?: number }) => {
    assert.equal(e.code, 'LIMIT_EXCEEDED');
    assert.equal(e.entry, 'f49');
    assert.equal(e.segment, 1);
    assert.match(e.message, /more than maxEntries 49 entries/);
    return true;
  });
});
