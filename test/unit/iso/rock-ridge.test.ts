import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodeRockRidge, encodeLinkEntry, encodeNmEntry, encodePxEntry, encodeSlEntry, encodeTfEntry } from '../../../src/iso/rock-ridge.ts';
import { decodeSuspArea, encodeSuspEntry } from '../../../src/iso/susp.ts';

const rr = (...entries: Uint8Array[]) => decodeRockRidge(decodeSuspArea(new Uint8Array(entries.flatMap((e) => [...e]))).entries);

test('decodes PX in the RRIP 1.12 form with inode number', () => {
  const px = new Uint8Array([
    0x50, 0x58, 44, 1, //                       "PX", len 44, v1
    0xed, 0x81, 0, 0, 0, 0, 0x81, 0xed, //      mode 0100755
    1, 0, 0, 0, 0, 0, 0, 1, //                  nlink 1
    0xe9, 3, 0, 0, 0, 0, 3, 0xe9, //            uid 1001
    0xea, 3, 0, 0, 0, 0, 3, 0xea, //            gid 1002
    7, 0, 0, 0, 0, 0, 0, 7, //                  inode 7
  ]);
  assert.deepEqual(encodePxEntry({ mode: 0o100755, nlink: 1, uid: 1001, gid: 1002, ino: 7 }), px);
  const info = rr(px);
  assert.deepEqual([info.mode, info.nlink, info.uid, info.gid, info.ino], [0o100755, 1, 1001, 1002, 7]);
});

test('joins NM parts marked CONTINUE', () => {
  assert.equal(rr(encodeNmEntry('a-very-', true), encodeNmEntry('long-name')).name, 'a-very-long-name');
  assert.equal(rr(encodeSuspEntry('NM', [0x02])).name, undefined); // CURRENT flag: "." carries no name
});

test('builds SL targets from components: root, parent, current and continued components', () => {
  assert.equal(rr(encodeSlEntry('../images/pxeboot/vmlinuz')).linkTarget, '../images/pxeboot/vmlinuz');
  assert.equal(rr(encodeSlEntry('/usr/bin')).linkTarget, '/usr/bin');
  assert.equal(rr(encodeSlEntry('/')).linkTarget, '/');
  assert.equal(rr(encodeSlEntry('./x')).linkTarget, './x');
  // "ab" split over two SL entries: component flag 1 (continue) on the first part.
  const first = encodeSuspEntry('SL', [1, 0x01, 1, 0x61]);
  const second = encodeSuspEntry('SL', [0, 0x00, 1, 0x62, 0x00, 1, 0x63]);
  assert.equal(rr(first, second).linkTarget, 'ab/c');
});

test('reads the modify time from TF in short and long form', () => {
  assert.equal(rr(encodeTfEntry(1_700_000_000)).mtime, 1_700_000_000);
  const long = new TextEncoder().encode('2023111422132000');
  // flags 0x82: long form, modify time only
  assert.equal(rr(encodeSuspEntry('TF', [0x82, ...long, 0])).mtime, 1_700_000_000);
  // flags 0x0e (modify, access, attributes) as xorriso writes: the first stamp is the modify time
  const short = encodeTfEntry(1_700_000_000).subarray(5, 12);
  assert.equal(rr(encodeSuspEntry('TF', [0x0e, ...short, 0, 0, 0, 0, 0, 0, 0, ...short])).mtime, 1_700_000_000);
});

test('decodes PN, RE, CL, PL and ZF', () => {
  const pn = encodeSuspEntry('PN', [0, 0, 0, 0, 0, 0, 0, 0, 0x01, 0x05, 0, 0, 0, 0, 0x05, 0x01]);
  const zf = encodeSuspEntry('ZF', [0x70, 0x7a, 4, 15, 0, 0x10, 0, 0, 0, 0, 0x10, 0]);
  const info = rr(pn, encodeSuspEntry('RE', []), encodeLinkEntry('CL', 40), encodeLinkEntry('PL', 20), zf);
  assert.equal(info.rdev, 0x0501);
  assert.equal(info.isRelocated, true);
  assert.equal(info.childLink, 40);
  assert.equal(info.parentLink, 20);
  assert.equal(info.zisofsSize, 4096);
});

test('reports no Rock Ridge for foreign SUSP entries', () => {
  assert.equal(rr(encodeSuspEntry('AL', [1, 2])).hasEntries, false);
});
