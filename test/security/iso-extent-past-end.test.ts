import assert from 'node:assert/strict';
import { test } from 'node:test';
import { bytesSource } from '../../src/io/block-source.ts';
import { readIso, readIsoFile } from '../../src/iso/index.ts';
import { collect } from '../helpers/chunked.ts';
import { makeIso } from '../helpers/make-iso.ts';

// Extents are offsets read from the image; reading them unchecked would throw a
// generic error or, with a file handle, read unrelated data.
test('a directory extent past the end fails with ISO_EXTENT_OUT_OF_RANGE', { timeout: 5000 }, async () => {
  const iso = makeIso([{ name: 'd', dir: [], extent: 100_000 }]);
  await assert.rejects(readIso(bytesSource(iso.bytes)), { code: 'ISO_EXTENT_OUT_OF_RANGE', entry: '/d', offset: 100_000 * 2048 });
});

test('a file extent past the end fails on read with ISO_EXTENT_OUT_OF_RANGE before any bytes', { timeout: 5000 }, async () => {
  const iso = makeIso([{ name: 'f', data: new Uint8Array(10), extent: 100_000 }]);
  const image = await readIso(bytesSource(iso.bytes));
  await assert.rejects(collect(readIsoFile(bytesSource(iso.bytes), image.lookup('/f')!)), { code: 'ISO_EXTENT_OUT_OF_RANGE', entry: '/f' });
});
