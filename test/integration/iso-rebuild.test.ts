/**
 * rebuildIso() on the real-tool fixture ISOs (fixtures/make-isos.sh): files
 * replaced in every hard-linked copy, a kickstart added, kernel arguments
 * edited in every boot config (ISO files and the grub.cfg inside the EFI FAT
 * image), and the boot setup checked after replay with our reader and with
 * xorriso's own reports (reference 03 §10 "verify").
 */
import assert from 'node:assert/strict';
import { readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import {
  bootConfigEditor, createIsoWorkdir, openFileSource, readIso, readIsoFile, rebuildIso, runTool, runXorriso,
  type IsoImage, type RebuildIsoOptions, type Warning, type BlockSource,
} from '../../src/index.ts';
import { concatBytes } from '../../src/io/index.ts';
import { spawnSync } from 'node:child_process';
import { ensureIsoFixtures } from '../helpers/make-iso.ts';
import { tmpDir } from '../helpers/tmp-dir.ts';
import { requireTool, runTool as runOracle } from '../helpers/tools.ts';

const RHEL_LABEL = 'RHEL-9-4-0-BaseOS-x86_64';
const NEW_KS = `inst.ks=hd:LABEL=${RHEL_LABEL}:/ks.cfg`;

async function withImage<T>(path: string, use: (image: IsoImage, source: BlockSource) => Promise<T>): Promise<T> {
  const source = await openFileSource(path);
  try {
    return await use(await readIso(source), source);
  } finally {
    await source.close();
  }
}

async function fileText(path: string, isoPath: string): Promise<string> {
  return withImage(path, async (image, source) => {
    const node = image.lookup(isoPath);
    assert.ok(node, `${isoPath} exists`);
    const parts: Uint8Array[] = [];
    for await (const c of readIsoFile(source, node)) parts.push(c);
    return new TextDecoder().decode(concatBytes(parts));
  });
}

/** Kernel lines of a config: isolinux append, GRUB linux/linuxefi. */
function kernelLines(text: string): string[] {
  return text.split('\n').filter((l) => /^\s*(append|linux(efi|16)?)\s/iu.test(l));
}

function rebuild(options: Omit<RebuildIsoOptions, 'createWorkdir'>, warnings: Warning[] = []): ReturnType<typeof rebuildIso> {
  return rebuildIso({ createWorkdir: createIsoWorkdir, onWarning: (w) => warnings.push(w), ...options });
}

async function prerequisites(t: TestContext): Promise<string | undefined> {
  if (!requireTool(t, 'xorriso', 'mtype', 'mcopy', 'mdir')) return undefined;
  return ensureIsoFixtures();
}

test('rebuilds the RHEL 9 ISO with a new initrd in every hard-linked copy, a kickstart and edited kernel arguments', async (t) => {
  const fixtures = await prerequisites(t);
  if (fixtures === undefined) return;
  const dir = await tmpDir(t);
  // Stage 1: give the media an earlier kickstart in both spellings, as a vendor-remastered ISO might have.
  const stage1 = join(dir, 'stage1.iso');
  await rebuild({ input: join(fixtures, 'rhel9.iso'), output: stage1, editConfig: bootConfigEditor({ kernelArgs: { add: ['inst.ks=http://old.example/ks.cfg'] } }) });
  assert.match(await fileText(stage1, '/isolinux/isolinux.cfg'), /quiet inst\.ks=http:\/\/old\.example\/ks\.cfg\n/u);

  const initrd = join(dir, 'initrd.img');
  const ks = join(dir, 'ks.cfg');
  await writeFile(initrd, 'the new initrd bytes\n'.repeat(5000));
  await writeFile(ks, 'text\nreboot\n');
  const output = join(dir, 'out.iso');
  const warnings: Warning[] = [];
  const result = await rebuild({
    input: stage1, output,
    replace: [{ hostPath: initrd, isoPath: '/images/pxeboot/initrd.img' }],
    add: [{ hostPath: ks, isoPath: 'ks.cfg' }],
    editConfig: bootConfigEditor({ kernelArgs: { add: [NEW_KS], remove: ['inst.ks'] } }),
  }, warnings);
  assert.deepEqual(warnings, []);
  assert.deepEqual(result.replaced.map((r) => r.isoPath).sort(), ['/images/pxeboot/initrd.img', '/isolinux/initrd.img']);
  assert.deepEqual(result.configs.map((c) => [c.path, c.changes]), [
    ['/isolinux/isolinux.cfg', 2], ['/EFI/BOOT/grub.cfg', 1], ['/images/efiboot.img:/EFI/BOOT/grub.cfg', 1],
  ]);
  assert.deepEqual(await readdir(dir), ['initrd.img', 'ks.cfg', 'out.iso', 'stage1.iso'].sort(), 'no work directory or temporary output is left behind');

  await withImage(output, async (image) => {
    assert.equal(image.volume.label, RHEL_LABEL, 'volume label unchanged');
    assert.ok(image.hasJoliet && image.hasRockRidge, 'Joliet and Rock Ridge kept');
    assert.deepEqual(image.bootCatalog?.entries.map((e) => [e.platform, e.imagePath]), [['bios', '/isolinux/isolinux.bin'], ['efi', '/images/efiboot.img']]);
    assert.equal(image.hybrid.kind, 'isohybrid', 'MBR partition table kept (as in the input)');
    assert.ok(image.hybrid.mbrPartitions.some((p) => p.type === 0xef), 'MBR EFI partition kept');
    assert.ok(image.hybrid.gptPartitions.length >= 2, 'GPT kept');
    for (const p of ['/.treeinfo', '/.discinfo', '/images/pxeboot/vmlinuz', '/isolinux/vmlinuz', '/extra/vmlinuz-link']) assert.ok(image.lookup(p), `${p} kept`);
  });
  for (const p of ['/images/pxeboot/initrd.img', '/isolinux/initrd.img']) assert.equal(await fileText(output, p), 'the new initrd bytes\n'.repeat(5000), `${p} has the new bytes`);
  assert.equal(await fileText(output, '/ks.cfg'), 'text\nreboot\n');

  const efiImg = join(dir, 'efiboot.img');
  runOracle('xorriso', ['-osirrox', 'on', '-indev', output, '-extract', '/images/efiboot.img', efiImg]);
  const configs = {
    'isolinux.cfg': await fileText(output, '/isolinux/isolinux.cfg'),
    'EFI/BOOT/grub.cfg': await fileText(output, '/EFI/BOOT/grub.cfg'),
    'efiboot.img grub.cfg': new TextDecoder().decode(runOracle('mtype', ['-i', efiImg, '::/EFI/BOOT/grub.cfg'])),
  };
  for (const [name, text] of Object.entries(configs)) {
    const lines = kernelLines(text);
    assert.ok(lines.length > 0, `${name} has kernel lines`);
    for (const line of lines) {
      assert.equal(line.split(NEW_KS).length - 1, 1, `${name}: new inst.ks exactly once in ${JSON.stringify(line)}`);
      assert.doesNotMatch(line, /old\.example|old\.cfg|(^|\s)ks=/u, `${name}: old kickstart gone`);
    }
  }

  const report = xorrisoReport(output);
  assert.match(report, /El Torito boot img : +1 +BIOS/u);
  assert.match(report, /El Torito boot img : +2 +UEFI/u);
  assert.match(report, /MBR partition path : +2 +\/images\/efiboot\.img/u);
  assert.match(report, /GPT partition path : +2 +\/images\/efiboot\.img/u);
  assert.match(report, new RegExp(`Volume id +: '${RHEL_LABEL}'`, 'u'));
});

/** Return xorriso's El Torito and system-area reports (stdout and stderr: the volume id is an info line). */
function xorrisoReport(iso: string): string {
  const r = spawnSync('xorriso', ['-indev', iso, '-report_el_torito', 'plain', '-report_system_area', 'plain'], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return `${r.stdout}${r.stderr}`;
}

test('a no-op rebuild keeps the boot setup and every file', async (t) => {
  const fixtures = await prerequisites(t);
  if (fixtures === undefined) return;
  const dir = await tmpDir(t);
  const output = join(dir, 'same.iso');
  const result = await rebuild({ input: join(fixtures, 'rhel9.iso'), output });
  assert.deepEqual([result.replaced, result.added, result.configs], [[], [], []]);
  const paths = async (p: string) => withImage(p, async (image) => [...image.walk()].map((n) => `${n.path} ${n.size} ${n.mode.toString(8)} ${n.uid}:${n.gid}`).sort());
  assert.deepEqual(await paths(output), await paths(join(fixtures, 'rhel9.iso')));
});

test('edits the Debian isolinux and GRUB configs, including the grub.cfg inside efi.img, and keeps .disk/', async (t) => {
  const fixtures = await prerequisites(t);
  if (fixtures === undefined) return;
  const dir = await tmpDir(t);
  const output = join(dir, 'debian.iso');
  const warnings: Warning[] = [];
  const result = await rebuild({ input: join(fixtures, 'debian.iso'), output, editConfig: bootConfigEditor({ kernelArgs: { add: ['auto=true', 'priority=critical'] } }) }, warnings);
  assert.deepEqual(warnings, []);
  const changed = result.configs.filter((c) => c.changes > 0).map((c) => c.path);
  assert.deepEqual(changed, ['/isolinux/txt.cfg', '/boot/grub/grub.cfg', '/boot/grub/efi.img:/EFI/BOOT/grub.cfg']);
  assert.match(await fileText(output, '/isolinux/txt.cfg'), /append vga=788 initrd=\/install\.amd\/initrd\.gz auto=true priority=critical --- quiet/u);
  assert.match(await fileText(output, '/.disk/info'), /Debian GNU\/Linux 12\.5\.0/u);
  await withImage(output, async (image) => assert.equal(image.volume.label, 'Debian 12.5.0 amd64 n'));
});

test('a new volume label is written and every label reference follows it', async (t) => {
  const fixtures = await prerequisites(t);
  if (fixtures === undefined) return;
  const dir = await tmpDir(t);
  const output = join(dir, 'relabel.iso');
  await rebuild({ input: join(fixtures, 'rhel9.iso'), output, volumeLabel: 'RHEL-9-KS', editConfig: bootConfigEditor({ volumeLabel: 'RHEL-9-KS' }) });
  await withImage(output, async (image) => assert.equal(image.volume.label, 'RHEL-9-KS'));
  const grub = await fileText(output, '/EFI/BOOT/grub.cfg');
  assert.match(grub, /search --no-floppy --set=root -l 'RHEL-9-KS'/u);
  assert.doesNotMatch(grub + (await fileText(output, '/isolinux/isolinux.cfg')), /BaseOS/u);
});

test('a RHEL 6 ISO without an EFI image is edited with no EFI warning; the hard-linked kernel copy is replaced too', async (t) => {
  const fixtures = await prerequisites(t);
  if (fixtures === undefined) return;
  const dir = await tmpDir(t);
  const kernel = join(dir, 'vmlinuz');
  await writeFile(kernel, 'new kernel');
  const warnings: Warning[] = [];
  const result = await rebuild({
    input: join(fixtures, 'rhel6.iso'), output: join(dir, 'c6.iso'),
    replace: [{ hostPath: kernel, isoPath: '/isolinux/vmlinuz' }],
    editConfig: bootConfigEditor({ kernelArgs: { add: ['ks=cdrom:/ks.cfg'] } }),
  }, warnings);
  assert.deepEqual(warnings, []);
  assert.deepEqual(result.replaced.map((r) => r.isoPath).sort(), ['/images/pxeboot/vmlinuz', '/isolinux/vmlinuz']);
  assert.equal(await fileText(join(dir, 'c6.iso'), '/images/pxeboot/vmlinuz'), 'new kernel');
});

test('refuses to replace a missing file or add an existing one, before running xorriso', async (t) => {
  const fixtures = await prerequisites(t);
  if (fixtures === undefined) return;
  const dir = await tmpDir(t);
  const input = join(fixtures, 'rhel9.iso');
  await assert.rejects(rebuild({ input, output: join(dir, 'o.iso'), replace: [{ hostPath: '/etc/hostname', isoPath: '/nope' }] }), { code: 'ENTRY_NOT_FOUND' });
  await assert.rejects(rebuild({ input, output: join(dir, 'o.iso'), add: [{ hostPath: '/etc/hostname', isoPath: '/.treeinfo' }] }), { code: 'EDIT_CONFLICT' });
  await assert.rejects(rebuild({ input, output: join(dir, 'o.iso'), add: [{ hostPath: '/etc/hostname', isoPath: '../x' }] }), { code: 'PATH_ESCAPE' });
  await assert.rejects(rebuild({ input, output: input }), { code: 'USAGE' });
  assert.deepEqual(await readdir(dir), []);
});

test('a failing xorriso run leaves no output and reports the stderr tail', async (t) => {
  const fixtures = await prerequisites(t);
  if (fixtures === undefined) return;
  const dir = await tmpDir(t);
  const err = await rebuild({ input: join(fixtures, 'rhel9.iso'), output: join(dir, 'o.iso'), replace: [{ hostPath: join(dir, 'missing'), isoPath: '/.discinfo' }] }).catch((e: unknown) => e);
  assert.equal((err as { code?: string }).code, 'TOOL_FAILED');
  assert.match(String((err as Error).message), /xorriso exited with \d+: .*Cannot determine attributes of source file .*missing/u);
  assert.deepEqual(await readdir(dir), []);
});

test('a missing tool is TOOL_MISSING naming the Debian package', async () => {
  await assert.rejects(runTool('remaster-no-such-tool', []), { code: 'TOOL_MISSING' });
  const err = await runTool('mtype-not-here', []).catch((e: Error) => e);
  assert.match(String(err), /not found on PATH; install the Debian package "mtype-not-here"/u);
  await assert.rejects(runXorriso(['-indev', '/nonexistent/x.iso']), { code: 'TOOL_FAILED' });
});

test('re-implants the media check MD5 when the input had one, and checkisomd5 accepts the output', async (t) => {
  const fixtures = await prerequisites(t);
  if (fixtures === undefined || !requireTool(t, 'implantisomd5', 'checkisomd5')) return;
  const dir = await tmpDir(t);
  const input = join(dir, 'md5.iso');
  await writeFile(input, await (await import('node:fs/promises')).readFile(join(fixtures, 'rhel9.iso')));
  runOracle('implantisomd5', [input]);
  const ks = join(dir, 'ks.cfg');
  await writeFile(ks, 'text\n');
  const output = join(dir, 'out.iso');
  const result = await rebuild({ input, output, add: [{ hostPath: ks, isoPath: '/ks.cfg' }] });
  assert.equal(result.md5, 'implanted');
  const check = spawnSync('checkisomd5', [output], { encoding: 'utf8' });
  assert.equal(check.status, 0, check.stdout + check.stderr);
});
