/** diffTrees on hand-made newc archives (test/helpers/make-cpio.ts): devices, unsafe names, later segments. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { diffTrees, readInitrdTree } from '../../../src/index.ts';
import { makeCpio } from '../../helpers/make-cpio.ts';

const tree = (...segments: Uint8Array[]) => readInitrdTree([Buffer.concat(segments)]);

test('device numbers are compared; owners too; unchanged devices are not reported', async () => {
  const a = await tree(makeCpio([
    { name: 'dev', mode: 0o40755 },
    { name: 'dev/console', mode: 0o20600, rdevMajor: 5, rdevMinor: 1 },
    { name: 'dev/null', mode: 0o20666, rdevMajor: 1, rdevMinor: 3 },
    { name: 'dev/sda', mode: 0o60660, rdevMajor: 8, rdevMinor: 0, gid: 6 },
  ]));
  const b = await tree(makeCpio([
    { name: 'dev', mode: 0o40755 },
    { name: 'dev/console', mode: 0o20600, rdevMajor: 4, rdevMinor: 64 },
    { name: 'dev/null', mode: 0o20666, rdevMajor: 1, rdevMinor: 3 },
    { name: 'dev/sda', mode: 0o60660, rdevMajor: 8, rdevMinor: 0, gid: 0 },
  ]));
  const changes = diffTrees(a, b).map((c) => `${c.path} ${c.fields.join(',')}`);
  assert.deepEqual(changes, ['dev/console rdev', 'dev/sda owner']);
  assert.deepEqual(a.get('dev/console')?.rdev, [5, 1]);
});

test('the last entry at a path wins across segments, and "./x" and "x" are one path', async () => {
  const first = makeCpio([{ name: './etc', mode: 0o40755 }, { name: './etc/issue', mode: 0o100644, data: 'one\n' }]);
  const second = makeCpio([{ name: 'etc/issue', mode: 0o100600, data: 'two\n' }]);
  const a = await tree(first);
  const b = await tree(first, second);
  assert.equal(b.get('etc/issue')?.segment, 2);
  assert.deepEqual(diffTrees(a, b).map((c) => [c.path, c.kind, c.fields]), [['etc/issue', 'changed', ['perm', 'content']]]);
  assert.deepEqual(diffTrees(b, a).map((c) => c.path), ['etc/issue']);
});

test('a hard-link group gets its data from whichever link carries it', async () => {
  const a = await tree(makeCpio([
    { name: 'bin', mode: 0o40755 },
    { name: 'bin/sh', mode: 0o100755, ino: 7, nlink: 2 },
    { name: 'bin/busybox', mode: 0o100755, ino: 7, nlink: 2, data: 'multi-call\n' },
  ]));
  assert.equal(a.get('bin/sh')?.sha256, a.get('bin/busybox')?.sha256);
  assert.equal(a.get('bin/sh')?.size, 11);
});

test('a ".." name lands where the kernel puts it (".." at the root stays there), with a warning', async () => {
  const warnings: string[] = [];
  const a = await readInitrdTree([makeCpio([{ name: '../escape', mode: 0o100644, data: 'x' }])], { onWarning: (w) => warnings.push(w.code) });
  const b = await tree(makeCpio([]));
  assert.deepEqual(diffTrees(a, b).map((c) => [c.path, c.kind]), [['escape', 'removed']]);
  assert.deepEqual(warnings, ['PATH_ESCAPE']);
});
