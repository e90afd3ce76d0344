/**
 * Fuzz finding (deb, seed 1, case 83469): a tar member of type hard link (or
 * symlink) whose linkname field is all NULs. tar-stream decodes that field as
 * null, and the reader passed it to toArchivePath(), which crashed with a
 * TypeError instead of reporting a bad package.
 */
import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import { it } from 'node:test';
import { isRemasterError } from '../../src/errors.ts';
import { readDeb } from '../../src/package/index.ts';
import { makeAr } from '../unit/package/make-package.ts';
import { makeTar } from '../unit/package/tar-fixture.ts';

async function debWithData(data: Uint8Array): Promise<Uint8Array> {
  const control = await makeTar([{ name: './control', data: 'Package: demo\nVersion: 1.0\nArchitecture: amd64\n' }]);
  return makeAr([
    { name: 'debian-binary', data: new TextEncoder().encode('2.0\n') },
    { name: 'control.tar.gz', data: gzipSync(control) },
    { name: 'data.tar.gz', data: gzipSync(data) },
  ]);
}

async function readAll(bytes: Uint8Array): Promise<void> {
  const pkg = await readDeb([bytes]);
  for await (const e of pkg.entries) for await (const _ of e.body) void _;
}

it('a deb tar hard link with an empty linkname is PACKAGE_BAD, not a TypeError', async () => {
  const bytes = await debWithData(await makeTar([{ name: './usr/bin/tool', data: 'x' }, { name: './usr/bin/hard', type: 'link', linkname: '' }]));
  await assert.rejects(readAll(bytes), (err: unknown) => isRemasterError(err, 'PACKAGE_BAD') && /hard link has an empty target/.test(err.message) && err.entry === './usr/bin/hard');
});

it('a deb tar symlink with an empty linkname is PACKAGE_BAD, not an entry with a null target', async () => {
  const bytes = await debWithData(await makeTar([{ name: './usr/bin/alias', type: 'symlink', linkname: '' }]));
  await assert.rejects(readAll(bytes), (err: unknown) => isRemasterError(err, 'PACKAGE_BAD') && /symbolic link has an empty target/.test(err.message));
});
