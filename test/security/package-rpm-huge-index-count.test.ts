/**
 * Attack: an rpm header declaring 2^32-1 index entries or a 4 GiB data
 * store, so that a reader allocating what the header says runs out of
 * memory. The count and size are bounded before any allocation.
 */
import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import { it } from 'node:test';
import { isRemasterError } from '../../src/errors.ts';
import { readRpm } from '../../src/package/index.ts';
import { makeCpio } from '../helpers/make-cpio.ts';
import { demoTags, makeRpm } from '../unit/package/make-package.ts';

const PAYLOAD = gzipSync(makeCpio([{ name: './x', data: 'x' }]));

it('refuses an rpm header with a huge index count before allocating', async () => {
  const bytes = makeRpm(demoTags(), PAYLOAD, { indexCount: 0xffffffff });
  await assert.rejects(readRpm([bytes]), (err: unknown) => isRemasterError(err, 'RPM_BAD_HEADER') && /index count 4294967295 is outside 1\.\.65536/.test(err.message) && typeof err.offset === 'number');
});

it('refuses an rpm header with a huge data store before allocating', async () => {
  const bytes = makeRpm(demoTags(), PAYLOAD, { dataSize: 0xfffffff0 });
  await assert.rejects(readRpm([bytes]), (err: unknown) => isRemasterError(err, 'RPM_BAD_HEADER') && /data size 4294967280 exceeds/.test(err.message));
});

it('refuses an index count that is plausible but larger than the input', async () => {
  const bytes = makeRpm(demoTags(), PAYLOAD, { indexCount: 60000 });
  await assert.rejects(readRpm([bytes]), (err: unknown) => isRemasterError(err, 'RPM_BAD_HEADER') && /unexpected end of input reading rpm header index/.test(err.message));
});

it('refuses an index entry whose string count and offset point outside the store', async () => {
  const lying = demoTags().map((t) => (t.tag === 1117 ? { ...t, value: Array.from({ length: 3 }, () => 'a') } : t));
  const bytes = makeRpm(lying, PAYLOAD);
  // Patch BASENAMES' count (index entry 9, field 3) to 2^31.
  const at = 96 + 40 /* signature: intro, one entry, 4-byte store, padded to 8 */ + 16 + 9 * 16 + 12;
  new DataView(bytes.buffer).setUint32(at, 0x80000000);
  await assert.rejects(readRpm([bytes]), (err: unknown) => isRemasterError(err, 'RPM_BAD_HEADER') && /strings cannot fit/.test(err.message));
});
