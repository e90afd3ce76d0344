/**
 * rebuildIso() on layout-B media (reference 03 §7, §10; lorax ≥ 37.3,
 * Fedora ≥ 37, RHEL 10): BIOS boots GRUB2 from images/eltorito.img, UEFI boots
 * GRUB from a FAT image that is not a file of the ISO but GPT partition 2
 * appended after it, which the El Torito EFI entry points into. The grub.cfg
 * inside that partition is edited (bytes copied out by offset, mtools) and
 * written back with `-append_partition 2 <ESP type> <copy>` after the replay.
 * Checked with our reader, xorriso's reports and mtype on the new partition's
 * bytes, then booted under QEMU: SeaBIOS → GRUB2 El Torito and OVMF → the
 * appended ESP, both from a CD-ROM.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { open, rm, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test, type TestContext } from 'node:test';
import {
  bootConfigEditor, createIsoWorkdir, hostEntries, openFileSource, readIso, readIsoFile, rebuildIso,
  type IsoImage, type Warning,
} from '../../src/index.ts';
import { concatBytes } from '../../src/io/index.ts';
import { findAppendedEfiPartition } from '../../src/iso/layout.ts';
import { buildImage } from '../helpers/edit.ts';
import { ensureFixtures } from '../helpers/fixtures.ts';
import { buildIsoLayoutB } from '../helpers/installer-iso.ts';
import { ensureIsoFixtures } from '../helpers/make-iso.ts';
import { bootIso, makeNonce } from '../helpers/qemu.ts';
import { tmpDir } from '../helpers/tmp-dir.ts';
import { requireFile, requireTool, runTool } from '../helpers/tools.ts';

const ESP_GUID = 'c12a7328-f81f-11d2-ba4b-00a0c93ec93b';
const ESP_GUID_ON_DISK = '28732ac11ff8d211ba4b00a0c93ec93b';
const BOOT_TIMEOUT_MS = 300_000;
const REPO = new URL('../../', import.meta.url).pathname;

async function readImage(path: string): Promise<IsoImage> {
  const source = await openFileSource(path);
  try {
    return await readIso(source);
  } finally {
    await source.close();
  }
}

async function isoText(path: string, isoPath: string): Promise<string> {
  const source = await openFileSource(path);
  try {
    const node = (await readIso(source)).lookup(isoPath);
    assert.ok(node, `${isoPath} exists`);
    const parts: Uint8Array[] = [];
    for await (const c of readIsoFile(source, node)) parts.push(c);
    return new TextDecoder().decode(concatBytes(parts));
  } finally {
    await source.close();
  }
}

/** Copy the bytes of the appended EFI partition (by our reader's GPT offsets) to a host file. */
async function extractEfiPartition(iso: string, to: string): Promise<{ index: number; start: number; sectors: number }> {
  const part = findAppendedEfiPartition(await readImage(iso));
  assert.ok(part, 'the El Torito EFI entry points into an appended partition');
  const fh = await open(iso, 'r');
  try {
    const buf = Buffer.alloc(part.sectors * 512);
    const { bytesRead } = await fh.read(buf, 0, buf.length, part.start * 512);
    assert.equal(bytesRead, buf.length, 'the partition lies inside the file');
    await writeFile(to, buf);
  } finally {
    await fh.close();
  }
  return part;
}

function mtype(image: string, path: string): string {
  return new TextDecoder().decode(runTool('env', ['MTOOLS_SKIP_CHECK=1', 'mtype', '-i', image, `::${path}`]));
}

