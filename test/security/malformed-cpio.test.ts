// Attacks on the parser itself: a namesize that asks for a huge allocation,
// headers cut short, bad magic, unterminated names. Each must end with a
// RemasterError naming the offset, never a crash, hang or big allocation.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readInitrd } from '../../src/index.ts';
import { makeCpio } from '../helpers/make-cpio.ts';

async function drain(bytes: Uint8Array): Promise<void> {
  for await (const e of readInitrd([bytes])) for await (const _ of e.body);
}

test('refuses a huge namesize before allocating it', async () => {
  const bytes = makeCpio([{ name: 'x', nameSize: 0xfffffff0 }], { trailer: false });
  await assert.rejects(drain(bytes), (err: Error & { code?: string; offset?: number; segment?: number }) => {
    assert.equal(err.code, 'LIMIT_EXCEEDED');
    assert.equal(err.offset, 0);
    assert.equal(err.segment, 1);
    return true;
  });
});

test('reports a header cut short with its offset', async () => {
  const full = makeCpio([{ name: 'a', data: 'abc' }, { name: 'b', data: 'def' }]);
  await assert.rejects(drain(full.subarray(0, 150)), { code: 'CPIO_TRUNCATED' });
  await assert.rejects(drain(full.subarray(0, 120)), { code: 'CPIO_TRUNCATED' });
});

test('reports a body cut short', async () => {
  const full = makeCpio([{ name: 'a', data: 'x'.repeat(1000) }], { trailer: false });
  await assert.rejects(drain(full.subarray(0, 500)), { code: 'CPIO_TRUNCATED' });
});

test('names the segment and offset of an unknown magic', async () => {
  const good = makeCpio([{ name: 'a', data: 'abc' }]);
  const bytes = new Uint8Array([...good, 0xde, 0xad, 0xbe, 0xef, 1, 2, 3, 4]);
  await assert.rejects(drain(bytes), (err: Error & { code?: string; offset?: number; segment?: number }) => {
    assert.equal(err.code, 'SEGMENT_UNKNOWN_MAGIC');
    assert.equal(err.segment, 2);
    assert.equal(err.offset, good.length);
    assert.match(err.message, /segment 2 \(at 0x[0-9a-f]+\): unknown segment magic de ad be ef/);
    return true;
  });
});

test('refuses old-ASCII cpio mid-archive with CPIO_BAD_MAGIC', async () => {
  const a = makeCpio([{ name: 'a', data: 'abc' }], { trailer: false });
  const b = makeCpio([{ name: 'b', magic: '070707' }], { trailer: false });
  await assert.rejects(drain(new Uint8Array([...a, ...b])), { code: 'CPIO_BAD_MAGIC' });
});

test('refuses a name without its terminating NUL', async () => {
  const bytes = makeCpio([{ name: 'abcd', noNul: true }], { trailer: false });
  await assert.rejects(drain(bytes), { code: 'CPIO_NAME_UNTERMINATED' });
});

test('refuses an uncompressed archive at an unaligned offset, as the kernel does', async () => {
  const a = makeCpio([{ name: 'a', data: 'abc' }]);
  const bytes = new Uint8Array([...a, 0, 0, 0, 0, 0, ...makeCpio([{ name: 'b' }])].slice(0));
  // 5 NULs then "0707...": the header starts at an offset that is 1 mod 4.
  await assert.rejects(drain(bytes), { code: 'SEGMENT_MISALIGNED' });
});
