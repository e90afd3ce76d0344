// Attack: options with huge or absurd values — blksize 65464 (datagrams the path cannot carry
// and firmware cannot reassemble), windowsize 65535 (a 4 GB burst per ACK), tsize of 2^64,
// timeout 0, a thousand options, or a request as large as a datagram — to make the server
// allocate, burst or stall without bound. Values are capped or ignored; nothing crashes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { rrqBytes, serveRoot } from '../helpers/tftp.ts';
import { UdpClient } from '../helpers/udp-client.ts';
import { attackLayout } from './tftp-support.ts';

const text = (b: Uint8Array | undefined): string => Buffer.from(b ?? []).toString('latin1');

test('absurd option values are capped or dropped from the OACK; the transfer stays bounded', async (t) => {
  const { root } = await attackLayout(t);
  await writeFile(join(root, 'big'), Buffer.alloc(1 << 20, 7));
  const { port, server, events, eventCount } = await serveRoot(t, root, { timeoutMs: 100, maxRetries: 1 });
  const c = await UdpClient.open();
  t.after(() => c.close());
  await c.send(rrqBytes('big', [['blksize', '65464'], ['windowsize', '65535'], ['tsize', '18446744073709551616'], ['timeout', '0'], ['utimeout', '1'], ['blksize', '8']]), port);
  const oack = await c.next();
  assert.equal(text(oack?.bytes), '\0\u0006blksize\u00001468\u0000windowsize\u000064\u0000tsize\u00001048576\u0000');
  // ACK 0 starts a window of 64 blocks, not 65535; nothing more until the next ACK.
  await c.send(Uint8Array.of(0, 4, 0, 0), oack!.port);
  let burst = 0;
  while (await c.next(50)) burst += 1;
  assert.ok(burst >= 64 && burst <= 128, `one window (plus a timer resend), got ${burst}`);
  await eventCount(1);
  assert.equal(events[0]!.outcome, 'timeout');
  assert.equal(server.activeTransfers, 0);
});

test('oversized and option-stuffed requests are refused as malformed, and the server keeps serving', async (t) => {
  const { root } = await attackLayout(t);
  const { port, events } = await serveRoot(t, root);
  const c = await UdpClient.open();
  t.after(() => c.close());
  const stuffed = rrqBytes('pxelinux.0', Array.from({ length: 1000 }, (_, i) => [`o${i}`, '1'] as [string, string]));
  await c.send(stuffed, port);
  assert.equal(text((await c.next())?.bytes), '\0\u0005\0\u0004malformed request\0');
  const huge = rrqBytes(`${'a/'.repeat(32_740)}x`); // 65,491 bytes: a UDP datagram, but no TFTP packet
  assert.ok(huge.length > 65_468 && huge.length <= 65_507);
  await c.send(huge, port);
  assert.equal(text((await c.next())?.bytes), '\0\u0005\0\u0004malformed request\0');
  const long = rrqBytes(`${'d/'.repeat(200)}x`, [['blksize', '1'.repeat(400)]]);
  await c.send(long, port);
  assert.equal(text((await c.next())?.bytes), '\0\u0005\0\u0001file not found\0', 'a long name is just a missing file; a 400-digit blksize is ignored');
  await c.send(rrqBytes('pxelinux.0'), port);
  const d = await c.next();
  assert.equal(text(d?.bytes), '\0\u0003\0\u0001loader bytes');
  assert.deepEqual(events.map((e) => e.outcome), ['not-found']);
});
