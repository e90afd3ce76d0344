/**
 * Real Debian packages made by fixtures/fetch-packages.sh (mdadm, libudev1,
 * libc6, shim-signed, grub-efi-amd64-signed and a sysroot with all of them unpacked). Tests call
 * ensurePackages(t): the first call in a process runs the script (it is
 * idempotent and locks its output directory, so parallel test files wait for
 * one run). When apt cannot deliver the packages the test is skipped locally
 * with a visible notice and fails under CI=true.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { symlink } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { TestContext } from 'node:test';
import { fixturesDir } from './fixtures.ts';

const SCRIPT = resolve(import.meta.dirname, '..', '..', 'fixtures', 'fetch-packages.sh');

/** Paths of the fetched packages; every file exists when ensurePackages returns it. */
export interface PackagePaths {
  dir: string;
  /** mdadm_*.deb (sbin/mdadm needs libudev.so.1 and libc.so.6). */
  mdadm: string;
  libudev1: string;
  libc6: string;
  /** The packages unpacked with dpkg-deb -x into one tree. */
  sysroot: string;
  /** Debian's signed Secure Boot network chain, as shipped (in the sysroot). */
  shim: string;
  signedGrub: string;
}

let run: Promise<string | undefined> | undefined;
let mediaRun: Promise<string | undefined> | undefined;

function fetchOnce(dir: string, set = 'default'): Promise<string | undefined> {
  return new Promise((done) => {
    const child = spawn('bash', [SCRIPT, dir, set], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.on('error', (err) => done(`cannot run fetch-packages.sh: ${err.message}`));
    child.on('close', (code) => done(code === 0 ? undefined : `fetch-packages.sh exited with ${code}: ${stderr.trim().split('\n').slice(-2).join(' | ')}`));
  });
}

/** Make sure the packages exist and return their paths; skip (or fail under CI=true) otherwise. */
export async function ensurePackages(t: TestContext): Promise<PackagePaths | undefined> {
  const dir = join(fixturesDir(), 'packages');
  run ??= fetchOnce(dir);
  const failure = await run;
  if (failure === undefined) {
    const sysroot = join(dir, 'sysroot');
    return {
      dir, mdadm: join(dir, 'mdadm.deb'), libudev1: join(dir, 'libudev1.deb'), libc6: join(dir, 'libc6.deb'), sysroot,
      shim: join(sysroot, 'usr/lib/shim/shimx64.efi.signed'), signedGrub: join(sysroot, 'usr/lib/grub/x86_64-efi-signed/grubnetx64.efi.signed'),
    };
  }
  return skipWithout(t, failure);
}

function skipWithout(t: TestContext, failure: string): undefined {
  const msg = `needs the real packages (${failure})`;
  if (process.env.CI === 'true') throw new Error(`${msg}; CI must be able to run fixtures/fetch-packages.sh`);
  t.diagnostic(`SKIPPED: ${msg}`);
  t.skip(msg);
  return undefined;
}

/** ISOs and boot files Debian ships (fetch-packages.sh set boot-media), as extracted from their packages. */
export interface BootMediaPaths {
  /** grub-rescue-pc: GRUB2 El Torito image, GRUB2 MBR, boot/grub/grub.cfg with a `linux16 /memtest86+.bin` entry. */
  grubRescue: string;
  /** ipxe: ISOLINUX with /isolinux.cfg at the root, /efi.img. */
  ipxeIso: string;
  /** ipxe: the UEFI iPXE binary. */
  ipxeEfi: string;
  /** memtest86+: floppy-emulation BIOS image and an appended EFI partition. */
  memtestIso: string;
}

/** Make sure the boot-media packages are unpacked and return their ISOs; skip (or fail under CI=true) otherwise. */
export async function ensureBootMedia(t: TestContext): Promise<BootMediaPaths | undefined> {
  const dir = join(fixturesDir(), 'boot-media');
  mediaRun ??= fetchOnce(dir, 'boot-media');
  const failure = await mediaRun;
  if (failure !== undefined) return skipWithout(t, failure);
  const root = join(dir, 'sysroot');
  return {
    grubRescue: join(root, 'usr/lib/grub-rescue/grub-rescue-cdrom.iso'), ipxeIso: join(root, 'usr/lib/ipxe/ipxe.iso'),
    ipxeEfi: join(root, 'boot/ipxe.efi'), memtestIso: join(root, 'usr/lib/memtest86+/memtest86+x64.iso'),
  };
}

/** Payload compressions the rpm tests build (rpm's _binary_payload io names). */
export const RPM_PAYLOADS = { gzip: 'w9.gzdio', xz: 'w9.xzdio', zstd: 'w19.zstdio' } as const;

/**
 * Build a tiny binary rpm with rpmbuild into `dir`: /usr/sbin/demo-tool
 * (0755 shell script), /usr/sbin/demo-link -> demo-tool, and
 * /lib/modules/6.1.0-test/extra/demo.ko (0644, ~100 KiB of text), payload
 * compressed as `payload`. Return the .rpm path.
 */
export function buildRpm(dir: string, payload: keyof typeof RPM_PAYLOADS): string {
  const spec = [
    'Name: remaster-demo',
    'Version: 1.2',
    'Release: 3',
    'Summary: remaster test package',
    'License: MIT',
    'BuildArch: x86_64',
    '%define debug_package %{nil}',
    '%define __os_install_post %{nil}',
    '%description',
    'Test package.',
    '%install',
    'mkdir -p %{buildroot}/usr/sbin %{buildroot}/lib/modules/6.1.0-test/extra',
    "printf '#!/bin/sh\\necho demo\\n' > %{buildroot}/usr/sbin/demo-tool",
    'seq 1 20000 > %{buildroot}/lib/modules/6.1.0-test/extra/demo.ko',
    'ln -s demo-tool %{buildroot}/usr/sbin/demo-link',
    '%files',
    '%attr(0755,root,root) /usr/sbin/demo-tool',
    '/usr/sbin/demo-link',
    '%dir /lib/modules/6.1.0-test/extra',
    '%attr(0644,root,root) /lib/modules/6.1.0-test/extra/demo.ko',
    '',
  ].join('\n');
  const top = join(dir, `top-${payload}`);
  mkdirSync(top, { recursive: true });
  writeFileSync(join(top, 'demo.spec'), spec);
  const r = spawnSync('rpmbuild', ['--quiet', '--nodeps', '--define', `_topdir ${top}`, '--define', `_binary_payload ${RPM_PAYLOADS[payload]}`, '-bb', join(top, 'demo.spec')], {
    env: { ...process.env, SOURCE_DATE_EPOCH: '1700000000', LC_ALL: 'C' },
  });
  if (r.status !== 0) throw new Error(`rpmbuild failed: ${r.stderr?.toString()}`);
  return join(top, 'RPMS', 'x86_64', 'remaster-demo-1.2-3.x86_64.rpm');
}

/** A directory holding Debian's signed shim and network GRUB under the names Debian ships them (for loaders.grubSigned). */
export async function signedChainDir(pkgs: PackagePaths, dir: string): Promise<string> {
  const out = join(dir, 'signed-chain');
  mkdirSync(out, { recursive: true });
  await symlink(pkgs.shim, join(out, 'shimx64.efi.signed'));
  await symlink(pkgs.signedGrub, join(out, 'grubnetx64.efi.signed'));
  return out;
}
