/**
 * The ProxyDHCP responder on a real network segment: two namespaces on a
 * bridge (test/helpers/netns.ts), the responder in one, a real DHCP client
 * (busybox udhcpc from the fixture cache) in the other, and tshark capturing
 * on the client's interface as the judge of what went over the wire.
 */
import assert from 'node:assert/strict';
import { test, type TestContext } from 'node:test';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { ensureFixtures } from '../helpers/fixtures.ts';
import { createLan, requireNetns, waitFor, type NetnsHost } from '../helpers/netns.ts';
import { requireTool } from '../helpers/tools.ts';

const HARNESS = fileURLToPath(new URL('../helpers/proxy-dhcp-harness.ts', import.meta.url));

interface Seen {
  src: string;
  type: string;
  yiaddr: string;
  siaddr: string;
  file: string;
  vendorClass: string;
  discoveryControl: string;
}

/** Capture DHCP on the client's eth0 with tshark while `act` runs; return the server-to-client messages. */
async function capture(t: TestContext, host: NetnsHost, act: () => Promise<void>): Promise<Seen[]> {
  const dir = await mkdtemp(join(tmpdir(), 'remaster-dhcp-cap-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const pcap = join(dir, 'c.pcap');
  const tshark = host.spawn('tshark', ['-i', 'eth0', '-f', 'udp port 67 or udp port 68', '-w', pcap]);
  let err = '';
  tshark.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  // "Capturing on" comes before dumpcap really captures; tshark 4.0 says "Capture started" once it does
  const since = Date.now();
  await waitFor(() => (err.includes('Capture started') || (err.includes('Capturing on') && Date.now() - since > 2000) ? true : undefined), 15_000, 'tshark to start capturing');
  await act();
  await new Promise((r) => setTimeout(r, 500));
  tshark.kill('SIGINT');
  await new Promise((r) => tshark.once('exit', r));
  const read = await host.run('tshark', ['-r', pcap, '-Y', 'dhcp.type == 2', '-T', 'fields', '-E', 'separator=|',
    '-e', 'ip.src', '-e', 'dhcp.option.dhcp', '-e', 'dhcp.ip.your', '-e', 'dhcp.ip.server', '-e', 'dhcp.file', '-e', 'dhcp.option.vendor_class_id', '-e', 'dhcp.option.vendor.pxeclient.discovery_control']);
  assert.equal(read.code, 0, read.stderr);
  return read.stdout.trim().split('\n').filter(Boolean).map((l) => {
    const [src, type, yiaddr, siaddr, file, vendorClass, discoveryControl] = l.split('|') as string[];
    return { src, type, yiaddr, siaddr, file, vendorClass, discoveryControl } as Seen;
  });
}

test('ProxyDHCP answers a PXE DISCOVER from udhcpc with a no-address offer and ignores a plain DHCP client', { timeout: 120_000 }, async (t) => {
  if (!requireNetns(t) || !requireTool(t, 'tshark')) return;
  const fx = await ensureFixtures(t);
  if (fx === undefined) return;
  const lan = createLan(t);
  const server = await lan.addHost('srv', 1);
  const client = await lan.addHost('cli', 50);
  const proxy = server.spawn(process.execPath, [HARNESS, JSON.stringify({ serverAddress: server.address, bios: 'pxelinux.0', efi: 'grub/core.efi' })]);
  let log = '';
  proxy.stdout!.on('data', (d: Buffer) => (log += d.toString()));
  proxy.stderr!.on('data', (d: Buffer) => (log += d.toString()));
  await waitFor(() => (log.includes('ready') ? true : undefined), 15_000, `the responder to bind (${log})`);
  const events = () => log.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as { kind: string; reason?: string; client?: { mac: string; vendorClass?: string } });

  // udhcpc as a BIOS PXE client: option 60 PXEClient, option 93 = 0, option 94 = UNDI 2.1
  const udhcpc = (extra: string[]) => client.run(fx.busybox, ['udhcpc', '-i', 'eth0', '-f', '-n', '-t', '3', '-T', '1', '-A', '1', '-s', '/bin/true', ...extra], { timeoutMs: 20_000 });
  const pxe = await capture(t, client, async () => void (await udhcpc(['-V', 'PXEClient:Arch:00000:UNDI:002001', '-x', '0x5d:0000', '-x', '0x5e:010201'])));
  assert.ok(pxe.length >= 1, `an offer reached the client; responder log:\n${log}`);
  for (const o of pxe) {
    assert.deepEqual(o, { src: server.address, type: '2', yiaddr: '0.0.0.0', siaddr: server.address, file: 'pxelinux.0', vendorClass: 'PXEClient', discoveryControl: '0x08' });
  }
  assert.ok(events().some((e) => e.kind === 'reply' && e.client?.mac === client.mac));
  // udhcpc does not know proxy offers and REQUESTs ours: that request is not answered on port 67
  assert.ok(events().some((e) => e.kind === 'ignore' && /names this server, but a ProxyDHCP server answers requests only on port 4011/.test(e.reason ?? '')), log);

  // the same client without PXE options: the responder sees it and stays silent
  const before = events().length;
  const plain = await capture(t, client, async () => void (await udhcpc([])));
  assert.deepEqual(plain, [], 'no answer for a non-PXE client');
  const ignored = events().slice(before).filter((e) => e.kind === 'ignore');
  assert.ok(ignored.length >= 1, `the responder received the plain DISCOVER: ${log}`);
  assert.match(ignored[0]!.reason!, /not a PXE client \(option 60 "udhcp /);
  assert.equal(events().slice(before).some((e) => e.kind === 'reply'), false);
});
