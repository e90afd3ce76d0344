/**
 * The compact stores behind the 2-million-entry memory targets (issue 10 item 9): columns and the
 * name arena across block boundaries, the path hash table through growth and replacement, and a
 * CompactTree that answers exactly like a Map of the same entries (the Map is the oracle).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ByteArena, CompactTree, hashPath, PathSlots, u32Column, type TreeEntry } from '../../../src/tree/index.ts';

test('columns and the arena keep values across their block boundaries', () => {
  const col = u32Column();
  for (let i = 0; i < 200_000; i += 7) col.set(i, i ^ 0xdeadbeef);
  for (let i = 0; i < 200_000; i += 7) assert.equal(col.get(i), (i ^ 0xdeadbeef) >>> 0);
  assert.equal(col.get(199_999 + 70_000), 0, 'never written');
  const arena = new ByteArena();
  const addresses: [number, Uint8Array][] = [];
  for (let i = 0; i < 3000; i++) {
    const bytes = new TextEncoder().encode(`name-${i}-${'x'.repeat(i % 700)}`);
    addresses.push([arena.add(bytes.subarray(0, 3), bytes.subarray(3)), bytes]);
  }
  const big = new Uint8Array(3 << 20).fill(7); // larger than a block: a block of its own
  const bigAt = arena.add(big);
  for (const [at, bytes] of addresses) assert.deepEqual(arena.view(at, bytes.length), bytes);
  assert.deepEqual(arena.view(bigAt, big.length), big);
});

test('path slots find, replace and survive growth', () => {
  const paths = Array.from({ length: 50_000 }, (_, i) => `dir${i % 97}/file${i}`);
  const hashes = paths.map(hashPath);
  const slots = new PathSlots((pos) => hashes[pos % paths.length] as number);
  const same = (a: number, b: number): boolean => a % paths.length === b % paths.length;
  for (let i = 0; i < paths.length; i++) assert.equal(slots.put(i, same), -1);
  for (let i = 0; i < 1000; i++) assert.equal(slots.put(paths.length + i, same), i, 'a later position replaces the earlier one');
  assert.equal(slots.size, paths.length);
  for (const i of [0, 999, 1000, 49_999]) {
    const found = slots.find(hashPath(paths[i] as string), (pos) => pos % paths.length === i);
    assert.equal(found, i < 1000 ? paths.length + i : i);
  }
  assert.equal(slots.find(hashPath('nowhere'), () => false), -1);
});

test('a CompactTree answers like a Map of the same entries, last entry winning', () => {
  const map = new Map<string, TreeEntry>();
  const tree = new CompactTree();
  let seed = 1;
  const rand = (n: number): number => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) >>> 8) % n;
  const types = ['file', 'dir', 'symlink', 'char', 'fifo', undefined] as const;
  for (let i = 0; i < 20_000; i++) {
    const path = `d${rand(50)}/é${rand(600)}\u0085`;
    const type = types[rand(types.length)];
    const e: TreeEntry = { path, type, perm: rand(0o7777), uid: rand(70000), gid: rand(3), mtime: 1_700_000_000 + rand(1000), size: rand(1 << 20), segment: 1 + rand(3) };
    if (type === 'file') e.sha256 = rand(4) === 0 ? 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855' : rand(1 << 30).toString(16).padStart(64, '0');
    if (type === 'symlink') e.linkTarget = `../target/${rand(100)}`;
    if (type === 'char') e.rdev = [rand(300), rand(300)];
    map.set(path, e);
    tree.set(e, i);
  }
  assert.equal(tree.size, map.size);
  for (const [path, e] of map) assert.deepEqual(tree.get(path), e, path);
  assert.deepEqual(new Set(tree.keys()), new Set(map.keys()));
  assert.equal(tree.get('missing'), undefined);
  assert.equal(tree.has('missing'), false);
});
