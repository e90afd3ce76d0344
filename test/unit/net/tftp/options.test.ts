import { test } from 'node:test';
import assert from 'node:assert/strict';
import { negotiateTftpOptions, type TftpOption } from '../../../../src/net/tftp/index.ts';

const o = (...pairs: [string, string][]): TftpOption[] => pairs.map(([name, value]) => ({ name, value }));

test('answers pxelinux (tsize, blksize 1408) in its order with the real size', () => {
  assert.deepEqual(negotiateTftpOptions(o(['tsize', '0'], ['blksize', '1408']), 40810276), {
    accepted: o(['tsize', '40810276'], ['blksize', '1408']), blksize: 1408, windowsize: 1,
  });
});

test('answers EDK2 (tsize, blksize 1468, windowsize 4) and GRUB (blksize 1024, tsize)', () => {
  assert.deepEqual(negotiateTftpOptions(o(['tsize', '0'], ['blksize', '1468'], ['windowsize', '4']), 1000), {
    accepted: o(['tsize', '1000'], ['blksize', '1468'], ['windowsize', '4']), blksize: 1468, windowsize: 4,
  });
  assert.deepEqual(negotiateTftpOptions(o(['blksize', '1024'], ['tsize', '0']), 5), {
    accepted: o(['blksize', '1024'], ['tsize', '5']), blksize: 1024, windowsize: 1,
  });
});

test('repeats the client\'s spelling of option names (clients compare them case-sensitively)', () => {
  const n = negotiateTftpOptions(o(['BLKSIZE', '1024'], ['TSize', '0']), 7);
  assert.deepEqual(n.accepted, o(['BLKSIZE', '1024'], ['TSize', '7']));
  assert.equal(n.blksize, 1024);
});

test('caps blksize at the server bound (default 1468) and ignores values below 8 or not decimal', () => {
  assert.equal(negotiateTftpOptions(o(['blksize', '65464']), 1).blksize, 1468);
  assert.deepEqual(negotiateTftpOptions(o(['blksize', '65464']), 1).accepted, o(['blksize', '1468']));
  assert.equal(negotiateTftpOptions(o(['blksize', '65464']), 1, { maxBlksize: 65464 }).blksize, 65464);
  assert.equal(negotiateTftpOptions(o(['blksize', '99999']), 1, { maxBlksize: 65464 }).blksize, 65464);
  assert.equal(negotiateTftpOptions(o(['blksize', '8']), 1).blksize, 8);
  for (const bad of ['7', '0', '', '-1', '1e3', '0x400', ' 512', '512 ', '99999999999']) {
    assert.deepEqual(negotiateTftpOptions(o(['blksize', bad]), 1), { accepted: [], blksize: 512, windowsize: 1 }, bad);
  }
});

test('a configured bound outside the RFC range is clamped into it', () => {
  assert.equal(negotiateTftpOptions(o(['blksize', '65464']), 1, { maxBlksize: 1e9 }).blksize, 65464);
  assert.equal(negotiateTftpOptions(o(['blksize', '512']), 1, { maxBlksize: 1 }).blksize, 8);
  assert.equal(negotiateTftpOptions(o(['windowsize', '65535']), 1, { maxWindowsize: 1e9 }).windowsize, 65535);
  assert.equal(negotiateTftpOptions(o(['windowsize', '16']), 1, { maxWindowsize: 0 }).windowsize, 1);
});

test('caps windowsize (default 64) and ignores 0', () => {
  assert.deepEqual(negotiateTftpOptions(o(['windowsize', '65535']), 1).accepted, o(['windowsize', '64']));
  assert.equal(negotiateTftpOptions(o(['windowsize', '16']), 1, { maxWindowsize: 8 }).windowsize, 8);
  assert.deepEqual(negotiateTftpOptions(o(['windowsize', '0']), 1).accepted, []);
});

test('accepts timeout from 1 s up to the retransmission cap (default 8 s, at most 255 s)', () => {
  assert.deepEqual(negotiateTftpOptions(o(['timeout', '6']), 1), { accepted: o(['timeout', '6']), blksize: 512, windowsize: 1, timeoutMs: 6000 });
  assert.equal(negotiateTftpOptions(o(['timeout', '8']), 1).timeoutMs, 8000);
  assert.deepEqual(negotiateTftpOptions(o(['timeout', '9']), 1).accepted, [], 'above the default cap');
  assert.equal(negotiateTftpOptions(o(['timeout', '255']), 1, { maxTimeoutMs: 1e9 }).timeoutMs, 255_000);
  assert.deepEqual(negotiateTftpOptions(o(['timeout', '1']), 1, { maxTimeoutMs: 999 }).accepted, []);
  for (const bad of ['0', '256', 'x']) assert.deepEqual(negotiateTftpOptions(o(['timeout', bad]), 1, { maxTimeoutMs: 1e9 }).accepted, [], bad);
});

test('leaves tsize unanswered for an empty file (curl rejects "tsize 0")', () => {
  assert.deepEqual(negotiateTftpOptions(o(['tsize', '0'], ['blksize', '512']), 0).accepted, o(['blksize', '512']));
  assert.deepEqual(negotiateTftpOptions(o(['tsize', '0']), 0).accepted, []);
});

test('ignores unknown options and never answers an option twice', () => {
  const n = negotiateTftpOptions(o(['multicast', ''], ['utimeout', '5000'], ['rollover', '0'], ['blksize', '1024'], ['BlkSize', '512'], ['tsize', '0'], ['tsize', '0']), 9);
  assert.deepEqual(n.accepted, o(['blksize', '1024'], ['tsize', '9']));
  assert.equal(n.blksize, 1024);
});

test('no options, no OACK', () => {
  assert.deepEqual(negotiateTftpOptions([], 100), { accepted: [], blksize: 512, windowsize: 1 });
});
