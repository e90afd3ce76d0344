// Lost privilege bits (issue 10 item 12): extracting as root, an extractor
// that sets the mode before the owner loses setuid/setgid, because chown(2)
// clears them (dracut's usr/bin/mount, 0104755, came out 0755). The kernel
// does vfs_fchown() then vfs_fchmod(); so does remaster, on the open file.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { lstat } from 'node:fs/promises';
import { join } from 'node:path';
import { extractEntries, readInitrd } from '../../src/index.ts';
import { makeCpio } from '../helpers/make-cpio.ts';
import { tmpDir } from '../helpers/tmp-dir.ts';

const cases: [string, number, number, number][] = [
  ['usr/bin/mount', 0o104755, 0, 0],
  ['usr/bin/wall', 0o102755, 0, 5],
  ['usr/bin/both', 0o106755, 1000, 4242],
  ['usr/bin/sticky', 0o101755, 0, 0],
  ['usr/bin/odd', 0o104711, 1000, 1000],
];

test('setuid and setgid bits survive extraction as root, with the owners applied', async (t) => {
  if (process.getuid?.() !== 0) return t.skip('needs root: as another user chown is not applied and cannot clear the bits');
  const dir = await tmpDir(t);
  const image = makeCpio([
    { name: 'usr', mode: 0o40755 },
    { name: 'usr/bin', mode: 0o40755 },
    ...cases.map(([name, mode, uid, gid]) => ({ name, mode, uid, gid, data: '#!/bin/sh\n' })),
    { name: 'usr/share', mode: 0o42775, gid: 50 },
    // a hard-link member without data re-applies owner and mode to the shared inode, owner first too
    { name: 'usr/bin/umount', mode: 0o104755, ino: 77, nlink: 2, data: 'x' },
    { name: 'usr/bin/umount2', mode: 0o104755, ino: 77, nlink: 2, uid: 0, gid: 0 },
  ]);
  await extractEntries(readInitrd([image]), dir);
  for (const [name, mode, uid, gid] of cases) {
    const st = await lstat(join(dir, name));
    assert.equal((st.mode & 0o7777).toString(8), (mode & 0o7777).toString(8), name);
    assert.deepEqual([st.uid, st.gid], [uid, gid], name);
  }
  assert.equal(((await lstat(join(dir, 'usr/share'))).mode & 0o7777).toString(8), '2775');
  assert.equal(((await lstat(join(dir, 'usr/bin/umount'))).mode & 0o7777).toString(8), '4755');
});
