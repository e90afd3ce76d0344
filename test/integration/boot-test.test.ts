/**
 * `remaster boot-test` proves itself both ways: it passes on a good build and
 * on a rebuilt ISO, and fails, with the console tail, on initrds the kernel
 * cannot use (xz with a CRC64 check; a missing parent directory that makes
 * the kernel drop /bin/sh). Each configuration boots once.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { writeFile, copyFile } from 'node:fs/promises';
import { join } from 'node:path';
import { bootTest, bootTestKernel, bytesRangeSource, hostEntries, writeCpio, type AddSpec } from '../../src/index.ts';
import { buildImage } from '../helpers/edit.ts';
import { collect } from '../helpers/chunked.ts';
import { ensureFixtures } from '../helpers/fixtures.ts';
import { ensurePackages, signedChainDir } from '../helpers/packages.ts';
import { requireTool } from '../helpers/tools.ts';
import { tmpDir } from '../helpers/tmp-dir.ts';
import { runCli } from '../helpers/run-cli.ts';
import { buildIso } from '../helpers/installer-iso.ts';

const enc = new TextEncoder();
const TIMEOUT = { timeoutMs: 120_000 };

async function busyboxTree(root: string): Promise<AddSpec[]> {
  return [...(await hostEntries(root, '/')), { path: 'etc/remaster/built.txt', type: 'file', data: enc.encode('built\n'), size: 6 }];
}

test('passes on a build directory and reports the injected file, the nonce and the cmdline', async (t) => {
  if (!requireTool(t, 'qemu-system-x86_64')) return;
  const fx = await ensureFixtures(t);
  if (!fx) return;
  const dir = await tmpDir(t);
  await copyFile(fx.kernel.vmlinuz, join(dir, 'vmlinuz'));
  await writeFile(join(dir, 'initrd.img'), await buildImage(await busyboxTree(fx.small.root), 'xz'));
  await writeFile(join(dir, 'manifest.json'), JSON.stringify({ files: [{ path: 'etc/remaster/built.txt', type: 'file' }], modules: [] }));
  const r = await runCli(['boot-test', dir, '--timeout', '120']);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /^PASS kernel \+ initrd/m);
  assert.match(r.stdout, /ok {3}file \/etc\/remaster\/built\.txt/);
  assert.match(r.stdout, /cmdline: .*remaster\.nonce=[0-9a-f]{16}/);
});

test('fails on an xz initrd with a CRC64 check, showing the kernel refusal in the console tail', async (t) => {
  if (!requireTool(t, 'qemu-system-x86_64', 'xz')) return;
  const fx = await ensureFixtures(t);
  if (!fx) return;
  const cpio = await buildImage(await busyboxTree(fx.small.root), 'none');
  const crc64 = new Uint8Array(execFileSync('xz', ['--check=crc64', '-c'], { input: cpio }));
  const result = await bootTestKernel(fx.kernel.vmlinuz, bytesRangeSource('crc64.img', crc64), TIMEOUT);
  assert.equal(result.passed, false);
  const run = result.runs[0]!;
  assert.equal(run.checks.find((c) => c.check === 'userspace')?.ok, false);
  assert.match(run.tail.join('\n'), /Initramfs unpacking failed|Kernel panic/);
});

test('fails when a parent directory is missing and the kernel drops /bin/sh', async (t) => {
  if (!requireTool(t, 'qemu-system-x86_64')) return;
  const fx = await ensureFixtures(t);
  if (!fx) return;
  const specs = (await busyboxTree(fx.small.root)).filter((s) => s.path !== '/bin');
  // Written directly, without the planner that would add the missing parent back.
  const entries = specs.map((s, i) => {
    const data = s.type === 'symlink' ? enc.encode(s.linkTarget ?? '') : s.data;
    const bits = { file: 0o100000, dir: 0o040000, symlink: 0o120000 }[s.type as 'file'] ?? 0o100000;
    const size = s.type === 'symlink' ? (data as Uint8Array).length : s.size ?? 0;
    return { name: s.path.replace(/^\//, ''), header: { ino: i + 1, mode: bits | (s.mode ?? 0o755), uid: 0, gid: 0, nlink: 1, mtime: 0, fileSize: size, devMajor: 0, devMinor: 0, rdevMajor: 0, rdevMinor: 0 }, ...(data ? { body: typeof data === 'function' ? data() : data } : {}) };
  });
  const image = await collect(writeCpio(entries));
  const result = await bootTestKernel(fx.kernel.vmlinuz, bytesRangeSource('no-bin.img', image), TIMEOUT);
  assert.equal(result.passed, false);
  assert.match(result.runs[0]!.tail.join('\n'), /No working init found|Kernel panic|Failed to execute/);
});

test('passes on an installer ISO under BIOS and UEFI, checking the probe copy, not the original', async (t) => {
  if (!requireTool(t, 'qemu-system-x86_64', 'xorriso', 'mcopy', 'grub-mkimage', 'mkfs.vfat')) return;
  const fx = await ensureFixtures(t);
  if (!fx) return;
  const dir = await tmpDir(t);
  const initrd = join(dir, 'initrd.img');
  await writeFile(initrd, await buildImage(await busyboxTree(fx.small.root), 'xz'));
  const iso = await buildIso(dir, fx.kernel.vmlinuz, initrd);
  const before = (await import('node:fs/promises')).readFile(iso);
  const result = await bootTest(iso, { ...TIMEOUT, checks: { files: ['/etc/remaster/built.txt'] } });
  assert.deepEqual(result.runs.map((r) => [r.name, r.passed]), [['bios cdrom', true], ['uefi cdrom', true]], result.runs.map((r) => r.tail.join('\n')).join('\n----\n'));
  assert.ok(result.runs.every((r) => /remaster\.nonce=/.test(r.cmdline ?? '')));
  assert.equal(Buffer.compare(await before, await (await import('node:fs/promises')).readFile(iso)), 0, 'the ISO under test is never modified');
});

test('passes on a published PXE tree booted over TFTP as the armed MAC (BIOS, and UEFI Secure Boot through the signed chain), leaving the tree untouched', async (t) => {
  if (!requireTool(t, 'qemu-system-x86_64')) return;
  const fx = await ensureFixtures(t);
  const pkgs = await ensurePackages(t);
  if (!fx || !pkgs) return;
  const dir = await tmpDir(t);
  await writeFile(join(dir, 'initrd.img'), await buildImage(await busyboxTree(fx.small.root), 'xz'));
  const signed = await signedChainDir(pkgs, dir);
  const { publishTree, verifyTree } = await import('../../src/index.ts');
  const tftp = join(dir, 'tftp');
  await publishTree({ tftpRoot: tftp, kernel: fx.kernel.vmlinuz, initrd: join(dir, 'initrd.img'), hosts: [{ mac: '52:54:00:aa:bb:cc' }], loaders: { ipxe: false, grubSigned: signed } });
  const result = await bootTest(tftp, { ...TIMEOUT, firmware: ['bios', 'uefi-secure'], checks: { files: ['/etc/remaster/built.txt'] } });
  assert.deepEqual(result.runs.map((r) => [r.name, r.passed]), [['bios pxe 52:54:00:aa:bb:cc', true], ['uefi-secure pxe 52:54:00:aa:bb:cc', true]], result.runs.map((r) => r.tail.join('\n')).join('\n----\n'));
  assert.match(result.runs[0]?.cmdline ?? '', /remaster\.nonce=/);
  assert.deepEqual(result.runs[1]?.checks.find((c) => c.check === 'secure boot'), { check: 'secure boot', ok: true, detail: 'the kernel reports Secure Boot enabled' });
  assert.deepEqual((await verifyTree(tftp, { readOnly: true })).problems, []);
});
