import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { gzipSync } from 'node:zlib';
import { readInitrd, scanInitrd, type AddSpec } from '../../src/index.ts';
import { makeCpio } from '../helpers/make-cpio.ts';
import { editBytes } from '../helpers/edit.ts';
import { gnuListing, realDecompress } from '../helpers/oracle.ts';
import { requireTool } from '../helpers/tools.ts';

const enc = new TextEncoder();
const file = (path: string, text: string, extra: Partial<AddSpec> = {}): AddSpec => ({ path, type: 'file', data: enc.encode(text), size: enc.encode(text).length, ...extra });

// A usr-merged base: lib -> usr/lib, like Debian/Fedora initrds.
const early = makeCpio([{ name: 'kernel', mode: 0o40755 }, { name: 'kernel/x86', mode: 0o40755 }, { name: 'kernel/x86/microcode', mode: 0o40755 }, { name: 'kernel/x86/microcode/GenuineIntel.bin', data: 'microcode' }]);
const main = makeCpio([
  { name: '.', mode: 0o40755 },
  { name: 'etc', mode: 0o40755 },
  { name: 'etc/hostname', data: 'installer\n' },
  { name: 'init', mode: 0o100755, data: '#!/bin/sh\necho hi\n' },
  { name: 'lib', mode: 0o120777, data: 'usr/lib' },
  { name: 'usr', mode: 0o40755 },
  { name: 'usr/lib', mode: 0o40755 },
  { name: 'usr/lib/modules', mode: 0o40755 },
  { name: 'usr/lib/modules/6.1.0-test', mode: 0o40755 },
  { name: 'usr/lib/modules/6.1.0-test/modules.dep', data: '' },
]);
const base = new Uint8Array([...early, ...gzipSync(main)]);

async function effective(image: Uint8Array): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for await (const e of readInitrd([image])) {
    let data = '';
    for await (const c of e.body) data += Buffer.from(c).toString();
    out.set(e.name, `${(e.header.mode).toString(8)}:${e.linkTarget ?? data}`);
  }
  return out;
}

test('append keeps every original byte and adds one segment the kernel would read last', async () => {
  const { bytes, plan } = await editBytes(base, { add: [file('etc/remaster/marker', 'yes\n')] }, { mode: 'append' });
  assert.deepEqual(bytes.subarray(0, base.length), base);
  assert.equal(plan.compression, 'gzip');
  const index = await scanInitrd([bytes]);
  assert.equal(index.segments.length, 3);
  const seg = index.segments[2]!;
  assert.equal(seg.offset % 4, 0);
  const listing = gnuListing(realDecompress('gzip', bytes.subarray(seg.offset, seg.offset + seg.length)));
  // Only the missing parent is emitted: "etc" exists already and must not be re-declared.
  assert.deepEqual(listing.map((l) => l.split(' ').slice(5).join(' ')), ['etc/remaster', 'etc/remaster/marker']);
});

test('new files go through the lib -> usr/lib symlink instead of replacing it by a directory', async () => {
  const ko = file('lib/modules/6.1.0-test/updates/hpsa.ko', 'ELF');
  for (const mode of ['append', 'rebuild'] as const) {
    const { bytes } = await editBytes(base, { add: [ko] }, { mode });
    const state = await effective(bytes);
    assert.equal(state.get('lib'), '120777:usr/lib', mode);
    assert.ok(state.has('usr/lib/modules/6.1.0-test/updates/hpsa.ko'), mode);
    assert.ok(![...state.keys()].some((k) => k.startsWith('lib/')), mode);
  }
});

test('rebuild keeps the early microcode segment byte-identical and is deterministic', async () => {
  const edits = { add: [file('etc/hostname', 'replaced\n')], remove: ['init'] };
  const a = await editBytes(base, edits, { mode: 'rebuild', compression: 'xz', sourceDateEpoch: 1700000000 });
  const b = await editBytes(base, edits, { mode: 'rebuild', compression: 'xz', sourceDateEpoch: 1700000000 });
  assert.deepEqual(a.bytes, b.bytes);
  assert.deepEqual(a.bytes.subarray(0, early.length), early);
  const state = await effective(a.bytes);
  assert.equal(state.get('etc/hostname'), '100644:replaced\n');
  assert.equal(state.has('init'), false);
  const index = await scanInitrd([a.bytes]);
  assert.deepEqual(index.segments.map((s) => s.format), ['cpio', 'xz']);
  assert.equal(index.segments[1]!.params?.kernelSafe, true);
  // Replacement stays at the original position: order is stable.
  const names = [];
  for await (const e of readInitrd([a.bytes])) if (e.segment === 2) names.push(e.name);
  assert.deepEqual(names, ['.', 'etc', 'etc/hostname', 'lib', 'usr', 'usr/lib', 'usr/lib/modules', 'usr/lib/modules/6.1.0-test', 'usr/lib/modules/6.1.0-test/modules.dep']);
});

test('rebuild renumbers inodes uniquely so merged archives never hard-link onto each other', async () => {
  const overlay = makeCpio([{ name: 'etc/x', ino: 3, nlink: 2, data: '' }, { name: 'etc/y', ino: 3, nlink: 2, data: 'shared' }]);
  const image = new Uint8Array([...base, ...gzipSync(overlay)]);
  const { bytes } = await editBytes(image, {}, { mode: 'rebuild' });
  const inos = new Map<string, number>();
  for await (const e of readInitrd([bytes])) if (e.segment === 2) inos.set(e.name, e.header.ino);
  assert.equal(inos.get('etc/x'), inos.get('etc/y'));
  const others = [...inos.entries()].filter(([n]) => n !== 'etc/x' && n !== 'etc/y').map(([, i]) => i);
  assert.equal(new Set(others).size, others.length);
  assert.ok(!others.includes(inos.get('etc/x')!));
});

test('no-op rebuild gives identical decompressed content, and GNU cpio agrees', async (t) => {
  if (!requireTool(t, 'cpio', 'gzip')) return;
  const { bytes } = await editBytes(base, {}, { mode: 'rebuild', compression: 'gzip' });
  execFileSync('gzip', ['-t'], { input: bytes.subarray(early.length) });
  const before = gnuListing(realDecompress('gzip', base.subarray(early.length)));
  const after = gnuListing(realDecompress('gzip', bytes.subarray(early.length)));
  assert.deepEqual(after, before);
  assert.deepEqual(await effective(bytes), await effective(base));
});

test('append refuses removals, which only a rebuild can do', async () => {
  await assert.rejects(editBytes(base, { remove: ['init'] }, { mode: 'append' }), { code: 'EDIT_CONFLICT' });
});

test('refuses to add under a path that is a file in the image', async () => {
  await assert.rejects(editBytes(base, { add: [file('init/x', 'no')] }, { mode: 'append' }), { code: 'EDIT_CONFLICT' });
});
