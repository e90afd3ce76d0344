/**
 * RootfsModel, one kernel rule per test (init/initramfs.c; each order is also
 * checked against the real kernel under QEMU in
 * test/integration/kernel-unpack-order.test.ts).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RootfsModel, readInitrd } from '../../../src/index.ts';
import { makeCpio, type MakeEntry } from '../../helpers/make-cpio.ts';

const d = (name: string, extra: Partial<MakeEntry> = {}): MakeEntry => ({ name, mode: 0o40755, ...extra });
const f = (name: string, data = 'x', extra: Partial<MakeEntry> = {}): MakeEntry => ({ name, mode: 0o100644, data, ...extra });
const l = (name: string, to: string): MakeEntry => ({ name, mode: 0o120777, data: to });

async function unpack(segments: Uint8Array[], symlinks: 'follow' | 'refuse' = 'follow') {
  const model = new RootfsModel<string>({ symlinks });
  const log: string[] = [];
  for await (const e of readInitrd([Buffer.concat(segments)])) {
    const r = model.apply(e);
    if (r.refused !== undefined) log.push(`refused ${e.name} at ${r.refused}`);
    if (r.skipped !== undefined) log.push(`skipped ${e.name}`);
    if (r.data !== undefined) {
      let text = '';
      for await (const c of e.body) text += new TextDecoder().decode(c);
      r.data.content = text;
    }
  }
  model.finish();
  const tree = Object.fromEntries([...model.paths()].map(([p, n]) => [p, n.type === 'file' ? `file:${n.content ?? ''}` : n.type === 'symlink' ? `-> ${n.linkTarget}` : n.type]));
  return { model, tree, log };
}

test('clean_path: a file does not replace a non-empty directory, but does replace an empty one', async () => {
  const { tree, log } = await unpack([makeCpio([d('full'), f('full/inner'), d('empty')]), makeCpio([f('full', 'F'), f('empty', 'E')])]);
  assert.deepEqual(tree, { full: 'dir', 'full/inner': 'file:x', empty: 'file:E' });
  assert.deepEqual(log, ['skipped full']);
});

test('a directory replaces a file or a symlink; a symlink over a non-empty directory only re-owns and re-times it', async () => {
  const { model, tree } = await unpack([makeCpio([f('a'), l('b', 'x'), d('c'), f('c/i')]), makeCpio([d('a'), d('b'), { ...l('c', 'x'), uid: 42, mtime: 5 }])]);
  assert.deepEqual(tree, { a: 'dir', b: 'dir', c: 'dir', 'c/i': 'file:x' });
  assert.equal(model.lookup('c')?.uid, 42);
});

test('hard links: data on any member is the group\'s; the table is forgotten at TRAILER!!! only', async () => {
  const member = (name: string, data: string, ino = 9): MakeEntry => f(name, data, { ino, nlink: 2 });
  const { tree } = await unpack([
    makeCpio([member('first', 'DATA'), member('second', '')]),
    makeCpio([member('gnu1', '', 8), member('gnu2', 'GNU', 8)]),
    makeCpio([member('open', 'OPEN', 7)], { trailer: false }),
    makeCpio([member('later', '', 7), member('after', '', 9)]),
  ]);
  assert.deepEqual(tree, { first: 'file:DATA', second: 'file:DATA', gnu1: 'file:GNU', gnu2: 'file:GNU', open: 'file:OPEN', later: 'file:OPEN', after: 'file:' });
});

test('a plain file over a hard-linked name rewrites the shared inode (O_TRUNC, no unlink); a member named twice vanishes', async () => {
  const { tree } = await unpack([makeCpio([f('a', 'OLD', { ino: 4, nlink: 2 }), f('b', '', { ino: 4, nlink: 2 }), f('t', 'X', { ino: 5, nlink: 2 }), f('t', 'Y', { ino: 5, nlink: 2 })]), makeCpio([f('a', 'NEW')])]);
  assert.deepEqual(tree, { a: 'file:NEW', b: 'file:NEW' });
});

test('dir_utime: the first entry for a path wins the time, the last one the mode; a file that replaced the directory gets the time', async () => {
  const { model } = await unpack([makeCpio([d('m', { mtime: 100 }), d('gone', { mtime: 300 })]), makeCpio([d('m', { mode: 0o40700, mtime: 200 }), f('gone', 'x', { mtime: 400 })])]);
  assert.deepEqual([model.lookup('m')?.perm, model.lookup('m')?.mtime], [0o700, 100]);
  assert.deepEqual([model.lookup('gone')?.type, model.lookup('gone')?.mtime], ['file', 300]);
});

test('no parent, no entry; a non-regular entry with data is skipped before its name is looked at', async () => {
  const { tree, log } = await unpack([makeCpio([f('nope/x'), { name: 'e', mode: 0o40755, data: 'x' }])]);
  assert.deepEqual(tree, {});
  assert.deepEqual(log, ['skipped nope/x', 'skipped e']);
});

test('parents are followed through symlinks (the kernel\'s walk), or refused in refuse mode', async () => {
  const image = [makeCpio([d('usr'), d('usr/lib'), l('lib', 'usr/lib'), l('abs', '/usr'), f('lib/fw', 'FW'), f('abs/lib/x', 'X')])];
  const follow = await unpack(image);
  assert.deepEqual(follow.tree, { usr: 'dir', 'usr/lib': 'dir', 'usr/lib/fw': 'file:FW', 'usr/lib/x': 'file:X', lib: '-> usr/lib', abs: '-> /usr' });
  const refuse = await unpack(image, 'refuse');
  assert.deepEqual(refuse.log, ['refused lib/fw at lib', 'refused abs/lib/x at abs']);
  assert.equal(refuse.model.lookup('usr/lib/fw'), undefined);
});

test('a later member whose first member became a symlink: the kernel opens through it; refuse mode stops there', async () => {
  const image = [makeCpio([d('dir'), f('dir/host', 'HOST'), f('m1', 'A', { ino: 3, nlink: 2 }), l('m1', 'dir/host'), f('m2', 'EVIL', { ino: 3, nlink: 2 })])];
  assert.equal((await unpack(image)).tree['dir/host'], 'file:EVIL');
  const refuse = await unpack(image, 'refuse');
  assert.deepEqual(refuse.log, ['refused m2 at m2']);
  assert.equal(refuse.tree['dir/host'], 'file:HOST');
});
