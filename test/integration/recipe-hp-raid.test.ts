/**
 * The shipped recipes/hp-raid.yaml, planned and built against stand-ins for
 * the inputs it names (which cannot be shipped): an installer ISO made of the
 * real Debian installer kernel + initrd, a kmod-hpsa rpm carrying the real
 * hpsa.ko for that kernel, and an ssacli rpm whose CLI is the real mdadm
 * binary (an ELF that needs libudev and libc, both already in the initrd).
 * Its install: section puts ssacli under updates/ (Anaconda's stage 2) and
 * composes the hardware check and the Smart Array RAID into ks.cfg, which
 * pykickstart's ksvalidator accepts once the %include holds what %pre writes.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync, execFileSync } from 'node:child_process';
import { cp, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { applyPlan, extractEntries, fileRangeSource, loadRecipe, planRecipe, prepareBuild, readInitrd, scanInitrd } from '../../src/index.ts';
import { ensureFixtures } from '../helpers/fixtures.ts';
import { ensurePackages } from '../helpers/packages.ts';
import { buildIso } from '../helpers/installer-iso.ts';
import { requireTool } from '../helpers/tools.ts';
import { tmpDir } from '../helpers/tmp-dir.ts';
import { ksvalidate, requireKsvalidator } from '../helpers/ksvalidator.ts';

const ROOT = resolve(import.meta.dirname, '../..');

function rpm(dir: string, name: string, version: string, files: [src: string, dest: string, mode: string][]): string {
  const top = join(dir, `rpm-${name}`);
  const spec = [
    `Name: ${name}`, `Version: ${version}`, 'Release: 0', 'Summary: remaster stand-in', 'License: MIT', 'BuildArch: x86_64',
    '%define debug_package %{nil}', '%define __os_install_post %{nil}', '%define _build_id_links none', '%description', 'Stand-in.', '%install',
    ...files.map(([src, dest]) => `mkdir -p %{buildroot}$(dirname ${dest}) && cp ${src} %{buildroot}${dest}`),
    '%files', ...files.map(([, dest, mode]) => `%attr(${mode},root,root) ${dest}`), '',
  ].join('\n');
  execFileSync('mkdir', ['-p', top]);
  execFileSync('sh', ['-c', `cat > ${top}/x.spec`], { input: spec });
  const r = spawnSync('rpmbuild', ['--quiet', '--nodeps', '--define', `_topdir ${top}`, '--define', '_binary_payload w9.xzdio', '-bb', `${top}/x.spec`], { env: { ...process.env, SOURCE_DATE_EPOCH: '1700000000' } });
  assert.equal(r.status, 0, r.stderr?.toString());
  return join(top, 'RPMS/x86_64', `${name}-${version}-0.x86_64.rpm`);
}

test('recipes/hp-raid.yaml plans and builds: vendor hpsa into updates/, ssacli under updates/ with its libraries reused, install %pre from the snippets, stock initrd kept', async (t) => {
  if (!requireTool(t, 'rpmbuild', 'xorriso', 'mcopy', 'grub-mkimage', 'mkfs.vfat', 'modprobe')) return;
  const fx = await ensureFixtures(t);
  const pk = await ensurePackages(t);
  if (!fx || !pk) return;
  const dir = await tmpDir(t);
  await mkdir(join(dir, 'recipes'));
  await mkdir(join(dir, 'isos'));
  await mkdir(join(dir, 'vendor'));
  await cp(join(ROOT, 'recipes/hp-raid.yaml'), join(dir, 'recipes/hp-raid.yaml'));
  await cp(join(ROOT, 'overlays/hp-raid'), join(dir, 'overlays/hp-raid'), { recursive: true });
  await cp(join(ROOT, 'kickstarts'), join(dir, 'kickstarts'), { recursive: true });
  const iso = await buildIso(join(dir, 'isos'), fx.di.linux, fx.di.initrdGz);
  await cp(iso, join(dir, 'isos/rhel-9.4-x86_64-boot.iso'));
  const kver = fx.di.kver;
  const hpsa = join(fx.dir, 'real/modules', kver, 'kernel/drivers/scsi/hpsa.ko');
  await cp(rpm(dir, 'kmod-hpsa', '3.4.20', [[hpsa, `/lib/modules/${kver}/extra/hpsa/hpsa.ko`, '0644']]), join(dir, 'vendor/kmod-hpsa-3.4.20-248.rhel9u4.x86_64.rpm'));
  await cp(rpm(dir, 'ssacli', '6.40', [[join(pk.sysroot, 'sbin/mdadm'), '/opt/smartstorageadmin/ssacli/bin/ssacli', '0755']]), join(dir, 'vendor/ssacli-6.40-6.0.x86_64.rpm'));

  const file = join(dir, 'recipes/hp-raid.yaml');
  const { recipe, text } = await loadRecipe(file);
  const warnings: string[] = [];
  const build = await prepareBuild(recipe, file, text, { sourceDateEpoch: 1700000000, onWarning: (w) => warnings.push(w.code) });
  assert.ok(warnings.includes('KICKSTART_PLAINTEXT_PASSWORD'));
  const plan = planRecipe(build);
  const paths = plan.edit.adds.map((a) => a.path);
  assert.ok(paths.includes(`lib/modules/${kver}/updates/hpsa.ko`));
  assert.ok(paths.includes(`lib/modules/${kver}/modules.dep.bin`));
  assert.ok(paths.includes('updates/opt/smartstorageadmin/ssacli/bin/ssacli'), 'ssacli reaches stage 2 through /updates');
  assert.deepEqual(plan.install?.binaries, [{ snippet: 'raid-ssacli.sh', name: 'ssacli', path: '/opt/smartstorageadmin/ssacli/bin/ssacli', via: 'install.tools' }]);
  assert.deepEqual(plan.install?.snippets, ['report.sh', 'hardware.sh', 'inventory.sh', 'require.sh', 'raid-common.sh', 'raid-ssacli.sh']);
  assert.ok(paths.includes('.rundepmod'));
  assert.ok(!paths.some((p) => /libudev|libc\.so/.test(p)), 'libraries the initrd has are reused');
  assert.match(plan.source.initrd, /rhel-9\.4-x86_64-boot\.iso:\/(images\/pxeboot|isolinux)\/initrd\.img$/);
  const result = await applyPlan(plan, build);
  await build.source.close();

  // append mode: the stock initrd's bytes come first, unchanged.
  const original = await readFile(fx.di.initrdGz);
  const out = await readFile(join(result.dir, 'initrd.img'));
  assert.equal(Buffer.compare(out.subarray(0, original.length), original), 0);
  assert.equal((await scanInitrd(fileRangeSource(join(result.dir, 'initrd.img')).open())).segments.length, 2);
  assert.equal(Buffer.compare(await readFile(join(result.dir, 'vmlinuz')), await readFile(fx.di.linux)), 0);
  const root = join(dir, 'root');
  await mkdir(root);
  await extractEntries(readInitrd(fileRangeSource(join(result.dir, 'initrd.img')).open()), root, { onWarning: () => {} });
  const deps = execFileSync('modprobe', ['-d', root, '-S', kver, '--show-depends', 'hpsa']).toString();
  assert.match(deps, new RegExp(`/lib/modules/${kver}/updates/hpsa\\.ko`));
  assert.equal(Buffer.compare(await readFile(join(root, 'updates/opt/smartstorageadmin/ssacli/bin/ssacli')), await readFile(join(pk.sysroot, 'sbin/mdadm'))), 0);
  const ks = await readFile(join(result.dir, 'ks.cfg'), 'utf8');
  assert.match(ks, /^rootpw --iscrypted '?\$6\$/m);
  assert.match(ks, /^%include \/tmp\/remaster-storage\.ks$/m);
  assert.match(ks, /^%pre --log=\/tmp\/remaster-pre\.log --erroronfail\n[\s\S]*^REMASTER_SSACLI='\/opt\/smartstorageadmin\/ssacli\/bin\/ssacli'$[\s\S]*^remaster_inventory \|\| [^\n]*\nremaster_require \|\| exit 1\nremaster_raid_ssacli \|\| exit 1\n[\s\S]*^%end$/m);
  assert.ok(result.manifest.outputs['ks.cfg']);
  if (requireKsvalidator(t)) {
    // What Anaconda reads after %pre: the include replaced by the storage lines raid-ssacli.sh writes for the logical drive sda.
    const resolved = ks.replace('%include /tmp/remaster-storage.ks\n', recipe.install!.raid!.storage!.map((l) => `${l.replaceAll('@DEVICE@', 'sda')}\n`).join(''));
    await writeFile(join(dir, 'resolved.ks'), resolved);
    const [record] = await ksvalidate(['RHEL9'], ['resolved.ks'], dir);
    assert.equal(record?.rc, 0, record?.messages.join('\n'));
  }
  await writeFile(join(dir, 'done'), '');
});
