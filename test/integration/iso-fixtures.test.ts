/**
 * readIso() and detectLayout() on ISOs built by fixtures/make-isos.sh, compared
 * with xorriso as the oracle: -find -exec lsdl (listing), -osirrox -extract
 * (bytes), -report_el_torito plain (boot catalog), -report_system_area plain
 * (MBR/GPT).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { openFileSource } from '../../src/io/block-source.ts';
import { detectLayout, readIso, readIsoFile, readIsoText, type IsoImage } from '../../src/iso/index.ts';
import { collect } from '../helpers/chunked.ts';
import { ensureIsoFixtures } from '../helpers/make-iso.ts';
import { tmpDir } from '../helpers/tmp-dir.ts';
import { requireTool } from '../helpers/tools.ts';

const ISOS = ['rhel9', 'rhel6', 'debian', 'fedora40'] as const;
const TOOLS = ['xorriso', 'grub-mkimage', 'mkfs.vfat', 'mcopy'];

function xorriso(args: string[]): string {
  const r = spawnSync('xorriso', args, { encoding: 'utf8', maxBuffer: 1 << 26 });
  if (r.status !== 0) throw new Error(`xorriso ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

async function open(t: TestContext, name: string): Promise<{ path: string; image: IsoImage; source: Awaited<ReturnType<typeof openFileSource>> } | undefined> {
  if (!requireTool(t, ...TOOLS)) return undefined;
  const path = join(await ensureIsoFixtures(), `${name}.iso`);
  const source = await openFileSource(path);
  t.after(() => source.close());
  return { path, image: await readIso(source, { strict: true }), source };
}

const TYPE_CHAR: Record<string, string> = { file: '-', dir: 'd', symlink: 'l', char: 'c', block: 'b', fifo: 'p', socket: 's' };

function ourListing(image: IsoImage): string[] {
  return [...image.walk()].map((n) => {
    const perms = (n.mode & 0o777).toString(8);
    const size = n.type === 'file' ? n.size : 0;
    return `${TYPE_CHAR[n.type]} ${perms} ${n.uid} ${n.gid} ${size} ${n.path}${n.linkTarget !== undefined ? ` -> ${n.linkTarget}` : ''}`;
  }).sort();
}

function xorrisoListing(path: string): string[] {
  const out = xorriso(['-indev', path, '-find', '/', '-exec', 'lsdl']);
  return out.trim().split('\n').map((line) => {
    const m = /^(.)(\S{9})\s+\d+\s+(\d+)\s+(\d+)\s+(\d+)\s+\S+\s+\d+\s+\S+\s+'(.*?)'(?: -> '(.*)')?$/u.exec(line);
    assert.ok(m, `unparsed lsdl line: ${line}`);
    const [, t, p, uid, gid, size, file, target] = m;
    const type = t === 'e' ? '-' : t; // xorriso shows the boot catalog as type "e"
    const bits = [...(p as string)].reduce((acc, c, i) => acc | (c === '-' ? 0 : 1 << (8 - i)), 0);
    return `${type} ${bits.toString(8)} ${uid} ${gid} ${type === '-' ? size : 0} ${file}${target !== undefined ? ` -> ${target}` : ''}`;
  }).sort();
}

for (const name of ISOS) {
  test(`${name}: listing (names, types, modes, owners, sizes, symlinks) equals xorriso -find -exec lsdl`, async (t) => {
    const iso = await open(t, name);
    if (!iso) return;
    assert.deepEqual(ourListing(iso.image), xorrisoListing(iso.path));
    for (const n of iso.image.walk()) assert.equal(n.mtime, 1_700_000_000, `mtime of ${n.path}`);
  });

  test(`${name}: every file's bytes equal xorriso -osirrox -extract`, async (t) => {
    const iso = await open(t, name);
    if (!iso) return;
    const dir = await tmpDir(t);
    xorriso(['-osirrox', 'on', '-indev', iso.path, '-extract', '/', dir]);
    for (const n of iso.image.walk()) {
      if (n.type !== 'file' || n.name === 'boot.cat') continue;
      const expected = new Uint8Array(await readFile(join(dir, n.path)));
      assert.deepEqual(await collect(readIsoFile(iso.source, n)), expected, n.path);
    }
  });

  test(`${name}: El Torito entries equal xorriso -report_el_torito plain`, async (t) => {
    const iso = await open(t, name);
    if (!iso) return;
    const report = xorriso(['-indev', iso.path, '-report_el_torito', 'plain']);
    const expected = [...report.matchAll(/^El Torito boot img :\s+(\d+)\s+(\S+)\s+(\S)\s+(\S+)\s+(\S+)\s+(\S+)\s+(\d+)\s+(\d+)$/gmu)]
      .map((m) => `${m[1]} ${m[2] === 'UEFI' ? 'efi' : 'bios'} ${m[3] === 'y'} ${Number(m[7])} ${Number(m[8])}`);
    const paths = [...report.matchAll(/^El Torito img path :\s+(\d+)\s+(\S+)$/gmu)].map((m) => `${m[1]} ${m[2]}`);
    const entries = iso.image.bootCatalog?.entries ?? [];
    assert.deepEqual(entries.map((e) => `${e.index} ${e.platform} ${e.isBootable} ${e.sectorCount} ${e.lba}`), expected);
    // xorriso names a path only for images that are files (not for an appended partition, layout B).
    assert.deepEqual(entries.filter((e) => e.imagePath !== undefined).map((e) => `${e.index} ${e.imagePath}`), paths);
    assert.equal(iso.image.bootCatalog?.lba, Number(/^El Torito catalog\s+:\s+(\d+)/mu.exec(report)?.[1]));
  });

  test(`${name}: MBR and GPT partitions equal xorriso -report_system_area plain`, async (t) => {
    const iso = await open(t, name);
    if (!iso) return;
    const report = xorriso(['-indev', iso.path, '-report_system_area', 'plain']);
    const mbr = [...report.matchAll(/^MBR partition\s+:\s+(\d+)\s+(0x\S+)\s+(0x\S+)\s+(\d+)\s+(\d+)$/gmu)]
      .map((m) => `${m[1]} ${Number(m[2])} ${Number(m[3])} ${m[4]} ${m[5]}`);
    const gpt = [...report.matchAll(/^GPT start and size :\s+(\d+)\s+(\d+)\s+(\d+)$/gmu)].map((m) => `${m[1]} ${m[2]} ${m[3]}`);
    const { hybrid } = iso.image;
    assert.deepEqual(hybrid.mbrPartitions.map((p) => `${p.index} ${p.status} ${p.type} ${p.start} ${p.sectors}`), mbr);
    assert.deepEqual(hybrid.gptPartitions.map((p) => `${p.index} ${p.firstLba} ${p.lastLba - p.firstLba + 1}`), gpt);
    // A lone protective MBR entry (type 0xee) means a GPT image (lorax layout B); other entries, isohybrid
    // when the MBR holds ISOLINUX's code, which xorriso reports as -isohybrid-mbr (GRUB's as --grub2-mbr).
    const protective = mbr.length === 1 && mbr[0]?.split(' ')[2] === String(0xee);
    const asMkisofs = xorriso(['-indev', iso.path, '-report_el_torito', 'as_mkisofs']);
    const code = /^-isohybrid-mbr /mu.test(asMkisofs) ? 'isohybrid' : /^--grub2-mbr /mu.test(asMkisofs) ? 'grub2' : 'none';
    assert.equal(hybrid.mbrCode, code);
    assert.equal(hybrid.kind, protective ? 'gpt' : mbr.length === 0 ? 'none' : code === 'isohybrid' ? 'isohybrid' : 'mbr');
    assert.deepEqual(hybrid.appendedPartitions, []);
  });
}

test('rhel9: Rock Ridge relocation of a 10-level tree is undone and hard links share an extent', async (t) => {
  const iso = await open(t, 'rhel9');
  if (!iso) return;
  const deep = iso.image.lookup('/extra/d1/d2/d3/d4/d5/d6/d7/d8/d9/d10/deep.txt');
  assert.equal(deep?.size, 10);
  assert.equal(iso.image.lookup('/rr_moved'), undefined);
  const initrd = iso.image.lookup('/images/pxeboot/initrd.img');
  assert.deepEqual(iso.image.hardLinks(initrd!).map((n) => n.path), ['/isolinux/initrd.img']);
  assert.equal(iso.image.hasJoliet, true);
  assert.equal(iso.image.volume.label, 'RHEL-9-4-0-BaseOS-x86_64');
});

test('layouts: RHEL 9, RHEL 6 and Debian are detected with every kernel and initrd copy', async (t) => {
  for (const [name, family, distro, version, arch, kernels, initrds] of [
    ['rhel9', 'rhel', 'Red Hat Enterprise Linux', '9.4', 'x86_64', ['/images/pxeboot/vmlinuz', '/isolinux/vmlinuz'], ['/images/pxeboot/initrd.img', '/isolinux/initrd.img']],
    ['rhel6', 'rhel-legacy', 'CentOS', '6.10', 'x86_64', ['/images/pxeboot/vmlinuz', '/isolinux/vmlinuz'], ['/images/pxeboot/initrd.img', '/isolinux/initrd.img']],
    ['debian', 'debian', 'Debian GNU/Linux', '12.5.0', 'amd64', ['/install.amd/vmlinuz', '/install.amd/gtk/vmlinuz'], ['/install.amd/initrd.gz', '/install.amd/gtk/initrd.gz']],
  ] as const) {
    const iso = await open(t, name);
    if (!iso) return;
    const layout = await detectLayout(iso.image, (p) => readIsoText(iso.source, iso.image, p));
    assert.deepEqual([layout.family, layout.distro, layout.version, layout.arch], [family, distro, version, arch], name);
    assert.deepEqual(new Set(layout.kernels), new Set(kernels), name);
    assert.deepEqual(new Set(layout.initrds), new Set(initrds), name);
    if (name === 'rhel9') {
      assert.equal(layout.efiImage, '/images/efiboot.img');
      assert.deepEqual(layout.bootConfigs.map((c) => `${c.kind} ${c.path}`), ['isolinux /isolinux/isolinux.cfg', 'grub /EFI/BOOT/grub.cfg', 'grub-efi-image /images/efiboot.img']);
      assert.deepEqual(layout.labelReferences.map((r) => `${r.path}:${r.line}`), ['/isolinux/isolinux.cfg:6', '/isolinux/isolinux.cfg:11', '/EFI/BOOT/grub.cfg:2', '/EFI/BOOT/grub.cfg:4']);
    }
    if (name === 'debian') assert.equal(layout.efiImage, '/boot/grub/efi.img');
  }
});

test('rhel9: pulling kernel and initrd reads only directory sectors and those files', async (t) => {
  const iso = await open(t, 'rhel9');
  if (!iso) return;
  const source = await openFileSource(iso.path);
  t.after(() => source.close());
  const image = await readIso(source);
  const metadata = source.bytesRead;
  let dirBytes = 0;
  for (const n of image.walk()) if (n.type === 'dir') dirBytes += Math.ceil(n.size / 2048) * 2048;
  // Descriptors (16–19), root probe, boot catalog, CE sectors, MBR and GPT: a few dozen sectors at most.
  assert.ok(metadata <= dirBytes + 64 * 2048, `metadata read ${metadata} bytes for ${dirBytes} directory bytes`);
  let fileBytes = 0;
  for (const p of ['/images/pxeboot/vmlinuz', '/images/pxeboot/initrd.img']) {
    const node = image.lookup(p)!;
    fileBytes += node.size;
    await collect(readIsoFile(source, node));
  }
  assert.ok(source.bytesRead - metadata <= 1.1 * fileBytes, `read ${source.bytesRead - metadata} bytes for ${fileBytes} file bytes`);
  assert.ok(source.bytesRead < source.size / 10, 'far less than the whole image');
});
