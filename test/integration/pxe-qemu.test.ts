/**
 * The judges: a tree published by publishTree, served by QEMU's user-mode
 * TFTP, booted by real firmware and loaders (reference 10). Each
 * configuration boots once:
 * - BIOS, armed MAC: SeaBIOS → iPXE ROM → pxelinux.0 → pxelinux.cfg/01-<mac>
 *   → the published kernel + busybox marker initrd (built with our writer)
 *   + kickstart overlay; the marker carries the nonce and /proc/cmdline has
 *   inst.ks=file:/ks.cfg.
 * - BIOS, unlisted MAC: pxelinux.cfg/default → LOCALBOOT 0 → back to
 *   SeaBIOS, which finds no disk. Expectation: "PXELINUX" then SeaBIOS's
 *   "No bootable device", and no "Linux version" (the kernel never starts).
 * - UEFI, armed MAC: OVMF → GRUB core.efi from grub-mknetdir → GRUB's
 *   config search finds grub.cfg-01-<mac> → kernel + initrd → marker.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { hostEntries, publishTree } from '../../src/index.ts';
import { buildImage } from '../helpers/edit.ts';
import { ensureFixtures } from '../helpers/fixtures.ts';
import { bootPxe, makeNonce } from '../helpers/qemu.ts';
import { requireTool } from '../helpers/tools.ts';
import { KS_RHEL9, makeRoots, tempDir } from '../unit/pxe/support.ts';

const ARMED = '52:54:00:12:34:56';
const OTHER = '52:54:00:99:88:77';

async function publishForBoot(t: TestContext, nonce: string, grubNetDir?: string) {
  const fx = await ensureFixtures(t);
  if (fx === undefined) return undefined;
  const dir = await tempDir('remaster-qemu-pxe-');
  const initrd = join(dir, 'initrd.img');
  await writeFile(initrd, await buildImage(await hostEntries(fx.small.root, '/'), 'gzip'));
  const { tftpRoot } = await makeRoots();
  await publishTree({
    tftpRoot, kernel: fx.kernel.vmlinuz, initrd, dialect: 'rhel9', label: 'qemu test',
    cmdline: ['console=ttyS0', 'panic=-1', `remaster.nonce=${nonce}`], hosts: [{ mac: ARMED, kickstart: KS_RHEL9 }],
    loaders: { pxelinux: true, ipxe: false, ...(grubNetDir !== undefined ? { grubNetDir } : {}) },
  });
  return tftpRoot;
}

function report(t: TestContext, name: string, r: { durationMs: number; log: string; missing: RegExp[]; passed: boolean }) {
  t.diagnostic(`${name}: ${r.durationMs} ms`);
  assert.ok(r.passed, `${name}: missing ${r.missing.join(', ')}; console tail:\n${r.log.split('\n').slice(-25).join('\n')}`);
}

test('BIOS pxelinux boots the published kernel + initrd through the per-MAC entry', { timeout: 180_000 }, async (t) => {
  if (!requireTool(t, 'qemu-system-x86_64')) return;
  const nonce = makeNonce();
  const root = await publishForBoot(t, nonce);
  if (root === undefined) return;
  const r = await bootPxe({ tftpRoot: root, bootfile: 'pxelinux.0', mac: ARMED, nonce, timeoutMs: 150_000,
    expect: [/REMASTER-MARKER init=main nonce=NONCE /, /REMASTER-CMDLINE .*inst\.ks=file:\/ks\.cfg.*remaster\.nonce=NONCE|REMASTER-CMDLINE .*remaster\.nonce=NONCE.*inst\.ks=file:\/ks\.cfg/, /BOOTIF=01-52-54-00-12-34-56/] });
  report(t, 'bios pxelinux armed', r);
});

test('BIOS pxelinux sends an unlisted MAC to the local disk and never starts the kernel', { timeout: 180_000 }, async (t) => {
  if (!requireTool(t, 'qemu-system-x86_64')) return;
  const nonce = makeNonce();
  const root = await publishForBoot(t, nonce);
  if (root === undefined) return;
  const r = await bootPxe({ tftpRoot: root, bootfile: 'pxelinux.0', mac: OTHER, nonce, timeoutMs: 120_000, expect: [/PXELINUX 6/, /No bootable device/] });
  report(t, 'bios pxelinux unlisted', r);
  assert.doesNotMatch(r.log, /Linux version|REMASTER-MARKER/u);
});

test('UEFI GRUB netboot finds grub.cfg-01-<mac> and boots the published kernel + initrd', { timeout: 240_000 }, async (t) => {
  if (!requireTool(t, 'qemu-system-x86_64', 'grub-mknetdir')) return;
  const net = await tempDir('remaster-grub-');
  const made = spawnSync('grub-mknetdir', [`--net-directory=${net}`, '--subdir=boot/grub', '-d', '/usr/lib/grub/x86_64-efi'], { encoding: 'utf8' });
  assert.equal(made.status, 0, made.stderr);
  const nonce = makeNonce();
  const root = await publishForBoot(t, nonce, join(net, 'boot/grub'));
  if (root === undefined) return;
  const r = await bootPxe({ tftpRoot: root, bootfile: 'boot/grub/x86_64-efi/core.efi', mac: ARMED, nonce, uefi: true, timeoutMs: 200_000,
    expect: [/REMASTER-MARKER init=main nonce=NONCE /, /REMASTER-CMDLINE .*inst\.ks=file:\/ks\.cfg/] });
  report(t, 'uefi grub armed', r);
});
