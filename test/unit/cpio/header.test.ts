import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeCpioHeader, encodeCpioHeader, CPIO_HEADER_SIZE } from '../../../src/cpio/header.ts';
import { RemasterError } from '../../../src/errors.ts';

const enc = new TextEncoder();
// A GNU cpio --reproducible header for "dir/hard" (regular 0644, ino 3, nlink 2, 6 data bytes).
const GOLDEN =
  '070701' + // c_magic
  '00000003' + // c_ino
  '000081A4' + // c_mode = 0100644
  '00000000' + '00000000' + // c_uid, c_gid
  '00000002' + // c_nlink
  '6553F100' + // c_mtime = 1700000000
  '00000006' + // c_filesize
  '00000000' + '00000000' + // c_maj, c_min
  '00000000' + '00000000' + // c_rmaj, c_rmin
  '00000009' + // c_namesize ("dir/hard\0")
  '00000000'; // c_chksum

test('decodes every field of a newc header and re-encodes the same bytes', () => {
  const bytes = enc.encode(GOLDEN);
  assert.equal(bytes.length, CPIO_HEADER_SIZE);
  const h = decodeCpioHeader(bytes);
  assert.deepEqual(h, {
    magic: '070701', ino: 3, mode: 0o100644, uid: 0, gid: 0, nlink: 2, mtime: 1700000000, fileSize: 6,
    devMajor: 0, devMinor: 0, rdevMajor: 0, rdevMinor: 0, nameSize: 9, check: 0,
  });
  assert.deepEqual(encodeCpioHeader(h), bytes);
});

test('accepts lower-case hex as the kernel does (iPXE writes it)', () => {
  const h = decodeCpioHeader(enc.encode(GOLDEN.replace('000081A4', '000081a4').replace('6553F100', '6553f100')));
  assert.equal(h.mode, 0o100644);
  assert.equal(h.mtime, 1700000000);
});

test('rejects old ASCII cpio magic with a hint and the offset', () => {
  const bad = enc.encode('070707' + GOLDEN.slice(6));
  assert.throws(() => decodeCpioHeader(bad, 0, 0x1234), (err: unknown) => {
    assert.ok(err instanceof RemasterError);
    assert.equal(err.code, 'CPIO_BAD_MAGIC');
    assert.equal(err.offset, 0x1234);
    assert.match(err.message, /offset 0x1234: bad cpio magic "070707", expected "070701" or "070702" \(old ASCII/);
    return true;
  });
});

test('rejects a non-hex field naming the field', () => {
  const bad = enc.encode(GOLDEN.replace('000081A4', '0000Z1A4'));
  assert.throws(() => decodeCpioHeader(bad), /field mode is not hex: "0000Z1A4".*CPIO_BAD_HEADER/);
});

test('rejects a header cut short', () => {
  assert.throws(() => decodeCpioHeader(enc.encode(GOLDEN.slice(0, 60))), { code: 'CPIO_TRUNCATED' });
});

test('refuses to encode a value wider than 32 bits', () => {
  const h = decodeCpioHeader(enc.encode(GOLDEN));
  assert.throws(() => encodeCpioHeader({ ...h, fileSize: 2 ** 32 }), { code: 'LIMIT_EXCEEDED' });
});
