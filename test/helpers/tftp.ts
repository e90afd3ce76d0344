/**
 * TFTP test helpers: a server on 127.0.0.1 serving a directory through openServedFile
 * (exactly what `remaster serve` passes), the same directory served by createServer (serve's whole
 * composition: lifecycle hooks, metrics, logging around the TFTP server), and a minimal lock-step
 * download over a raw UDP socket that returns the file or the ERROR the server sent.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { createTftpServer, type TftpServer, type TftpServerOptions, type TftpTransferEvent } from '../../src/net/tftp/index.ts';
import { openServedFile } from '../../src/fsx/index.ts';
import { UdpClient } from './udp-client.ts';

/** What a test sees of a finished transfer, from the TFTP server's event or serve's log line. */
export type TransferSeen = Pick<TftpTransferEvent, 'path' | 'outcome' | 'bytes' | 'size' | 'blksize' | 'windowsize'>;

/** A TFTP endpoint on 127.0.0.1 and the transfers it reported. */
export interface TftpEndpoint {
  port: number;
  events: TransferSeen[];
  /** Resolve once `n` events were reported (a client may finish before the server has closed its side). */
  eventCount(n: number, timeoutMs?: number): Promise<void>;
}

export interface ServedRoot extends TftpEndpoint {
  server: TftpServer;
  events: TftpTransferEvent[];
}

function counter(events: unknown[]): (n: number, timeoutMs?: number) => Promise<void> {
  return async (n, timeoutMs = 10_000) => {
    const deadline = Date.now() + timeoutMs;
    while (events.length < n) {
      if (Date.now() > deadline) throw new Error(`expected ${n} events, got ${events.length}`);
      await new Promise((r) => setTimeout(r, 10));
    }
  };
}

/**
 * Serve `root` with createServer (as `remaster serve` does: TFTP on an ephemeral 127.0.0.1 port, HTTP
 * beside it, state in a scratch directory) until the test ends; transfers are read back from its log.
 */
export async function serveComposed(t: TestContext, root: string): Promise<TftpEndpoint> {
  const events: TransferSeen[] = [];
  const errors: string[] = [];
  const stateDir = await mkdtemp(join(tmpdir(), 'remaster-tftp-state-'));
  // loaded here: the TFTP-only tests importing this file need none of serve's HTTP and state stack
  const { createServer } = await import('../../src/serve/index.ts');
  const handle = await createServer({
    tftpRoot: root, listen: '127.0.0.1', tftpPort: 0, httpPort: 0, state: { stateDir },
    log: {
      info: (f) => {
        if ((f as { event?: string }).event === 'tftp') events.push(f as TransferSeen);
      },
      warn: () => {},
      error: (f) => errors.push(JSON.stringify(f)),
    },
  });
  t.after(async () => {
    await handle.close({ graceful: false });
    await rm(stateDir, { recursive: true, force: true });
    if (errors.length > 0) throw new Error(`serve logged errors: ${errors.join('; ')}`);
  });
  return { port: handle.tftpPort, events, eventCount: counter(events) };
}

/** Serve `root` on 127.0.0.1 (ephemeral port) until the test ends. */
export async function serveRoot(t: TestContext, root: string, options: Partial<TftpServerOptions> = {}): Promise<ServedRoot> {
  const events: TftpTransferEvent[] = [];
  const errors: unknown[] = [];
  const server = await createTftpServer({
    address: '127.0.0.1',
    port: 0,
    open: (request) => openServedFile(root, request.path),
    onTransfer: (e) => events.push(e),
    onError: (e) => errors.push(e),
    ...options,
  });
  t.after(async () => {
    await server.close({ graceful: false });
    if (errors.length > 0) throw new Error(`server reported unexpected errors: ${errors.map(String).join('; ')}`);
  });
  return { server, port: server.address().port, events, eventCount: counter(events) };
}

const enc = (s: string): number[] => [...Buffer.from(s, 'latin1')];

/** Encode an RRQ for `name` (octets as latin1) with options. */
export function rrqBytes(name: string, options: [string, string][] = [], mode = 'octet'): Uint8Array {
  return Uint8Array.from([0, 1, ...enc(name), 0, ...enc(mode), 0, ...options.flatMap(([k, v]) => [...enc(k), 0, ...enc(v), 0])]);
}

export type Download = { data: Uint8Array } | { error: { code: number; message: string } } | { timeout: true };

/** Download `name` lock-step (ACK 0 for an OACK, then every block); stop at the first ERROR. `beforeAck(n)` runs before ACK n. */
export async function download(port: number, name: string, options: [string, string][] = [], beforeAck?: (block: number) => Promise<void>): Promise<Download> {
  const client = await UdpClient.open();
  try {
    client.send(rrqBytes(name, options), port);
    const chunks: Uint8Array[] = [];
    let blksize = 512;
    let expected = 1;
    for (;;) {
      const d = await client.next(3000);
      if (!d) return { timeout: true };
      const op = (d.bytes[0]! << 8) | d.bytes[1]!;
      const n = (d.bytes[2]! << 8) | d.bytes[3]!;
      if (op === 5) return { error: { code: n, message: Buffer.from(d.bytes.subarray(4, d.bytes.length - 1)).toString('latin1') } };
      if (op === 6) {
        const fields = Buffer.from(d.bytes.subarray(2)).toString('latin1').split('\0');
        const i = fields.findIndex((f) => f.toLowerCase() === 'blksize');
        if (i >= 0) blksize = Number(fields[i + 1]);
        client.send(Uint8Array.of(0, 4, 0, 0), d.port);
        continue;
      }
      if (op !== 3) continue;
      if (n === (expected & 0xffff)) {
        chunks.push(d.bytes.subarray(4));
        expected += 1;
        await beforeAck?.(expected - 1);
      }
      const sent = client.send(Uint8Array.of(0, 4, d.bytes[2]!, d.bytes[3]!), d.port);
      if (n === ((expected - 1) & 0xffff) && d.bytes.length - 4 < blksize) {
        await sent;
        return { data: Buffer.concat(chunks) };
      }
    }
  } finally {
    await client.close();
  }
}
