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
