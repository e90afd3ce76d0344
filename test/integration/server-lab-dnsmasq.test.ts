/**
 * The operator's path with dnsmasq, judged by real firmware: a tree is
 * published, `remaster server-config dnsmasq` prints the configuration, and
 * dnsmasq runs on it unchanged (plus the operator's own reservation file,
 * `dhcp-host=<other MAC>,<armed host's IP>`) in a private network namespace;
 * QEMU clients boot on taps of its bridge, each with a local disk that
 * prints a marker. The armed MAC installs; the other MAC, which DHCP gives
 * the armed host's address, reaches its disk and never a kernel:
 *
 * - BIOS, QEMU's iPXE ROM: boot.ipxe → ipxe/mac-<mac>.ipxe (armed) or sanboot
 *   of the disk.
 * - BIOS, plain PXE to pxelinux (`--no-ipxe`: the iPXE ROM is treated as the
 *   PXE firmware it replaces): pxelinux.cfg/01-<mac>; the other MAC finds
 *   neither its MAC name nor an IP name (none is written) → LOCALBOOT.
 * - UEFI, OVMF's own PXE → grub-mknetdir's GRUB: grub.cfg-01-<mac>; the other
 *   MAC finds grub.cfg-0A630032 (the armed IP) whose MAC check fails → the
 *   local entry chainloads \EFI\BOOT\BOOTX64.EFI.
 * - UEFI, iPXE EFI: QEMU's iPXE EFI ROM: boot.ipxe → the per-MAC script, or
 *   `exit 1`, after which the firmware tries its next boot option and
 *   reaches the disk. (Debian 12's ipxe.efi handed out as the UEFI boot file
 *   holds its "Press Ctrl-B" prompt for minutes under TCG before it returns;
 *   server-config warns when it would hand it out, and it is not booted here.)
 * - Secure Boot (OVMF enforcing, Microsoft keys): shim → Debian's signed GRUB
 *   → the Debian kernel; the other MAC → the signed GRUB's local entry →
 *   the disk's shim → its signed GRUB.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ensureFixtures } from '../helpers/fixtures.ts';
import { bootLabCases, type LabCase } from '../helpers/lab-boots.ts';
import { ARMED_IP, ARMED_MAC, grubNetDir, labFile, OTHER_MAC, publishLabTree, serverConfig, sharedDir, startDnsmasq } from '../helpers/lab-servers.ts';
import { LAB_IFACE, LAB_SERVER_IP, LAB_SUBNET, openNetLab } from '../helpers/netlab.ts';
import { ensurePackages, signedChainDir } from '../helpers/packages.ts';
import { makeNonce } from '../helpers/qemu.ts';
import { requireTool } from '../helpers/tools.ts';

const NET = ['--interface', LAB_IFACE, '--server-ip', LAB_SERVER_IP, '--subnet', LAB_SUBNET];
test('dnsmasq from server-config: BIOS (iPXE ROM, plain PXE → pxelinux) and UEFI (GRUB, iPXE EFI): the armed MAC installs, a MAC given the armed IP boots its disk', { timeout: 1_800_000, concurrency: false }, async (t) => {
  if (!requireTool(t, 'qemu-system-x86_64', 'dnsmasq', 'grub-mknetdir', 'grub-mkstandalone', 'mkfs.fat', 'mcopy')) return;
  const fx = await ensureFixtures(t);
  if (fx === undefined) return;
  const lab = await openNetLab(t);
  if (lab === undefined) return;
  const base = await sharedDir(t, 'remaster-lab-');
  const nonce = makeNonce();
  const { tftpRoot } = await publishLabTree(base, {
    kernel: fx.kernel.vmlinuz, initrd: fx.small.tinyGzip, nonce, loaders: { pxelinux: true, ipxe: true, grubNetDir: grubNetDir(base) },
  });
  // The operator's own reservation: the other machine gets the address the recipe gave the armed host.
  const reservation = await labFile(lab, 'reservations.conf', `dhcp-host=${OTHER_MAC},${ARMED_IP}\n`);
  const configs: [name: string, args: string[], cases: LabCase[]][] = [
    ['default', [], [
      { name: 'BIOS iPXE ROM, armed', client: { firmware: 'bios', mac: ARMED_MAC, nic: 'virtio-net-pci' }, outcome: 'install', also: [/ipxe\/mac-525400123456\.ipxe/] },
      { name: 'BIOS iPXE ROM, other MAC on the armed IP', client: { firmware: 'bios', mac: OTHER_MAC, nic: 'virtio-net-pci' }, outcome: 'disk', also: [/10\.99\.0\.50/] },
      { name: 'UEFI GRUB, armed', client: { firmware: 'uefi', mac: ARMED_MAC, nic: 'virtio-net-pci,romfile=' }, outcome: 'install' },
      { name: 'UEFI GRUB, other MAC on the armed IP', client: { firmware: 'uefi', mac: OTHER_MAC, nic: 'virtio-net-pci,romfile=' }, outcome: 'disk', also: [/is not 52:54:00:12:34:56; booting the local disk/] },
      { name: 'UEFI iPXE EFI ROM, armed', client: { firmware: 'uefi', mac: ARMED_MAC, nic: 'virtio-net-pci' }, outcome: 'install', also: [/iPXE/] },
      // exit 1 hands back to the firmware, which goes on to its next boot option (here its own PXE, then GRUB's local entry)
      { name: 'UEFI iPXE EFI ROM, other MAC on the armed IP', client: { firmware: 'uefi', mac: OTHER_MAC, nic: 'virtio-net-pci' }, outcome: 'disk', also: [/Booting from local disk/] },
    ]],
    ['plain PXE (--no-ipxe)', ['--no-ipxe'], [
      { name: 'BIOS PXE → pxelinux, armed', client: { firmware: 'bios', mac: ARMED_MAC, nic: 'virtio-net-pci' }, outcome: 'install', also: [/PXELINUX/, /BOOTIF=01-52-54-00-12-34-56/] },
      { name: 'BIOS PXE → pxelinux, other MAC on the armed IP', client: { firmware: 'bios', mac: OTHER_MAC, nic: 'virtio-net-pci' }, outcome: 'disk', also: [/PXELINUX/] },
    ]],
  ];
  for (const [name, args, cases] of configs) {
    const conf = await labFile(lab, `dnsmasq-${configs.findIndex((c) => c[0] === name)}.conf`, (await serverConfig(['dnsmasq', tftpRoot, ...NET, ...args])).text);
    const dnsmasq = await startDnsmasq(lab, 'dnsmasq', [conf, reservation]);
    try {
      await bootLabCases(t, lab, nonce, cases);
    } finally {
      await dnsmasq.stop();
    }
  }
});

test('dnsmasq from server-config, Secure Boot enforcing: shim → signed GRUB installs the armed MAC; the MAC on the armed IP boots its disk\'s shim', { timeout: 900_000 }, async (t) => {
  if (!requireTool(t, 'qemu-system-x86_64', 'dnsmasq', 'mkfs.fat', 'mcopy')) return;
  const fx = await ensureFixtures(t);
  const pkgs = fx === undefined ? undefined : await ensurePackages(t);
  if (fx === undefined || pkgs === undefined) return;
  const lab = await openNetLab(t);
  if (lab === undefined) return;
  const base = await sharedDir(t, 'remaster-lab-sb-');
  const nonce = makeNonce();
  const { tftpRoot } = await publishLabTree(base, {
    kernel: fx.kernel.vmlinuz, initrd: fx.small.tinyGzip, nonce,
    loaders: { pxelinux: true, ipxe: false, grubSigned: await signedChainDir(pkgs, base) },
  });
  const config = await serverConfig(['dnsmasq', tftpRoot, ...NET]);
  assert.match(config.text, /^dhcp-boot=tag:efi64,tag:!ipxe,shimx64\.efi,,10\.99\.0\.1$/mu);
  const conf = await labFile(lab, 'dnsmasq-sb.conf', config.text);
  const reservation = await labFile(lab, 'reservations.conf', `dhcp-host=${OTHER_MAC},${ARMED_IP}\n`);
  const dnsmasq = await startDnsmasq(lab, 'dnsmasq', [conf, reservation]);
  try {
    // romfile= leaves OVMF its own PXE: iPXE's EFI ROM reports a 4 MiB size for every TFTP read, which shim rejects.
    await bootLabCases(t, lab, nonce, [
      { name: 'Secure Boot shim, armed', client: { firmware: 'uefi-secure', mac: ARMED_MAC, nic: 'virtio-net-pci,romfile=' }, outcome: 'install', also: [/Secure boot enabled/] },
      { name: 'Secure Boot shim, other MAC on the armed IP', client: { firmware: 'uefi-secure', mac: OTHER_MAC, nic: 'virtio-net-pci,romfile=' }, outcome: 'disk' },
    ], { shim: pkgs.shim, grub: `${pkgs.sysroot}/usr/lib/grub/x86_64-efi-signed/grubx64.efi.signed` });
  } finally {
    await dnsmasq.stop();
  }
});
