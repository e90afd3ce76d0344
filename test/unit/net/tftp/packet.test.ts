import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeTftpPacket, encodeTftpPacket, TFTP_MAX_OPTIONS, type TftpPacket } from '../../../../src/net/tftp/index.ts';
import { RemasterError } from '../../../../src/errors.ts';
import { bytes, u16 } from './support.ts';

/** Decode, compare fields, re-encode, compare bytes (STYLE §1.9). */
function roundTrip(wire: Uint8Array, fields: TftpPacket): void {
  const decoded = decodeTftpPacket(wire);
  if (decoded.op === 'DATA' && fields.op === 'DATA') {
    assert.deepEqual({ ...decoded, data: [...decoded.data] }, { ...fields, data: [...fields.data] });
  } else assert.deepEqual(decoded, fields);
  assert.deepEqual(encodeTftpPacket(decoded), wire);
}

function badAt(wire: Uint8Array, offset: number, detail: RegExp): void {
  assert.throws(() => decodeTftpPacket(wire), (err: unknown) => {
    assert.ok(err instanceof RemasterError);
    assert.equal(err.code, 'TFTP_BAD_PACKET');
    assert.equal(err.offset, offset, err.message);
    assert.match(err.detail, detail);
    return true;
  });
}

test('decodes pxelinux 6 RRQ (tsize, blksize 1408) and re-encodes the same bytes', () => {
  const wire = bytes(
    [0x00, 0x01], //               opcode 1 = RRQ
    'pxelinux.cfg/01-52-54-00-12-34-56', [0], // filename
    'octet', [0], //               mode
    'tsize', [0], '0', [0], //     option tsize = 0
    'blksize', [0], '1408', [0], // option blksize = 1408
  );
  roundTrip(wire, {
    op: 'RRQ', filename: 'pxelinux.cfg/01-52-54-00-12-34-56', mode: 'octet',
    options: [{ name: 'tsize', value: '0' }, { name: 'blksize', value: '1408' }],
  });
});

test('decodes a WRQ without options', () => {
  roundTrip(bytes([0x00, 0x02], 'upload.bin', [0], 'octet', [0]), { op: 'WRQ', filename: 'upload.bin', mode: 'octet', options: [] });
});

test('decodes DATA with its block number and a view of the payload', () => {
  const wire = bytes(
    [0x00, 0x03], // opcode 3 = DATA
    u16(0x1234), // block 4660
    [0xde, 0xad, 0xbe, 0xef, 0x00], // 5 data bytes
  );
  roundTrip(wire, { op: 'DATA', block: 0x1234, data: Uint8Array.of(0xde, 0xad, 0xbe, 0xef, 0x00) });
  const d = decodeTftpPacket(wire);
  assert.ok(d.op === 'DATA' && d.data.buffer === wire.buffer, 'payload is not copied');
});

test('decodes an empty DATA (the final block of a file of n·blksize bytes)', () => {
  roundTrip(bytes([0x00, 0x03], u16(65535)), { op: 'DATA', block: 65535, data: new Uint8Array(0) });
});

test('decodes ACK, ERROR and OACK', () => {
  roundTrip(bytes([0x00, 0x04], u16(0)), { op: 'ACK', block: 0 });
  roundTrip(bytes([0x00, 0x04], u16(65535)), { op: 'ACK', block: 65535 });
  roundTrip(
    bytes([0x00, 0x05], u16(8), 'User aborted the transfer', [0]), // EDK2's tsize-probe abort
    { op: 'ERROR', code: 8, message: 'User aborted the transfer' },
  );
  roundTrip(bytes([0x00, 0x05], u16(0), [0]), { op: 'ERROR', code: 0, message: '' });
  roundTrip(
    bytes([0x00, 0x06], 'tsize', [0], '40810276', [0], 'blksize', [0], '1468', [0], 'windowsize', [0], '4', [0]),
    { op: 'OACK', options: [{ name: 'tsize', value: '40810276' }, { name: 'blksize', value: '1468' }, { name: 'windowsize', value: '4' }] },
  );
  roundTrip(bytes([0x00, 0x06]), { op: 'OACK', options: [] });
});

test('keeps option names as spelled and values as sent', () => {
  roundTrip(
    bytes([0x00, 0x01], 'A', [0], 'OCTET', [0], 'BlkSize', [0], '0512', [0], 'multicast', [0], '', [0]),
    { op: 'RRQ', filename: 'A', mode: 'OCTET', options: [{ name: 'BlkSize', value: '0512' }, { name: 'multicast', value: '' }] },
  );
});

