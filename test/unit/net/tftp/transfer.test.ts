import { test } from 'node:test';
import assert from 'node:assert/strict';
import { negotiateTftpOptions, startReadTransfer, type TftpOption, type TftpReadTransfer, type TftpTransferResult } from '../../../../src/net/tftp/index.ts';
import { ack, bytes, describe, error, FakeClock, FakeSocket, memorySource, pattern, settle, u16 } from './support.ts';

interface Run {
  transfer: TftpReadTransfer;
  socket: FakeSocket;
  clock: FakeClock;
  source: ReturnType<typeof memorySource>;
  result(): TftpTransferResult | undefined;
  /** Deliver a client datagram and wait for the sends it causes. */
  send(packet: Uint8Array): Promise<void>;
  /** The same without extra event-loop turns (for long loops over in-memory sources). */
  quick(packet: Uint8Array): Promise<void>;
  /** Advance the clock to the next timer and wait for the sends it causes. */
  tick(ms?: number): Promise<void>;
}

async function run(data: Uint8Array, options: TftpOption[] = [], extra: { delay?: boolean; failAt?: number; maxRetries?: number; readAheadBytes?: number; maxWindowsize?: number } = {}): Promise<Run> {
  const clock = new FakeClock();
  const socket = new FakeSocket(clock);
  const source = memorySource(data, extra);
  let result: TftpTransferResult | undefined;
  const transfer = startReadTransfer({
    source,
    negotiation: negotiateTftpOptions(options, data.length, { maxWindowsize: extra.maxWindowsize ?? 64, maxTimeoutMs: 20_000 }),
    socket,
    clock,
    retransmit: { timeoutMs: 1000, maxTimeoutMs: 4000, maxRetries: extra.maxRetries ?? 3 },
    ...(extra.readAheadBytes !== undefined ? { readAheadBytes: extra.readAheadBytes } : {}),
    onEnd: (r) => {
      assert.equal(result, undefined, 'onEnd is called once');
      result = r;
    },
  });
  await transfer.idle();
  await settle();
  return {
    transfer, socket, clock, source, result: () => result,
    async send(packet) {
      transfer.receive(packet);
      await transfer.idle();
      await settle();
    },
    async quick(packet) {
      transfer.receive(packet);
      await transfer.idle();
    },
    async tick(ms) {
      clock.advance(ms);
      await transfer.idle();
      await settle();
    },
  };
}

/** Payloads of the DATA packets sent, joined in order of block number (last copy wins). */
function payload(packets: Uint8Array[], blksize: number): Uint8Array {
  const blocks = new Map<number, Uint8Array>();
  for (const p of packets) if (p[1] === 3) blocks.set((p[2]! << 8) | p[3]!, p.subarray(4));
  const out: number[] = [];
  for (const k of [...blocks.keys()].sort((a, b) => a - b)) {
    const b = blocks.get(k)!;
    assert.ok(b.length <= blksize);
    out.push(...b);
  }
  return Uint8Array.from(out);
}

test('lock-step without options: DATA 1 at once, one block per ACK, a short last block ends it', async () => {
  const data = pattern(1300);
  const r = await run(data);
  assert.deepEqual(r.socket.sent.map((s) => describe(s.bytes)), ['DATA 1 (512)']);
  assert.deepEqual(r.socket.sent[0]!.bytes, bytes([0, 3], u16(1), [...data.subarray(0, 512)]));
  await r.send(ack(1));
  await r.send(ack(2));
  assert.deepEqual(r.socket.take().map(describe), ['DATA 1 (512)', 'DATA 2 (512)', 'DATA 3 (276)']);
  assert.equal(r.result(), undefined);
  await r.send(ack(3));
  assert.deepEqual(r.result(), { outcome: 'complete', bytes: 1300, retransmits: 0 });
  assert.deepEqual(r.socket.take(), []);
  assert.deepEqual(r.clock.pending(), [], 'no timer left behind');
});

test('a file of exactly n·blksize bytes ends with an empty block; an empty file is one empty block', async () => {
  const r = await run(pattern(1024));
  await r.send(ack(1));
  await r.send(ack(2));
  assert.deepEqual(r.socket.take().map(describe), ['DATA 1 (512)', 'DATA 2 (512)', 'DATA 3 (0)']);
  await r.send(ack(3));
  assert.equal(r.result()?.outcome, 'complete');

  const e = await run(new Uint8Array(0));
  assert.deepEqual(e.socket.take().map(describe), ['DATA 1 (0)']);
  assert.deepEqual(e.source.reads, [], 'nothing to read');
  await e.send(ack(1));
  assert.deepEqual(e.result(), { outcome: 'complete', bytes: 0, retransmits: 0 });
});

