// Attack: a small compressed segment that expands without bound (zeros
// compress ~1000:1 with gzip). The ratio limit stops it early.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import { readInitrd } from '../../src/index.ts';
import { makeCpio } from '../helpers/make-cpio.ts';

test('stops a gzip bomb at the ratio limit with LIMIT_EXCEEDED', async () => {
  const inner = makeCpio([{ name: 'zeros', data: new Uint8Array(64 * 1024 * 1024) }]);
  const bomb = gzipSync(inner, { level: 9 });
  assert.ok(inner.length / bomb.length > 500);
  await assert.rejects(
    (async () => {
      for await (const e of readInitrd([bomb], { limits: { maxRatio: 100 } })) for await (const _ of e.body);
    })(),
    (err: Error & { code?: string; segment?: number }) => {
      assert.equal(err.code, 'LIMIT_EXCEEDED');
      assert.equal(err.segment, 1);
      return true;
    },
  );
});

test('stops a segment larger than maxTotalSize', async () => {
  const inner = makeCpio([{ name: 'big', data: new Uint8Array(2 * 1024 * 1024) }]);
  await assert.rejects(
    (async () => {
      for await (const e of readInitrd([gzipSync(inner)], { limits: { maxTotalSize: 1024 * 1024 } })) for await (const _ of e.body);
    })(),
    { code: 'LIMIT_EXCEEDED' },
  );
});
