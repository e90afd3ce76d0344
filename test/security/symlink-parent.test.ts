// Attack: the archive plants a symlink "etc -> /outside", then writes
// "etc/file"; an extractor that follows the link writes outside its target
// (node-tar GHSA-qq89-hq3f-393p class).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { extractEntries, readInitrd } from '../../src/index.ts';
import { makeCpio } from '../helpers/make-cpio.ts';
import { tmpDir } from '../helpers/tmp-dir.ts';

test('refuses to write through a symlinked parent directory', async (t) => {
  const root = await tmpDir(t);
  const target = join(root, 'target');
  const outside = join(root, 'outside');
  await mkdir(target);
  await mkdir(outside);
  const bytes = makeCpio([
    { name: 'etc', mode: 0o120777, data: outside },
    { name: 'etc/cron.d', mode: 0o100644, data: '* * * * * root evil\n' },
  ]);
  await assert.rejects(extractEntries(readInitrd([bytes]), target), { code: 'PATH_THROUGH_SYMLINK' });
  assert.deepEqual(await readdir(outside), []);
});

test('replaces a planted symlink by a regular file instead of writing through it', async (t) => {
  const root = await tmpDir(t);
  const target = join(root, 'target');
  const outside = join(root, 'outside');
  await mkdir(target);
  await mkdir(outside);
  const bytes = makeCpio([
    { name: 'victim', mode: 0o120777, data: join(outside, 'victim') },
    { name: 'victim', mode: 0o100644, data: 'data' },
  ]);
  await extractEntries(readInitrd([bytes]), target);
  assert.deepEqual(await readdir(outside), []);
});
