// Attack: a hard-link group whose first member's path is changed before a
// later member arrives: its parent becomes a symlink to a host directory, or
// the first member itself is replaced by a symlink to a host file. An
// extractor that links to the old name and then opens and writes the new one
// overwrites, chowns and chmods a host file (node-tar CVE-2021-32803/37712
// class, through link(2) instead of open(2)). The kernel would follow those
// links inside its rootfs; remaster refuses with PATH_THROUGH_SYMLINK.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { makeCpio, type MakeEntry } from '../helpers/make-cpio.ts';
import { runAttack, type AttackPaths } from '../helpers/extract-attack.ts';

const member = (name: string, data: string, extra: Partial<MakeEntry> = {}): MakeEntry => ({ name, mode: 0o104777, ino: 9, nlink: 2, data, ...extra });
const link = (name: string, to: string): MakeEntry => ({ name, mode: 0o120777, data: to });

const refused: [string, (p: AttackPaths) => Uint8Array[], string][] = [
  ['the first member (never created: no parent) lies under a later symlink', (p) => [makeCpio([member('p/host-file', 'A'), link('p', p.outside), member('q', 'PWNED\n')], { trailer: false })], 'q'],
  ['the first member is replaced by a symlink to a host file', (p) => [makeCpio([member('f', 'A'), link('f', join(p.outside, 'host-file')), member('g', 'PWNED\n')])], 'g'],
  ['the same with no data on the later member (open without truncation)', (p) => [makeCpio([member('f', 'A'), link('f', join(p.outside, 'host-file')), member('g', '')])], 'g'],
  ['a dangling symlink (O_CREAT would create the host file)', (p) => [makeCpio([member('f', 'A'), link('f', join(p.outside, 'created')), member('g', 'PWNED\n')])], 'g'],
  ['the first member is replaced by a relative symlink pointing up', () => [makeCpio([member('f', 'A'), link('f', '../outside/host-file'), member('g', 'PWNED\n')])], 'g'],
  // No TRAILER!!! ends segment 1, so the kernel's link hash (freed only at a trailer) still knows "p/host-file" in segment 2.
  ['the group spans segments (no trailer in between), the symlink arrives in segment 2', (p) => [makeCpio([member('p/host-file', 'A')], { trailer: false }), gzipSync(makeCpio([link('p', p.outside), member('q', 'PWNED\n')]))], 'q'],
  ['three segments: first member, then the symlink, then the later member', (p) => [makeCpio([member('p/host-file', 'A')], { trailer: false }), makeCpio([link('p', p.outside)], { trailer: false }), makeCpio([member('q', 'PWNED\n')])], 'q'],
  ['the first member\'s parent was a file (ENOTDIR), then replaced by a symlink', (p) => [makeCpio([{ name: 'p', mode: 0o100644, data: 'F' }, member('p/host-file', 'A'), link('p', p.outside), member('q', 'PWNED\n')])], 'q'],
  ['the first member\'s parent becomes a chain of symlinks', (p) => [makeCpio([member('p/host-file', 'A'), link('p', 'r'), link('r', p.outside), member('q', 'PWNED\n')])], 'q'],
  ['the first member is replaced by a chain ending at a host file', (p) => [makeCpio([member('f', 'A'), link('f', 'g'), link('g', join(p.outside, 'host-file')), member('h', 'PWNED\n')])], 'h'],
  ['the first member is replaced by a symlink to a host directory', (p) => [makeCpio([member('f', 'A'), link('f', p.outside), member('g', 'PWNED\n')])], 'g'],
  ['the later member lies under a symlinked directory', (p) => [makeCpio([link('d', p.outside), member('mine', 'x'), member('d/host-file', '')])], 'd/host-file'],
  ['the later member lies under a directory replaced by a symlink in a later segment', (p) => [makeCpio([{ name: 'd', mode: 0o40755 }, member('mine', 'x')], { trailer: false }), makeCpio([link('d', p.outside), member('d/host-file', 'PWNED\n')])], 'd/host-file'],
];

for (const [name, build, entry] of refused) {
  test(`a hard link never writes through a replaced path: ${name}`, async (t) => {
    const r = await runAttack(t, build);
    assert.deepEqual(r.changes, [], 'no host file may be overwritten, chowned or chmodded');
    assert.equal(r.error?.code, 'PATH_THROUGH_SYMLINK', `expected a refusal, got ${r.error?.message ?? 'success'}`);
    assert.equal(r.error?.entry, entry);
  });
}

test('after a TRAILER!!! the group is forgotten: a later member that would link to a replaced first member is a new file', async (t) => {
  const r = await runAttack(t, (p) => [makeCpio([member('f', 'A')]), makeCpio([link('f', join(p.outside, 'host-file')), member('g', 'MINE\n')])]);
  assert.deepEqual(r.changes, []);
  assert.equal(r.error, undefined, r.error?.message);
  assert.equal(await readFile(join(r.target, 'g'), 'utf8'), 'MINE\n');
});

test('a hard link whose first member\'s directory stayed a directory (non-empty: the kernel keeps it) stays inside', async (t) => {
  const r = await runAttack(t, (p) => [makeCpio([{ name: 'p', mode: 0o40755 }, member('p/f', 'A'), link('p', p.outside), member('q', 'DATA\n')])]);
  assert.deepEqual(r.changes, []);
  assert.equal(r.error, undefined, r.error?.message);
  assert.equal(await readFile(join(r.target, 'p/f'), 'utf8'), 'DATA\n');
  assert.equal(await readFile(join(r.target, 'q'), 'utf8'), 'DATA\n');
});
