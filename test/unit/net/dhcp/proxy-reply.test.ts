import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodeDhcpPacket, encodeDhcpPacket } from '../../../../src/net/dhcp/packet.ts';
import { decodeSubOptions } from '../../../../src/net/dhcp/options.ts';
import { decideProxyReply, type BootAnswer, type ProxyDecision, type ProxyReplyConfig } from '../../../../src/net/dhcp/proxy-reply.ts';
import type { DhcpClient } from '../../../../src/net/dhcp/pxe.ts';
import { requireTool } from '../../../helpers/tools.ts';
import { tsharkDhcp } from '../../../helpers/tshark.ts';
import { EDK2, IPXE_BIOS, IPXE_EFI } from './captured.ts';

const SERVER = '10.0.0.1';
const bytes = (h: string) => Uint8Array.from(Buffer.from(h, 'hex'));
const text = (s: string) => new TextEncoder().encode(s);
const str = (b: Uint8Array | undefined) => (b === undefined ? undefined : new TextDecoder().decode(b));
const CLIENT = { address: '0.0.0.0', port: 68 };

/** The policy of the issue: BIOS → pxelinux.0, x64 UEFI → GRUB, iPXE → the HTTP script. */
function policy(client: DhcpClient): BootAnswer | undefined {
  if (client.isIpxe) return { nextServer: SERVER, bootFile: `http://${SERVER}/boot.ipxe` };
  if (client.archName === 'bios') return { nextServer: SERVER, bootFile: 'pxelinux.0' };
  if (client.archName === 'efi-x64') return { nextServer: SERVER, bootFile: 'grub/x86_64-efi/core.efi' };
  return undefined;
}
const config: ProxyReplyConfig = { serverAddress: SERVER, bootFor: policy };

function reply(d: ProxyDecision) {
  assert.equal(d.kind, 'reply', d.kind === 'ignore' ? d.reason : '');
  if (d.kind !== 'reply') throw new Error('unreachable');
  return d;
}

function modified(base: string, edit: (p: ReturnType<typeof decodeDhcpPacket>) => void): Uint8Array {
  const p = decodeDhcpPacket(bytes(base));
  edit(p);
  return encodeDhcpPacket(p, { maxSize: 1500 });
}

test('EDK2 DISCOVER on 67: a broadcast OFFER with no address, PXEClient, server id, boot file, no option 43', async () => {
  const d = reply(await decideProxyReply(bytes(EDK2), CLIENT, 'dhcp', config));
  const r = decodeDhcpPacket(d.bytes);
  assert.deepEqual(d.to, { address: '255.255.255.255', port: 68 });
  assert.deepEqual([r.op, r.xid, r.yiaddr, r.ciaddr, r.siaddr, r.file, r.flags & 0x8000], [2, 0xb6f43509, '0.0.0.0', '0.0.0.0', SERVER, 'grub/x86_64-efi/core.efi', 0x8000]);
  assert.deepEqual(r.chaddr, decodeDhcpPacket(bytes(EDK2)).chaddr);
  assert.deepEqual(r.options.get(53), Uint8Array.of(2), 'DHCPOFFER');
  assert.deepEqual(r.options.get(54), Uint8Array.of(10, 0, 0, 1));
  assert.equal(str(r.options.get(60)), 'PXEClient');
  assert.equal(str(r.options.get(67)), 'grub/x86_64-efi/core.efi');
  assert.deepEqual(r.options.get(97), new Uint8Array(17), 'client UUID echoed');
  assert.equal(r.options.has(43), false, 'UEFI: BINL style, the client asks again on 4011');
  for (const forbidden of [1, 3, 6, 51]) assert.equal(r.options.has(forbidden), false, `no address options (${forbidden})`);
});

test('SeaBIOS iPXE DISCOVER: the iPXE script URL and PXE_DISCOVERY_CONTROL = 8 in option 43', async () => {
  const d = reply(await decideProxyReply(bytes(IPXE_BIOS), CLIENT, 'dhcp', config));
  assert.equal(d.reply.file, 'http://10.0.0.1/boot.ipxe');
  assert.deepEqual(decodeSubOptions(d.reply.options.get(43)!), new Map([[6, Uint8Array.of(8)]]));
});

test('a BIOS PXE ROM without iPXE gets pxelinux.0 with option 43', async () => {
  const plain = modified(IPXE_BIOS, (p) => {
    p.options.delete(77);
    p.options.delete(175);
  });
  const d = reply(await decideProxyReply(plain, CLIENT, 'dhcp', config));
  assert.equal(d.reply.file, 'pxelinux.0');
  assert.ok(d.reply.options.has(43));
});

test('iPXE under UEFI gets option 43 too (iPXE honours it; only firmware stacks need the 4011 round)', async () => {
  const d = reply(await decideProxyReply(bytes(IPXE_EFI), CLIENT, 'dhcp', config));
  assert.equal(d.reply.file, 'http://10.0.0.1/boot.ipxe');
  assert.ok(d.reply.options.has(43));
});

test('port 4011 REQUEST: a unicast ACK back to the sender, ciaddr kept, no option 43', async () => {
  const req = modified(EDK2, (p) => {
    p.options.set(53, Uint8Array.of(3));
    p.ciaddr = '10.0.0.57';
    p.flags = 0;
  });
  const d = reply(await decideProxyReply(req, { address: '10.0.0.57', port: 68 }, 'pxe', config));
  assert.deepEqual(d.to, { address: '10.0.0.57', port: 68 });
  const r = decodeDhcpPacket(d.bytes);
  assert.deepEqual(r.options.get(53), Uint8Array.of(5), 'DHCPACK');
  assert.deepEqual([r.ciaddr, r.yiaddr, r.siaddr, r.file, r.flags], ['10.0.0.57', '0.0.0.0', SERVER, 'grub/x86_64-efi/core.efi', 0]);
  assert.equal(r.options.has(43), false);
});