test('accepts NUL padding after the last option and re-encodes it', () => {
  roundTrip(
    bytes([0x00, 0x01], 'boot.efi', [0], 'octet', [0], 'tsize', [0], '0', [0], [0, 0, 0, 0]),
    { op: 'RRQ', filename: 'boot.efi', mode: 'octet', options: [{ name: 'tsize', value: '0' }], padding: 4 },
  );
});

test('file names are octets: bytes above 0x7f survive a round trip', () => {
  const wire = bytes([0x00, 0x01], [0x63, 0x61, 0x66, 0xc3, 0xa9], [0], 'octet', [0]); // "café" in UTF-8
  const p = decodeTftpPacket(wire);
  assert.ok(p.op === 'RRQ');
  assert.equal(p.filename, 'caf\u00c3\u00a9');
  assert.deepEqual(encodeTftpPacket(p), wire);
});

test('refuses malformed datagrams with the offset of the problem', () => {
  badAt(bytes([0x00]), 0, /shorter than an opcode/);
  badAt(bytes([0x00, 0x07, 0, 0]), 0, /unknown opcode 7/);
  badAt(bytes([0x00, 0x00]), 0, /unknown opcode 0/);
  badAt(bytes([0x00, 0x01], 'no-terminator'), 2, /file name has no terminating NUL/);
  badAt(bytes([0x00, 0x01], 'f', [0]), 4, /request has no mode/);
  badAt(bytes([0x00, 0x01], 'f', [0], 'oct'), 4, /mode has no terminating NUL/);
  badAt(bytes([0x00, 0x01], 'f', [0], 'octet', [0], 'blksize', [0]), 18, /option "blksize" has no value/);
  badAt(bytes([0x00, 0x01], 'f', [0], 'octet', [0], 'blksize', [0], '512'), 18, /value of option "blksize" has no terminating NUL/);
  badAt(bytes([0x00, 0x01], 'f', [0], 'octet', [0], 'tsize'), 10, /option name has no terminating NUL/);
  badAt(bytes([0x00, 0x01], 'f', [0], 'octet', [0], [0, 0], 'x', [0]), 12, /bytes after the padding/);
  badAt(bytes([0x00, 0x03, 0x00]), 2, /without a block number/);
  badAt(bytes([0x00, 0x04, 0x00, 0x01, 0x00]), 4, /ACK packet of 5 bytes/);
  badAt(bytes([0x00, 0x04, 0x00]), 3, /ACK packet of 3 bytes/);
  badAt(bytes([0x00, 0x05, 0x00, 0x01]), 4, /without a code and message/);
  badAt(bytes([0x00, 0x05, 0x00, 0x01], 'oops'), 4, /error message has no terminating NUL/);
  badAt(bytes([0x00, 0x05, 0x00, 0x01], 'oops', [0], 'x'), 9, /bytes after the error message/);
  badAt(bytes([0x00, 0x06], [0], 'x', [0]), 2, /empty option name/);
  badAt(new Uint8Array(65469), 0, /larger than any TFTP packet/);
  const many = bytes([0x00, 0x06], ...Array.from({ length: TFTP_MAX_OPTIONS + 1 }, () => 'a\u0000b\u0000'));
  badAt(many, 2 + 4 * TFTP_MAX_OPTIONS, /more than 64 options/);
});

test('refuses to encode values the wire cannot carry', () => {
  const refuses = (p: TftpPacket, re: RegExp): void => assert.throws(() => encodeTftpPacket(p), re);
  refuses({ op: 'ACK', block: 65536 }, /does not fit 16 bits/);
  refuses({ op: 'ERROR', code: -1, message: '' }, /does not fit 16 bits/);
  refuses({ op: 'RRQ', filename: 'a\u0000b', mode: 'octet', options: [] }, /not one non-NUL octet/);
  refuses({ op: 'RRQ', filename: 'snow\u2603', mode: 'octet', options: [] }, /U\+2603/);
  refuses({ op: 'OACK', options: [{ name: '', value: '1' }] }, /empty option name/);
  refuses({ op: 'DATA', block: 1, data: new Uint8Array(65465) }, /larger than 65464/);
});
