import assert from 'node:assert/strict';
import { test } from 'node:test';
import { bytesSource } from '../../src/io/block-source.ts';
import { readIso } from '../../src/iso/index.ts';
import { makeIso } from '../helpers/make-iso.ts';

// A partial download must fail with a clear code, never a generic range error or a hang.
test('an image cut inside the system area fails with ISO_NO_PRIMARY_VOLUME', { timeout: 5000 }, async () => {
  const iso = makeIso([{ name: 'f', data: new Uint8Array(1) }]);
  await assert.rejects(readIso(bytesSource(iso.bytes.subarray(0, 10 * 2048))), { code: 'ISO_NO_PRIMARY_VOLUME' });
});

test('an image cut before the root directory fails with ISO_EXTENT_OUT_OF_RANGE', { timeout: 5000 }, async () => {
  const iso = makeIso([{ name: 'f', data: new Uint8Array(1) }]);
  await assert.rejects(readIso(bytesSource(iso.bytes.subarray(0, iso.rootLba * 2048))), { code: 'ISO_EXTENT_OUT_OF_RANGE' });
});

test('an image of zeros fails with ISO_BAD_DESCRIPTOR', { timeout: 5000 }, async () => {
  await assert.rejects(readIso(bytesSource(new Uint8Array(40 * 2048))), { code: 'ISO_BAD_DESCRIPTOR' });
});

test('a zero length byte skips the rest of the sector', { timeout: 5000 }, async () => {
  const iso = makeIso([{ name: 'a', data: new Uint8Array(1) }, { name: 'b', data: new Uint8Array(1) }], { rockRidge: false });
  const zeroed = iso.bytes.slice();
  zeroed[iso.rootLba * 2048 + 68] = 0; // third record length 0 ("." and ".." are 34 bytes each)
  assert.equal((await readIso(bytesSource(zeroed))).root.children?.length, 0);
});

test('a record whose length runs over the end of its sector fails with ISO_BAD_RECORD', { timeout: 5000 }, async () => {
  const many = Array.from({ length: 50 }, (_, i) => ({ name: `file${String(i).padStart(2, '0')}`, data: new Uint8Array(1) }));
  const iso = makeIso(many, { rockRidge: false });
  const root = iso.rootLba * 2048;
  let last = root;
  for (let pos = root; pos < root + 2048 && (iso.bytes[pos] ?? 0) > 0; pos += iso.bytes[pos] ?? 0) last = pos;
  const bad = iso.bytes.slice();
  bad[last] = Math.min(254, root + 2048 - last + 10); // the last record now claims bytes of the next sector
  assert.ok(last + (bad[last] ?? 0) > root + 2048, 'test setup: record overruns the sector');
  await assert.rejects(readIso(bytesSource(bad)), { code: 'ISO_BAD_RECORD', offset: last });
});