test('with options: OACK first, retransmitted with doubling intervals until ACK 0, then DATA 1', async () => {
  const r = await run(pattern(2000), [{ name: 'blksize', value: '1024' }, { name: 'tsize', value: '0' }]);
  assert.deepEqual(r.socket.sent.map((s) => s.bytes), [bytes([0, 6], 'blksize', [0], '1024', [0], 'tsize', [0], '2000', [0])]);
  await r.tick();
  await r.tick();
  assert.deepEqual(r.socket.sent.map((s) => [s.at, describe(s.bytes)]), [[0, 'OACK'], [1000, 'OACK'], [3000, 'OACK']]);
  await r.send(ack(1)); // not the ACK of the OACK: ignored
  assert.equal(r.socket.sent.length, 3);
  await r.send(ack(0));
  assert.deepEqual(r.socket.sent.slice(3).map((s) => describe(s.bytes)), ['DATA 1 (1024)']);
  await r.send(ack(1));
  await r.send(ack(2));
  assert.deepEqual(r.result(), { outcome: 'complete', bytes: 2000, retransmits: 2 });
});

test('an OACK never acknowledged ends as a timeout with an ERROR, after maxRetries', async () => {
  const r = await run(pattern(10), [{ name: 'tsize', value: '0' }], { maxRetries: 3 });
  for (let i = 0; i < 4; i++) await r.tick();
  assert.deepEqual(r.socket.sent.map((s) => [s.at, describe(s.bytes)]), [
    [0, 'OACK'], [1000, 'OACK'], [3000, 'OACK'], [7000, 'OACK'], [11000, 'ERROR 0 timed out waiting for an acknowledgement'],
  ]);
  assert.equal(r.result()?.outcome, 'timeout');
  assert.deepEqual(r.clock.pending(), []);
});

test('ERROR 8 after the OACK (the EDK2 tsize probe) ends the transfer quietly', async () => {
  const r = await run(pattern(5000), [{ name: 'tsize', value: '0' }]);
  await r.send(error(8, 'User aborted the transfer'));
  assert.deepEqual(r.result(), { outcome: 'client-error', bytes: 0, retransmits: 0, error: { code: 8, message: 'User aborted the transfer', from: 'client' } });
  assert.deepEqual(r.socket.take().map(describe), ['OACK']);
  assert.deepEqual(r.clock.pending(), []);
  await r.send(ack(0));
  assert.deepEqual(r.socket.take(), [], 'nothing after the end');
});

test('an ERROR without its NUL still ends the transfer', async () => {
  const r = await run(pattern(5000));
  await r.send(bytes([0, 5], u16(0), 'closed'));
  assert.deepEqual(r.result()?.error, { code: 0, message: 'closed', from: 'client' });
});

test("Sorcerer's Apprentice: duplicate ACKs never cause a DATA, so a delayed block is not sent twice forever", async () => {
  const r = await run(pattern(512 * 6));
  await r.send(ack(1));
  await r.send(ack(2)); // DATA 3 goes out and is delayed in the network
  await r.tick(); // timeout: DATA 3 again
  assert.deepEqual(r.socket.take().map(describe), ['DATA 1 (512)', 'DATA 2 (512)', 'DATA 3 (512)', 'DATA 3 (512)']);
  await r.send(ack(3)); // the client got both copies and ACKs both
  await r.send(ack(3));
  await r.send(ack(2)); // and an old ACK arrives late
  assert.deepEqual(r.socket.take().map(describe), ['DATA 4 (512)'], 'one DATA 4, not two');
  await r.send(ack(4));
  await r.send(ack(4));
  assert.deepEqual(r.socket.take().map(describe), ['DATA 5 (512)']);
  await r.send(ack(5));
  await r.send(ack(6));
  await r.send(ack(7));
  assert.deepEqual(r.socket.take().map(describe), ['DATA 6 (512)', 'DATA 7 (0)']);
  assert.deepEqual(r.result(), { outcome: 'complete', bytes: 3072, retransmits: 1 });
});

test('ACKs for blocks never sent are ignored', async () => {
  const r = await run(pattern(4000));
  await r.send(ack(5));
  await r.send(ack(65535));
  assert.deepEqual(r.socket.take().map(describe), ['DATA 1 (512)']);
  assert.equal(r.transfer.acknowledged, 0);
});