function xorrisoReport(iso: string): string {
  const r = spawnSync('xorriso', ['-no_rc', '-indev', iso, '-report_el_torito', 'plain', '-report_system_area', 'plain'], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout;
}

/** Check with xorriso that the UEFI El Torito entry starts at GPT partition 2, an ESP. */
function assertLayoutBReport(iso: string): { efiLba: number; partStart: number } {
  const report = xorrisoReport(iso);
  const uefi = /^El Torito boot img :\s+\d+\s+UEFI\s+y\s+none\s+\S+\s+\S+\s+\d+\s+(\d+)\s*$/mu.exec(report);
  const bios = /^El Torito img path :\s+1\s+\/images\/eltorito\.img\s*$/mu.test(report);
  const start = /^GPT start and size :\s+2\s+(\d+)\s+\d+\s*$/mu.exec(report);
  const type = /^GPT type GUID\s+:\s+2\s+([0-9a-f]+)\s*$/mu.exec(report);
  assert.ok(uefi && start && type, `UEFI entry and GPT partition 2 reported:\n${report}`);
  assert.ok(bios, `BIOS entry is /images/eltorito.img:\n${report}`);
  assert.equal(type[1], ESP_GUID_ON_DISK, 'GPT partition 2 is still an EFI System Partition');
  assert.match(report, /grub2-mbr/u);
  assert.match(report, /El Torito img opts :\s+1\s+boot-info-table grub2-boot-info/u);
  const efiLba = Number(uefi[1]);
  const partStart = Number(start[1]);
  assert.equal(efiLba * 4, partStart, 'the El Torito EFI entry points at the appended partition');
  return { efiLba, partStart };
}

function countOf(text: string, needle: string): number {
  return text.split(needle).length - 1;
}

/** The fixture set of make-isos.sh; rebuilt privately when a cached set predates fedora40.iso. */
async function layoutBFixture(t: TestContext): Promise<string | undefined> {
  if (!requireTool(t, 'xorriso', 'mtype', 'mcopy', 'mdir', 'mmd', 'mkfs.vfat', 'grub-mkimage')) return undefined;
  if (!requireFile(t, '/usr/lib/grub/i386-pc/boot_hybrid.img', 'grub-pc-bin')) return undefined;
  const cached = join(await ensureIsoFixtures(), 'fedora40.iso');
  if (existsSync(cached)) return cached;
  const dir = await tmpDir(t);
  const r = spawnSync('bash', [join(REPO, 'fixtures/make-isos.sh'), dir], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return join(dir, 'fedora40.iso');
}

test('reads the layout-B fixture: GRUB2 BIOS El Torito, EFI entry into appended GPT partition 2 (ESP)', async (t) => {
  const iso = await layoutBFixture(t);
  if (iso === undefined) return;
  const image = await readImage(iso);
  const efi = image.bootCatalog?.entries.find((e) => e.platform === 'efi');
  assert.equal(image.bootCatalog?.entries.find((e) => e.platform === 'bios')?.imagePath, '/images/eltorito.img');
  assert.ok(efi && efi.imagePath === undefined, 'the EFI image is not a file of the tree');
  assert.equal(image.hybrid.kind, 'gpt');
  const part = findAppendedEfiPartition(image);
  assert.deepEqual(part && { index: part.index, source: part.source, typeCode: part.typeCode }, { index: 2, source: 'gpt', typeCode: ESP_GUID });
  assert.equal(part?.start, efi.lba * 4);
  assertLayoutBReport(iso);
});

test('rebuilds the layout-B fixture: grub.cfg in the tree and in the appended ESP edited, initrd replaced', async (t) => {
  const iso = await layoutBFixture(t);
  if (iso === undefined) return;
  const dir = await tmpDir(t);
  const initrd = join(dir, 'initrd.img');
  await writeFile(initrd, 'the new layout-B initrd\n'.repeat(3000));
  const output = join(dir, 'out.iso');
  const warnings: Warning[] = [];
  const result = await rebuildIso({
    input: iso, output, createWorkdir: createIsoWorkdir, onWarning: (w) => warnings.push(w),
    replace: [{ hostPath: initrd, isoPath: '/images/pxeboot/initrd.img' }],
    editConfig: bootConfigEditor({ kernelArgs: { add: ['inst.ks=hd:LABEL=Fedora-S-dvd-x86_64-40:/ks.cfg'] } }),
  });
  assert.deepEqual(warnings, []);
  assert.equal(result.layout.efiImage, undefined);
  assert.deepEqual(result.configs.map((c) => [c.path, c.changes]), [
    ['/boot/grub2/grub.cfg', 2], ['/EFI/BOOT/grub.cfg', 2], ['appended_partition_2:/EFI/BOOT/grub.cfg', 2],
  ]);
  const i = result.xorrisoArgs.indexOf('-append_partition');
  assert.ok(i > result.xorrisoArgs.indexOf('replay'), '-append_partition comes after the replay');
  assert.deepEqual(result.xorrisoArgs.slice(i + 1, i + 3), ['2', ESP_GUID]);

  assertLayoutBReport(output);
  const esp = join(dir, 'esp.img');
  await extractEfiPartition(output, esp);
  const cfg = mtype(esp, '/EFI/BOOT/grub.cfg');
  assert.equal(countOf(cfg, 'inst.ks=hd:LABEL=Fedora-S-dvd-x86_64-40:/ks.cfg'), 2, 'once on each of the two linuxefi lines');
  for (const line of cfg.split('\n').filter((l) => /^\s*linuxefi\s/u.test(l))) assert.equal(countOf(line, 'inst.ks='), 1, line);
  assert.ok(mtype(esp, '/EFI/BOOT/BOOTX64.EFI').length > 100_000, 'BOOTX64.EFI survives in the partition');
  const bios = await isoText(output, '/boot/grub2/grub.cfg');
  for (const line of bios.split('\n').filter((l) => /^\s*linux\s/u.test(l))) assert.equal(countOf(line, 'inst.ks=hd:LABEL=Fedora-S-dvd-x86_64-40:/ks.cfg'), 1, line);
  assert.equal(await isoText(output, '/images/pxeboot/initrd.img'), 'the new layout-B initrd\n'.repeat(3000));
  const out = await readImage(output);
  assert.equal(out.bootCatalog?.entries.find((e) => e.platform === 'bios')?.imagePath, '/images/eltorito.img');
  assert.equal(out.volume.label, 'Fedora-S-dvd-x86_64-40');
});

// ---------------------------------------------------------------- QEMU boot proof

let sharedDir: string | undefined;
after(() => (sharedDir ? rm(sharedDir, { recursive: true, force: true }) : undefined));
let prepared: Promise<{ iso: string; nonce: string }> | undefined;

async function prepareBoot(t: TestContext): Promise<{ iso: string; nonce: string } | undefined> {
  if (!requireTool(t, 'qemu-system-x86_64', 'xorriso', 'mtype', 'mcopy', 'mdir', 'mmd', 'mkfs.vfat', 'grub-mkimage')) return undefined;
  if (!requireFile(t, '/usr/lib/grub/i386-pc/boot_hybrid.img', 'grub-pc-bin')) return undefined;
  const fx = await ensureFixtures(t);
  if (fx === undefined) return undefined;
  prepared ??= (async () => {
    const dir = await mkdtemp(join(tmpdir(), 'remaster-layout-b-'));
    sharedDir = dir;
    const specs = await hostEntries(fx.small.root, '/');
    const initrd = join(dir, 'initrd.img');
    await writeFile(initrd, await buildImage(specs, 'gzip'));
    const input = await buildIsoLayoutB(dir, fx.kernel.vmlinuz, initrd);
    // The replacement initrd carries a file the guest's /init prints as REMASTER-OVERLAY.
    const replacement = join(dir, 'initrd-new.img');
    const marker = { path: '/etc/remaster/layout-b.txt', type: 'file' as const, mode: 0o644, data: new TextEncoder().encode('replaced-initrd\n') };
    await writeFile(replacement, await buildImage([...specs, marker], 'gzip'));
    const nonce = makeNonce();
    const output = join(dir, 'out.iso');
    const result = await rebuildIso({
      input, output, createWorkdir: createIsoWorkdir, strict: true,
      replace: [{ hostPath: replacement, isoPath: '/images/pxeboot/initrd.img' }],
      editConfig: bootConfigEditor({ kernelArgs: { add: [`remaster.nonce=${nonce}`, 'remaster.layout=b'] } }),
    });
    assert.deepEqual(result.configs.map((c) => [c.path, c.changes]), [
      ['/boot/grub2/grub.cfg', 1], ['/EFI/BOOT/grub.cfg', 1], ['appended_partition_2:/EFI/BOOT/grub.cfg', 1],
    ]);
    assertLayoutBReport(output);
    const esp = join(dir, 'esp.img');
    await extractEfiPartition(output, esp);
    assert.equal(countOf(mtype(esp, '/EFI/BOOT/grub.cfg'), `remaster.nonce=${nonce}`), 1);
    return { iso: output, nonce };
  })();
  return prepared;
}

const PATHS = {
  bios: 'from CD-ROM under SeaBIOS via GRUB2 from images/eltorito.img',
  uefi: 'from CD-ROM under OVMF via GRUB from the appended EFI system partition',
} as const;

for (const [firmware, how] of Object.entries(PATHS) as ['bios' | 'uefi', string][]) {
  test(`the rebuilt layout-B ISO boots ${how} with the added argument and the replaced initrd`, { timeout: BOOT_TIMEOUT_MS + 120_000 }, async (t) => {
    const ready = await prepareBoot(t);
    if (ready === undefined) return;
    const result = await bootIso({
      iso: ready.iso, firmware, as: 'cdrom', nonce: ready.nonce, timeoutMs: BOOT_TIMEOUT_MS,
      expect: [/REMASTER-MARKER init=main nonce=NONCE /, /REMASTER-OVERLAY \/etc\/remaster\/layout-b\.txt: replaced-initrd/, /REMASTER-CMDLINE .*remaster\.layout=b/],
    });
    t.diagnostic(`${firmware} cdrom (layout B) boot took ${result.durationMs} ms, qemu exit ${result.exitCode}`);
    const tail = result.log.split('\n').slice(-30).join('\n');
    assert.ok(result.passed, `missing ${result.missing.join(', ')}; console tail:\n${tail}`);
    const cmdline = /REMASTER-CMDLINE (.*)/u.exec(result.log)?.[1] ?? '';
    assert.equal(countOf(cmdline, `remaster.nonce=${ready.nonce}`), 1, cmdline);
  });
}

test('an edit that only changes the grub.cfg inside the appended ESP still writes the image', async (t) => {
  const iso = await layoutBFixture(t);
  if (iso === undefined) return;
  const dir = await tmpDir(t);
  const output = join(dir, 'esp-only.iso');
  const result = await rebuildIso({
    input: iso, output, createWorkdir: createIsoWorkdir, onWarning: () => undefined,
    editConfig: (text, ctx) => (ctx.path.startsWith('appended_partition_') ? { text: text.replace('rd.live.check ', ''), changes: 1 } : { text, changes: 0 }),
  });
  assert.ok(result.xorrisoArgs.includes('-changes_pending'));
  assertLayoutBReport(output);
  const esp = join(dir, 'esp.img');
  await extractEfiPartition(output, esp);
  assert.equal(countOf(mtype(esp, '/EFI/BOOT/grub.cfg'), 'rd.live.check'), 0);
  assert.equal(countOf(await isoText(output, '/EFI/BOOT/grub.cfg'), 'rd.live.check'), 1, 'the tree copy is untouched');
});
