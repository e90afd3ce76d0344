/**
 * The job users come for, on real material: the Debian 12 installer initrd
 * loses scsi_transport_sas (a dependency of hpsa) by a removal, and a recipe
 * injects hpsa and scsi_transport_sas back from the real kernel package's
 * modules, plus mdadm (a real RAID tool) with its library closure. Oracles:
 * real kmod (modprobe --show-depends on the extracted result; depmod over
 * the same tree gives the same indexes) and the kernel under QEMU.
 */
import { after, test } from 'node:test';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { cp, readFile, writeFile, mkdir } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { applyPlan, bootTestKernel, extractEntries, fileRangeSource, parseRecipe, planRecipe, prepareBuild, readInitrd, type BuildResult } from '../../src/index.ts';
import { ensureFixtures, type FixturePaths } from '../helpers/fixtures.ts';
import { ensurePackages } from '../helpers/packages.ts';
import { requireTool } from '../helpers/tools.ts';

// One build shared by every test of this file; removed when the file's tests end.
let shared: string | undefined;
after(() => (shared ? rm(shared, { recursive: true, force: true }) : undefined));

async function buildRaid(fx: FixturePaths, sysroot: string): Promise<{ result: BuildResult; dir: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'remaster-raid-'));
  shared = dir;
  const mods = join(fx.dir, 'real/modules', fx.di.kver, 'kernel/drivers/scsi');
  const recipeFile = join(dir, 'raid.yaml');
  const text = `name: raid
source:
  initrd: ${relative(dir, fx.di.initrdGz)}
  kernel: ${relative(dir, fx.di.linux)}
steps:
  - files: []
    remove: [/lib/modules/${fx.di.kver}/kernel/drivers/scsi/scsi_transport_sas.ko]
  - kernelModules:
      - ${relative(dir, join(mods, 'hpsa.ko'))}
      - ${relative(dir, join(mods, 'scsi_transport_sas.ko'))}
    load: [hpsa]
  - binaries: [/sbin/mdadm]
    sysroot: ${relative(dir, sysroot)}
output:
  dir: out
  mode: rebuild
  compression: zstd
  level: 3
`;
  await writeFile(recipeFile, text);
  const build = await prepareBuild(parseRecipe(text, recipeFile), recipeFile, text, { sourceDateEpoch: 1700000000 });
  const result = await applyPlan(planRecipe(build), build);
  await build.source.close();
  return { result, dir };
}

let built: Promise<{ result: BuildResult; dir: string; root: string } | undefined> | undefined;

async function once(t: import('node:test').TestContext) {
  if (!requireTool(t, 'modprobe', 'depmod')) return undefined;
  const fx = await ensureFixtures(t);
  const pk = await ensurePackages(t);
  if (!fx || !pk) return undefined;
  built ??= (async () => {
    const { result, dir } = await buildRaid(fx, pk.sysroot);
    const root = join(dir, 'root');
    await mkdir(root);
    await extractEntries(readInitrd(fileRangeSource(join(result.dir, 'initrd.img')).open()), root, { onWarning: () => {} });
    return { result, dir, root };
  })();
  return { ...(await built), fx } as { result: BuildResult; dir: string; root: string; fx: FixturePaths };
}

test('real modprobe resolves the injected hpsa through our regenerated indexes, dependencies from updates/', async (t) => {
  const b = await once(t);
  if (!b) return;
  const kver = b.fx.di.kver;
  const out = execFileSync('modprobe', ['-d', b.root, '-S', kver, '--show-depends', 'hpsa']).toString();
  const lines = out.trim().split('\n').map((l) => l.replace(b.root, ''));
  assert.deepEqual(lines.map((l) => l.split('/').pop()?.trim()), ['scsi_common.ko', 'scsi_mod.ko', 'scsi_transport_sas.ko', 'hpsa.ko']);
  assert.match(lines[2] as string, new RegExp(`/lib/modules/${kver}/updates/scsi_transport_sas\\.ko`));
  assert.match(lines[3] as string, new RegExp(`/lib/modules/${kver}/updates/hpsa\\.ko`));
  const manifest = b.result.manifest;
  assert.deepEqual(manifest.modules.map((m) => m.name).sort(), ['hpsa', 'scsi_transport_sas']);
  assert.ok(manifest.modules.every((m) => m.vermagic.startsWith(`${kver} `)));
  assert.ok(manifest.removed.includes(`lib/modules/${kver}/kernel/drivers/scsi/scsi_transport_sas.ko`));
});

test('real depmod over the same extracted tree writes the same indexes', async (t) => {
  const b = await once(t);
  if (!b) return;
  const kver = b.fx.di.kver;
  const copy = join(b.dir, 'depmod-root');
  await cp(join(b.root, 'lib/modules'), join(copy, 'lib/modules'), { recursive: true });
  execFileSync('depmod', ['-b', copy, kver]);
  for (const name of ['modules.dep', 'modules.alias', 'modules.symbols', 'modules.softdep', 'modules.devname', 'modules.dep.bin', 'modules.alias.bin', 'modules.symbols.bin', 'modules.builtin.bin']) {
    const ours: Buffer = await readFile(join(b.root, 'lib/modules', kver, name));
    const theirs: Buffer = await readFile(join(copy, 'lib/modules', kver, name));
    assert.equal(Buffer.compare(ours, theirs), 0, `${name} differs from depmod's`);
  }
});

test('mdadm lands with its interpreter and libraries reused from the initrd', async (t) => {
  const b = await once(t);
  if (!b) return;
  const added = b.result.manifest.files.map((f) => f.path);
  assert.ok(added.includes('sbin/mdadm'));
  assert.ok(!added.some((p) => /libc\.so|libudev/.test(p)), `libraries the initrd has must be reused: ${added.join(' ')}`);
});

test('the installer kernel boots the built initrd: modprobe loads hpsa with its injected dependency, mdadm runs', async (t) => {
  if (!requireTool(t, 'qemu-system-x86_64')) return;
  const b = await once(t);
  if (!b) return;
  const r = await bootTestKernel(b.fx.di.linux, fileRangeSource(join(b.result.dir, 'initrd.img')), {
    timeoutMs: 180_000, checks: { modules: ['hpsa'], binaries: ['/sbin/mdadm'], files: [`/lib/modules/${b.fx.di.kver}/updates/hpsa.ko`] },
  });
  const run = r.runs[0]!;
  assert.ok(r.passed, `${run.checks.filter((c) => !c.ok).map((c) => c.check).join(', ')}\n${run.tail.join('\n')}`);
  assert.match(run.log, /REMASTER-PROBE-LOADED scsi_transport_sas/);
});
