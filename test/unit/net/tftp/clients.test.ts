/**
 * Replays of what real firmware and loaders send, from their sources:
 * - EDK2/OVMF (NetworkPkg/UefiPxeBcDxe/PxeBcMtftp.c, Mtftp4Dxe/Mtftp4Rrq.c): a size probe
 *   "tsize 0, blksize 1468, windowsize 4" aborted with ERROR 8 "User aborted the transfer"
 *   once the OACK arrives, then the read "blksize 1468, windowsize 4"; it ACKs every
 *   windowsize blocks, and for a block out of order it ACKs the last one it has in order
 *   (every time); ERROR 3 "User provided memory block is too small" when the caller's
 *   buffer (shim's, blksize 512) is too small, sent on the last block;
 * - iPXE (src/net/udp/tftp.c): "octet, blksize 1432, tsize 0"; ACKs every block;
 * - pxelinux 6 (core/fs/pxe/tftp.c): "octet, tsize 0, blksize 1408"; re-ACKs the last good
 *   block for any other packet; after the last block its close sends ERROR 0
 *   "No error, file close";
 * - GRUB 2 (grub-core/net/tftp.c): "octet, blksize 1024, tsize 0" with a leading "/",
 *   re-ACKs old blocks, and closing a file before its end sends ERROR 0 "closed".
 * Each client is modelled by the rules above; the network between them can drop datagrams.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeTftpPacket, negotiateTftpOptions, normalizeTftpPath, startReadTransfer, type TftpTransferResult } from '../../../../src/net/tftp/index.ts';
import { ack, bytes, describe, error, FakeClock, FakeSocket, memorySource, pattern, settle } from './support.ts';

/** A client model: gets each server datagram, returns its replies; `data` collects the file. */
interface ClientModel {
  onPacket(packet: Uint8Array): Uint8Array[];
  data: number[];
  done: boolean;
}

/** A client model from its DATA rule: every client answers an OACK with ACK 0 and ignores the rest. */
function model(onData: (block: number, payload: Uint8Array, m: ClientModel) => Uint8Array[]): ClientModel {
  const m: ClientModel = {
    data: [],
    done: false,
    onPacket(p) {
      const op = (p[0]! << 8) | p[1]!;
      if (op === 6) return [ack(0)];
      if (op !== 3 || m.done) return [];
      return onData((p[2]! << 8) | p[3]!, p.subarray(4), m);
    },
  };
  return m;
}

/** EDK2 Mtftp4 RRQ receive rules (Mtftp4RrqHandleData). */
function edk2(windowsize: number, blksize: number, bufferSize = Infinity): ClientModel {
  let expected = 1;
  let total = 0;
  let ackedAt = 0;
  return model((block, payload, m) => {
    if (block !== (expected & 0xffff)) {
      ackedAt = total;
      return [ack((expected - 1) & 0xffff)];
    }
    const last = payload.length < blksize;
    if (m.data.length + payload.length > bufferSize && last) {
      m.done = true;
      return [error(3, 'User provided memory block is too small')];
    }
    if (m.data.length + payload.length <= bufferSize) m.data.push(...payload);
    expected += 1;
    total += 1;
    if (last) {
      m.done = true;
      return [ack(block)];
    }
    if (total - ackedAt === windowsize) {
      ackedAt = total;
      return [ack(block)];
    }
    return [];
  });
}

/** Lock-step clients (iPXE, pxelinux, GRUB): ACK each new block; re-ACK on anything older. */
function lockstep(blksize: number, afterLast: Uint8Array[] = []): ClientModel {
  let last = 0;
  return model((block, payload, m) => {
    if (block !== ((last + 1) & 0xffff)) return [ack(last & 0xffff)];
    last += 1;
    m.data.push(...payload);
    if (payload.length < blksize) {
      m.done = true;
      return [ack(block), ...afterLast];
    }
    return [ack(block)];
  });
}

interface Replay {
  result: TftpTransferResult;
  /** Every server datagram, described, in order. */
  log: string[];
  firstPacket: Uint8Array;
}

/**
 * Run a transfer for the RRQ bytes against a client model. `drop(packet, index)` loses a server
 * datagram; when nothing is in flight the clock moves to the next retransmission.
 */
