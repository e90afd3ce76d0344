/**
 * Attack: a .deb whose control.tar.gz is tiny but expands to gigabytes (a
 * decompression bomb in the member the reader buffers eagerly). The
 * decompressed size is bounded by maxHeaderSize and the read stops early.
 */
import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import { it } from 'node:test';
import { isRemasterError } from '../../src/errors.ts';
import { readDeb } from '../../src/package/index.ts';
import { makeAr } from '../unit/package/make-package.ts';

it('stops a control.tar.gz decompression bomb at maxHeaderSize', async () => {
  const bomb = gzipSync(new Uint8Array(64 * 1024 * 1024));
  const bytes = makeAr([
    { name: 'debian-binary', data: new TextEncoder().encode('2.0\n') },
    { name: 'control.tar.gz', data: bomb },
  ]);
  await assert.rejects(readDeb([bytes], { limits: { maxHeaderSize: 1024 * 1024 } }), (err: unknown) => isRemasterError(err, 'LIMIT_EXCEEDED', 'PACKAGE_BAD'));
});
