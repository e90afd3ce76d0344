/**
 * Ubuntu live-server ISOs (#15; reference 04 §4, 03 §7 layout B): casper/vmlinuz + casper/initrd,
 * boot/grub/grub.cfg only (no ISOLINUX), BIOS GRUB from boot/grub/i386-pc/eltorito.img, UEFI GRUB from a
 * FAT ESP appended as GPT partition 2. No Ubuntu ISO is available offline, so one is built here in
 * Ubuntu's shape (xorriso arguments as `-report_el_torito as_mkisofs` prints them for 22.04) from real
 * boot files: GRUB from grub-efi-amd64-bin/grub-pc-bin, the Debian kernel and the busybox marker initrd.
 * Judged through the built CLI against xorriso's own reading and extraction, then booted under OVMF
 * (the El Torito EFI entry into the appended ESP) by `remaster boot-test`, whose probe prints the
 * /proc/cmdline GRUB handed the kernel.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { mkdir, mkdtemp, open, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test, type TestContext } from 'node:test';
import { splitGrubWords, unescapeGrubWord } from '../../src/index.ts';
import { ensureFixtures } from '../helpers/fixtures.ts';
import { buildCasperIso, CASPER_LABEL } from '../helpers/installer-iso.ts';
import { runCli } from '../helpers/run-cli.ts';
import { requireFile, requireTool } from '../helpers/tools.ts';

const DS = 'ds=nocloud-net;s=http://10.0.2.2/ci/';
const ESP_GUID_ON_DISK = '28732ac11ff8d211ba4b00a0c93ec93b';
const BOOT_TIMEOUT_S = 240;
const work = mkdtemp(join(tmpdir(), 'remaster-casper-'));
after(async () => rm(await work, { recursive: true, force: true }));

let built: Promise<string> | undefined;
let rebuilt: Promise<{ code: number | null; stdout: string; stderr: string; iso: string }> | undefined;

/** The casper-layout ISO, built once per process. */
async function casperIso(t: TestContext): Promise<string | undefined> {
  if (!requireTool(t, 'xorriso', 'osirrox', 'mkfs.vfat', 'mmd', 'mcopy', 'grub-mkimage')) return undefined;
  if (!requireFile(t, '/usr/lib/grub/i386-pc/boot_hybrid.img', 'grub-pc-bin')) return undefined;
  const fx = await ensureFixtures(t);
  if (fx === undefined) return undefined;
  built ??= (async () => {
    const dir = join(await work, 'in');
    await mkdir(dir);
    return buildCasperIso(dir, fx.kernel.vmlinuz, fx.small.tinyGzip);
  })();
  return built;
}

/** `iso rebuild` with the autoinstall arguments and a one-second menu, once per process. */
async function rebuiltIso(t: TestContext) {
  const iso = await casperIso(t);
  if (iso === undefined) return undefined;
  rebuilt ??= (async () => {
    const out = join(await work, 'autoinstall.iso');
    const r = await cli(['iso', 'rebuild', iso, '-o', out, '--kernel-arg', 'autoinstall', '--kernel-arg', DS, '--timeout', '1']);
    return { ...r, iso: out };
  })();
  const r = await rebuilt;
  assert.equal(r.code, 0, r.stderr);
  return r.iso;
}

async function cli(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return runCli(args, { cwd: await work });
}

let extracted = 0;

