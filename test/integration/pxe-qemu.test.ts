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
 * - BIOS iPXE, armed MAC: SeaBIOS → QEMU's own iPXE ROM, DHCP bootfile
 *   boot.ipxe → `chain ipxe/mac-${net0/mac:hexraw}.ipxe` → kernel + both
 *   initrds over TFTP → marker.
 * - BIOS iPXE over HTTP, armed MAC: the same, with kernel and initrd fetched
 *   from the HTTP root (http://10.0.2.100/, served inside QEMU by guestfwd)
 *   and inst.ks= pointing at the kickstart's URL.
 * - BIOS iPXE, unlisted MAC: the chain finds no script → ":local" →
 *   sanboot of the first disk fails (there is none) → back to SeaBIOS;
 *   the kernel never starts.
 * - Ubuntu autoinstall, armed MAC, over pxelinux, UEFI GRUB and iPXE: the
 *   published `autoinstall ds=nocloud-net;s=<url>/` is on /proc/cmdline as
 *   whole words (GRUB got it with `;` escaped), and the URL's directory holds
 *   the published user-data and meta-data.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { hostEntries, publishTree, type PxeHost } from '../../src/index.ts';
import { buildImage } from '../helpers/edit.ts';
import { ensureFixtures } from '../helpers/fixtures.ts';
import { ensurePackages, signedChainDir } from '../helpers/packages.ts';
import { bootPxe, GUEST_HTTP_URL, makeNonce } from '../helpers/qemu.ts';
import { requireTool } from '../helpers/tools.ts';
import { KS_RHEL9, makeRoots, tempDir } from '../unit/pxe/support.ts';

const ARMED = '52:54:00:12:34:56';
const OTHER = '52:54:00:99:88:77';

/** Autoinstall user-data for the Ubuntu cases (served over HTTP; the marker initrd never fetches it). */
const USER_DATA = `#cloud-config
autoinstall:
  version: 1
  identity: {hostname: qemu-pxe, username: ops, password: '$6$remaster$gljQ6gJBBOZ4T4iAMfRy6SCVbUVFF.kIxTjUHIGjeGFCREZ8IFpKqbJ.u9A9AXiJmXBW.Ar6n91/iNInGPgNb1'}
`;

async function publishForBoot(t: TestContext, nonce: string, c: Pick<BootCase, 'grubNetDir' | 'http' | 'grubSigned' | 'autoinstall'>) {
  const fx = await ensureFixtures(t);
  if (fx === undefined) return undefined;
  const dir = await tempDir('remaster-qemu-pxe-');
  const initrd = join(dir, 'initrd.img');
  await writeFile(initrd, await buildImage(await hostEntries(fx.small.root, '/'), 'gzip'));
  let answerFile = KS_RHEL9;
  if (c.autoinstall === true) {
    answerFile = join(dir, 'user-data');
    await writeFile(answerFile, USER_DATA);
  }
  const { tftpRoot, httpRoot } = await makeRoots();
  const http = c.http ?? (c.autoinstall === true ? { grub: false } : undefined);
  const published = await publishTree({
    tftpRoot, ...(http ? { httpRoot, httpUrl: GUEST_HTTP_URL, http: { grub: http.grub } } : {}), kernel: fx.kernel.vmlinuz, initrd, label: 'qemu test',
    ...(c.autoinstall === true ? { dialect: 'ubuntu' as const, answers: 'autoinstall' as const } : { dialect: 'rhel9' as const }),
    cmdline: ['console=ttyS0', 'panic=-1', `remaster.nonce=${nonce}`], hosts: [{ mac: ARMED, kickstart: answerFile }],
    loaders: { pxelinux: true, ipxe: false, ...(c.grubNetDir !== undefined ? { grubNetDir: c.grubNetDir } : {}), ...(c.grubSigned !== undefined ? { grubSigned: c.grubSigned } : {}) },
  });
  return { tftpRoot, httpRoot, hosts: published.manifest.model.hosts };
}

/** Run grub-mknetdir (x86_64-efi, prefix boot/grub) and return its prefix directory. */
async function grubNetDir(): Promise<string> {
  const net = await tempDir('remaster-grub-');
  const made = spawnSync('grub-mknetdir', [`--net-directory=${net}`, '--subdir=boot/grub', '-d', '/usr/lib/grub/x86_64-efi'], { encoding: 'utf8' });
  assert.equal(made.status, 0, made.stderr);
  return join(net, 'boot/grub');
}

interface BootCase {
  name: string;
  bootfile: string;
  mac: string;
  expect: RegExp[];
  timeoutMs: number;
  uefi?: boolean;
  /** OVMF with Secure Boot enforced and Microsoft's keys enrolled. */
  secureBoot?: boolean;
  /** NIC device (default virtio-net-pci with QEMU's iPXE ROM). */
  nic?: string;
  grubNetDir?: string;
  /** A directory holding Debian's shimx64.efi.signed and grubnetx64.efi.signed. */
  grubSigned?: string;
  /** Publish with an HTTP root and serve it at GUEST_HTTP_URL; grub: GRUB loads over HTTP too. */
  http?: { grub: boolean };
  /** Publish an Ubuntu tree whose armed host has autoinstall user-data (HTTP root included; GRUB loads over TFTP). */
  autoinstall?: boolean;
  /** Expectations that need the published tree (e.g. the exact URL of the host's answers). */
  expectAfterPublish?: (roots: { hosts: readonly PxeHost[] }) => RegExp[];
}

/** Publish, boot once, assert every expectation; return the run and the roots (undefined when skipped). */
async function bootPublished(t: TestContext, c: BootCase) {
  const nonce = makeNonce();
  const roots = await publishForBoot(t, nonce, c);
  if (roots === undefined) return undefined;
  const expect = [...c.expect, ...(c.expectAfterPublish?.(roots) ?? [])];
  const http = c.http ?? (c.autoinstall === true ? { grub: false } : undefined);
  const httpLog = join(await tempDir('remaster-qemu-http-'), 'http.log');
  await writeFile(httpLog, '');
  const r = await bootPxe({
    tftpRoot: roots.tftpRoot, bootfile: c.bootfile, mac: c.mac, nonce, timeoutMs: c.timeoutMs, expect,
    ...(c.uefi === true ? { uefi: true } : {}), ...(c.secureBoot === true ? { secureBoot: true } : {}), ...(c.nic !== undefined ? { nic: c.nic } : {}), ...(http !== undefined ? { httpRoot: roots.httpRoot, httpLog } : {}),
  });
  t.diagnostic(`${c.name}: ${r.durationMs} ms`);
  assert.ok(r.passed, `${c.name}: missing ${r.missing.join(', ')}; console tail:\n${r.log.split('\n').slice(-25).join('\n')}`);
  return { r, roots, httpLog };
}

test('BIOS pxelinux boots the published kernel + initrd through the per-MAC entry', { timeout: 180_000 }, async (t) => {
  if (!requireTool(t, 'qemu-system-x86_64')) return;
  await bootPublished(t, { name: 'bios pxelinux armed', bootfile: 'pxelinux.0', mac: ARMED, timeoutMs: 150_000,
    expect: [/REMASTER-MARKER init=main nonce=NONCE /, /REMASTER-CMDLINE .*inst\.ks=file:\/ks\.cfg.*remaster\.nonce=NONCE|REMASTER-CMDLINE .*remaster\.nonce=NONCE.*inst\.ks=file:\/ks\.cfg/, /BOOTIF=01-52-54-00-12-34-56/] });
});

test('BIOS pxelinux sends an unlisted MAC to the local disk and never starts the kernel', { timeout: 180_000 }, async (t) => {
  if (!requireTool(t, 'qemu-system-x86_64')) return;
  const run = await bootPublished(t, { name: 'bios pxelinux unlisted', bootfile: 'pxelinux.0', mac: OTHER, timeoutMs: 120_000, expect: [/PXELINUX 6/, /No bootable device/] });
  if (run) assert.doesNotMatch(run.r.log, /Linux version|REMASTER-MARKER/u);
});

test('UEFI GRUB netboot finds grub.cfg-01-<mac> and boots the published kernel + initrd', { timeout: 240_000 }, async (t) => {
  if (!requireTool(t, 'qemu-system-x86_64', 'grub-mknetdir')) return;
  await bootPublished(t, { name: 'uefi grub armed', bootfile: 'boot/grub/x86_64-efi/core.efi', mac: ARMED, uefi: true, grubNetDir: await grubNetDir(), timeoutMs: 200_000,
    expect: [/REMASTER-MARKER init=main nonce=NONCE /, /REMASTER-CMDLINE .*inst\.ks=file:\/ks\.cfg/] });
});

test('BIOS iPXE runs boot.ipxe, chains the per-MAC script and boots the published kernel + initrd', { timeout: 180_000 }, async (t) => {
  if (!requireTool(t, 'qemu-system-x86_64')) return;
  const run = await bootPublished(t, { name: 'bios ipxe armed', bootfile: 'boot.ipxe', mac: ARMED, timeoutMs: 150_000,
    expect: [/REMASTER-MARKER init=main nonce=NONCE /, /REMASTER-CMDLINE .*inst\.ks=file:\/ks\.cfg/, /REMASTER-CMDLINE .*initrd=initrd\.img initrd=ks\.img/] });
  if (run) assert.match(run.r.log, /ipxe\/mac-525400123456\.ipxe/u, 'iPXE fetched the per-MAC script');
});

test('BIOS iPXE sends an unlisted MAC to the local disk and never starts the kernel', { timeout: 180_000 }, async (t) => {
  if (!requireTool(t, 'qemu-system-x86_64')) return;
  const run = await bootPublished(t, { name: 'bios ipxe unlisted', bootfile: 'boot.ipxe', mac: OTHER, timeoutMs: 120_000, expect: [/Booting from local disk/, /No bootable device/] });
  if (run) assert.doesNotMatch(run.r.log, /Linux version|REMASTER-MARKER/u);
});

const KS_URL = /REMASTER-CMDLINE .*inst\.ks=http:\/\/10\.0\.2\.100(\/remaster\/[0-9a-f]{16}\/ks\.cfg)/u;

/** Kernel and initrd came over HTTP (every request answered 200), and the kickstart URL names a published file. */
async function assertFetchedOverHttp(run: NonNullable<Awaited<ReturnType<typeof bootPublished>>>): Promise<void> {
  const fetched = (await readFile(run.httpLog, 'utf8')).trim().split('\n');
  assert.ok(fetched.some((l) => /^200 \/remaster\/[0-9a-f]{16}\/vmlinuz$/u.test(l)), `kernel over HTTP: ${fetched.join('; ')}`);
  assert.ok(fetched.some((l) => /^200 \/remaster\/[0-9a-f]{16}\/initrd\.img$/u.test(l)), `initrd over HTTP: ${fetched.join('; ')}`);
  assert.ok(fetched.every((l) => l.startsWith('200 ')), `every HTTP request succeeded: ${fetched.join('; ')}`);
  const ksPath = KS_URL.exec(run.r.log)?.[1] as string;
  assert.match(await readFile(join(run.roots.httpRoot, ksPath), 'utf8'), /^%packages/mu, 'the kickstart URL serves the published kickstart');
}

test('BIOS iPXE fetches the published kernel + initrd over HTTP and passes the kickstart URL', { timeout: 180_000 }, async (t) => {
  if (!requireTool(t, 'qemu-system-x86_64')) return;
  const run = await bootPublished(t, { name: 'bios ipxe http', bootfile: 'boot.ipxe', mac: ARMED, http: { grub: false }, timeoutMs: 150_000,
    expect: [/REMASTER-MARKER init=main nonce=NONCE /, KS_URL] });
  if (run) await assertFetchedOverHttp(run);
});

test('UEFI GRUB fetches the published kernel + initrd over HTTP', { timeout: 240_000 }, async (t) => {
  if (!requireTool(t, 'qemu-system-x86_64', 'grub-mknetdir')) return;
  const run = await bootPublished(t, { name: 'uefi grub http', bootfile: 'boot/grub/x86_64-efi/core.efi', mac: ARMED, uefi: true, grubNetDir: await grubNetDir(),
    http: { grub: true }, timeoutMs: 200_000, expect: [/REMASTER-MARKER init=main nonce=NONCE /, KS_URL] });
  if (run) await assertFetchedOverHttp(run);
});

/** Debian's signed shim and network GRUB, side by side under the names Debian ships them. */
async function signedChain(t: TestContext): Promise<string | undefined> {
  const pkgs = await ensurePackages(t);
  return pkgs === undefined ? undefined : signedChainDir(pkgs, await tempDir('remaster-signed-'));
}

test('UEFI shim → Debian\'s signed network GRUB → grub.cfg sources the colon-MAC file → the published kernel + initrd', { timeout: 240_000 }, async (t) => {
  if (!requireTool(t, 'qemu-system-x86_64')) return;
  const grubSigned = await signedChain(t);
  if (grubSigned === undefined) return;
  const run = await bootPublished(t, { name: 'uefi shim signed grub', bootfile: 'shimx64.efi', mac: ARMED, uefi: true, grubSigned, timeoutMs: 200_000,
    expect: [/REMASTER-MARKER init=main nonce=NONCE /, /REMASTER-CMDLINE .*inst\.ks=file:\/ks\.cfg/] });
  if (run) assert.doesNotMatch(run.r.log, /Secure boot enabled/u, 'this run is the one without Secure Boot');
});

test('UEFI Secure Boot (enforcing, Microsoft keys): shim verifies the signed GRUB, GRUB verifies the Debian kernel, the published initrd boots', { timeout: 300_000 }, async (t) => {
  if (!requireTool(t, 'qemu-system-x86_64')) return;
  const grubSigned = await signedChain(t);
  if (grubSigned === undefined) return;
  // romfile= drops QEMU's iPXE option ROM, so OVMF's own PXE stack loads shim (iPXE's EFI PXE
  // reports a 4 MiB size for every TFTP read, which shim's verifier rejects as a malformed image).
  await bootPublished(t, { name: 'uefi secure boot shim', bootfile: 'shimx64.efi', mac: ARMED, uefi: true, secureBoot: true, grubSigned, nic: 'virtio-net-pci,romfile=', timeoutMs: 280_000,
    expect: [/Secure boot enabled/, /REMASTER-MARKER init=main nonce=NONCE /, /REMASTER-CMDLINE .*inst\.ks=file:\/ks\.cfg/] });
});

/**
 * The armed host's NoCloud arguments exactly as published (`autoinstall ds=nocloud-net;s=<its URL>/`),
 * as whole words of the command line the kernel got: the `;` survived the loader (GRUB's lexer would end
 * the command there unless it is escaped) and nothing was cut or doubled.
 */
function autoinstallCmdline({ hosts }: { hosts: readonly PxeHost[] }): RegExp[] {
  const url = hosts[0]?.kickstart?.httpUrl;
  assert.match(url ?? '', /^http:\/\/10\.0\.2\.100\/remaster\/[0-9a-f]{16}\/$/u, 'the published NoCloud directory URL');
  const words = `autoinstall ds=nocloud-net;s=${url}`.replace(/[.*+?^${}()|[\]\\/]/gu, '\\$&');
  return [new RegExp(`REMASTER-CMDLINE (?:.* )?${words}(?: |$)`, 'mu')];
}

/** The URL on the command line serves the published user-data and meta-data. */
async function assertNoCloudServed(run: NonNullable<Awaited<ReturnType<typeof bootPublished>>>): Promise<void> {
  const path = /ds=nocloud-net;s=http:\/\/10\.0\.2\.100\/(remaster\/[0-9a-f]{16}\/)/u.exec(run.r.log)?.[1] as string;
  assert.equal(await readFile(join(run.roots.httpRoot, path, 'user-data'), 'utf8'), USER_DATA);
  assert.match(await readFile(join(run.roots.httpRoot, path, 'meta-data'), 'utf8'), /^instance-id: /u);
}

test('autoinstall over BIOS pxelinux: ds=nocloud-net;s=<url>/ reaches /proc/cmdline intact', { timeout: 180_000 }, async (t) => {
  if (!requireTool(t, 'qemu-system-x86_64')) return;
  const run = await bootPublished(t, { name: 'bios pxelinux autoinstall', bootfile: 'pxelinux.0', mac: ARMED, autoinstall: true, timeoutMs: 150_000,
    expect: [/REMASTER-MARKER init=main nonce=NONCE /], expectAfterPublish: autoinstallCmdline });
  if (run) await assertNoCloudServed(run);
});

test('autoinstall over UEFI GRUB: the escaped ds=nocloud-net\\;s=<url>/ reaches /proc/cmdline as one intact word', { timeout: 240_000 }, async (t) => {
  if (!requireTool(t, 'qemu-system-x86_64', 'grub-mknetdir')) return;
  const run = await bootPublished(t, { name: 'uefi grub autoinstall', bootfile: 'boot/grub/x86_64-efi/core.efi', mac: ARMED, uefi: true, grubNetDir: await grubNetDir(), autoinstall: true, timeoutMs: 200_000,
    expect: [/REMASTER-MARKER init=main nonce=NONCE /], expectAfterPublish: autoinstallCmdline });
  if (run) {
    assert.doesNotMatch(run.r.log, /error: can't find command|error: .*s=http/u, 'GRUB did not run the part after ; as a command');
    await assertNoCloudServed(run);
  }
});

test('autoinstall over BIOS iPXE: ds=nocloud-net;s=<url>/ reaches /proc/cmdline intact', { timeout: 180_000 }, async (t) => {
  if (!requireTool(t, 'qemu-system-x86_64')) return;
  const run = await bootPublished(t, { name: 'bios ipxe autoinstall', bootfile: 'boot.ipxe', mac: ARMED, autoinstall: true, timeoutMs: 150_000,
    expect: [/REMASTER-MARKER init=main nonce=NONCE /], expectAfterPublish: autoinstallCmdline });
  if (run) await assertNoCloudServed(run);
});
