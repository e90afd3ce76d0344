// Attack: an archive entry named with ".." components (or an absolute path)
// that a naive extractor writes outside its target directory.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdir, readFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { extractEntries, readInitrd } from '../../src/index.ts';
import { makeCpio } from '../helpers/make-cpio.ts';
import { tmpDir } from '../helpers/tmp-dir.ts';

test('refuses an entry that climbs out with .. and writes nothing outside the target', async (t) => {
  const root = await tmpDir(t);
  const target = join(root, 'target');
  await mkdir(target);
  const bytes = makeCpio([{ name: 'etc', mode: 0o40755 }, { name: 'etc/../../escaped', data: 'pwned' }]);
  await assert.rejects(extractEntries(readInitrd([bytes]), target), (err: Error & { code?: string; entry?: string }) => {
    assert.equal(err.code, 'PATH_ESCAPE');
    assert.equal(err.entry, 'etc/../../escaped');
    return true;
  });
  assert.deepEqual(await readdir(root), ['target']);
});

test('keeps absolute entry names inside the target, as the kernel resolves them from /', async (t) => {
  const target = await tmpDir(t);
  const bytes = makeCpio([{ name: '/etc', mode: 0o40755 }, { name: '/etc/passwd', data: 'root:x:0:0\n' }]);
  await extractEntries(readInitrd([bytes]), target);
  assert.equal(await readFile(join(target, 'etc/passwd'), 'utf8'), 'root:x:0:0\n');
});
