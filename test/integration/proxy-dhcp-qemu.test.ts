/**
 * ProxyDHCP beside a site DHCP server, judged by real firmware: a LAN of
 * network namespaces (test/helpers/netns.ts) with
 * - "site": dnsmasq handing out addresses only (dhcp-range, port=0, no PXE
 *   options, no boot file);
 * - "boot": remaster's ProxyDHCP responder (test/helpers/proxy-dhcp-harness.ts)
 *   and tftpd-hpa's in.tftpd serving a small tree (the project's own TFTP
 *   server is tested elsewhere);
 * - a QEMU guest on a tap device of the bridge.
 * BIOS: SeaBIOS + QEMU's iPXE ROM take the address from dnsmasq and the boot
 * file from the proxy offer: pxelinux.0 loads ldlinux.c32 and
 * pxelinux.cfg/default over TFTP and prints the test's nonce (SAY).
 * UEFI: OVMF's own PXE stack (EDK2 UefiPxeBcDxe; romfile= drops iPXE) takes
 * the proxy offer (no option 43: a BINL offer), asks again on port 4011,
 * gets the DHCPACK with the boot file, downloads GRUB's core.efi from our
 * TFTP server and runs it ("Welcome to GRUB!"). GRUB 2.06 (Debian 12) then
 * takes its TFTP server from the site server's DHCPACK only, not from the
 * proxy offer (grub-core/net/drivers/efi/efinet.c reads pxe_mode->dhcp_ack),
 * so with a plain grub-mknetdir image it looks for normal.mod on the site
 * server: the service must hand UEFI clients a GRUB image whose prefix names
 * the TFTP server, or iPXE. The test stops once GRUB runs.
 * Each configuration boots once.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmod, copyFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { fileURLToPath } from 'node:url';
import { createSiteLan, requireNetns, waitFor } from '../helpers/netns.ts';
import { bootTap, makeNonce } from '../helpers/qemu.ts';
import { requireTool } from '../helpers/tools.ts';

const HARNESS = fileURLToPath(new URL('../helpers/proxy-dhcp-harness.ts', import.meta.url));
const MAC = '52:54:00:a1:b2:c3';
const UUID = '8a1c7f3e-5b2d-4c6e-9f10-112233445566';

interface Events {
  kind: string;
  via: string;
  reason?: string;
  bootFile?: string;
  client?: { mac: string; archName: string; isIpxe: boolean; messageType?: number };
}

async function tftpTree(nonce: string): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), 'remaster-proxy-tftp-'));
  await chmod(root, 0o755); // in.tftpd drops to the tftp user: mkdtemp's 0700 would hide the tree
  await copyFile('/usr/lib/PXELINUX/pxelinux.0', join(root, 'pxelinux.0'));
  await copyFile('/usr/lib/syslinux/modules/bios/ldlinux.c32', join(root, 'ldlinux.c32'));
  await mkdir(join(root, 'pxelinux.cfg'));
  await writeFile(join(root, 'pxelinux.cfg/default'), `SAY REMASTER-PROXYDHCP-BIOS ${nonce}\nDEFAULT local\nPROMPT 0\nLABEL local\n  LOCALBOOT 0\n`);
  const made = spawnSync('grub-mknetdir', [`--net-directory=${root}`, '--subdir=grub', '-d', '/usr/lib/grub/x86_64-efi'], { encoding: 'utf8' });
  assert.equal(made.status, 0, made.stderr);
  return root;
}

/** Build the LAN, start dnsmasq, in.tftpd and the responder; return what a boot needs. */
async function network(t: TestContext, nonce: string) {
  const root = await tftpTree(nonce);
  const state = await mkdtemp(join(tmpdir(), 'remaster-dnsmasq-'));
  const { lan, boot, siteDhcp } = await createSiteLan(t, state);
  t.after(() => Promise.all([rm(root, { recursive: true, force: true }), rm(state, { recursive: true, force: true })]));
  const tftpd = boot.spawn('in.tftpd', ['-L', '-s', root, '-a', `${boot.address}:69`]);
  let tftpLog = '';
  tftpd.stderr!.on('data', (d: Buffer) => (tftpLog += d.toString()));
  const proxy = boot.spawn(process.execPath, [HARNESS, JSON.stringify({ serverAddress: boot.address, bios: 'pxelinux.0', efi: 'grub/x86_64-efi/core.efi' })]);
  let proxyLog = '';
  proxy.stdout!.on('data', (d: Buffer) => (proxyLog += d.toString()));
  proxy.stderr!.on('data', (d: Buffer) => (proxyLog += d.toString()));
  await waitFor(() => (proxyLog.includes('ready') ? true : undefined), 15_000, `the responder to bind: ${proxyLog}`);
  const events = () => proxyLog.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Events);
  return { lan, tap: lan.addTap(), events, logs: () => `dnsmasq:\n${siteDhcp.log()}\nin.tftpd:\n${tftpLog}\nresponder:\n${proxyLog}` };
}

