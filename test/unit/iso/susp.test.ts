import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodeSpEntry, decodeSuspArea, encodeSuspEntry, extensionIds } from '../../../src/iso/susp.ts';

test('decodes SP with its skip length', () => {
  const sp = new Uint8Array([0x53, 0x50, 7, 1, 0xbe, 0xef, 3]); // "SP", len 7, v1, check bytes, LEN_SKP 3
  assert.equal(decodeSpEntry(sp), 3);
  assert.deepEqual(encodeSuspEntry('SP', [0xbe, 0xef, 3]), sp);
  assert.equal(decodeSpEntry(new Uint8Array([0x53, 0x50, 7, 1, 0xbe, 0xee, 0])), undefined);
});

test('decodes CE into a continuation location and stops at ST', () => {
  const ce = new Uint8Array([
    0x43, 0x45, 28, 1, //                 "CE", len 28, v1
    0x21, 0, 0, 0, 0, 0, 0, 0x21, //      block 33
    0x10, 0, 0, 0, 0, 0, 0, 0x10, //      offset 16
    0xed, 0, 0, 0, 0, 0, 0, 0xed, //      length 237
  ]);
  const area = decodeSuspArea(new Uint8Array([...ce, 0x53, 0x54, 4, 1, 0x52, 0x45, 4, 1]));
  assert.deepEqual(area.continuation, { lba: 33, offset: 16, length: 237 });
  assert.deepEqual(area.entries, []); // the RE after ST is not read
  assert.equal(area.isTruncated, false);
});

test('flags an entry whose length runs past the area', () => {
  const area = decodeSuspArea(new Uint8Array([0x52, 0x45, 4, 1, 0x4e, 0x4d, 40, 1, 0]));
  assert.equal(area.entries.length, 1);
  assert.equal(area.isTruncated, true);
  assert.equal(decodeSuspArea(new Uint8Array([0x52, 0x45, 2, 1])).isTruncated, true); // length under 4
});

test('honours a skip offset and lists ER extension identifiers', () => {
  const er = encodeSuspEntry('ER', [10, 0, 0, 1, ...new TextEncoder().encode('RRIP_1991A')]);
  const area = decodeSuspArea(new Uint8Array([9, 9, 9, ...er]), 3);
  assert.deepEqual(extensionIds(area.entries), ['RRIP_1991A']);
});
