/**
 * `remaster iso …` as users run it: the built CLI (dist/cli/main.js) as a
 * child process on the fixture ISOs (fixtures/make-isos.sh); stdout, stderr
 * and exit codes (0 ok, 1 RemasterError, 2 usage).
 */
import assert from 'node:assert/strict';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { ensureIsoFixtures } from '../helpers/make-iso.ts';
import { runCli } from '../helpers/run-cli.ts';
import { tmpDir } from '../helpers/tmp-dir.ts';
import { requireTool } from '../helpers/tools.ts';

async function rhel9(t: TestContext): Promise<string | undefined> {
  if (!requireTool(t, 'xorriso', 'mtype', 'mcopy', 'mdir')) return undefined;
  return join(await ensureIsoFixtures(), 'rhel9.iso');
}

test('iso inspect prints label, layout, El Torito entries and hybrid tables; --json has the same facts', async (t) => {
  const iso = await rhel9(t);
  if (iso === undefined) return;
  const r = await runCli(['iso', 'inspect', iso]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /label "RHEL-9-4-0-BaseOS-x86_64"/u);
  assert.match(r.stdout, /layout: rhel Red Hat Enterprise Linux 9\.4 x86_64/u);
  assert.match(r.stdout, /initrds: \/images\/pxeboot\/initrd\.img \/isolinux\/initrd\.img/u);
  assert.match(r.stdout, /\n {2}1 {2}bios .*\/isolinux\/isolinux\.bin/u);
  assert.match(r.stdout, /\n {2}2 {2}efi .*\/images\/efiboot\.img/u);
  assert.match(r.stdout, /hybrid: MBR partition table \(ISOLINUX isohybrid MBR\), MBR partitions 2, GPT partitions 2/u);
  const json = JSON.parse((await runCli(['iso', 'inspect', '--json', iso])).stdout);
  assert.equal(json.volume.label, 'RHEL-9-4-0-BaseOS-x86_64');
  assert.equal(json.layout.family, 'rhel');
  assert.deepEqual(json.bootCatalog.entries.map((e: { platform: string }) => e.platform), ['bios', 'efi']);
});

test('iso ls lists recursively under a path, as text and JSON lines', async (t) => {
  const iso = await rhel9(t);
  if (iso === undefined) return;
  const r = await runCli(['iso', 'ls', iso, '/isolinux']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^-rw-r--r-- +2 0 +0 +150000 2023-11-14 \d\d:\d\d \/isolinux\/initrd\.img$/mu);
  assert.doesNotMatch(r.stdout, /\/images\//u);
  const lines = (await runCli(['iso', 'ls', '--json', iso, 'extra'])).stdout.trim().split('\n').map((l) => JSON.parse(l));
  assert.ok(lines.some((l) => l.path === '/extra/vmlinuz-link' && l.linkTarget === '../images/pxeboot/vmlinuz'));
  assert.ok(lines.some((l) => l.path === '/extra/run.sh' && l.uid === 1001));
});

test('iso cat writes the file bytes; a missing path exits 1 with the error code', async (t) => {
  const iso = await rhel9(t);
  if (iso === undefined) return;
  const r = await runCli(['iso', 'cat', iso, '/.discinfo']);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, '1700000000\n9.4\nx86_64\n');
  const missing = await runCli(['iso', 'cat', iso, '/no/such']);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /entry "\/no\/such": no such path in the image \[ENTRY_NOT_FOUND\]/u);
});

test('iso extract writes the chosen subtrees and refuses a non-empty target', async (t) => {
  const iso = await rhel9(t);
  if (iso === undefined) return;
  const dir = await tmpDir(t);
  const out = join(dir, 'x');
  const r = await runCli(['iso', 'extract', iso, out, '/isolinux', 'extra/d1']);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual((await readdir(out)).sort(), ['extra', 'isolinux']);
  assert.match(await readFile(join(out, 'isolinux/isolinux.cfg'), 'utf8'), /append initrd=initrd\.img/u);
  assert.equal(await readFile(join(out, 'extra/d1/d2/d3/d4/d5/d6/d7/d8/d9/d10/deep.txt'), 'utf8'), 'deep file\n');
  const again = await runCli(['iso', 'extract', iso, out]);
  assert.equal(again.code, 1);
  assert.match(again.stderr, /\[PATH_EXISTS\]/u);
});

test('iso rebuild replaces, adds and edits kernel arguments; the output reads back through the CLI', async (t) => {
  const iso = await rhel9(t);
  if (iso === undefined) return;
  const dir = await tmpDir(t);
  await writeFile(join(dir, 'ks.cfg'), 'text\n');
  await writeFile(join(dir, 'initrd.img'), 'new initrd');
  const out = join(dir, 'out.iso');
  const r = await runCli(['--quiet', 'iso', 'rebuild', iso, '-o', out, '--add', `${dir}/ks.cfg:/ks.cfg`, '--replace', `${dir}/initrd.img:/isolinux/initrd.img`,
    '--kernel-arg', 'inst.ks=hd:LABEL=RHEL-9-4-0-BaseOS-x86_64:/ks.cfg', '--remove-kernel-arg', 'rd.live.check']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /replaced \/images\/pxeboot\/initrd\.img \(hard link of \/isolinux\/initrd\.img\)/u);
  assert.match(r.stdout, /config {3}\/images\/efiboot\.img:\/EFI\/BOOT\/grub\.cfg: 1 line changed/u);
  const cfg = (await runCli(['iso', 'cat', out, '/isolinux/isolinux.cfg'])).stdout;
  assert.match(cfg, /append initrd=initrd\.img inst\.stage2=hd:LABEL=RHEL-9-4-0-BaseOS-x86_64 quiet inst\.ks=hd:LABEL=RHEL-9-4-0-BaseOS-x86_64:\/ks\.cfg\n/u);
  assert.doesNotMatch(cfg, /rd\.live\.check/u);
  assert.equal((await runCli(['iso', 'cat', out, '/images/pxeboot/initrd.img'])).stdout, 'new initrd');
  assert.equal((await runCli(['iso', 'cat', out, '/ks.cfg'])).stdout, 'text\n');
});

test('iso rebuild usage errors exit 2; library errors exit 1 and leave no output', async (t) => {
  const iso = await rhel9(t);
  if (iso === undefined) return;
  const dir = await tmpDir(t);
  const noOutput = await runCli(['iso', 'rebuild', iso]);
  assert.equal(noOutput.code, 2);
  assert.match(noOutput.stderr, /required option '-o, --output <file>'/u);
  const badMapping = await runCli(['iso', 'rebuild', iso, '-o', join(dir, 'o.iso'), '--add', 'nocolon']);
  assert.equal(badMapping.code, 2);
  assert.match(badMapping.stderr, /expected <host-path>:<iso-path>/u);
  const missingInput = await runCli(['iso', 'rebuild', join(dir, 'nope.iso'), '-o', join(dir, 'o.iso')]);
  assert.equal(missingInput.code, 1);
  assert.match(missingInput.stderr, /\[INPUT_NOT_FOUND\]/u);
  await mkdir(join(dir, 'sub'));
  const notInImage = await runCli(['--quiet', 'iso', 'rebuild', iso, '-o', join(dir, 'sub', 'o.iso'), '--replace', '/etc/hostname:/not/there']);
  assert.equal(notInImage.code, 1);
  assert.match(notInImage.stderr, /\[ENTRY_NOT_FOUND\]/u);
  assert.deepEqual(await readdir(join(dir, 'sub')), []);
});
