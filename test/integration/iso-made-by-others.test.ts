/**
 * ISOs remaster did not lay out (#16): ISOs Debian itself ships
 * (grub-rescue-pc's CD image, ipxe.iso, memtest86+'s ISO, from their
 * packages) and an ISO laid out like Debian's netboot mini.iso (kernel,
 * initrd and ISOLINUX configs at the root) built here from real Debian boot
 * files and the real netboot kernel and initrd. Judged through the built CLI,
 * against xorriso's extraction and QEMU: the root layout is found from the
 * boot menus, a recipe builds from it, a rebuild with --kernel-arg and
 * --timeout 1 boots under SeaBIOS and OVMF with the argument on the kernel
 * command line and no key press, grub-rescue's memtest entry stays as it
 * was, and an ISO and its no-change rebuild show no difference.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { chmod, copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test, type TestContext } from 'node:test';
import { bootTestTftp, dhcpSnippet, publishedBootFiles, publishTree } from '../../src/index.ts';
import { ensureFixtures } from '../helpers/fixtures.ts';
import { makeBuildDir, makeRoots } from '../unit/pxe/support.ts';
import { buildRootLayoutIso } from '../helpers/installer-iso.ts';
import { ensureBootMedia, type BootMediaPaths } from '../helpers/packages.ts';
import { bootIso, makeNonce } from '../helpers/qemu.ts';
import { runCli } from '../helpers/run-cli.ts';
import { requireTool } from '../helpers/tools.ts';

const BOOT_TIMEOUT_MS = 240_000;
const work = mkdtemp(join(tmpdir(), 'remaster-others-'));
after(async () => rm(await work, { recursive: true, force: true }));

type MiniIso = { iso: string; kernel: string; initrd: string };
const minis = new Map<string, Promise<MiniIso>>();

/**
 * The mini.iso-like ISO around the Debian netboot kernel, built once per process: with the
 * netboot installer initrd, or (`small`, for boots: ISOLINUX reads 40 MB through the BIOS very
 * slowly under TCG) with the busybox marker initrd, whose /init prints its command line.
 */
async function miniIso(t: TestContext, initrd: 'installer' | 'small' = 'installer'): Promise<MiniIso | undefined> {
  if (!requireTool(t, 'xorriso', 'mkfs.vfat', 'mmd', 'mcopy', 'grub-mkimage')) return undefined;
  const fx = await ensureFixtures(t);
  if (fx === undefined) return undefined;
  const file = initrd === 'installer' ? fx.di.initrdGz : fx.small.tinyGzip;
  if (!minis.has(initrd)) {
    minis.set(initrd, (async () => {
      const dir = join(await work, initrd);
      await mkdir(dir);
      return { iso: await buildRootLayoutIso(dir, fx.di.linux, file), kernel: fx.di.linux, initrd: file };
    })());
  }
  return minis.get(initrd);
}

async function media(t: TestContext): Promise<BootMediaPaths | undefined> {
  if (!requireTool(t, 'xorriso')) return undefined;
  return ensureBootMedia(t);
}

let extracted = 0;

