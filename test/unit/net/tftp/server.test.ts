/**
 * The server on 127.0.0.1 with an in-memory opener, driven by a raw UDP client that sends
 * exact datagrams: where replies come from, how requests are refused, duplicates, the
 * transfer limit, shutdown, and the event per request.
 */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { createTftpServer, type TftpOpenRequest, type TftpServer, type TftpServerOptions, type TftpTransferEvent } from '../../../../src/net/tftp/index.ts';
import { RemasterError, type Warning } from '../../../../src/errors.ts';
import { UdpClient } from '../../../helpers/udp-client.ts';
import { ack, bytes, describe, memorySource, pattern } from './support.ts';

interface Setup {
  server: TftpServer;
  port: number;
  events: TftpTransferEvent[];
  warnings: Warning[];
  opens: TftpOpenRequest[];
  sources: ReturnType<typeof memorySource>[];
  client(): Promise<UdpClient>;
  /** Resolve when `n` events have been reported. */
  eventCount(n: number): Promise<void>;
}

async function setup(t: TestContext, files: Record<string, Uint8Array>, options: Partial<TftpServerOptions> = {}): Promise<Setup> {
  const events: TftpTransferEvent[] = [];
  const warnings: Warning[] = [];
  const opens: TftpOpenRequest[] = [];
  const sources: ReturnType<typeof memorySource>[] = [];
  const errors: unknown[] = [];
  let notify = (): void => {};
  const server = await createTftpServer({
    address: '127.0.0.1',
    port: 0,
    timeoutMs: 100,
    maxRetries: 2,
    async open(request) {
      opens.push(request);
      const data = files[request.path];
      if (!data) throw new RemasterError('INPUT_NOT_FOUND', 'no such file', { entry: request.path });
      const src = memorySource(data);
      sources.push(src);
      return src;
    },
    onTransfer: (e) => {
      events.push(e);
      notify();
    },
    onWarning: (w) => warnings.push(w),
    onError: (e) => errors.push(e),
    ...options,
  });
  const clients: UdpClient[] = [];
  t.after(async () => {
    await server.close({ graceful: false });
    for (const c of clients) await c.close();
    assert.deepEqual(errors, [], 'no unexpected errors');
  });
  return {
    server, port: server.address().port, events, warnings, opens, sources,
    async client() {
      const c = await UdpClient.open();
      clients.push(c);
      return c;
    },
    eventCount(n) {
      return new Promise((resolve) => {
        const check = (): void => {
          if (events.length >= n) resolve();
        };
        notify = check;
        check();
      });
    },
  };
}

const rrq = (name: string, ...options: string[]): Uint8Array => bytes([0, 1], name, [0], 'octet', [0], ...options.flatMap((o) => [o, [0]] as (string | number[])[]));

test('serves a file from a new port (its TID) and reports one event', async (t) => {
  const file = pattern(3000);
  const s = await setup(t, { 'boot/pxelinux.0': file });
  const c = await s.client();
  c.send(rrq('/boot/pxelinux.0', 'tsize', '0', 'blksize', '1024'), s.port);
  const oack = await c.next();
  assert.ok(oack);
  assert.notEqual(oack.port, s.port, 'the transfer answers from its own port');
  assert.deepEqual(oack.bytes, bytes([0, 6], 'tsize', [0], '3000', [0], 'blksize', [0], '1024', [0]));
  const got: number[] = [];
  c.send(ack(0), oack.port);
  for (let block = 1; ; block++) {
    const d = await c.next();
    assert.ok(d && d.port === oack.port);
    assert.equal(describe(d.bytes).split(' ').slice(0, 2).join(' '), `DATA ${block}`);
    got.push(...d.bytes.subarray(4));
    c.send(ack(block), oack.port);
    if (d.bytes.length < 4 + 1024) break;
  }
  assert.deepEqual(Uint8Array.from(got), file);
  await s.eventCount(1);
  const e = s.events[0]!;
  assert.deepEqual({ ...e, startedAt: 0, durationMs: 0 }, {
    remote: { address: '127.0.0.1', port: c.port },
    filename: '/boot/pxelinux.0', path: 'boot/pxelinux.0', mode: 'octet',
    options: [{ name: 'tsize', value: '0' }, { name: 'blksize', value: '1024' }],
    accepted: [{ name: 'tsize', value: '3000' }, { name: 'blksize', value: '1024' }],
    size: 3000, bytes: 3000, blksize: 1024, windowsize: 1, retransmits: 0,
    startedAt: 0, durationMs: 0, outcome: 'complete',
  });
  assert.ok(s.sources[0]!.closed, 'the source is closed');
  assert.equal(s.server.activeTransfers, 0);
});

