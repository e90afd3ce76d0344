// Attack (slow drain): clients request files and then stop acknowledging, to hold every
// transfer slot (and a socket and a file descriptor each) forever. A transfer without
// progress ends after maxRetries retransmissions with backoff; its slot, socket and file
// are freed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { rrqBytes, serveRoot } from '../helpers/tftp.ts';
import { UdpClient } from '../helpers/udp-client.ts';
import { attackLayout } from './tftp-support.ts';

test('clients that stop ACKing lose their slots after the retries; the server serves again', async (t) => {
  const { root } = await attackLayout(t);
  await writeFile(join(root, 'big'), Buffer.alloc(200_000, 1));
  const fdsBefore = (await readdir('/proc/self/fd')).length;
  const { port, server, events, eventCount } = await serveRoot(t, root, { maxTransfers: 4, timeoutMs: 100, maxTimeoutMs: 200, maxRetries: 3 });
  const stalled: UdpClient[] = [];
  for (let i = 0; i < 4; i++) {
    const c = await UdpClient.open();
    stalled.push(c);
    t.after(() => c.close());
    await c.send(rrqBytes('big', i % 2 ? [['blksize', '1024']] : []), port);
    const first = await c.next();
    if (i === 0) await c.send(Uint8Array.of(0, 4, 0, 1), first!.port); // one ACK, then silence
  }
  assert.equal(server.activeTransfers, 4);
  const late = await UdpClient.open();
  t.after(() => late.close());
  await late.send(rrqBytes('pxelinux.0'), port);
  assert.match(Buffer.from((await late.next())!.bytes).toString('latin1'), /server busy/);
  // 100 + 200 + 200 + 200 ms of retransmissions, then each gives up.
  const started = Date.now();
  await eventCount(5);
  assert.ok(Date.now() - started < 3000);
  assert.deepEqual(events.filter((e) => e.outcome !== 'busy').map((e) => [e.outcome, e.retransmits]), Array(4).fill(['timeout', 3]));
  assert.deepEqual(events.filter((e) => e.outcome !== 'busy').map((e) => e.bytes).sort((a, b) => a - b), [0, 0, 0, 512], 'the one client that ACKed once');
  assert.equal(server.activeTransfers, 0);
  assert.ok((await readdir('/proc/self/fd')).length <= fdsBefore + 2 + stalled.length + 1, 'sockets and files closed');
  await late.send(rrqBytes('pxelinux.0'), port);
  assert.equal(Buffer.from((await late.next())!.bytes.subarray(4)).toString(), 'loader bytes');
});