test('a window of blocks goes out per ACK; an ACK inside the window restarts it after that block (RFC 7440)', async () => {
  const data = pattern(512 * 10 + 7);
  const r = await run(data, [{ name: 'windowsize', value: '4' }]);
  await r.send(ack(0));
  assert.deepEqual(r.socket.take().map(describe), ['OACK', 'DATA 1 (512)', 'DATA 2 (512)', 'DATA 3 (512)', 'DATA 4 (512)']);
  await r.send(ack(4));
  assert.deepEqual(r.socket.take().map(describe), ['DATA 5 (512)', 'DATA 6 (512)', 'DATA 7 (512)', 'DATA 8 (512)']);
  await r.send(ack(6)); // DATA 7 was lost: the client ACKs the last block it has in order
  await r.send(ack(6)); // and again for DATA 8: a duplicate, ignored
  assert.deepEqual(r.socket.take().map(describe), ['DATA 7 (512)', 'DATA 8 (512)', 'DATA 9 (512)', 'DATA 10 (512)']);
  await r.send(ack(10));
  assert.deepEqual(r.socket.take().map(describe), ['DATA 11 (7)'], 'the last window is short');
  await r.send(ack(11));
  assert.deepEqual(r.result(), { outcome: 'complete', bytes: data.length, retransmits: 0 });
});

test('a timeout resends the whole unacknowledged window', async () => {
  const r = await run(pattern(512 * 3 + 1), [{ name: 'windowsize', value: '8' }]);
  await r.send(ack(0));
  await r.tick();
  assert.deepEqual(r.socket.take().map(describe), ['OACK', 'DATA 1 (512)', 'DATA 2 (512)', 'DATA 3 (512)', 'DATA 4 (1)', 'DATA 1 (512)', 'DATA 2 (512)', 'DATA 3 (512)', 'DATA 4 (1)']);
  await r.send(ack(2));
  await r.tick();
  assert.deepEqual(r.socket.take().map(describe), ['DATA 3 (512)', 'DATA 4 (1)', 'DATA 3 (512)', 'DATA 4 (1)']);
  await r.send(ack(4));
  assert.deepEqual(r.result(), { outcome: 'complete', bytes: 1537, retransmits: 6 });
});

test('a client that stops acknowledging is dropped after maxRetries, with backoff capped at maxTimeoutMs', async () => {
  const r = await run(pattern(512 * 10), [], { maxRetries: 4 });
  await r.send(ack(1));
  r.socket.take();
  for (let i = 0; i < 5; i++) await r.tick();
  assert.deepEqual(r.socket.sent.map((s) => [s.at, describe(s.bytes)]), [
    [1000, 'DATA 2 (512)'], [3000, 'DATA 2 (512)'], [7000, 'DATA 2 (512)'], [11000, 'DATA 2 (512)'],
    [15000, 'ERROR 0 timed out waiting for an acknowledgement'],
  ]);
  assert.deepEqual(r.result(), { outcome: 'timeout', bytes: 512, retransmits: 4, error: { code: 0, message: 'timed out waiting for an acknowledgement', from: 'server' } });
  assert.deepEqual(r.clock.pending(), []);
});

test('progress resets the backoff', async () => {
  const r = await run(pattern(512 * 10));
  await r.tick();
  await r.tick();
  await r.send(ack(1));
  await r.tick();
  assert.deepEqual(r.socket.sent.map((s) => [s.at, describe(s.bytes)]), [[0, 'DATA 1 (512)'], [1000, 'DATA 1 (512)'], [3000, 'DATA 1 (512)'], [3000, 'DATA 2 (512)'], [4000, 'DATA 2 (512)']]);
});

test("the client's timeout option sets the first interval", async () => {
  const r = await run(pattern(100), [{ name: 'timeout', value: '3' }]);
  assert.deepEqual(r.clock.pending(), [3000]);
  await r.tick();
  assert.deepEqual(r.clock.pending(), [4000], 'doubling, up to the cap (4 s here)');
  const slow = await run(pattern(100), [{ name: 'timeout', value: '10' }]);
  await slow.tick();
  assert.deepEqual(slow.clock.pending(), [10_000], 'a cap below the client\'s interval is raised to it');
});

test('block numbers roll over from 65535 to 0, and ACKs after the rollover map to the right blocks', async () => {
  // blksize 8 makes the rollover reachable with half a megabyte: 65538 blocks, the last of 3 bytes.
  const data = pattern(8 * 65537 + 3);
  const r = await run(data, [{ name: 'blksize', value: '8' }, { name: 'windowsize', value: '64' }]);
  await r.send(ack(0)); // the ACK of the OACK
  let acked = 0;
  while (r.result() === undefined) {
    const sent = r.socket.take();
    assert.ok(sent.length > 0, `stalled after block ${acked}`);
    acked = Math.min(acked + 64, 65538);
    await r.quick(ack(acked & 0xffff));
    if (acked === 65536) {
      await r.quick(ack(0)); // a duplicate of the new block 0: ignored, not taken for block 0 of the OACK
      assert.equal(r.transfer.acknowledged, 65536);
    }
  }
  assert.equal(r.result()?.outcome, 'complete');
  assert.equal(r.transfer.acknowledged, 65538);
});