/** A file of an ISO as xorriso extracts it (the oracle). */
function osirrox(iso: string, path: string): string {
  const out = join(tmpdir(), `remaster-osirrox-${process.pid}-${++extracted}`);
  try {
    const r = spawnSync('osirrox', ['-indev', iso, '-extract', path, out], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    const text = readFileSync(out, 'utf8');
    assert.notEqual(text, '', `${iso}:${path} is empty`);
    return text;
  } finally {
    rmSync(out, { force: true });
  }
}

async function cli(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return runCli(args, { cwd: await work });
}

test('a mini.iso-style ISO: kernel and initrd at the root are found from its boot menus', async (t) => {
  const m = await miniIso(t);
  if (!m) return;
  const r = await cli(['iso', 'inspect', '--json', m.iso]);
  assert.equal(r.code, 0, r.stderr);
  const { layout } = JSON.parse(r.stdout) as { layout: { family: string; kernels: string[]; initrds: string[]; bootConfigs: { path: string; kind: string; isPrimary?: boolean }[] } };
  assert.equal(layout.family, 'boot-config');
  assert.deepEqual(layout.kernels, ['/linux']);
  assert.deepEqual(layout.initrds, ['/initrd.gz']);
  // ISOLINUX reads /isolinux.cfg first: isolinux.bin is at the root, so its own directory comes first in the search.
  assert.deepEqual(layout.bootConfigs.filter((c) => c.kind === 'isolinux'), [{ path: '/isolinux.cfg', kind: 'isolinux', isPrimary: true }, { path: '/txt.cfg', kind: 'isolinux' }]);
  assert.ok(layout.bootConfigs.some((c) => c.path === '/boot/grub/grub.cfg' && c.kind === 'grub'));
  const text = await cli(['iso', 'inspect', m.iso]);
  assert.match(text.stdout, /^layout: from the boot menus/mu);
  assert.doesNotMatch(text.stdout, / $/mu, 'no line ends in a space');
});

test('a recipe builds from the mini.iso-style ISO without naming its kernel or initrd', async (t) => {
  const m = await miniIso(t);
  if (!m) return;
  const dir = await work;
  await writeFile(join(dir, 'hello.txt'), 'hello from the recipe\n');
  await writeFile(join(dir, 'mini.yaml'), ['name: mini', 'source:', `  iso: ${m.iso}`, 'steps:', '  - files:', '      - from: hello.txt', '        to: /etc/remaster/hello.txt', 'output:', '  dir: out-mini', ''].join('\n'));
  const r = await cli(['build', 'mini.yaml']);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(await readFile(join(dir, 'out-mini/vmlinuz')), await readFile(m.kernel), 'the kernel is /linux of the ISO');
  const original = await readFile(m.initrd);
  const built = await readFile(join(dir, 'out-mini/initrd.img'));
  assert.deepEqual(built.subarray(0, original.length), original, 'append mode keeps /initrd.gz byte for byte and adds a segment');
  const cat = await cli(['cat', join(dir, 'out-mini/initrd.img'), 'etc/remaster/hello.txt']);
  assert.equal(cat.stdout, 'hello from the recipe\n');
});

let rebuilt: Promise<{ iso: string; nonce: string; summary: string }> | undefined;

async function rebuiltMini(t: TestContext): Promise<{ iso: string; nonce: string; summary: string } | undefined> {
  const m = await miniIso(t, 'small');
  if (!m || !requireTool(t, 'mtype', 'mcopy', 'mdir')) return undefined;
  rebuilt ??= (async () => {
    const nonce = makeNonce();
    const iso = join(await work, 'mini-auto.iso');
    const r = await cli(['iso', 'rebuild', m.iso, '-o', iso, '--kernel-arg', `remaster.nonce=${nonce}`, '--kernel-arg', 'remaster.layout=root', '--timeout', '1']);
    assert.equal(r.code, 0, r.stderr);
    return { iso, nonce, summary: r.stdout };
  })();
  return rebuilt;
}

test('iso rebuild of the mini.iso-style ISO edits the root-level ISOLINUX configs and GRUB, with a one-second timeout', async (t) => {
  const b = await rebuiltMini(t);
  if (!b) return;
  assert.match(b.summary, /^config {3}\/txt\.cfg: 1 line changed; kernel arguments in "Install"$/mu);
  assert.match(b.summary, /^config {3}\/isolinux\.cfg: 1 line changed$/mu);
  assert.match(b.summary, /^config {3}\/boot\/grub\/grub\.cfg: 2 lines changed; kernel arguments in "Install"$/mu);
  assert.match(osirrox(b.iso, '/isolinux.cfg'), /^timeout 10$/mu);
  assert.match(osirrox(b.iso, '/txt.cfg'), new RegExp(`append vga=788 initrd=/initrd.gz console=ttyS0 panic=-1 remaster.nonce=${b.nonce} remaster.layout=root --- quiet`, 'u'));
  assert.match(osirrox(b.iso, '/boot/grub/grub.cfg'), /^set timeout=1$/mu);
});

for (const firmware of ['bios', 'uefi'] as const) {
  test(`the rebuilt mini.iso-style ISO boots under ${firmware === 'bios' ? 'SeaBIOS (ISOLINUX)' : 'OVMF (GRUB)'} with the argument and no key press`, { timeout: BOOT_TIMEOUT_MS + 120_000 }, async (t) => {
    if (!requireTool(t, 'qemu-system-x86_64')) return;
    const b = await rebuiltMini(t);
    if (!b) return;
    // The stock menus wait forever (prompt 1 + timeout 0, GRUB timeout -1): reaching /init at all proves the timeout.
    const result = await bootIso({ iso: b.iso, firmware, as: 'cdrom', nonce: b.nonce, timeoutMs: BOOT_TIMEOUT_MS, expect: [/REMASTER-MARKER init=main nonce=NONCE /u, /REMASTER-CMDLINE .*remaster\.nonce=NONCE remaster\.layout=root/u] });
    t.diagnostic(`${firmware} boot reached /init in ${result.durationMs} ms`);
    assert.ok(result.passed, `missing ${result.missing.join(', ')}; console tail:\n${result.log.split('\n').slice(-25).join('\n')}`);
  });
}

test('boot-test finds the initrd of the mini.iso-style ISO and reports the boot phases as they happen', { timeout: BOOT_TIMEOUT_MS + 120_000 }, async (t) => {
  if (!requireTool(t, 'qemu-system-x86_64', 'mtype', 'mcopy')) return;
  const m = await miniIso(t, 'small');
  if (!m) return;
  const r = await cli(['boot-test', m.iso, '--firmware', 'bios']);
  assert.equal(r.code, 0, `${r.stdout}\n${r.stderr}`);
  assert.match(r.stdout, /^PASS bios cdrom /mu);
  const phases = [...r.stderr.matchAll(/^ +\d+\.\d s {2}(.*)$/gmu)].map((x) => x[1]);
  t.diagnostic(`phases: ${phases.join(' | ')}`);
  // In order, each once; the loader shows when its banner reaches the serial console (SeaBIOS copies ISOLINUX's).
  const all = ['firmware (SeaBIOS or OVMF) started', 'boot loader running', 'kernel started', 'userspace: /init running'];
  assert.deepEqual(phases, all.filter((p) => p !== 'boot loader running' || phases.includes(p)));
  const named = await cli(['boot-test', m.iso, '--initrd', '/no/such/initrd.gz']);
  assert.equal(named.code, 1);
  assert.match(named.stderr, /no file \/no\/such\/initrd\.gz in the ISO for --initrd \[ISO_NOT_FOUND\]/u);
});

test("grub-rescue-pc's ISO: --kernel-arg edits the GNU/Linux entry only; the memtest linux16 entry stays as it was", async (t) => {
  const d = await media(t);
  if (!d) return;
  const out = join(await work, 'rescue.iso');
  const r = await cli(['iso', 'rebuild', d.grubRescue, '-o', out, '--kernel-arg', 'console=ttyS0', '--timeout', '1', '--default', 'gnulinux']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /kernel arguments in "GNU\/Linux"; left alone \(no Linux kernel with an initrd\): "Memtest86\+"/u);
  const before = osirrox(d.grubRescue, '/boot/grub/grub.cfg').split('\n');
  const afterLines = osirrox(out, '/boot/grub/grub.cfg').split('\n');
  assert.equal(afterLines.length, before.length);
  const changed = before.flatMap((line, i) => (line === afterLines[i] ? [] : [`${line} => ${afterLines[i]}`]));
  assert.deepEqual(changed, [
    'set timeout=30 => set timeout=1',
    'set default=gnulinux => set default="gnulinux"',
    '\tlinux /vmlinuz root=/dev/sda1 => \tlinux /vmlinuz root=/dev/sda1 console=ttyS0',
  ]);
  assert.ok(afterLines.includes('\tlinux16 /memtest86+.bin'));
  const inspect = await cli(['iso', 'inspect', d.grubRescue]);
  assert.match(inspect.stdout, /^hybrid: MBR partition table \(GRUB2 hybrid MBR\)/mu);
  const missing = await cli(['iso', 'rebuild', d.grubRescue, '-o', join(await work, 'never.iso'), '--default', 'no such entry']);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /no boot menu has an entry "no such entry" \(give an ISOLINUX label or menu label, a GRUB title, --id or index\) to make the default \[ENTRY_NOT_FOUND\]/u);
});

