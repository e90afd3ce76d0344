// Fuzz finding (tftp-server, seed 1, cases 1000–1999): a request with the RFC 2349 `timeout`
// option followed by silence held its transfer slot for (1 + maxRetries) × timeout seconds —
// with "timeout 255" and the default 5 retries, 25 minutes per request, so a handful of
// requests could hold every slot. The option is now granted only up to the server's cap on
// retransmission intervals (maxTimeoutMs); above it the OACK leaves it out.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rrqBytes, serveRoot } from '../helpers/tftp.ts';
import { UdpClient } from '../helpers/udp-client.ts';
import { attackLayout } from './tftp-support.ts';

test('"timeout 255" and then silence: the option is not granted and the slot is freed on the server\'s schedule', async (t) => {
  const { root } = await attackLayout(t);
  const { port, server, events, eventCount } = await serveRoot(t, root, { timeoutMs: 100, maxTimeoutMs: 200, maxRetries: 2 });
  const c = await UdpClient.open();
  t.after(() => c.close());
  await c.send(rrqBytes('pxelinux.0', [['timeout', '255'], ['tsize', '0']]), port);
  const oack = await c.next();
  assert.equal(Buffer.from(oack!.bytes).toString('latin1'), '\0\u0006tsize\u000012\u0000', 'no timeout in the OACK');
  const started = Date.now();
  await eventCount(1);
  assert.ok(Date.now() - started < 2000, `held for ${Date.now() - started} ms`);
  assert.equal(events[0]!.outcome, 'timeout');
  assert.equal(server.activeTransfers, 0);
});
