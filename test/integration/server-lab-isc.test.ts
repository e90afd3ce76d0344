/**
 * The operator's path with ISC dhcpd, tftpd-hpa `--secure` and nginx,
 * judged by real firmware: the tree is published with an HTTP root pxelinux
 * (through lpxelinux.0) and iPXE fetching kernel and initrd over HTTP from
 * nginx, and Debian's signed GRUB over TFTP from tftpd-hpa (the signed image
 * has no http module, so publish refuses grub over HTTP with it); `remaster server-config isc|tftpd-hpa|nginx`
 * print the three configurations and the daemons run on them unchanged in a
 * private network namespace (dhcpd.conf is included by the operator's file
 * that also holds a reservation giving another machine the armed host's
 * address; nginx's server block is included by Debian's nginx.conf;
 * /etc/default/tftpd-hpa feeds the init script's command line). Then
 * `server-config dnsmasq --proxy` runs beside a plain dhcpd that hands out
 * addresses only. The UEFI loader here is Debian's signed chain (shim →
 * signed GRUB), with and without Secure Boot.
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { ensureFixtures } from '../helpers/fixtures.ts';
import { bootLabCases, type LabCase } from '../helpers/lab-boots.ts';
import {
  ARMED_IP, ARMED_MAC, labFile, nginxMainConfig, OTHER_MAC, publishLabTree, serverConfig, sharedDir, startDhcpd, startDnsmasq, startNginx, startTftpdHpa,
} from '../helpers/lab-servers.ts';
import { LAB_IFACE, LAB_SERVER_IP, LAB_SUBNET, openNetLab, type LabDaemon, type NetLab } from '../helpers/netlab.ts';
import { ensurePackages, signedChainDir } from '../helpers/packages.ts';
import { makeNonce } from '../helpers/qemu.ts';
import { requireTool } from '../helpers/tools.ts';

const NET = ['--interface', LAB_IFACE, '--server-ip', LAB_SERVER_IP, '--subnet', LAB_SUBNET];
/** The kernel and initrd requests nginx answered 200 since `from` lines of its access log. */
async function httpFetches(lab: NetLab, from: number): Promise<{ lines: number; kernels: number; initrds: number }> {
  const lines = (await readFile(join(lab.dir, 'nginx-access.log'), 'utf8')).split('\n').filter(Boolean);
  const fresh = lines.slice(from);
  const count = (name: string): number => fresh.filter((l) => new RegExp(`"GET /remaster/[0-9a-f]{16}/${name} HTTP/1\\.[01]" 200 `, 'u').test(l)).length;
  return { lines: lines.length, kernels: count('vmlinuz'), initrds: count('initrd\\.img') };
}