test('refusals come back from the listening port with the right TFTP error', async (t) => {
  const s = await setup(t, { 'a.txt': pattern(10) });
  const c = await s.client();
  const cases: [Uint8Array, string, string][] = [
    [rrq('missing.cfg'), 'ERROR 1 file not found', 'not-found'],
    [rrq('../etc/passwd'), 'ERROR 2 access violation', 'access-denied'],
    [rrq('a\\..\\..\\etc\\passwd'), 'ERROR 2 access violation', 'access-denied'],
    [bytes([0, 2], 'a.txt', [0], 'octet', [0]), 'ERROR 2 writes are not allowed', 'write-refused'],
    [bytes([0, 1], 'a.txt', [0], 'netascii', [0]), 'ERROR 0 netascii mode is not supported, use octet (binary)', 'bad-request'],
    [bytes([0, 1], 'a.txt', [0], 'mail', [0]), 'ERROR 4 unknown transfer mode "mail"', 'bad-request'],
  ];
  for (const [i, [request, reply, outcome]] of cases.entries()) {
    c.send(request, s.port);
    const d = await c.next();
    assert.ok(d, `a reply to ${describe(request)}`);
    assert.equal(d.port, s.port);
    assert.equal(describe(d.bytes), reply);
    await s.eventCount(i + 1);
    assert.equal(s.events[i]!.outcome, outcome);
  }
  assert.deepEqual(s.opens.map((o) => o.path), ['missing.cfg'], 'refused names never reach open()');
});

test('a malformed request gets ERROR 4 and a warning; other junk on the port gets nothing', async (t) => {
  const s = await setup(t, {});
  const c = await s.client();
  c.send(bytes([0, 1], 'no-terminator'), s.port);
  assert.equal(describe((await c.next())!.bytes), 'ERROR 4 malformed request');
  assert.equal(s.warnings.length, 1);
  assert.match(s.warnings[0]!.message, /file name has no terminating NUL \(from 127\.0\.0\.1:\d+\).*\[TFTP_BAD_PACKET\]/);
  for (const junk of [ack(1), bytes([0, 3], [0, 1], 'x'), bytes([0, 5], [0, 0], 'x', [0]), bytes([0]), bytes([0, 9, 1, 2]), bytes([0, 6])]) c.send(junk, s.port);
  assert.equal(await c.next(300), undefined, 'no reply to junk');
  assert.deepEqual(s.events, []);
});

test('a repeated request from the same port starts no second transfer', async (t) => {
  const s = await setup(t, { f: pattern(5000) });
  const c = await s.client();
  c.send(rrq('f', 'tsize', '0'), s.port);
  c.send(rrq('f', 'tsize', '0'), s.port);
  const first = await c.next();
  assert.equal(describe(first!.bytes), 'OACK');
  await new Promise((r) => setTimeout(r, 50));
  assert.equal(s.opens.length, 1);
  assert.equal(s.server.activeTransfers, 1);
});