test('a relayed DISCOVER goes back to the relay agent on port 67', async () => {
  const req = modified(EDK2, (p) => {
    p.giaddr = '10.9.0.1';
    p.hops = 1;
  });
  const d = reply(await decideProxyReply(req, { address: '10.9.0.1', port: 67 }, 'dhcp', config));
  assert.deepEqual(d.to, { address: '10.9.0.1', port: 67 });
  assert.equal(d.reply.giaddr, '10.9.0.1');
});

test('UEFI HTTP boot gets HTTPClient back and a URL', async () => {
  const req = modified(EDK2, (p) => {
    p.options.set(60, text('HTTPClient:Arch:00016:UNDI:003000'));
    p.options.set(93, Uint8Array.of(0, 16));
  });
  const d = reply(await decideProxyReply(req, CLIENT, 'dhcp', { serverAddress: SERVER, bootFor: () => ({ nextServer: SERVER, bootFile: 'http://10.0.0.1/uefi/grubx64.efi' }) }));
  assert.equal(str(d.reply.options.get(60)), 'HTTPClient');
  assert.equal(d.reply.options.has(43), false);
});

async function silent(b: Uint8Array, via: 'dhcp' | 'pxe', pattern: RegExp, cfg = config) {
  const d = await decideProxyReply(b, CLIENT, via, cfg);
  assert.equal(d.kind, 'ignore');
  if (d.kind === 'ignore') assert.match(d.reason, pattern);
}

test('stays silent for non-PXE clients, for REQUESTs meant for the site server, for replies and when the policy says no', async () => {
  const plain = modified(EDK2, (p) => {
    p.options.set(60, text('udhcp 1.35.0'));
    p.options.delete(93);
  });
  await silent(plain, 'dhcp', /not a PXE client \(option 60 "udhcp 1\.35\.0"\)/);
  await silent(modified(EDK2, (p) => p.options.delete(60)), 'dhcp', /not a PXE client \(option 60 absent\)/);
  const siteRequest = modified(EDK2, (p) => {
    p.options.set(53, Uint8Array.of(3));
    p.options.set(54, Uint8Array.of(10, 0, 0, 2));
  });
  await silent(siteRequest, 'dhcp', /DHCPREQUEST on port 67 is for the site's DHCP server/);
  await silent(modified(EDK2, (p) => (p.op = 2)), 'dhcp', /not a BOOTREQUEST/);
  await silent(modified(EDK2, (p) => p.options.set(53, Uint8Array.of(7))), 'pxe', /DHCPRELEASE is not a boot request/);
  await silent(bytes(EDK2), 'dhcp', /policy has no boot file/, { serverAddress: SERVER, bootFor: () => undefined });
});

test('a REQUEST on 67 naming this server gets no answer either (requests belong on 4011)', async () => {
  const ours = modified(EDK2, (p) => {
    p.options.set(53, Uint8Array.of(3));
    p.options.set(54, Uint8Array.of(10, 0, 0, 1));
  });
  await silent(ours, 'dhcp', /DHCPREQUEST on port 67 names this server, but a ProxyDHCP server answers requests only on port 4011/);
});

test('malformed datagrams and unencodable answers are ignored with the reason, never thrown', async () => {
  await silent(new Uint8Array(10), 'dhcp', /malformed message from 0\.0\.0\.0:68: .*shorter than the 240-byte header.*DHCP_MALFORMED/);
  await silent(bytes(EDK2), 'dhcp', /cannot answer 52:54:00:12:34:56: .*next server "300\.1\.1\.1"|siaddr "300\.1\.1\.1"/, { serverAddress: SERVER, bootFor: () => ({ nextServer: '300.1.1.1', bootFile: 'x' }) });
});

test('a boot file of 128 bytes or more goes in option 67 only', async () => {
  const long = `http://10.0.0.1/${'a'.repeat(150)}.ipxe`;
  const d = reply(await decideProxyReply(bytes(EDK2), CLIENT, 'dhcp', { serverAddress: SERVER, bootFor: () => ({ nextServer: SERVER, bootFile: long }) }));
  assert.equal(d.reply.file, '');
  assert.equal(str(decodeDhcpPacket(d.bytes).options.get(67)), long);
});

test('tshark reads our OFFER as a DHCP Offer with the boot file, PXEClient and discovery control 8', async (t) => {
  if (!requireTool(t, 'tshark')) return;
  const d = reply(await decideProxyReply(bytes(IPXE_BIOS), CLIENT, 'dhcp', config));
  const [s] = tsharkDhcp([{ payload: d.bytes, src: SERVER, srcPort: 67, dstPort: 68 }]);
  assert.equal(s!.yiaddr, '0.0.0.0');
  assert.equal(s!.siaddr, SERVER);
  assert.equal(s!.file, 'http://10.0.0.1/boot.ipxe');
  const flat = JSON.stringify(s!.layer);
  assert.match(flat, /"dhcp\.option\.dhcp":"2"/);
  assert.match(flat, /"dhcp\.option\.vendor_class_id":"PXEClient"/);
  assert.match(flat, /"dhcp\.option\.vendor\.pxeclient\.discovery_control":"0x08"/);
});
