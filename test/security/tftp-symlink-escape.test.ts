// Attack: someone with write access to part of the tree (or a careless copy) plants a
// symlink in the TFTP root that points outside it — to a file, to a directory, absolute or
// relative — so a plain request reads the secret. Links are followed only while they stay
// inside the root; the published tree's own relative links keep working.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { oracleFacts } from '../helpers/tree-oracle.ts';
import { download, serveRoot } from '../helpers/tftp.ts';
import { attackLayout, refused } from './tftp-support.ts';

test('symlinks leading out of the root are refused with ERROR 2; links inside the root are followed', async (t) => {
  const { base, root, outside } = await attackLayout(t);
  await symlink(join(outside, 'secret'), join(root, 'abs-file'));
  await symlink('../outside/secret', join(root, 'rel-file'));
  await symlink(outside, join(root, 'abs-dir'));
  await mkdir(join(root, 'boot'));
  await symlink('../../outside', join(root, 'boot', 'rel-dir'));
  await symlink('/etc/passwd', join(root, 'passwd'));
  await symlink('/dev/zero', join(root, 'zero'));
  // Inside links, as a published tree has them.
  await mkdir(join(root, 'remaster', 'versions', '3'), { recursive: true });
  await writeFile(join(root, 'remaster', 'versions', '3', 'default'), 'menu\n');
  await symlink('versions/3', join(root, 'remaster', 'current'));
  await symlink('remaster/current', join(root, 'pxelinux.cfg'));
  const before = oracleFacts(base);
  const { port, events } = await serveRoot(t, root);
  for (const name of ['abs-file', 'rel-file', 'abs-dir/secret', 'boot/rel-dir/secret', 'passwd', 'zero']) refused(await download(port, name), 2);
  assert.ok(events.every((e) => e.outcome === 'access-denied' && /PATH_ESCAPE/.test(e.detail ?? '')), JSON.stringify(events.map((e) => e.detail)));
  const menu = await download(port, 'pxelinux.cfg/default');
  assert.ok('data' in menu && Buffer.from(menu.data).toString() === 'menu\n');
  assert.deepEqual(oracleFacts(base), before);
});