test('the same request again after the first transfer ended (a probe aborted with ERROR 8) is served', async (t) => {
  // close() of the first source takes 300 ms, so its slot still exists when the request comes again.
  const slowClose = async (): Promise<ReturnType<typeof memorySource>> => {
    const src = memorySource(pattern(5000));
    return Object.assign(src, { close: () => new Promise<void>((r) => setTimeout(r, 300)) });
  };
  const s = await setup(t, {}, { open: slowClose });
  const c = await s.client();
  c.send(rrq('f', 'tsize', '0'), s.port);
  const first = await c.next();
  assert.equal(describe(first!.bytes), 'OACK');
  await c.send(bytes([0, 5, 0, 8], 'User aborted the transfer', [0]), first!.port);
  await new Promise((r) => setTimeout(r, 50));
  assert.equal(s.server.activeTransfers, 1, 'the first slot is still closing');
  c.send(rrq('f', 'tsize', '0'), s.port);
  const second = await c.next(250);
  assert.equal(describe(second!.bytes), 'OACK');
  assert.notEqual(second!.port, first!.port);
});

test('past maxTransfers a request gets ERROR 0 "server busy"; a freed slot serves again', async (t) => {
  const s = await setup(t, { f: pattern(5000) }, { maxTransfers: 2, timeoutMs: 100, maxRetries: 1 });
  const a = await s.client();
  const b = await s.client();
  const c = await s.client();
  a.send(rrq('f'), s.port);
  b.send(rrq('f'), s.port);
  assert.ok(await a.next());
  assert.ok(await b.next());
  c.send(rrq('f'), s.port);
  const busy = await c.next();
  assert.equal(describe(busy!.bytes), 'ERROR 0 server busy, try again later');
  assert.equal(busy!.port, s.port);
  // a and b never ACK: after 100 + 200 ms their slots are free.
  await s.eventCount(3);
  assert.deepEqual(s.events.map((e) => e.outcome).sort(), ['busy', 'timeout', 'timeout']);
  c.send(rrq('f'), s.port);
  const d = await c.next();
  assert.equal(describe(d!.bytes), 'DATA 1 (512)');
});

test('open() failures map to TFTP errors: ENOENT → 1, EACCES → 2, anything else → 0', async (t) => {
  const errno = (code: string): Error => Object.assign(new Error(code), { code });
  const failures: Record<string, unknown> = { a: errno('ENOENT'), b: errno('EACCES'), c: new Error('boom'), d: new RemasterError('PATH_ESCAPE', 'out') };
  const s = await setup(t, {}, { open: async (r) => Promise.reject(failures[r.path]) });
  const c = await s.client();
  const replies: string[] = [];
  for (const name of ['a', 'b', 'c', 'd']) {
    c.send(rrq(name), s.port);
    replies.push(describe((await c.next())!.bytes));
  }
  assert.deepEqual(replies, ['ERROR 1 file not found', 'ERROR 2 access violation', 'ERROR 0 cannot open file', 'ERROR 2 access violation']);
  await s.eventCount(4);
  assert.deepEqual(s.events.map((e) => [e.outcome, e.detail]), [['not-found', 'ENOENT'], ['access-denied', 'EACCES'], ['failed', 'boom'], ['access-denied', 'out [PATH_ESCAPE]']]);
});

test('a client whose port is gone ends its transfer on the ICMP error, not after every retry', async (t) => {
  const s = await setup(t, { f: pattern(5000) }, { timeoutMs: 200, maxRetries: 5 });
  const c = await UdpClient.open();
  c.send(rrq('f'), s.port);
  const first = await c.next();
  assert.ok(first);
  const other = await UdpClient.open();
  t.after(() => other.close());
  other.send(ack(1), first.port); // another port: the connected transfer socket never sees it
  await c.close();
  const started = Date.now();
  await s.eventCount(1);
  // The first retransmission (200 ms) hits the closed port; five retries would take 6 s.
  assert.ok(Date.now() - started < 2000, `ended after ${Date.now() - started} ms`);
  assert.deepEqual(s.events.map((e) => [e.outcome, e.bytes, e.retransmits]), [['failed', 0, 1]]);
  assert.match(s.events[0]!.detail ?? '', /ECONNREFUSED/);
});

