/**
 * Attack: a .deb whose data.tar holds "../../etc/passwd"-style member names
 * or a hard link to "../x", so that an extractor trusting the names writes
 * outside its target (the node-tar CVE-2021-32804 class). Every path goes
 * through toArchivePath and the read ends with PATH_ESCAPE.
 */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { isRemasterError } from '../../src/errors.ts';
import { readDeb } from '../../src/package/index.ts';
import { makeAr } from '../unit/package/make-package.ts';
import { makeTar, type TarMember } from '../unit/package/tar-fixture.ts';

const enc = new TextEncoder();

async function debWith(members: TarMember[]): Promise<Uint8Array> {
  return makeAr([
    { name: 'debian-binary', data: enc.encode('2.0\n') },
    { name: 'control.tar', data: await makeTar([{ name: './control', data: 'Package: evil\n' }]) },
    { name: 'data.tar', data: await makeTar(members) },
  ]);
}

async function drain(bytes: Uint8Array): Promise<string[]> {
  const deb = await readDeb([bytes]);
  const seen: string[] = [];
  for await (const e of deb.entries) seen.push(e.path);
  return seen;
}

it('refuses a tar member path with ".."', async () => {
  await assert.rejects(drain(await debWith([{ name: './usr/../../etc/passwd', data: 'root::0:0::/:/bin/sh\n' }])), (err: unknown) => isRemasterError(err, 'PATH_ESCAPE') && err.entry === './usr/../../etc/passwd');
});

it('refuses a hard link whose target climbs out with ".."', async () => {
  await assert.rejects(drain(await debWith([{ name: './ok', type: 'link', linkname: '../../etc/shadow' }])), (err: unknown) => isRemasterError(err, 'PATH_ESCAPE'));
});

it('strips a leading "/" instead of honouring an absolute member path', async () => {
  assert.deepEqual(await drain(await debWith([{ name: '/etc/motd', data: 'hi\n' }])), ['etc/motd']);
});

it('keeps a symlink target with ".." as data: it matters only when extracting', async () => {
  const deb = await readDeb([await debWith([{ name: './lib/x', type: 'symlink', linkname: '../../usr/lib/x' }])]);
  for await (const e of deb.entries) assert.equal(e.linkTarget, '../../usr/lib/x');
});
