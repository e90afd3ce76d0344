/**
 * gzip codec (RFC 1952): one member per call, exact end, trailer checks,
 * reproducible output, oracle cross-checks with the gzip CLI.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { crc32, deflateRawSync } from 'node:zlib';
import { getCodec } from '../../../src/compress/index.ts';
import { isRemasterError, type Warning } from '../../../src/errors.ts';
import { ByteReader } from '../../../src/io/byte-reader.ts';
import { CHUNK_SIZES, chunked, collect } from '../../helpers/chunked.ts';
import { requireTool, runTool } from '../../helpers/tools.ts';
import { compressWith, concat, decodeOne, FOLLOWING_CPIO, sameBytes, sampleData } from './support.ts';

const gzip = getCodec('gzip');
const data = sampleData(120_000);

/** Build a gzip member with every optional header field (FEXTRA, FNAME, FCOMMENT, FHCRC). */
function fullHeaderMember(body: Uint8Array): Uint8Array {
  const le32 = (n: number) => Uint8Array.of(n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, n >>> 24);
  const fixed = Uint8Array.of(0x1f, 0x8b, 8, 0x1e, 1, 2, 3, 4, 0, 3);
  const extra = Uint8Array.of(4, 0, 0x41, 0x70, 0, 0);
  const name = new TextEncoder().encode('initrd.cpio\0');
  const comment = new TextEncoder().encode('made by hand\0');
  const head = concat(fixed, extra, name, comment);
  const hcrc = crc32(head) & 0xffff;
  return concat(head, Uint8Array.of(hcrc & 0xff, hcrc >> 8), deflateRawSync(body), le32(crc32(body)), le32(body.length));
}

test('round-trips data through our gzip encoder and decoder', async () => {
  const member = await compressWith(gzip, data);
  const { out, offset } = await decodeOne(gzip, member);
  assert.ok(sameBytes(out, data));
  assert.equal(offset, member.length);
});

test('writes a reproducible header without name and with mtime 0 (like gzip -n -9)', async () => {
  const member = await compressWith(gzip, data);
  assert.deepEqual([...member.subarray(0, 10)], [0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 2, 3]);
  assert.ok(sameBytes(member, await compressWith(gzip, data)), 'same input, same bytes');
});

test('writes members the gzip CLI accepts and reads members the gzip CLI writes', async (t) => {
  if (!requireTool(t, 'gzip')) return;
  const member = await compressWith(gzip, data, { level: 1 });
  assert.ok(sameBytes(runTool('gzip', ['-dc'], member), data));
  const fromCli = runTool('gzip', ['-c', '-9'], data);
  assert.ok(sameBytes((await decodeOne(gzip, fromCli)).out, data));
});

test('parses FEXTRA, FNAME, FCOMMENT and FHCRC header fields', async () => {
  const member = fullHeaderMember(data);
  for (const size of CHUNK_SIZES) {
    const { out, offset } = await decodeOne(gzip, member, size);
    assert.ok(sameBytes(out, data), `chunk size ${size}`);
    assert.equal(offset, member.length);
  }
});

test('reports the end of a gzip member so a following cpio can be read, at every chunk size', async () => {
  const member = await compressWith(gzip, data);
  for (const size of CHUNK_SIZES) {
    const { out, offset, rest } = await decodeOne(gzip, concat(member, FOLLOWING_CPIO), size);
    assert.ok(sameBytes(out, data), `chunk size ${size}`);
    assert.equal(offset, member.length, `chunk size ${size}`);
    assert.deepEqual(rest, FOLLOWING_CPIO);
  }
});

test('decodes only the first of two concatenated members and leaves the second intact', async () => {
  const second = sampleData(5000, 7);
  const a = await compressWith(gzip, data);
  const b = await compressWith(gzip, second);
  for (const size of [1, 2048, 0]) {
    const reader = new ByteReader(chunked(concat(a, b), size));
    assert.ok(sameBytes(await collect(gzip.decompress(reader)), data));
    assert.equal(reader.offset, a.length);
    assert.ok(sameBytes(await collect(gzip.decompress(reader)), second));
    assert.equal(reader.offset, a.length + b.length);
    assert.ok(await reader.atEnd());
  }
});

test('rejects a trailer CRC mismatch with CODEC_CORRUPT naming the member offset', async () => {
  const member = await compressWith(gzip, data);
  const at = member.length - 6;
  member[at] = (member[at] as number) ^ 0xff;
  const reader = new ByteReader(chunked(concat(new Uint8Array(8), member), 321));
  await reader.skip(8);
  await assert.rejects(collect(gzip.decompress(reader)), (e) => isRemasterError(e, 'CODEC_CORRUPT') && e.offset === 8);
});

test('rejects damaged deflate data with CODEC_CORRUPT', async () => {
  const member = await compressWith(gzip, data);
  member.fill(0xff, 20, 60);
  await assert.rejects(decodeOne(gzip, member), (e) => isRemasterError(e, 'CODEC_CORRUPT') && e.offset === 0);
});

test('rejects a member cut in the body or in the trailer with CODEC_TRUNCATED', async () => {
  const member = await compressWith(gzip, data);
  for (const cut of [5, 12, member.length >> 1, member.length - 3]) {
    await assert.rejects(decodeOne(gzip, member.subarray(0, cut), 110), (e) => isRemasterError(e, 'CODEC_TRUNCATED'), `cut at ${cut}`);
  }
});

test('rejects a header with reserved flag bits or a wrong method', async () => {
  const member = await compressWith(gzip, data);
  const reserved = member.slice();
  reserved[3] = 0x20;
  await assert.rejects(decodeOne(gzip, reserved), (e) => isRemasterError(e, 'CODEC_CORRUPT'));
  const method = member.slice();
  method[2] = 7;
  await assert.rejects(decodeOne(gzip, method), (e) => isRemasterError(e, 'CODEC_CORRUPT'));
});

test('clamps an out-of-range level with a warning, or throws in strict mode', async () => {
  const warnings: Warning[] = [];
  const member = await compressWith(gzip, data.subarray(0, 1000), { level: 12, onWarning: (w) => warnings.push(w) });
  assert.equal(warnings[0]?.code, 'CODEC_LEVEL_CLAMPED');
  assert.ok(sameBytes(member, await compressWith(gzip, data.subarray(0, 1000), { level: 9 })));
  await assert.rejects(compressWith(gzip, data, { level: 0, strict: true }), (e) => isRemasterError(e, 'CODEC_LEVEL_CLAMPED'));
});

test('stops with ABORTED when the signal fires mid-stream', async () => {
  const member = await compressWith(gzip, sampleData(4_000_000));
  const controller = new AbortController();
  const reader = new ByteReader(chunked(member, 4096));
  const run = async () => {
    for await (const _ of gzip.decompress(reader, { signal: controller.signal })) controller.abort();
  };
  await assert.rejects(run(), (e) => isRemasterError(e, 'ABORTED'));
});

test('stops cleanly when the consumer leaves after the first chunk', async () => {
  const member = await compressWith(gzip, sampleData(4_000_000));
  const reader = new ByteReader(chunked(member, 65536));
  for await (const _ of gzip.decompress(reader)) break;
  assert.ok(reader.offset < member.length);
});