test('ipxe.iso: /isolinux.cfg at the root is found; its iPXE entry is not a Linux kernel and keeps its line', async (t) => {
  const d = await media(t);
  if (!d) return;
  const out = join(await work, 'ipxe.iso');
  const r = await cli(['iso', 'rebuild', d.ipxeIso, '-o', out, '--kernel-arg', 'console=ttyS0', '--timeout', '2']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /no boot entry loads a Linux kernel with an initrd, so no kernel command line was edited \(looked at: \/isolinux\.cfg\)/u);
  assert.match(r.stdout, /^config {3}\/isolinux\.cfg: 1 line changed; left alone \(no Linux kernel with an initrd\): "ipxe\.lkrn"$/mu);
  const before = osirrox(d.ipxeIso, '/isolinux.cfg');
  assert.equal(osirrox(out, '/isolinux.cfg'), before.replace(/^TIMEOUT 0$/mu, 'TIMEOUT 20'));
});

test("memtest86+'s ISO: no known layout, no boot config, its own MBR boot code (not called isohybrid)", async (t) => {
  const d = await media(t);
  if (!d) return;
  const r = await cli(['iso', 'inspect', d.memtestIso]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^layout: unknown$/mu);
  assert.match(r.stdout, /^hybrid: MBR partition table \(MBR boot code of its own\), MBR partitions 2, GPT partitions 0, appended mbr#2$/mu);
  assert.match(r.stdout, /^ {2}1 {2}bios {2}emulation 2 .*\/boot\/floppy\.img/mu);
});

test('iso diff of an ISO and its no-change rebuild reports no difference (Debian-shipped ISOs and the mini.iso-style one)', async (t) => {
  const d = await media(t);
  const m = await miniIso(t);
  if (!d || !m) return;
  for (const [name, iso] of Object.entries({ 'grub-rescue': d.grubRescue, ipxe: d.ipxeIso, memtest: d.memtestIso, mini: m.iso })) {
    const out = join(await work, `same-${name}.iso`);
    const r = await cli(['iso', 'rebuild', iso, '-o', out]);
    assert.equal(r.code, 0, `${name}: ${r.stderr}`);
    const diff = await cli(['iso', 'diff', '--exit-code', iso, out]);
    assert.equal(diff.stdout, '', `${name}: ${diff.stdout}`);
    assert.equal(diff.code, 0, `${name}: ${diff.stderr}`);
  }
  // The masking hides only positions: a changed kernel argument is still a difference.
  const b = await rebuiltMini(t);
  const small = await miniIso(t, 'small');
  if (!b || !small) return;
  const diff = await cli(['iso', 'diff', '--exit-code', small.iso, b.iso]);
  assert.equal(diff.code, 1);
  assert.deepEqual(diff.stdout.trim().split('\n').map((l) => l.split(':')[0]), ['~ boot/grub/grub.cfg', '~ isolinux.cfg', '~ txt.cfg']);
});

test("boot-test and dhcp-snippet agree: a tree with only Debian's ipxe.efi for UEFI is booted through ipxe.efi", async (t) => {
  const d = await media(t);
  if (!d) return;
  const dir = join(await work, 'ipxe-only');
  const loaders = join(dir, 'ipxe');
  await mkdir(loaders, { recursive: true });
  await copyFile(d.ipxeEfi, join(loaders, 'ipxe.efi'));
  await copyFile(join(d.ipxeIso, '../undionly.kpxe'), join(loaders, 'undionly.kpxe'));
  const build = await makeBuildDir();
  const roots = await makeRoots();
  const { manifest } = await publishTree({
    tftpRoot: roots.tftpRoot, kernel: join(build, 'vmlinuz'), initrd: join(build, 'initrd.img'),
    loaders: { pxelinux: roots.loaderDir, ipxe: loaders }, hosts: [{ mac: '52:54:00:00:00:0a' }],
  });
  assert.equal(publishedBootFiles(manifest).efiFile, 'ipxe.efi', 'dhcp-snippet hands UEFI clients ipxe.efi');
  assert.match(dhcpSnippet({ kind: 'dnsmasq', nextServer: '10.0.0.1', ...publishedBootFiles(manifest) }), /tag:efi64,tag:!ipxe,ipxe\.efi,/u);
  // A stand-in QEMU records how it was asked to boot: the UEFI run must be given ipxe.efi as its boot file.
  const fake = join(dir, 'fake-qemu');
  await writeFile(fake, `#!/bin/sh\nprintf '%s\\n' "$@" > '${join(dir, 'args')}'\n`);
  await chmod(fake, 0o755);
  const result = await bootTestTftp(roots.tftpRoot, { firmware: ['uefi'], qemu: fake, timeoutMs: 10_000 });
  assert.equal(result.passed, false, 'the stand-in boots nothing');
  const args = await readFile(join(dir, 'args'), 'utf8');
  assert.match(args, /^user,id=n0,restrict=on,tftp=.*,bootfile=ipxe\.efi$/mu);
  assert.match(args, /OVMF/u);
});
