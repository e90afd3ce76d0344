/**
 * Every shipped recipe is loaded and planned; the demo recipe is also built
 * twice (same sha256: reproducible) and its output read back.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { resolve, join } from 'node:path';
import { applyPlan, loadRecipe, planRecipe, prepareBuild, readInitrd, scanInitrd, readFileChunks, parseRecipe } from '../../src/index.ts';
import { tmpDir } from '../helpers/tmp-dir.ts';
import { ensureFixtures } from '../helpers/fixtures.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const RECIPES = join(ROOT, 'recipes');

/** Make the demo material the way `npm run demo` does, from the fixtures' kernel and busybox. */
async function makeDemo(t: import('node:test').TestContext): Promise<boolean> {
  const fx = await ensureFixtures(t);
  if (!fx) return false;
  execFileSync(process.execPath, [join(ROOT, 'scripts/make-demo.ts'), join(ROOT, 'out/demo'), '--kernel', fx.kernel.vmlinuz, '--busybox', fx.busybox], { env: { ...process.env, SOURCE_DATE_EPOCH: '1700000000' } });
  return true;
}

test('every shipped recipe parses against the schema', () => {
  const files = readdirSync(RECIPES).filter((f) => f.endsWith('.yaml'));
  assert.ok(files.includes('demo.yaml'));
  for (const f of files) parseRecipe(readFileSync(join(RECIPES, f), 'utf8'), f);
});

test('the demo recipe plans, builds reproducibly, and its initrd holds what the plan says', async (t) => {
  if (!(await makeDemo(t))) return;
  const file = join(RECIPES, 'demo.yaml');
  const { recipe, text } = await loadRecipe(file);
  const builds = [];
  for (const dir of [await tmpDir(t), await tmpDir(t)]) {
    recipe.output.dir = dir;
    const build = await prepareBuild(recipe, file, text, { sourceDateEpoch: 1700000000 });
    const plan = planRecipe(build);
    assert.deepEqual(plan.edit.removed, ['etc/os-release']);
    assert.ok(plan.edit.adds.some((a) => a.path === 'usr/lib/firmware/demo/demo-nic.bin' && a.requested === 'lib/firmware/demo/demo-nic.bin'));
    const result = await applyPlan(plan, build);
    await build.source.close();
    builds.push(result);
  }
  const [a, b] = builds as [Awaited<ReturnType<typeof applyPlan>>, Awaited<ReturnType<typeof applyPlan>>];
  assert.equal(a.manifest.outputs['initrd.img']?.sha256, b.manifest.outputs['initrd.img']?.sha256);
  assert.equal(readFileSync(join(a.dir, 'manifest.json'), 'utf8'), readFileSync(join(b.dir, 'manifest.json'), 'utf8'));
  const motd = a.manifest.files.find((f) => f.path === 'etc/remaster/motd');
  assert.equal(motd?.sha256, (await import('node:crypto')).createHash('sha256').update(readFileSync(join(ROOT, 'overlays/demo/files/etc/remaster/motd'))).digest('hex'));
  const names = new Map<string, string>();
  for await (const e of readInitrd(readFileChunks(join(a.dir, 'initrd.img')))) names.set(e.name, (e.header.mode & 0o7777).toString(8));
  assert.equal(names.get('usr/bin/remaster-hello'), '755');
  assert.equal(names.has('etc/os-release'), false);
  const index = await scanInitrd(readFileChunks(join(a.dir, 'initrd.img')));
  assert.deepEqual(index.segments.map((s) => s.format), ['cpio', 'xz']);
});

test('boot-test passes on the demo build: the real kernel boots it and the injected helper runs', async (t) => {
  const { requireTool } = await import('../helpers/tools.ts');
  if (!requireTool(t, 'qemu-system-x86_64') || !(await makeDemo(t))) return;
  const file = join(RECIPES, 'demo.yaml');
  const { recipe, text } = await loadRecipe(file);
  recipe.output.dir = await tmpDir(t);
  const build = await prepareBuild(recipe, file, text, { sourceDateEpoch: 1700000000 });
  const result = await applyPlan(planRecipe(build), build);
  await build.source.close();
  const { bootTest } = await import('../../src/index.ts');
  const r = await bootTest(result.dir, { timeoutMs: 120_000, checks: { binaries: ['/usr/bin/remaster-hello'] } });
  assert.ok(r.passed, r.runs[0]?.tail.join('\n'));
  assert.ok(r.runs[0]?.checks.some((c) => c.check === 'file /etc/remaster/motd' && c.ok), 'files from the manifest are checked by default');
});

test('a failing build leaves the previous output directory untouched', async (t) => {
  if (!(await makeDemo(t))) return;
  const file = join(RECIPES, 'demo.yaml');
  const { recipe, text } = await loadRecipe(file);
  const dir = await tmpDir(t);
  recipe.output.dir = dir;
  const build = await prepareBuild(recipe, file, text);
  await applyPlan(planRecipe(build), build);
  const before = readFileSync(join(dir, 'manifest.json'), 'utf8');
  const broken = planRecipe(build);
  broken.edit.adds.push({ path: 'x', requested: 'x', action: 'add', spec: { path: 'x', type: 'file', size: 10, data: new Uint8Array(3) } });
  await assert.rejects(applyPlan(broken, build), { code: 'CPIO_BAD_HEADER' });
  assert.equal(readFileSync(join(dir, 'manifest.json'), 'utf8'), before);
  assert.deepEqual(readdirSync(resolve(dir, '..')).filter((n) => n.includes('.new-') || n.includes('.old-')), []);
  await build.source.close();
});

test('the demo build publishes and verifies: the demo initrd has modules for the demo kernel\'s own release', async (t) => {
  const { runCli } = await import('../helpers/run-cli.ts');
  if (!existsSync('/usr/lib/PXELINUX/pxelinux.0')) {
    if (process.env.CI === 'true') throw new Error('needs Debian\'s pxelinux package; CI must install it');
    t.skip('needs pxelinux (apt-get install pxelinux syslinux-common)');
    return;
  }
  if (!(await makeDemo(t))) return;
  const fx = await ensureFixtures(t);
  const dir = await tmpDir(t);
  const out = join(dir, 'build');
  const built = await runCli(['build', join(RECIPES, 'demo.yaml'), '--out', out, '--quiet'], { env: { SOURCE_DATE_EPOCH: '1700000000' } });
  assert.equal(built.code, 0, built.stderr);
  const tftp = join(dir, 'tftp');
  const pub = await runCli(['publish', out, '--tftp-root', tftp, '--no-ipxe']);
  assert.equal(pub.code, 0, pub.stderr);
  const v = await runCli(['verify', tftp]);
  assert.equal(v.code, 0, v.stdout + v.stderr);
  assert.equal(v.stdout, `version 1: OK (kernel ${fx?.kernel.kver}, initrd modules ${fx?.kernel.kver})\n`);
});
