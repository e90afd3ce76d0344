import assert from 'node:assert/strict';
import { test } from 'node:test';
import { bytesSource } from '../../src/io/block-source.ts';
import { encodeBoth32 } from '../../src/iso/both-endian.ts';
import { readIso } from '../../src/iso/index.ts';
import { encodeSuspEntry } from '../../src/iso/susp.ts';
import { makeIso } from '../helpers/make-iso.ts';

function ce(lba: number, offset: number, length: number): Uint8Array {
  const p = new Uint8Array(24);
  encodeBoth32(p, 0, lba);
  encodeBoth32(p, 8, offset);
  encodeBoth32(p, 16, length);
  return encodeSuspEntry('CE', p);
}

// A CE entry is a pointer read from the image; it must not send the reader past
// the end of the source, nor over a sector, nor round a loop.
test('a CE pointing past the end of the image fails with ISO_EXTENT_OUT_OF_RANGE', { timeout: 5000 }, async () => {
  const iso = makeIso([{ name: 'f', data: new Uint8Array(1), su: [ce(0x00ffffff, 0, 100)] }]);
  await assert.rejects(readIso(bytesSource(iso.bytes)), { code: 'ISO_EXTENT_OUT_OF_RANGE', entry: '/' });
});

test('a CE area larger than a block fails with ISO_BAD_RECORD', { timeout: 5000 }, async () => {
  const iso = makeIso([{ name: 'f', data: new Uint8Array(1), su: [ce(0, 0, 0x7fffffff)] }]);
  await assert.rejects(readIso(bytesSource(iso.bytes)), { code: 'ISO_BAD_RECORD' });
});

test('a CE chain that points at itself ends with ISO_BAD_RECORD instead of looping', { timeout: 5000 }, async () => {
  // Sector 0 (system area) holds a CE entry that continues at sector 0 offset 0: a self loop.
  const iso = makeIso([{ name: 'f', data: new Uint8Array(1), su: [ce(0, 0, 28)] }]);
  iso.bytes.set(ce(0, 0, 28), 0);
  await assert.rejects(readIso(bytesSource(iso.bytes)), { code: 'ISO_BAD_RECORD' });
});