async function replay(rrq: Uint8Array, file: Uint8Array, client: ClientModel, drop: (p: Uint8Array, i: number) => boolean = () => false): Promise<Replay> {
  const request = decodeTftpPacket(rrq);
  assert.ok(request.op === 'RRQ');
  const clock = new FakeClock();
  const socket = new FakeSocket(clock);
  let result: TftpTransferResult | undefined;
  const transfer = startReadTransfer({ source: memorySource(file), negotiation: negotiateTftpOptions(request.options, file.length), socket, clock, onEnd: (r) => (result = r) });
  await transfer.idle();
  const log: string[] = [];
  let firstPacket: Uint8Array | undefined;
  let index = 0;
  for (let steps = 0; steps < 100_000; steps++) {
    const sent = socket.take();
    if (sent.length === 0) {
      if (result) break;
      clock.advance();
      await transfer.idle();
      await settle(1);
      continue;
    }
    for (const p of sent) {
      firstPacket ??= p;
      log.push(describe(p));
      if (drop(p, index++)) continue;
      for (const reply of client.onPacket(p)) transfer.receive(reply);
      await transfer.idle();
    }
  }
  assert.ok(result, 'the transfer ended');
  return { result, log, firstPacket: firstPacket! };
}

const EDK2_PROBE = bytes(
  [0x00, 0x01], 'shimx64.efi', [0], 'octet', [0], // Mtftp4 default mode
  'tsize', [0], '0', [0], 'blksize', [0], '1468', [0], 'windowsize', [0], '4', [0], // PxeBcTftpGetFileSize order
);
const EDK2_READ = bytes([0x00, 0x01], 'shimx64.efi', [0], 'octet', [0], 'blksize', [0], '1468', [0], 'windowsize', [0], '4', [0]);

test('EDK2: the tsize probe gets an OACK with the size, then ERROR 8 ends it', async () => {
  const file = pattern(963_232);
  const probe: ClientModel = { data: [], done: false, onPacket: (p) => (p[1] === 6 ? [error(8, 'User aborted the transfer')] : []) };
  const r = await replay(EDK2_PROBE, file, probe);
  assert.deepEqual(r.firstPacket, bytes([0x00, 0x06], 'tsize', [0], '963232', [0], 'blksize', [0], '1468', [0], 'windowsize', [0], '4', [0]));
  assert.deepEqual(r.log, ['OACK']);
  assert.deepEqual(r.result, { outcome: 'client-error', bytes: 0, retransmits: 0, error: { code: 8, message: 'User aborted the transfer', from: 'client' } });
});

test('EDK2: the read with windowsize 4 completes byte-identical, recovering a lost block from its ACK', async () => {
  const file = pattern(1468 * 40 + 100);
  const client = edk2(4, 1468);
  let lost = false;
  // Lose DATA 7 once: the client ACKs 6 for DATA 8 (out of order), the server restarts at 7.
  const r = await replay(EDK2_READ, file, client, (p) => !lost && describe(p).startsWith('DATA 7 ') && (lost = true));
  assert.deepEqual(r.firstPacket, bytes([0x00, 0x06], 'blksize', [0], '1468', [0], 'windowsize', [0], '4', [0]));
  assert.deepEqual(Uint8Array.from(client.data), file);
  assert.equal(r.result.outcome, 'complete');
  assert.equal(r.result.retransmits, 0, 'recovered without a timeout');
  assert.deepEqual(r.log.slice(1, 10), ['DATA 1 (1468)', 'DATA 2 (1468)', 'DATA 3 (1468)', 'DATA 4 (1468)', 'DATA 5 (1468)', 'DATA 6 (1468)', 'DATA 7 (1468)', 'DATA 8 (1468)', 'DATA 7 (1468)']);
  // DATA 7 and 8 go twice: EDK2 drops the out-of-order 8 it got before the resend.
  assert.equal(r.log.filter((l) => l.startsWith('DATA')).length, 41 + 2);
});

test('EDK2: losing the first block of a window is recovered by the timer, without a storm', async () => {
  const file = pattern(1468 * 12);
  const client = edk2(4, 1468);
  let lost = false;
  const r = await replay(EDK2_READ, file, client, (p) => !lost && describe(p).startsWith('DATA 5 ') && (lost = true));
  assert.deepEqual(Uint8Array.from(client.data), file);
  assert.equal(r.result.outcome, 'complete');
  // The client's three ACK 4s (for DATA 6, 7, 8) move nothing; the timer resends the window 5–8 once.
  assert.equal(r.result.retransmits, 4);
  assert.equal(r.log.filter((l) => l.startsWith('DATA')).length, 13 + 4);
});

test('shim through EDK2 (blksize 512, windowsize 4): a buffer too small ends with ERROR 3 on the last block', async () => {
  const rrq = bytes([0x00, 0x01], 'grubx64.efi', [0], 'octet', [0], 'blksize', [0], '512', [0], 'windowsize', [0], '4', [0]);
  const file = pattern(512 * 9 + 1);
  const r = await replay(rrq, file, edk2(4, 512, 4096));
  assert.deepEqual(r.result, { outcome: 'client-error', bytes: 512 * 8, retransmits: 0, error: { code: 3, message: 'User provided memory block is too small', from: 'client' } });
  assert.equal(r.log.at(-1), 'DATA 10 (1)');
});