test('rollover on the wire: DATA 65535, then DATA 0, 1, …, and the payload is intact', async () => {
  const data = pattern(8 * 65537 + 3);
  const r = await run(data, [{ name: 'blksize', value: '8' }]);
  await r.send(ack(0));
  const all: Uint8Array[] = r.socket.take().slice(1);
  for (let k = 1; r.result() === undefined; k++) {
    await r.quick(ack(k & 0xffff));
    all.push(...r.socket.take());
  }
  const numbers = all.map((p) => (p[2]! << 8) | p[3]!);
  assert.deepEqual(numbers.slice(65533, 65540), [65534, 65535, 0, 1, 2]);
  assert.equal(numbers.length, 65538);
  const joined = new Uint8Array(data.length);
  all.forEach((p, i) => joined.set(p.subarray(4), i * 8));
  assert.deepEqual(joined, data);
});

test('reads the source ahead in chunks of whole blocks, not per block', async () => {
  const data = pattern(1_000_000);
  const r = await run(data, [{ name: 'blksize', value: '1468' }, { name: 'windowsize', value: '16' }], { readAheadBytes: 256 * 1024 });
  r.socket.take(); // the OACK
  await r.send(ack(0));
  const sent: Uint8Array[] = [];
  while (r.result() === undefined) {
    const now = r.socket.take();
    assert.ok(now.length > 0, 'stalled');
    sent.push(...now);
    await r.quick(ack(sent.length & 0xffff));
  }
  assert.deepEqual(payload(sent, 1468), data);
  const chunk = Math.floor((256 * 1024) / 1468) * 1468;
  assert.deepEqual(r.source.reads, [0, 1, 2, 3].map((i) => [i * chunk, Math.min(chunk, data.length - i * chunk)]));
});

test('slow reads: an ACK that arrives while a read is pending does not send a block twice', async () => {
  const data = pattern(1468 * 300);
  const r = await run(data, [{ name: 'blksize', value: '1468' }, { name: 'windowsize', value: '200' }], { delay: true, readAheadBytes: 1468 * 100, maxWindowsize: 256 });
  r.transfer.receive(ack(0));
  r.transfer.receive(ack(0));
  await r.transfer.idle();
  await settle(10);
  r.transfer.receive(ack(150)); // mid-window, while block 201's chunk may still be loading
  await r.transfer.idle();
  await settle(10);
  const blocks = r.socket.take().slice(1).map((p) => (p[2]! << 8) | p[3]!);
  const expected = [...Array.from({ length: 200 }, (_, i) => i + 1), ...Array.from({ length: 151 }, (_, i) => i + 151)];
  assert.deepEqual(blocks, expected);
});

test('a read error ends the transfer with ERROR 0 and reports the cause', async () => {
  const r = await run(pattern(600_000), [{ name: 'blksize', value: '1024' }], { failAt: 300_000, readAheadBytes: 64 * 1024 });
  await r.send(ack(0));
  for (let k = 1; r.result() === undefined && k < 1000; k++) await r.send(ack(k));
  const result = r.result();
  assert.equal(result?.outcome, 'failed');
  assert.deepEqual(result?.error, { code: 0, message: 'read error', from: 'server' });
  assert.match(String((result?.cause as Error).message), /disk error at 300000/);
  assert.equal(describe(r.socket.sent.at(-1)!.bytes), 'ERROR 0 read error');
  assert.ok(result!.bytes < 300_000);
});

test('abort sends ERROR 0 (shutdown) unless told not to notify', async () => {
  const r = await run(pattern(5000));
  r.transfer.abort('server shutting down');
  assert.deepEqual(r.socket.take().map(describe), ['DATA 1 (512)', 'ERROR 0 server shutting down']);
  assert.equal(r.result()?.outcome, 'aborted');
  const q = await run(pattern(5000));
  q.transfer.abort('gone', { notify: false, outcome: 'failed', cause: 'ECONNREFUSED' });
  assert.deepEqual(q.socket.take().map(describe), ['DATA 1 (512)']);
  assert.deepEqual(q.result(), { outcome: 'failed', bytes: 0, retransmits: 0, cause: 'ECONNREFUSED' });
});

test('datagrams that are neither ACK nor ERROR, or too short, change nothing', async () => {
  const r = await run(pattern(5000));
  for (const junk of [bytes([0, 4]), bytes([0, 4, 0]), bytes([0, 1], 'x', [0], 'octet', [0]), bytes([0, 3], u16(1), 'data'), bytes([0, 6]), bytes([0, 9, 0, 1])]) await r.send(junk);
  assert.deepEqual(r.socket.take().map(describe), ['DATA 1 (512)']);
  assert.equal(r.result(), undefined);
  await r.send(bytes([0, 4], u16(1), [0, 0])); // an ACK with trailing bytes still counts (tftp-hpa reads 4 bytes too)
  assert.deepEqual(r.socket.take().map(describe), ['DATA 2 (512)']);
});
