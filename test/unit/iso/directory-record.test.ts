import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodeDirectoryRecord, encodeDirectoryRecord, FILE_FLAG_DIRECTORY, isSelfOrParent } from '../../../src/iso/directory-record.ts';
import { RemasterError } from '../../../src/errors.ts';

const te = new TextEncoder();
// Golden record as xorriso writes it for "VMLINUZ.;1" (ECMA-119 §9.1).
const GOLDEN = new Uint8Array([
  44, 0, //                                   LEN_DR, extended attribute length
  0x20, 0, 0, 0, 0, 0, 0, 0x20, //            extent LBA 32 (LE, BE)
  0x10, 0x27, 0, 0, 0, 0, 0x27, 0x10, //      data length 10000 (LE, BE)
  123, 11, 14, 22, 13, 20, 0, //              2023-11-14 22:13:20 GMT+0
  0, 0, 0, //                                 flags, file unit size, interleave gap
  1, 0, 0, 1, //                              volume sequence number 1
  10, ...te.encode('VMLINUZ.;1'), //          LEN_FI, identifier
  0, //                                       pad (even LEN_FI)
]);

test('decodes a directory record field by field and re-encodes the same bytes', () => {
  const r = decodeDirectoryRecord(GOLDEN, 0, GOLDEN.length);
  assert.equal(r.length, 44);
  assert.equal(r.extent, 32);
  assert.equal(r.dataLength, 10000);
  assert.equal(r.recorded, 1_700_000_000);
  assert.equal(r.flags, 0);
  assert.equal(r.volumeSequence, 1);
  assert.equal(new TextDecoder().decode(r.identifier), 'VMLINUZ.;1');
  assert.equal(r.systemUse.length, 0);
  assert.deepEqual(r.mismatches, []);
  const again = encodeDirectoryRecord({ extent: 32, dataLength: 10000, recorded: 1_700_000_000, identifier: te.encode('VMLINUZ.;1') });
  assert.deepEqual(again, GOLDEN);
});

test('reports both-endian mismatches as a flag instead of failing', () => {
  const bytes = GOLDEN.slice();
  bytes[17] = 0x11; // BE half of the data length differs
  const r = decodeDirectoryRecord(bytes, 0, bytes.length);
  assert.equal(r.dataLength, 10000);
  assert.deepEqual(r.mismatches, ['dataLength']);
});

test('applies a timezone offset in the recording time', () => {
  const bytes = GOLDEN.slice();
  bytes[24] = 4; // GMT+1h: the same wall clock is one hour earlier in UTC
  assert.equal(decodeDirectoryRecord(bytes, 0, bytes.length).recorded, 1_700_000_000 - 3600);
});

test('places the System Use area after the padded identifier', () => {
  const su = new Uint8Array([0x52, 0x45, 4, 1]); // "RE" entry
  const enc = encodeDirectoryRecord({ extent: 1, dataLength: 2048, flags: FILE_FLAG_DIRECTORY, identifier: te.encode('AB'), systemUse: su });
  const r = decodeDirectoryRecord(enc, 0, enc.length);
  assert.equal(r.systemUseOffset, 36);
  assert.deepEqual(r.systemUse, su);
});

test('recognises the "." and ".." records', () => {
  const dot = encodeDirectoryRecord({ extent: 20, dataLength: 2048, flags: FILE_FLAG_DIRECTORY, identifier: new Uint8Array([0]) });
  assert.equal(dot.length, 34);
  assert.ok(isSelfOrParent(decodeDirectoryRecord(dot, 0, 34)));
});

test('rejects a record whose length overruns the sector with ISO_BAD_RECORD and its offset', () => {
  assert.throws(() => decodeDirectoryRecord(GOLDEN, 0, 40, 0x8000), (e: unknown) => e instanceof RemasterError && e.code === 'ISO_BAD_RECORD' && e.offset === 0x8000);
  const short = GOLDEN.slice();
  short[0] = 20; // shorter than the fixed part
  assert.throws(() => decodeDirectoryRecord(short, 0, short.length), { code: 'ISO_BAD_RECORD' });
  const longName = GOLDEN.slice();
  longName[32] = 200; // identifier longer than the record
  assert.throws(() => decodeDirectoryRecord(longName, 0, longName.length), { code: 'ISO_BAD_RECORD' });
});