test('iPXE: blksize 1432 and tsize, every block ACKed, byte-identical', async () => {
  const rrq = bytes([0x00, 0x01], 'vmlinuz', [0], 'octet', [0], 'blksize', [0], '1432', [0], 'tsize', [0], '0', [0]);
  const file = pattern(1432 * 20);
  const client = lockstep(1432);
  const r = await replay(rrq, file, client);
  assert.deepEqual(r.firstPacket, bytes([0x00, 0x06], 'blksize', [0], '1432', [0], 'tsize', [0], '28640', [0]));
  assert.deepEqual(Uint8Array.from(client.data), file);
  assert.equal(r.log.at(-1), 'DATA 21 (0)', 'a file of n·blksize bytes ends with an empty block');
  assert.deepEqual(r.result, { outcome: 'complete', bytes: file.length, retransmits: 0 });
});

test('pxelinux: tsize + blksize 1408; lost ACKs give duplicate ACKs, never duplicate DATA; the closing ERROR 0 comes after the end', async () => {
  const rrq = bytes([0x00, 0x01], 'pxelinux.cfg/01-52-54-00-12-34-56', [0], 'octet', [0], 'tsize', [0], '0', [0], 'blksize', [0], '1408', [0]);
  const file = pattern(1408 * 6 + 3);
  const client = lockstep(1408, [error(0, 'No error, file close')]);
  // Lose DATA 3 once: pxelinux times out and re-ACKs 2 (a duplicate), the server's timer resends DATA 3.
  let lost = false;
  const r = await replay(rrq, file, client, (p) => !lost && describe(p).startsWith('DATA 3 ') && (lost = true));
  assert.deepEqual(r.firstPacket, bytes([0x00, 0x06], 'tsize', [0], '8451', [0], 'blksize', [0], '1408', [0]));
  assert.deepEqual(Uint8Array.from(client.data), file);
  assert.deepEqual(r.result, { outcome: 'complete', bytes: file.length, retransmits: 1 });
  assert.deepEqual(r.log.filter((l) => l.startsWith('DATA 3 ')).length, 2);
  assert.equal(normalizeTftpPath('pxelinux.cfg/01-52-54-00-12-34-56'), 'pxelinux.cfg/01-52-54-00-12-34-56');
});

test('GRUB: "/"-rooted name, blksize 1024 + tsize; closing early sends ERROR 0 "closed"', async () => {
  const rrq = bytes([0x00, 0x01], '/grub/x86_64-efi/normal.mod', [0], 'octet', [0], 'blksize', [0], '1024', [0], 'tsize', [0], '0', [0]);
  const request = decodeTftpPacket(rrq);
  assert.ok(request.op === 'RRQ');
  assert.equal(normalizeTftpPath(request.filename), 'grub/x86_64-efi/normal.mod');
  const file = pattern(1024 * 10);
  const inner = lockstep(1024);
  const closesEarly: ClientModel = {
    data: inner.data,
    done: false,
    onPacket: (p) => (inner.data.length >= 3 * 1024 ? [error(0, 'closed')] : inner.onPacket(p)),
  };
  const r = await replay(rrq, file, closesEarly);
  assert.deepEqual(r.firstPacket, bytes([0x00, 0x06], 'blksize', [0], '1024', [0], 'tsize', [0], '10240', [0]));
  assert.deepEqual(r.result, { outcome: 'client-error', bytes: 3 * 1024, retransmits: 0, error: { code: 0, message: 'closed', from: 'client' } });
});

test('GRUB re-ACKs old blocks it gets again: the server ignores those ACKs', async () => {
  const rrq = bytes([0x00, 0x01], '/grub/grub.cfg', [0], 'octet', [0], 'blksize', [0], '1024', [0], 'tsize', [0], '0', [0]);
  const file = pattern(1024 * 4 + 10);
  const client = lockstep(1024);
  // The network delivers DATA 2 twice: GRUB ACKs 2 again for the copy.
  const r = await replay(rrq, file, {
    data: client.data,
    done: false,
    onPacket: (p) => (describe(p).startsWith('DATA 2 ') ? [...client.onPacket(p), ...client.onPacket(p)] : client.onPacket(p)),
  });
  assert.deepEqual(Uint8Array.from(client.data), file);
  assert.deepEqual(r.result, { outcome: 'complete', bytes: file.length, retransmits: 0 });
  assert.deepEqual(r.log.filter((l) => l.startsWith('DATA')), ['DATA 1 (1024)', 'DATA 2 (1024)', 'DATA 3 (1024)', 'DATA 4 (1024)', 'DATA 5 (10)']);
});
