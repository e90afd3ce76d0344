/** scanInitrd's keepData on hand-made newc archives (test/helpers/make-cpio.ts). */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { scanInitrd } from '../../../src/index.ts';
import { makeCpio } from '../../helpers/make-cpio.ts';

const text = (b: Uint8Array | undefined) => (b === undefined ? undefined : new TextDecoder().decode(b));

test('keepData keeps the effective copy of the selected files only', async () => {
  const first = makeCpio([
    { name: 'lib/modules/6.1.0/kernel/a.ko', mode: 0o100644, data: 'old a' },
    { name: 'lib/modules/6.1.0/modules.order', mode: 0o100644, data: 'kernel/a.ko\n' },
    { name: 'etc/motd', mode: 0o100644, data: 'not selected' },
    { name: 'lib/modules/6.1.0/kernel/link.ko', mode: 0o120777, data: 'a.ko' },
  ]);
  const second = makeCpio([{ name: './lib/modules/6.1.0/kernel/a.ko', mode: 0o100644, data: 'new a' }]);
  const index = await scanInitrd([Buffer.concat([first, second])], { keepData: (p) => p.startsWith('lib/modules/') });
  assert.deepEqual([...index.files.keys()], ['lib/modules/6.1.0/modules.order', 'lib/modules/6.1.0/kernel/a.ko']);
  assert.equal(text(index.files.get('lib/modules/6.1.0/kernel/a.ko')), 'new a');
  assert.equal(index.entries.length, 5, 'the index itself is unchanged by keepData');
  assert.equal((await scanInitrd([first])).files.size, 0, 'nothing is kept without keepData');
});

test('keepData: an empty later hard link keeps the data its group already had', async () => {
  const index = await scanInitrd([makeCpio([
    { name: 'bin/busybox', mode: 0o100755, ino: 9, nlink: 2, data: 'multi-call' },
    { name: 'bin/busybox', mode: 0o100755, ino: 9, nlink: 2 },
  ])], { keepData: () => true });
  assert.equal(text(index.files.get('bin/busybox')), 'multi-call');
});
