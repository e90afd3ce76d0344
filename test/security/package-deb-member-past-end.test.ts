/**
 * Attack: a .deb whose ar member header declares more bytes than the file
 * holds (or a size beyond any limit), hoping the reader allocates the
 * declared size or reads past the end. The size is bounded first; a short
 * member is reported at its header's offset.
 */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { isRemasterError } from '../../src/errors.ts';
import { readDeb } from '../../src/package/index.ts';
import { concat, arHeader, makeAr } from '../unit/package/make-package.ts';

const enc = new TextEncoder();

it('reports an ar member whose size runs past the end of the package', async () => {
  const bytes = concat(makeAr([{ name: 'debian-binary', data: enc.encode('2.0\n') }]), arHeader('control.tar', 999999), new Uint8Array(100));
  await assert.rejects(readDeb([bytes]), (err: unknown) => isRemasterError(err) && err.offset === 8 + 60 + 4 && /999999 bytes/.test(err.message));
});

it('refuses an ar member larger than maxEntrySize before reading it', async () => {
  const bytes = concat(makeAr([{ name: 'debian-binary', data: enc.encode('2.0\n') }]), arHeader('control.tar', 9999999999), new Uint8Array(10));
  await assert.rejects(readDeb([bytes]), (err: unknown) => isRemasterError(err, 'LIMIT_EXCEEDED') && err.offset === 72);
});

it('refuses an oversized debian-binary member instead of buffering it', async () => {
  const bytes = makeAr([{ name: 'debian-binary', data: new Uint8Array(100000).fill(0x32) }]);
  await assert.rejects(readDeb([bytes]), (err: unknown) => isRemasterError(err, 'LIMIT_EXCEEDED'));
});