/** A file of an ISO as xorriso extracts it (the oracle). */
function osirrox(iso: string, path: string): string {
  const out = join(tmpdir(), `remaster-casper-osirrox-${process.pid}-${++extracted}`);
  try {
    const r = spawnSync('osirrox', ['-indev', iso, '-extract', path, out], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    return readFileSync(out, 'utf8');
  } finally {
    rmSync(out, { force: true });
  }
}

/** xorriso's view of the boot setup: the El Torito entries and partition 2, the ESP. */
function bootSetup(iso: string): { bios: boolean; efiLba: number; espStart: number; espSectors: number; espType: string } {
  const r = spawnSync('xorriso', ['-no_rc', '-indev', iso, '-report_el_torito', 'plain', '-report_system_area', 'plain'], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const uefi = /^El Torito boot img :\s+\d+\s+UEFI\s+y\s+none\s+\S+\s+\S+\s+\d+\s+(\d+)\s*$/mu.exec(r.stdout);
  const start = /^GPT start and size :\s+2\s+(\d+)\s+(\d+)\s*$/mu.exec(r.stdout);
  const type = /^GPT type GUID\s+:\s+2\s+([0-9a-f]+)\s*$/mu.exec(r.stdout);
  assert.ok(uefi && start && type, `UEFI entry and GPT partition 2 reported:\n${r.stdout}`);
  return {
    bios: /^El Torito img path :\s+1\s+\/boot\/grub\/i386-pc\/eltorito\.img\s*$/mu.test(r.stdout),
    efiLba: Number(uefi[1]), espStart: Number(start[1]), espSectors: Number(start[2]), espType: type[1] as string,
  };
}

async function readSectors(iso: string, start: number, sectors: number): Promise<Buffer> {
  const fh = await open(iso, 'r');
  try {
    const buf = Buffer.alloc(sectors * 512);
    const { bytesRead } = await fh.read(buf, 0, buf.length, start * 512);
    assert.equal(bytesRead, buf.length, 'the partition lies inside the file');
    return buf;
  } finally {
    await fh.close();
  }
}

interface InspectJson {
  volume: { label: string };
  layout: {
    family: string; distro: string; version: string; arch: string; kernels: string[]; initrds: string[]; efiImage?: string;
    efiPartition?: { index: number; source: string; typeCode: string }; bootConfigs: { path: string; kind: string }[];
  };
}

test('iso inspect detects the casper layout: Ubuntu, casper kernels and initrds, GRUB configs only, the ESP an appended GPT partition', async (t) => {
  const iso = await casperIso(t);
  if (iso === undefined) return;
  const setup = bootSetup(iso);
  assert.ok(setup.bios, 'the BIOS entry is boot/grub/i386-pc/eltorito.img');
  assert.equal(setup.efiLba * 4, setup.espStart, 'the El Torito EFI entry points at the appended partition');
  assert.equal(setup.espType, ESP_GUID_ON_DISK);
  const r = await cli(['iso', 'inspect', '--json', iso]);
  assert.equal(r.code, 0, r.stderr);
  const { layout } = JSON.parse(r.stdout) as InspectJson;
  assert.equal(layout.family, 'ubuntu');
  assert.deepEqual([layout.distro, layout.version, layout.arch], ['Ubuntu-Server', '22.04.4', 'amd64']);
  assert.deepEqual(layout.kernels, ['/casper/vmlinuz', '/casper/hwe-vmlinuz']);
  assert.deepEqual(layout.initrds, ['/casper/initrd', '/casper/hwe-initrd']);
  assert.deepEqual(layout.bootConfigs, [{ path: '/boot/grub/grub.cfg', kind: 'grub' }, { path: '/boot/grub/loopback.cfg', kind: 'grub' }]);
  assert.equal(layout.efiImage, undefined, 'the EFI image is not a file of the tree');
  assert.deepEqual(layout.efiPartition && { index: layout.efiPartition.index, source: layout.efiPartition.source }, { index: 2, source: 'gpt' });
  const text = await cli(['iso', 'inspect', iso]);
  assert.match(text.stdout, /^layout: ubuntu Ubuntu-Server 22\.04\.4 amd64$/mu);
  assert.match(text.stdout, new RegExp(`^EFI image: appended GPT partition 2 \\(${setup.espSectors} sectors from sector ${setup.espStart}\\)$`, 'mu'));
});

test('iso rebuild adds autoinstall and ds=nocloud-net;s=… to every casper entry, escaped for GRUB; memtest and the ESP stay as they were', async (t) => {
  const iso = await casperIso(t);
  if (iso === undefined) return;
  const out = await rebuiltIso(t);
  if (out === undefined) return;
  const r = await rebuilt;
  assert.match(r?.stdout ?? '', /\/boot\/grub\/grub\.cfg: .*kernel arguments in "Try or Install Ubuntu Server", "Ubuntu Server with the HWE kernel"; left alone \(no Linux kernel with an initrd\): "Test memory"/u);
  const grub = osirrox(out, '/boot/grub/grub.cfg');
  const before = osirrox(iso, '/boot/grub/grub.cfg');
  const linux = grub.split('\n').filter((l) => /^\s*linux/u.test(l));
  assert.deepEqual(linux, [
    '\tlinux\t/casper/vmlinuz autoinstall ds=nocloud-net\\;s=http://10.0.2.2/ci/ ---',
    '\tlinux\t/casper/hwe-vmlinuz autoinstall ds=nocloud-net\\;s=http://10.0.2.2/ci/ ---',
    '\tlinux16 /boot/memtest86+x64.bin',
  ]);
  for (const l of linux.slice(0, 2)) assert.deepEqual(splitGrubWords(l.trim()).map(unescapeGrubWord).slice(2), ['autoinstall', DS, '---'], 'GRUB reads the escaped word back as the argument');
  assert.match(grub, /^set timeout=1$/mu);
  assert.equal(grub.replace(/^\s*linux\t.*$/gmu, '').replace('set timeout=1', 'set timeout=30'), before.replace(/^\s*linux\t.*$/gmu, ''), 'nothing else in grub.cfg changed');
  const loopback = osirrox(out, '/boot/grub/loopback.cfg');
  assert.match(loopback, /^\tlinux\t\/casper\/vmlinuz iso-scan\/filename=\$\{iso_path\} autoinstall ds=nocloud-net\\;s=http:\/\/10\.0\.2\.2\/ci\/ ---$/mu);
  // The ESP has no grub.cfg of its own (its GRUB reads /boot/grub/grub.cfg): replayed byte for byte.
  const a = bootSetup(iso);
  const b = bootSetup(out);
  assert.ok(b.bios, 'the BIOS El Torito entry survived');
  assert.equal(b.efiLba * 4, b.espStart, 'the El Torito EFI entry still points at the appended partition');
  assert.equal(b.espType, ESP_GUID_ON_DISK);
  assert.ok((await readSectors(out, b.espStart, b.espSectors)).equals(await readSectors(iso, a.espStart, a.espSectors)), 'the ESP bytes are unchanged');
  const inspect = await cli(['iso', 'inspect', '--json', out]);
  const after = JSON.parse(inspect.stdout) as InspectJson;
  assert.equal(after.volume.label, CASPER_LABEL);
  assert.equal(after.layout.family, 'ubuntu');
  assert.equal(osirrox(out, '/.disk/info'), osirrox(iso, '/.disk/info'), '.disk/ is kept');
});

test('the rebuilt casper ISO boots under OVMF from the appended ESP with autoinstall ds=nocloud-net;s=… intact on the kernel command line', { timeout: (BOOT_TIMEOUT_S + 120) * 1000 }, async (t) => {
  if (!requireTool(t, 'qemu-system-x86_64')) return;
  const out = await rebuiltIso(t);
  if (out === undefined) return;
  const r = await cli(['boot-test', out, '--firmware', 'uefi', '--timeout', String(BOOT_TIMEOUT_S), '--json']);
  const result = JSON.parse(r.stdout) as { passed: boolean; runs: { name: string; passed: boolean; durationMs: number; cmdline?: string; tail: string[] }[] };
  const run = result.runs[0];
  assert.ok(run, r.stderr);
  t.diagnostic(`${run.name}: ${run.durationMs} ms; /proc/cmdline: ${run.cmdline ?? '(none)'}`);
  assert.ok(result.passed && r.code === 0, `boot-test failed (${r.code}): ${r.stderr}\n${run.tail.join('\n')}`);
  assert.equal(run.name, 'uefi cdrom');
  const words = (run.cmdline ?? '').split(' ');
  const at = words.indexOf('autoinstall');
  assert.ok(at >= 0, `autoinstall on ${run.cmdline}`);
  assert.equal(words[at + 1], DS, 'the ds= argument follows, whole: GRUB did not end the command at ;');
  assert.ok(words.indexOf('---') > at + 1, 'both come before ---');
  assert.equal(words.filter((w) => w.startsWith('ds=')).length, 1, 'once');
});
