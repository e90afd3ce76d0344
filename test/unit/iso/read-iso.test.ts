import assert from 'node:assert/strict';
import { test } from 'node:test';
import { bytesSource } from '../../../src/io/block-source.ts';
import { readIso, readIsoFile } from '../../../src/iso/index.ts';
import { encodeBootEntry, encodeSectionHeader, encodeValidationEntry } from '../../../src/iso/el-torito.ts';
import { encodeLinkEntry } from '../../../src/iso/rock-ridge.ts';
import { encodeSuspEntry } from '../../../src/iso/susp.ts';
import type { Warning } from '../../../src/errors.ts';
import { collect } from '../../helpers/chunked.ts';
import { makeIso } from '../../helpers/make-iso.ts';

const te = new TextEncoder();

test('reads Rock Ridge names, modes, owners, symlinks and file bytes', async () => {
  const iso = makeIso([
    { name: 'run.sh', data: te.encode('#!/bin/sh\n'), mode: 0o755, uid: 1001, gid: 1002 },
    { name: 'dir', dir: [{ name: 'Mixed-Case long name.txt', data: te.encode('x') }] },
    { name: 'link', linkTarget: '../dir' },
  ]);
  const image = await readIso(bytesSource(iso.bytes));
  assert.equal(image.hasRockRidge, true);
  assert.equal(image.volume.label, 'TINY');
  assert.deepEqual([...image.walk()].map((n) => n.path), ['/', '/run.sh', '/dir', '/dir/Mixed-Case long name.txt', '/link']);
  const run = image.lookup('/run.sh');
  assert.deepEqual([run?.type, run?.mode, run?.uid, run?.gid, run?.size, run?.mtime], ['file', 0o100755, 1001, 1002, 10, 1_700_000_000]);
  assert.equal(image.lookup('link')?.linkTarget, '../dir');
  assert.equal(image.lookup('/link')?.type, 'symlink');
  assert.deepEqual(await collect(readIsoFile(bytesSource(iso.bytes), run!)), te.encode('#!/bin/sh\n'));
});

test('falls back to plain ISO names without Rock Ridge, stripping ";1" and a trailing dot', async () => {
  const iso = makeIso([{ name: 'vmlinuz', data: te.encode('k') }, { name: 'readme.txt', data: te.encode('r') }], { rockRidge: false });
  const image = await readIso(bytesSource(iso.bytes));
  assert.equal(image.namesFrom, 'iso9660');
  assert.deepEqual(image.root.children?.map((c) => [c.name, c.mode]), [['VMLINUZ', 0o100444], ['README.TXT', 0o100444]]);
});

test('merges a multi-extent file and streams its extents in order', async () => {
  const a = new Uint8Array(4096).fill(0x61);
  const b = new Uint8Array(100).fill(0x62);
  const iso = makeIso([{ name: 'big', parts: [a, b] }]);
  const source = bytesSource(iso.bytes);
  const image = await readIso(source);
  const node = image.lookup('/big');
  assert.equal(node?.size, 4196);
  assert.equal(node?.extents.length, 2);
  const before = source.bytesRead;
  const data = await collect(readIsoFile(source, node!, { chunkSize: 1000 }));
  assert.deepEqual(data, new Uint8Array([...a, ...b]));
  assert.equal(source.bytesRead - before, 4196, 'reads only the file bytes');
});

test('reports files sharing an extent as hard links', async () => {
  const iso = makeIso([{ name: 'a', data: te.encode('same') }, { name: 'b', data: te.encode('same') }]);
  // point b at a's extent
  const fixed = makeIso([{ name: 'a', data: te.encode('same') }, { name: 'b', data: te.encode('same'), extent: iso.lba.get('/a') as number }]);
  const image = await readIso(bytesSource(fixed.bytes));
  assert.deepEqual(image.hardLinks(image.lookup('/a')!).map((n) => n.path), ['/b']);
});

