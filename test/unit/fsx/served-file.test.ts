import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdir, rename, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { openServedFile } from '../../../src/fsx/index.ts';
import { RemasterError } from '../../../src/errors.ts';
import { tmpDir } from '../../helpers/tmp-dir.ts';

/** A published tree as remaster lays it out: versions, a `current` link, links into it at the top. */
async function publishedTree(base: string): Promise<string> {
  const root = join(base, 'tftp');
  await mkdir(join(root, 'remaster', 'versions', '1', 'pxelinux.cfg'), { recursive: true });
  await writeFile(join(root, 'remaster', 'versions', '1', 'pxelinux.cfg', 'default'), 'DEFAULT local\n');
  await mkdir(join(root, 'remaster', 'blobs'), { recursive: true });
  await writeFile(join(root, 'remaster', 'blobs', 'initrd-abc.img'), 'initrd bytes');
  await symlink('versions/1', join(root, 'remaster', 'current'));
  await symlink('remaster/current/pxelinux.cfg', join(root, 'pxelinux.cfg'));
  await symlink('../../blobs/initrd-abc.img', join(root, 'remaster', 'versions', '1', 'initrd.img'));
  await writeFile(join(root, 'pxelinux.0'), 'loader');
  return root;
}

const code = (c: string) => (err: unknown): boolean => err instanceof RemasterError && err.code === c;

test('follows the relative links of a published tree and reads through the open descriptor', async (t) => {
  const root = await publishedTree(await tmpDir(t));
  const f = await openServedFile(root, 'pxelinux.cfg/default');
  assert.equal(f.size, 14);
  assert.equal(new TextDecoder().decode(await f.read(0, 14)), 'DEFAULT local\n');
  assert.equal(f.realPath, join(root, 'remaster', 'versions', '1', 'pxelinux.cfg', 'default'));
  await f.close();
  const i = await openServedFile(root, 'remaster/current/initrd.img');
  assert.equal(new TextDecoder().decode(await i.read(0, i.size)), 'initrd bytes');
  await i.close();
});

test('a root that is itself a symlink is resolved first', async (t) => {
  const base = await tmpDir(t);
  const root = await publishedTree(base);
  await symlink(root, join(base, 'srv-tftp'));
  const f = await openServedFile(join(base, 'srv-tftp'), 'pxelinux.0');
  assert.equal(f.size, 6);
  await f.close();
});

test('a missing file is INPUT_NOT_FOUND; directories, FIFOs and loops are refused', async (t) => {
  const base = await tmpDir(t);
  const root = await publishedTree(base);
  await assert.rejects(openServedFile(root, 'nope'), code('INPUT_NOT_FOUND'));
  await assert.rejects(openServedFile(root, 'pxelinux.0/x'), code('INPUT_NOT_FOUND'));
  await assert.rejects(openServedFile(root, 'pxelinux.cfg'), (err: unknown) => code('PATH_INVALID')(err) && /is a directory/.test((err as Error).message));
  execFileSync('mkfifo', [join(root, 'fifo')]);
  await assert.rejects(openServedFile(root, 'fifo'), (err: unknown) => code('PATH_INVALID')(err) && /not a regular file/.test((err as Error).message));
  await symlink('loop-b', join(root, 'loop-a'));
  await symlink('loop-a', join(root, 'loop-b'));
  await assert.rejects(openServedFile(root, 'loop-a'), code('PATH_INVALID'));
  await assert.rejects(openServedFile(join(base, 'missing-root'), 'x'), code('INPUT_NOT_FOUND'));
});

test('re-checks the name: ".." and absolute names are refused here too', async (t) => {
  const root = await publishedTree(await tmpDir(t));
  await assert.rejects(openServedFile(root, '../x'), code('PATH_ESCAPE'));
  await assert.rejects(openServedFile(root, 'a/../../x'), code('PATH_ESCAPE'));
  const f = await openServedFile(root, '/pxelinux.0'); // made root-relative, like the server does
  await f.close();
});

test('the size and bytes are those of the file opened, even if the name is switched to another version', async (t) => {
  const root = await publishedTree(await tmpDir(t));
  await mkdir(join(root, 'remaster', 'versions', '2', 'pxelinux.cfg'), { recursive: true });
  await writeFile(join(root, 'remaster', 'versions', '2', 'pxelinux.cfg', 'default'), 'DEFAULT install-v2-longer\n');
  const f = await openServedFile(root, 'pxelinux.cfg/default');
  await symlink('versions/2', join(root, 'remaster', 'current.new'));
  await rename(join(root, 'remaster', 'current.new'), join(root, 'remaster', 'current'));
  assert.equal(f.size, 14);
  assert.equal(new TextDecoder().decode(await f.read(0, f.size)), 'DEFAULT local\n');
  await f.close();
  const g = await openServedFile(root, 'pxelinux.cfg/default');
  assert.equal(new TextDecoder().decode(await g.read(0, g.size)), 'DEFAULT install-v2-longer\n');
  await g.close();
});
