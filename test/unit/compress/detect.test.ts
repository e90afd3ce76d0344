/**
 * Signature detection (reference 01 §6, 3cpio's table), the codec table, and
 * describeCompression() on golden header bytes.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CODECS, describeCompression, detectCodec, getCodec, type CodecId } from '../../../src/compress/index.ts';
import { isRemasterError } from '../../../src/errors.ts';

const hex = (s: string) => Uint8Array.from(Buffer.from(s.replace(/ /g, ''), 'hex'));

const GOLDEN: [string, string, CodecId | undefined][] = [
  ['gzip -n', '1f 8b 08 00 00 00 00 00', 'gzip'],
  ['old gzip', '1f 9e 08 00', 'gzip'],
  ['bzip2 -9', '42 5a 68 39 31 41 59 26', 'bzip2'],
  ['lzma -9 from stdin', '5d 00 00 00 04 ff ff ff', 'lzma'],
  ['lzma with 24 MiB dictionary', '5d 00 00 80 01 ff ff ff', 'lzma'],
  ['lzma with odd dictionary', '5d 01 02 03 04 ff ff ff', undefined],
  ['xz', 'fd 37 7a 58 5a 00 00 01', 'xz'],
  ['xz magic cut short', 'fd 37 7a 58', undefined],
  ['lzop', '89 4c 5a 4f 00 0d 0a 1a', 'lzo'],
  ['lz4 -l', '02 21 4c 18 10 00 00 00', 'lz4'],
  ['lz4 frame', '04 22 4d 18 64 40 a7 00', 'lz4'],
  ['zstd', '28 b5 2f fd 04 58 00 00', 'zstd'],
  ['newc cpio', '30 37 30 37 30 31 30 30', undefined],
  ['NUL padding', '00 00 00 00', undefined],
  ['zstd skippable frame (pzstd, the kernel rejects it)', '50 2a 4d 18 04 00 00 00', undefined],
  ['empty', '', undefined],
];

test('detects every codec from its golden magic bytes and nothing else', () => {
  for (const [what, bytes, id] of GOLDEN) assert.equal(detectCodec(hex(bytes)), id, what);
});

test('lists every codec once with a level range containing its default', () => {
  assert.deepEqual(CODECS.map((c) => c.id).sort(), ['bzip2', 'gzip', 'lz4', 'lzma', 'lzo', 'xz', 'zstd']);
  for (const c of CODECS) {
    assert.equal(getCodec(c.id), c);
    assert.ok(c.levels[0] <= c.defaultLevel && c.defaultLevel <= c.levels[1], c.id);
    assert.equal(detectCodec(Uint8Array.from([...c.magic, 0, 0, 0, 0, 0, 0, 0, 0])), c.id, c.id);
  }
  assert.throws(() => getCodec('zip' as CodecId), (e) => isRemasterError(e, 'CODEC_UNSUPPORTED'));
});

test('reports xz CRC64 and SHA-256 checks as not kernel safe, CRC32 and none as safe', () => {
  // Stream header FD 37 7A 58 5A 00 | flags 00 <check> | CRC32(flags), from xz 5.4.
  assert.deepEqual(describeCompression('xz', hex('fd377a585a000004e6d6b446')), { codec: 'xz', kernelSafe: false, check: 'crc64' });
  assert.deepEqual(describeCompression('xz', hex('fd377a585a00000a e1fb0ca1')), { codec: 'xz', kernelSafe: false, check: 'sha256' });
  assert.deepEqual(describeCompression('xz', hex('fd377a585a000001 69222de3')), { codec: 'xz', kernelSafe: true, check: 'crc32' });
  assert.equal(describeCompression('xz', hex('fd377a585a000000 ff12d941')).kernelSafe, true);
});

test('reports an xz delta filter as not kernel safe', () => {
  // Block header: size byte 3 (16 bytes), flags 01 (two filters): delta (03, 1 property byte), lzma2 (21, property 0x10 = 1 MiB).
  const head = hex('fd377a585a000001 69222de3 03 01 03 01 00 21 01 10 000000 0000000000');
  assert.deepEqual(describeCompression('xz', head), { codec: 'xz', kernelSafe: false, check: 'crc32', filters: ['delta', 'lzma2'], dictSize: 1 << 20 });
});

test('reports the lz4 frame format as not kernel safe and the legacy format as safe', () => {
  assert.deepEqual(describeCompression('lz4', hex('04224d18')), { codec: 'lz4', kernelSafe: false, format: 'frame' });
  assert.deepEqual(describeCompression('lz4', hex('02214c18')), { codec: 'lz4', kernelSafe: true, format: 'legacy' });
});

test('reads the zstd window size and rejects windows above 8 MiB', () => {
  // FHD 0x04 (checksum, window descriptor present), window descriptor 0x68: 2^(10+13) = 8 MiB.
  assert.deepEqual(describeCompression('zstd', hex('28b52ffd 04 68')), { codec: 'zstd', kernelSafe: true, windowSize: 8 << 20, hasChecksum: true });
  // Window descriptor 0xa8: 2^(10+21) = 2 GiB, what zstd --long=31 writes.
  assert.equal(describeCompression('zstd', hex('28b52ffd 04 a8')).kernelSafe, false);
  // Single segment with a 1-byte content size: the window is the content size.
  assert.deepEqual(describeCompression('zstd', hex('28b52ffd 20 63')), { codec: 'zstd', kernelSafe: true, windowSize: 99, hasChecksum: false, contentSize: 99 });
});

test('reports an lzma header the kernel cannot detect (byte 1 not 0, or unusual lc/lp/pb)', () => {
  const odd = describeCompression('lzma', hex('5d 01 00 00 03'));
  assert.ok(odd.codec === 'lzma' && odd.kernelDetectable === false && odd.dictSize === 0x03000001);
  const props = describeCompression('lzma', hex('5e 00 00 00 04'));
  assert.ok(props.codec === 'lzma' && props.kernelDetectable === false && props.lc === 4);
});

test('reads gzip header fields and refuses a head too short to describe', () => {
  assert.deepEqual(describeCompression('gzip', hex('1f8b0808 78563412 0003')), { codec: 'gzip', kernelSafe: true, hasName: true, hasComment: false, mtime: 0x12345678, os: 3 });
  assert.throws(() => describeCompression('xz', hex('fd377a')), (e) => isRemasterError(e, 'CODEC_TRUNCATED'));
});
