/** readInitrdFile (`remaster cat`): the data the kernel leaves at a path, hard links and replacements included. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { readInitrdFile } from '../../../src/index.ts';
import { makeCpio } from '../../helpers/make-cpio.ts';

const cat = async (path: string, ...segments: Uint8Array[]): Promise<string> => {
  const image = Buffer.concat(segments);
  let opens = 0;
  const text = new TextDecoder().decode(await readInitrdFile({ open: () => (opens++, [image]) }, path));
  return `${text}${opens > 1 ? ` (${opens} passes)` : ''}`;
};

test('a hard-link member without data shows the group\'s data, wherever it was stored', async () => {
  const group = makeCpio([
    { name: 'bin', mode: 0o40755 },
    { name: 'bin/sh', mode: 0o100755, ino: 7, nlink: 2 },
    { name: 'bin/busybox', mode: 0o100755, ino: 7, nlink: 2, data: 'multi-call\n' },
    { name: 'bin/ash', mode: 0o100755, ino: 8, nlink: 2, data: 'first\n' },
    { name: 'bin/dash', mode: 0o100755, ino: 8, nlink: 2 },
  ]);
  assert.equal(await cat('bin/sh', group), 'multi-call\n');
  assert.equal(await cat('/bin/dash', group), 'first\n');
});

test('a later file wins; a file does not win over a non-empty directory; paths go through symlinked parents', async () => {
  const one = makeCpio([{ name: 'etc', mode: 0o40755 }, { name: 'etc/issue', data: 'one\n' }, { name: 'usr', mode: 0o40755 }, { name: 'lib', mode: 0o120777, data: 'usr' }]);
  const two = makeCpio([{ name: 'etc/issue', data: 'two\n' }, { name: 'etc', data: 'not a dir\n' }, { name: 'lib/fw', data: 'fw\n' }]);
  assert.equal(await cat('etc/issue', one, two), 'two\n');
  assert.equal(await cat('lib/fw', one, two), 'fw\n');
  assert.equal(await cat('usr/fw', one, two), 'fw\n');
  await assert.rejects(cat('etc', one, two), { code: 'ENTRY_NOT_FOUND' });
});

test('data that became visible through a later link of a plain file is fetched with a second pass', async () => {
  const image = makeCpio([
    { name: 'q', mode: 0o100644, ino: 5, nlink: 2, data: 'first\n' },
    { name: 'q', mode: 0o100644, nlink: 1, data: 'rewritten by a plain entry\n' },
    { name: 'p', mode: 0o100644, ino: 5, nlink: 2 },
  ]);
  assert.equal(await cat('p', image), 'rewritten by a plain entry\n (2 passes)');
});
