/** Shared material for the PXE tests: a fake bzImage, a tiny initrd, a build directory. */
import { rmSync } from 'node:fs';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildImage } from '../../helpers/edit.ts';
import type { Compression } from '../../../src/index.ts';

export const KS_RHEL9 = new URL('../../../fixtures/kickstart/rhel9.ks', import.meta.url).pathname;
export const KS_BROKEN = new URL('../../../fixtures/kickstart/rhel9-mistakes.ks', import.meta.url).pathname;

/** Return bytes that look like a bzImage whose release is `release` (setup header per boot.rst). */
export function fakeKernel(release: string, size = 70_000): Uint8Array {
  const b = new Uint8Array(size);
  b.set([0x48, 0x64, 0x72, 0x53], 0x202);
  const at = 0x1000;
  b[0x20e] = (at - 0x200) & 0xff;
  b[0x20f] = (at - 0x200) >> 8;
  b.set(new TextEncoder().encode(`${release} (test@remaster) #1 SMP\0`), at);
  for (let i = 0x2000; i < size; i++) b[i] = (i * 7) & 0xff;
  return b;
}

/** Build a small initrd with lib/modules/<kver>/ and an /init. */
export async function fakeInitrd(kver: string, compression: Compression = 'gzip', marker = 'one'): Promise<Uint8Array> {
  return buildImage([
    { path: 'init', type: 'file', mode: 0o755, data: new TextEncoder().encode(`#!/bin/sh\necho ${marker}\n`) },
    { path: `lib/modules/${kver}`, type: 'dir' },
    { path: `lib/modules/${kver}/modules.dep`, type: 'file', data: new Uint8Array(0) },
  ], compression);
}

const made: string[] = [];
// node:test runs every test file in its own process: whatever this file's tests made goes with it.
process.on('exit', () => {
  for (const dir of made) rmSync(dir, { recursive: true, force: true });
});

/** Make a temporary directory, removed when the test process exits. */
export async function tempDir(prefix = 'remaster-pxe-'): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  made.push(dir);
  return dir;
}

/** Write a build directory (vmlinuz, initrd.img, manifest.json) and return its path. */
export async function makeBuildDir(options: { kver?: string; initrdKver?: string; marker?: string } = {}): Promise<string> {
  const dir = await tempDir('remaster-build-');
  const kver = options.kver ?? '6.1.0-99-amd64';
  await writeFile(join(dir, 'vmlinuz'), fakeKernel(kver));
  await writeFile(join(dir, 'initrd.img'), await fakeInitrd(options.initrdKver ?? kver, 'gzip', options.marker));
  await writeFile(join(dir, 'manifest.json'), '{"name":"test"}\n');
  return dir;
}

/** Make an empty TFTP root with a fake pxelinux loader directory. */
export async function makeRoots(): Promise<{ tftpRoot: string; loaderDir: string; httpRoot: string }> {
  const base = await tempDir();
  const loaderDir = join(base, 'loaders');
  await mkdir(loaderDir);
  for (const n of ['pxelinux.0', 'ldlinux.c32', 'libutil.c32', 'menu.c32']) await writeFile(join(loaderDir, n), `fake ${n}\n`);
  await mkdir(join(base, 'tftp'));
  await mkdir(join(base, 'http'));
  return { tftpRoot: join(base, 'tftp'), loaderDir, httpRoot: join(base, 'http') };
}