test('puts a relocated directory (CL/RE) back in place and hides the relocation directory', async () => {
  const iso = makeIso([
    { name: 'deep', dir: [{ name: 'moved', data: new Uint8Array(0), su: [encodeLinkEntry('CL', 0)] }] },
    { name: 'rr_moved', dir: [{ name: 'moved', dir: [{ name: 'f', data: te.encode('deep') }], su: [encodeSuspEntry('RE', [])] }] },
  ]);
  // Fix the CL pointer to the relocated directory's LBA and rebuild.
  const target = iso.lba.get('/rr_moved/moved') as number;
  const again = makeIso([
    { name: 'deep', dir: [{ name: 'moved', data: new Uint8Array(0), su: [encodeLinkEntry('CL', target)] }] },
    { name: 'rr_moved', dir: [{ name: 'moved', dir: [{ name: 'f', data: te.encode('deep') }], su: [encodeSuspEntry('RE', [])] }] },
  ]);
  const image = await readIso(bytesSource(again.bytes));
  assert.deepEqual([...image.walk()].map((n) => n.path), ['/', '/deep', '/deep/moved', '/deep/moved/f']);
  assert.equal(image.lookup('/deep/moved')?.type, 'dir');
});

test('derives the size of a no-emulation EFI image with sector count 0 from its file', async () => {
  const efi = new Uint8Array(3 * 2048).fill(0xef);
  const first = makeIso([{ name: 'efiboot.img', data: efi }], { bootCatalog: new Uint8Array(2048) });
  const lba = first.lba.get('/efiboot.img') as number;
  const catalog = new Uint8Array(2048);
  catalog.set([...encodeValidationEntry(0), ...encodeBootEntry({ sectorCount: 4, lba }), ...encodeSectionHeader(0xef, 1, true), ...encodeBootEntry({ sectorCount: 0, lba })]);
  const iso = makeIso([{ name: 'efiboot.img', data: efi }], { bootCatalog: catalog });
  const image = await readIso(bytesSource(iso.bytes));
  const entry = image.bootCatalog?.entries[1];
  assert.equal(entry?.platform, 'efi');
  assert.equal(entry?.imagePath, '/efiboot.img');
  assert.equal(entry?.imageSize, efi.length);
});

test('warns about a both-endian mismatch and throws it in strict mode', async () => {
  const iso = makeIso([{ name: 'f', data: te.encode('x') }], { rockRidge: false });
  const at = iso.rootLba * 2048 + 34 + 34 + 17; // third record ("." and ".." are 34 bytes), last BE byte of the data length
  iso.bytes[at] = 0x7f;
  const warnings: Warning[] = [];
  await readIso(bytesSource(iso.bytes), { onWarning: (w) => warnings.push(w) });
  assert.equal(warnings.length, 1);
  assert.equal(warnings[0]?.code, 'ISO_BAD_RECORD');
  assert.equal(warnings[0]?.entry, '/');
  await assert.rejects(readIso(bytesSource(iso.bytes), { strict: true }), { code: 'ISO_BAD_RECORD' });
});

test('flags zisofs files and refuses to stream them as plain bytes', async () => {
  const zf = encodeSuspEntry('ZF', [0x70, 0x7a, 4, 15, 0, 0x10, 0, 0, 0, 0, 0x10, 0]);
  const iso = makeIso([{ name: 'z', data: te.encode('compressed'), su: [zf] }]);
  const image = await readIso(bytesSource(iso.bytes));
  const node = image.lookup('/z')!;
  assert.equal(node.zisofsSize, 4096);
  await assert.rejects(collect(readIsoFile(bytesSource(iso.bytes), node)), { code: 'ISO_ZISOFS' });
  assert.equal((await collect(readIsoFile(bytesSource(iso.bytes), node, { isRaw: true }))).length, 10);
});

test('skips to the next sector at a zero length byte', async () => {
  const iso = makeIso([{ name: 'a', data: te.encode('1') }]);
  const image = await readIso(bytesSource(iso.bytes));
  assert.equal(image.root.children?.length, 1);
});
