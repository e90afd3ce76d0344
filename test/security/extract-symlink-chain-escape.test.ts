// Attack: reach a host directory not through one planted symlink but through
// several: a chain of links (built in one segment, across many segments, in
// reverse order, longer than the kernel's 40-link limit, or looping), or a
// link whose target climbs with ".." in its middle ("sub/../../outside",
// "./../outside", an absolute path into the target and up again), so a check
// that only looks at the first hop, or only at targets starting with "../",
// lets a write through. remaster never traverses a symlink in a parent
// component, whatever it points at: the entry is refused with
// PATH_THROUGH_SYMLINK and nothing outside the target changes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { lstat, readlink } from 'node:fs/promises';
import { join } from 'node:path';
import { makeCpio, type MakeEntry } from '../helpers/make-cpio.ts';
import { runAttack, type AttackPaths } from '../helpers/extract-attack.ts';
import { caseBytes } from '../helpers/unpack-cases.ts';

const DIR = 0o40755;
const dir = (name: string, mode = DIR): MakeEntry => ({ name, mode });
const link = (name: string, to: string): MakeEntry => ({ name, mode: 0o120777, data: to });
const file = (name: string, extra: Partial<MakeEntry> = {}): MakeEntry => ({ name, mode: 0o100644, data: 'EVIL\n', ...extra });
const member = (name: string, data: string): MakeEntry => file(name, { data, ino: 77, nlink: 2, mode: 0o104755 });

/** Each entry list is one segment. */
const one = (...entries: MakeEntry[]): MakeEntry[][] => [entries];
/** A chain l0 -> l1 -> ... -> l(n-1) -> `end`, one link per segment, newest link first when `reverse`. */
function chain(n: number, end: string, reverse = false): MakeEntry[][] {
  const links = Array.from({ length: n }, (_, i) => [link(`l${i}`, i === n - 1 ? end : `l${i + 1}`)]);
  return reverse ? links.reverse() : links;
}

const refused: [string, (p: AttackPaths) => MakeEntry[][], string][] = [
  ['a three-link chain in one segment', (p) => one(link('a', 'b'), link('b', 'c'), link('c', p.outside), file('a/evil')), 'a/evil'],
  ['a chain built across three segments, written through in a fourth', () => [[link('a', 'b')], [link('b', 'c')], [link('c', '../outside')], [file('a/sub/deep')]], 'a/sub/deep'],
  ['a chain created end first', (p) => one(link('c', p.outside), link('b', 'c'), link('a', 'b'), file('a/host-file')), 'a/host-file'],
  ['a directory replaced by the first link of a chain', (p) => [[dir('d')], [link('d', 'e')], [link('e', p.outside), file('d/evil')]], 'd/evil'],
  ['a chain through a subdirectory link that climbs', () => one(dir('d'), link('d/up', '../..'), link('x', 'd/up'), file('x/outside/host-file')), 'x/outside/host-file'],
  ['a 39-link chain (within MAXSYMLINKS), one link per segment', (p) => [...chain(39, p.outside), [file('l0/evil')]], 'l0/evil'],
  ['a 45-link chain (beyond MAXSYMLINKS) made end first', (p) => [...chain(45, p.outside, true), [file('l0/evil')]], 'l0/evil'],
  ['a loop', () => one(link('a', 'b'), link('b', 'a'), file('a/evil')), 'a/evil'],
  ['a link to itself', () => one(link('a', 'a'), file('a/evil')), 'a/evil'],
  ['".." in the middle of the target', () => one(dir('sub'), link('d', 'sub/../../outside'), file('d/evil')), 'd/evil'],
  ['"./.." at the start of the target', () => one(link('d', './../outside'), file('d/evil')), 'd/evil'],
  ['a target climbing from a deep directory through its own parents', () => one(dir('a'), dir('a/b'), dir('a/b/c'), link('a/b/d', 'c/../../../../outside'), file('a/b/d/evil')), 'a/b/d/evil'],
  ['an absolute target into the target directory, then up', (p) => one(dir('sub'), link('d', `${join(p.target, 'sub')}/../../outside`), file('d/evil')), 'd/evil'],
  ['"." then ".." through another link', () => one(link('self', '.'), link('up', 'self/..'), file('up/outside/host-file')), 'up/outside/host-file'],
  ['a link to the parent of the target, then a path under it', () => one(link('up', '..'), file('up/outside/host-file')), 'up/outside/host-file'],
  ['a chain ending in a hard-link member under it', (p) => one(link('a', 'b'), link('b', p.outside), member('mine', 'x'), member('a/host-file', 'PWNED\n')), 'a/host-file'],
  ['a chain ending in a directory entry under it', (p) => one(link('a', 'b'), link('b', p.outside), dir('a/sub', 0o40777)), 'a/sub'],
];

for (const [name, build, entry] of refused) {
  test(`a symlink chain is never traversed: ${name}`, async (t) => {
    // Alternate raw and gzip segments (4-aligned), so the chain also crosses compressed segment boundaries.
    const r = await runAttack(t, (p) => [caseBytes({ segments: build(p).map((entries, i) => ({ entries, trailer: true, gzip: i % 2 === 1 })) })]);
    assert.deepEqual(r.changes, [], 'nothing outside the target may change');
    assert.equal(r.error?.code, 'PATH_THROUGH_SYMLINK', `expected a refusal, got ${r.error?.message ?? 'success'}`);
    assert.equal(r.error?.entry, entry);
  });
}

test('a chain at the final path is replaced by the file, not followed', async (t) => {
  const r = await runAttack(t, (p) => [makeCpio([link('b', join(p.outside, 'host-file')), link('a', 'b'), file('a'), file('b')])]);
  assert.deepEqual(r.changes, []);
  assert.equal(r.error, undefined, r.error?.message);
  assert.ok((await lstat(join(r.target, 'a'))).isFile());
  assert.ok((await lstat(join(r.target, 'b'))).isFile());
});

test('links that stay inside are kept as links, with their targets verbatim', async (t) => {
  const r = await runAttack(t, (p) => [makeCpio([dir('usr'), dir('usr/lib'), link('lib', 'usr/lib'), link('up', 'sub/../../outside'), link('abs', p.outside)])]);
  assert.deepEqual(r.changes, []);
  assert.equal(r.error, undefined, r.error?.message);
  assert.equal(await readlink(join(r.target, 'up')), 'sub/../../outside');
  assert.equal(await readlink(join(r.target, 'lib')), 'usr/lib');
});
