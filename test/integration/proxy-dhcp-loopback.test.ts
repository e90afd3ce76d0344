/**
 * The responder's sockets on loopback with random high ports (no namespace,
 * no root): the port-4011 exchange end to end, silence for a non-PXE
 * request, and NET_BIND_FAILED when a port is taken.
 */
import assert from 'node:assert/strict';
import { createSocket, type Socket } from 'node:dgram';
import { test } from 'node:test';
import { decodeDhcpPacket, encodeDhcpPacket, startProxyDhcp, type ProxyDhcpEvent } from '../../src/index.ts';
import { EDK2 } from '../unit/net/dhcp/captured.ts';
import { waitFor } from '../helpers/netns.ts';

const randomPort = () => 20_000 + Math.floor(Math.random() * 30_000);

function request(edit: (p: ReturnType<typeof decodeDhcpPacket>) => void): Uint8Array {
  const p = decodeDhcpPacket(Uint8Array.from(Buffer.from(EDK2, 'hex')));
  p.options.set(53, Uint8Array.of(3));
  p.ciaddr = '127.0.0.1';
  edit(p);
  return encodeDhcpPacket(p, { maxSize: 1500 });
}

async function bound(): Promise<Socket> {
  const s = createSocket('udp4');
  await new Promise<void>((r) => s.bind(0, '127.0.0.1', r));
  return s;
}

test('port 4011: a DHCPREQUEST from a PXE client gets a unicast DHCPACK with the boot file; a plain one gets nothing', { timeout: 30_000 }, async (t) => {
  const events: ProxyDhcpEvent[] = [];
  const pxePort = randomPort();
  const server = await startProxyDhcp({
    serverAddress: '127.0.0.1', port: randomPort(), pxePort, clientPort: randomPort(),
    bootFor: (c) => (c.archName === 'efi-x64' ? { nextServer: '127.0.0.1', bootFile: 'grub/core.efi' } : undefined),
    onEvent: (e) => events.push(e),
  });
  t.after(() => server.close());
  const client = await bound();
  t.after(() => client.close());
  const replies: Uint8Array[] = [];
  client.on('message', (m) => replies.push(new Uint8Array(m)));
  client.send(request(() => {}), pxePort, '127.0.0.1');
  await waitFor(() => (replies.length > 0 ? true : undefined), 5000, 'the ACK');
  const ack = decodeDhcpPacket(replies[0]!);
  assert.deepEqual([ack.options.get(53)?.[0], ack.yiaddr, ack.siaddr, ack.file, ack.ciaddr], [5, '0.0.0.0', '127.0.0.1', 'grub/core.efi', '127.0.0.1']);
  assert.equal(events[0]?.kind, 'reply');

  client.send(request((p) => p.options.set(60, new TextEncoder().encode('MSFT 5.0'))), pxePort, '127.0.0.1');
  client.send(new Uint8Array(100), pxePort, '127.0.0.1');
  await waitFor(() => (events.length >= 3 ? true : undefined), 5000, 'two more events');
  assert.deepEqual(events.slice(1).map((e) => e.kind), ['ignore', 'ignore']);
  assert.equal(replies.length, 1, 'no reply to the non-PXE request or the malformed datagram');
});

test('a taken port ends in NET_BIND_FAILED and leaves no socket open', async (t) => {
  const pxePort = randomPort();
  const blocker = createSocket('udp4');
  await new Promise<void>((r) => blocker.bind(pxePort, '127.0.0.1', r));
  t.after(() => blocker.close());
  await assert.rejects(startProxyDhcp({ serverAddress: '127.0.0.1', port: randomPort(), pxePort, bootFor: () => undefined }), (err: Error & { code?: string }) => {
    assert.equal(err.code, 'NET_BIND_FAILED');
    assert.match(err.message, new RegExp(`cannot bind UDP 127\\.0\\.0\\.1:${pxePort}: address in use`));
    return true;
  });
});