test('ISC dhcpd + tftpd-hpa --secure + nginx from server-config, pxelinux and iPXE over HTTP: BIOS (iPXE, pxelinux), UEFI and Secure Boot install the armed MAC; the MAC on the armed IP boots its disk; then dnsmasq --proxy beside a plain dhcpd', { timeout: 2_400_000 }, async (t) => {
  if (!requireTool(t, 'qemu-system-x86_64', 'dhcpd', 'in.tftpd', 'nginx', 'dnsmasq', 'grub-mkstandalone', 'mkfs.fat', 'mcopy')) return;
  const fx = await ensureFixtures(t);
  const pkgs = fx === undefined ? undefined : await ensurePackages(t);
  if (fx === undefined || pkgs === undefined) return;
  const lab = await openNetLab(t);
  if (lab === undefined) return;
  const base = await sharedDir(t, 'remaster-lab-isc-');
  const nonce = makeNonce();
  const { tftpRoot } = await publishLabTree(base, {
    kernel: fx.kernel.vmlinuz, initrd: fx.small.tinyGzip, nonce, httpUrl: `http://${LAB_SERVER_IP}`, http: { pxelinux: true, grub: false, ipxe: true },
    loaders: { pxelinux: true, ipxe: true, grubSigned: await signedChainDir(pkgs, base) },
  });
  const tftpd = await startTftpdHpa(lab, (await serverConfig(['tftpd-hpa', tftpRoot, '--server-ip', LAB_SERVER_IP])).text);
  await startNginx(lab, await nginxMainConfig(lab, await labFile(lab, 'remaster-nginx.conf', (await serverConfig(['nginx', tftpRoot, '--server-ip', LAB_SERVER_IP])).text)));
  const reservation = `host other { hardware ethernet ${OTHER_MAC}; fixed-address ${ARMED_IP}; }\n`;
  const groups: [name: string, args: string[], cases: LabCase[]][] = [
    ['default', [], [
      { name: 'BIOS iPXE ROM, armed, over HTTP', client: { firmware: 'bios', mac: ARMED_MAC, nic: 'virtio-net-pci' }, outcome: 'install', also: [/http:\/\/10\.99\.0\.1\/remaster\/[0-9a-f]{16}\/vmlinuz\.\.\.[^\n]*ok/] },
      { name: 'UEFI shim → GRUB, armed, over TFTP', client: { firmware: 'uefi', mac: ARMED_MAC, nic: 'virtio-net-pci,romfile=' }, outcome: 'install' },
      { name: 'UEFI shim → GRUB, other MAC on the armed IP', client: { firmware: 'uefi', mac: OTHER_MAC, nic: 'virtio-net-pci,romfile=' }, outcome: 'disk' },
      { name: 'UEFI iPXE EFI ROM, armed, over HTTP', client: { firmware: 'uefi', mac: ARMED_MAC, nic: 'virtio-net-pci' }, outcome: 'install' },
      { name: 'Secure Boot shim → GRUB, armed, over TFTP', client: { firmware: 'uefi-secure', mac: ARMED_MAC, nic: 'virtio-net-pci,romfile=' }, outcome: 'install', also: [/Secure boot enabled/] },
    ]],
    ['plain PXE (--no-ipxe)', ['--no-ipxe'], [
      { name: 'BIOS PXE → lpxelinux, armed, over HTTP', client: { firmware: 'bios', mac: ARMED_MAC, nic: 'virtio-net-pci' }, outcome: 'install', also: [/PXELINUX/, /BOOTIF=01-52-54-00-12-34-56/] },
      { name: 'BIOS PXE → lpxelinux, other MAC on the armed IP', client: { firmware: 'bios', mac: OTHER_MAC, nic: 'virtio-net-pci' }, outcome: 'disk', also: [/PXELINUX/] },
    ]],
  ];
  let seen = 0;
  for (const [name, args, cases] of groups) {
    const printed = await labFile(lab, `dhcpd-remaster-${seen}.conf`, (await serverConfig(['isc', tftpRoot, ...NET, ...args])).text);
    const conf = await labFile(lab, `dhcpd-${seen}.conf`, `include "${printed}";\n${reservation}`);
    const dhcpd = await startDhcpd(lab, 'dhcpd', conf, LAB_IFACE);
    try {
      await bootLabCases(t, lab, nonce, cases);
    } finally {
      await dhcpd.stop();
    }
    const fetched = await httpFetches(lab, seen);
    const installs = cases.filter((c) => c.outcome === 'install' && c.name.endsWith('over HTTP')).length;
    assert.ok(fetched.kernels >= installs && fetched.initrds >= installs, `${name}: kernel and initrd over HTTP for each install by a loader over HTTP (${JSON.stringify(fetched)})`);
    seen = fetched.lines;
  }
  // proxyDHCP: the site's DHCP server (another machine on the segment) hands out addresses only;
  // remaster's dnsmasq adds the boot files and serves TFTP in place of tftpd-hpa. UEFI shim → GRUB is not
  // booted here: GRUB 2.06 takes its server from the site's DHCPACK (server-config warns; README limits).
  await tftpd.stop();
  const site = await lab.addPeer(2);
  const plain = await labFile(lab, 'dhcpd-plain.conf', `subnet 10.99.0.0 netmask 255.255.255.0 {\n  range 10.99.0.100 10.99.0.120;\n}\n`);
  const dhcpd = await startDhcpd(lab, 'dhcpd-plain', plain, 'eth0', site);
  let proxy: LabDaemon | undefined;
  try {
    proxy = await startDnsmasq(lab, 'dnsmasq-proxy', [await labFile(lab, 'dnsmasq-proxy.conf', (await serverConfig(['dnsmasq', tftpRoot, ...NET, '--proxy'])).text)]);
    await bootLabCases(t, lab, nonce, [
      { name: 'proxyDHCP: BIOS iPXE ROM, armed', client: { firmware: 'bios', mac: ARMED_MAC, nic: 'virtio-net-pci' }, outcome: 'install' },
    ]);
  } finally {
    await proxy?.stop();
    await dhcpd.stop();
  }
});
