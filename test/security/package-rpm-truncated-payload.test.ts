/**
 * Attack: an rpm whose compressed payload is cut short (a partial download
 * or a crafted file), or whose header is cut inside the store. The reader
 * ends with an error naming the offset, never with a hang or a crash.
 */
import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import { it } from 'node:test';
import { isRemasterError } from '../../src/errors.ts';
import { readRpm } from '../../src/package/index.ts';
import { makeCpio } from '../helpers/make-cpio.ts';
import { demoTags, makeRpm } from '../unit/package/make-package.ts';

const body = new Uint8Array(50000).map((_, i) => (i * 7919) % 251);
const whole = makeRpm(demoTags(), gzipSync(makeCpio([{ name: './usr/sbin/tool', mode: 0o100755, data: body }])));

it('reports a truncated compressed payload with an offset', async () => {
  const { payloadOffset } = await readRpm([whole]);
  const rpm = await readRpm([whole.subarray(0, payloadOffset + Math.floor((whole.length - payloadOffset) / 2))]);
  await assert.rejects(
    (async () => {
      for await (const e of rpm.entries) for await (const _ of e.body);
    })(),
    (err: unknown) => isRemasterError(err, 'CODEC_TRUNCATED', 'CODEC_CORRUPT', 'CPIO_TRUNCATED') && typeof err.offset === 'number',
  );
});

it('reports an rpm cut inside the main header store', async () => {
  await assert.rejects(readRpm([whole.subarray(0, 96 + 40 + 100)]), (err: unknown) => isRemasterError(err, 'RPM_BAD_HEADER') && typeof err.offset === 'number');
});

it('reports an rpm cut inside the lead', async () => {
  await assert.rejects(readRpm([whole.subarray(0, 50)]), (err: unknown) => isRemasterError(err, 'RPM_BAD_HEADER') && err.offset === 0);
});
