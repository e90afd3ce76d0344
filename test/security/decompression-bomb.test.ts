// Attack: a small compressed segment that expands without bound (zeros
// compress ~1000:1 with gzip). The ratio limit stops it early.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { readInitrd } from '../../src/index.ts';
import { makeCpio } from '../helpers/make-cpio.ts';
import { requireTool, runTool } from '../helpers/tools.ts';

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

// Not an attack: a legitimate segment that compresses ~90:1. Its first read (the whole member here)
// is in the decoder before any output appears; the ratio must count those bytes as consumed, or
// 16 MiB of output "from 0 bytes" looks like a bomb (issue 10: a 2-million-entry zstd initrd).
test('does not refuse a compressible segment whose input is still in the decoder', async (t) => {
  if (!requireTool(t, 'xz', 'zstd', 'lz4')) return;
  const data = new Uint8Array(32 * 1024 * 1024);
  for (let at = 0; at < data.length; at += 400 * 1024) data.set(randomBytes(4096), at);
  const inner = makeCpio([{ name: 'sparse', data }]);
  const variants: [string, Uint8Array][] = [
    ['gzip', gzipSync(inner)],
    ['zstd', runTool('zstd', ['-q', '-c', '-3'], inner)],
    ['xz', runTool('xz', ['-c', '--check=crc32'], inner)],
    ['lz4', runTool('lz4', ['-q', '-c', '-l'], inner)],
  ];
  for (const [name, bytes] of variants) {
    assert.ok(inner.length / bytes.length > 20 && inner.length / bytes.length < 1000, `${name}: ratio ${inner.length / bytes.length}`);
    let size = 0;
    for await (const e of readInitrd([bytes])) for await (const c of e.body) size += c.length;
    assert.equal(size, data.length, name);
  }
});