test('graceful close lets a running transfer finish and takes no new requests', async (t) => {
  const file = pattern(2000);
  const s = await setup(t, { f: file });
  const c = await s.client();
  c.send(rrq('f'), s.port);
  const d1 = await c.next();
  const closing = s.server.close({ graceful: true, timeoutMs: 5000 });
  const late = await s.client();
  late.send(rrq('f'), s.port);
  let block = 1;
  let d = d1;
  while (d && d.bytes.length === 516) {
    c.send(ack(block), d.port);
    d = await c.next();
    block += 1;
  }
  c.send(ack(block), d1!.port);
  await closing;
  assert.deepEqual(s.events.map((e) => [e.outcome, e.bytes]), [['complete', 2000]]);
  assert.equal(await late.next(200), undefined, 'no answer after close');
});

test('close without grace, or past its timeout, aborts transfers with ERROR 0 "server shutting down"', async (t) => {
  const s = await setup(t, { f: pattern(5000) }, { timeoutMs: 10_000 });
  const c = await s.client();
  c.send(rrq('f'), s.port);
  assert.ok(await c.next());
  const started = Date.now();
  await s.server.close({ graceful: true, timeoutMs: 200 });
  assert.ok(Date.now() - started < 2000);
  assert.equal(describe((await c.next())!.bytes), 'ERROR 0 server shutting down');
  assert.deepEqual(s.events.map((e) => e.outcome), ['aborted']);
  assert.ok(s.sources.every((x) => x.closed));
  await s.server.close(); // idempotent
});

test('servers created with reusePort share one port and split the clients between them', async (t) => {
  const files = { f: pattern(100) };
  const a = await setup(t, files, { reusePort: true });
  const b = await setup(t, files, { reusePort: true, port: a.port });
  assert.equal(b.port, a.port);
  const clients = await Promise.all(Array.from({ length: 24 }, () => a.client()));
  await Promise.all(clients.map((c) => c.send(rrq('f'), a.port)));
  const replies = await Promise.all(clients.map((c) => c.next()));
  assert.ok(replies.every((r) => r && describe(r.bytes) === 'DATA 1 (100)'));
  await Promise.all(clients.map((c, i) => c.send(ack(1), replies[i]!.port)));
  for (let i = 0; i < 100 && a.events.length + b.events.length < 24; i++) await new Promise((r) => setTimeout(r, 10));
  assert.equal(a.events.length + b.events.length, 24);
  assert.ok(a.events.length > 0 && b.events.length > 0, `split ${a.events.length} / ${b.events.length}`);
});

test('an open that finishes after close() ends as aborted, without an error', async (t) => {
  const slow = async (): Promise<ReturnType<typeof memorySource>> => {
    await new Promise((r) => setTimeout(r, 150));
    return memorySource(pattern(10));
  };
  const s = await setup(t, {}, { open: slow });
  const c = await s.client();
  await c.send(rrq('f'), s.port);
  await new Promise((r) => setTimeout(r, 20));
  assert.equal(s.server.activeTransfers, 1);
  await s.server.close({ graceful: false });
  assert.deepEqual(s.events.map((e) => e.outcome), ['aborted']);
  assert.equal(s.server.activeTransfers, 0);
});

test('listening on a port in use fails with NET_BIND_FAILED', async (t) => {
  const s = await setup(t, {});
  await assert.rejects(createTftpServer({ address: '127.0.0.1', port: s.port, open: async () => Promise.reject(new Error('x')) }), (err: unknown) => {
    assert.ok(err instanceof RemasterError);
    assert.equal(err.code, 'NET_BIND_FAILED');
    assert.match(err.message, new RegExp(`127\\.0\\.0\\.1:${s.port}`));
    return true;
  });
});