test('SeaBIOS + iPXE: address from dnsmasq (no PXE options), pxelinux.0 from the ProxyDHCP offer, its config over TFTP', { timeout: 240_000 }, async (t) => {
  if (!requireNetns(t) || !requireTool(t, 'qemu-system-x86_64', 'dnsmasq', 'in.tftpd')) return;
  const nonce = makeNonce();
  const net = await network(t, nonce);
  const r = await bootTap({ netns: net.lan.ns, tap: net.tap, mac: MAC, uuid: UUID, nonce, timeoutMs: 150_000, expect: [/PXELINUX 6/, /REMASTER-PROXYDHCP-BIOS NONCE/] });
  t.diagnostic(`bios boot: ${r.durationMs} ms`);
  assert.ok(r.passed, `missing ${r.missing.join(', ')}; console tail:\n${r.log.split('\n').slice(-25).join('\n')}\n${net.logs()}`);
  const offers = net.events().filter((e) => e.kind === 'reply' && e.client?.mac === MAC);
  assert.ok(offers.some((e) => e.via === 'dhcp' && e.bootFile === 'pxelinux.0' && e.client?.archName === 'bios'), net.logs());
  assert.match(net.logs(), new RegExp(`DHCPACK\\(eth0\\) ${net.lan.prefix.replaceAll('.', '\\.')}\\.1\\d\\d ${MAC}`), 'dnsmasq gave the address');
});

test('OVMF (EDK2 PXE): address from dnsmasq, boot file through the ProxyDHCP offer and the port-4011 request, GRUB downloaded over TFTP and started', { timeout: 300_000 }, async (t) => {
  if (!requireNetns(t) || !requireTool(t, 'qemu-system-x86_64', 'dnsmasq', 'in.tftpd', 'grub-mknetdir')) return;
  const nonce = makeNonce();
  const net = await network(t, nonce);
  const r = await bootTap({ netns: net.lan.ns, tap: net.tap, mac: MAC, uuid: UUID, uefi: true, nic: 'virtio-net-pci,romfile=', nonce, timeoutMs: 200_000,
    expect: [new RegExp(`Server IP address is ${net.lan.prefix.replaceAll('.', '\\.')}\\.1\\b`), /NBP filename is grub\/x86_64-efi\/core\.efi/, /NBP file downloaded successfully/, /Welcome to GRUB!/] });
  t.diagnostic(`uefi boot: ${r.durationMs} ms`);
  assert.ok(r.passed, `missing ${r.missing.join(', ')}; console tail:\n${r.log.split('\n').slice(-25).join('\n')}\n${net.logs()}`);
  const replies = net.events().filter((e) => e.kind === 'reply' && e.client?.mac === MAC);
  assert.ok(replies.some((e) => e.via === 'dhcp' && e.client?.archName === 'efi-x64'), net.logs());
  assert.ok(replies.some((e) => e.via === 'pxe' && e.bootFile === 'grub/x86_64-efi/core.efi'), `EDK2 asked on port 4011: ${net.logs()}`);
  assert.match(net.logs(), new RegExp(`DHCPACK\\(eth0\\) ${net.lan.prefix.replaceAll('.', '\\.')}\\.1\\d\\d ${MAC}`), 'dnsmasq gave the address');
});
