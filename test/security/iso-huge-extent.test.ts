import assert from 'node:assert/strict';
import { test } from 'node:test';
import { bytesSource } from '../../src/io/block-source.ts';
import { readIso, readIsoFile } from '../../src/iso/index.ts';
import { collect } from '../helpers/chunked.ts';
import { makeIso } from '../helpers/make-iso.ts';

// A 4 GiB directory length must be refused before anything is allocated for it.
test('a directory with a 4 GiB length fails with LIMIT_EXCEEDED without allocating', { timeout: 5000 }, async () => {
  const iso = makeIso([{ name: 'd', dir: [], size: 0xfffff800 }]);
  await assert.rejects(readIso(bytesSource(iso.bytes)), { code: 'LIMIT_EXCEEDED', entry: '/d' });
});

test('a file claiming 4 GiB in a tiny image fails with ISO_EXTENT_OUT_OF_RANGE', { timeout: 5000 }, async () => {
  const iso = makeIso([{ name: 'f', data: new Uint8Array(1), size: 0xffffffff }]);
  const image = await readIso(bytesSource(iso.bytes));
  assert.equal(image.lookup('/f')?.size, 0xffffffff);
  await assert.rejects(collect(readIsoFile(bytesSource(iso.bytes), image.lookup('/f')!)), { code: 'ISO_EXTENT_OUT_OF_RANGE' });
});

test('a root directory larger than maxDirectorySize fails with LIMIT_EXCEEDED', { timeout: 5000 }, async () => {
  const iso = makeIso([{ name: 'f', data: new Uint8Array(1) }]);
  await assert.rejects(readIso(bytesSource(iso.bytes), { limits: { maxDirectorySize: 1024 } }), { code: 'LIMIT_EXCEEDED', entry: '/' });
});
