// Attack: a flood of read requests from many ports, far beyond the transfer limit, to exhaust
// sockets, file descriptors and memory. At most maxTransfers run; every other request that
// reaches the server gets ERROR 0 "server busy" from the listening port (no socket per
// refusal); afterwards the server is idle and serves normally.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { rrqBytes, serveRoot } from '../helpers/tftp.ts';
import { UdpClient } from '../helpers/udp-client.ts';
import { attackLayout } from './tftp-support.ts';

test('300 requests at once with maxTransfers 10: at most 10 transfers, the rest busy, nothing leaks', async (t) => {
  const { root } = await attackLayout(t);
  await writeFile(join(root, 'big'), Buffer.alloc(100_000, 3));
  const { port, server, events } = await serveRoot(t, root, { maxTransfers: 10, timeoutMs: 100, maxTimeoutMs: 100, maxRetries: 1 });
  const clients = await Promise.all(Array.from({ length: 300 }, () => UdpClient.open()));
  t.after(() => Promise.all(clients.map((c) => c.close())));
  const fdsBefore = (await readdir('/proc/self/fd')).length;
  let peak = 0;
  const watch = setInterval(() => (peak = Math.max(peak, server.activeTransfers)), 1);
  t.after(() => clearInterval(watch));
  await Promise.all(clients.map((c) => c.send(rrqBytes('big', [['tsize', '0']]), port)));
  const replies = (await Promise.all(clients.map((c) => c.next(2000)))).filter((r) => r !== undefined);
  // The kernel drops what overflows the listening socket's buffer (a real client would retry).
  const busy = replies.filter((r) => Buffer.from(r.bytes).toString('latin1').includes('server busy'));
  const served = replies.filter((r) => r.bytes[1] === 6);
  assert.equal(busy.length + served.length, replies.length, 'every answer is an OACK or "busy"');
  assert.ok(replies.length >= 100, `${replies.length} answers`);
  assert.ok(served.length >= 10 && busy.length >= replies.length - 30, `${served.length} served, ${busy.length} busy`);
  assert.ok(busy.every((r) => r.port === port), 'refusals come from the listening port');
  for (let i = 0; i < 500 && (server.activeTransfers > 0 || events.length < replies.length); i++) await new Promise((r) => setTimeout(r, 10));
  clearInterval(watch);
  assert.ok(peak <= 10, `peak ${peak} transfers`);
  assert.equal(server.activeTransfers, 0);
  assert.equal(events.filter((e) => e.outcome === 'busy').length, busy.length);
  assert.deepEqual([...new Set(events.filter((e) => e.outcome !== 'busy').map((e) => e.outcome))], ['timeout']);
  assert.ok((await readdir('/proc/self/fd')).length <= fdsBefore + 2, 'no socket or file left open');
  const c = await UdpClient.open();
  t.after(() => c.close());
  await c.send(rrqBytes('pxelinux.0'), port);
  assert.equal(Buffer.from((await c.next())!.bytes.subarray(4)).toString(), 'loader bytes');
});
