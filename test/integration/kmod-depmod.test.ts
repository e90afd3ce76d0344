/**
 * Our depmod against kmod's (the oracle) on the real Debian kernel tree:
 * every file depmod writes must come out byte for byte the same, with vendor
 * copies of hpsa / megaraid_sas / scsi_transport_sas placed in updates/ so
 * the search order matters, and modprobe must resolve those modules the same
 * way from our indexes as from depmod's. Also: the installer initrd's own
 * indexes (built by Debian) against ours over the same module subset.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { copyFile, mkdir, readdir, readFile, stat, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { readInitrd } from '../../src/initrd/index.ts';
import { decodeKmodIndex, decodeModuleInfo, encodeKmodIndex, isModulePath, runDepmod, type ModuleTree, type ModuleTreeEntry } from '../../src/kmod/index.ts';
import { ensureFixtures } from '../helpers/fixtures.ts';
import { tmpDir } from '../helpers/tmp-dir.ts';
import { requireTool } from '../helpers/tools.ts';

const UPDATES = ['kernel/drivers/scsi/hpsa.ko', 'kernel/drivers/scsi/megaraid/megaraid_sas.ko', 'kernel/drivers/scsi/scsi_transport_sas.ko'];
const LISTS = ['modules.order', 'modules.builtin', 'modules.builtin.modinfo'];

/** Walk like depmod: depth first, skipping build/ and source/, following symlinks. */
async function walk(root: string, rel = ''): Promise<string[]> {
  const out: string[] = [];
  for (const name of (await readdir(join(root, rel))).sort()) {
    if (name === 'build' || name === 'source') continue;
    const path = rel ? `${rel}/${name}` : name;
    const st = await stat(join(root, path));
    if (st.isDirectory()) out.push(...(await walk(root, path)));
    else if (st.isFile() && isModulePath(name)) out.push(path);
  }
  return out;
}

async function loadTree(dir: string): Promise<ModuleTree> {
  const paths = await walk(dir);
  const modules: ModuleTreeEntry[] = await Promise.all(paths.map(async (path) => ({ path, info: decodeModuleInfo(new Uint8Array(await readFile(join(dir, path)))) })));
  const opt = (n: string) => readFile(join(dir, n)).catch(() => undefined);
  const [order, builtin, modinfo] = await Promise.all(LISTS.map(opt));
  const tree: ModuleTree = { modules };
  if (order) tree.modulesOrder = order.toString('latin1');
  if (builtin) tree.modulesBuiltin = builtin.toString('latin1');
  if (modinfo) tree.modulesBuiltinModinfo = new Uint8Array(modinfo);
  return tree;
}

/** Make <root>/lib/modules/<kver> with kernel/ linked to the fixture tree, the lists copied and vendor copies in updates/. */
async function stageTree(t: TestContext, source: string, kver: string): Promise<string> {
  const root = await tmpDir(t, 'remaster-kmod-');
  const dir = join(root, 'lib/modules', kver);
  await mkdir(join(dir, 'updates'), { recursive: true });
  await symlink(join(source, 'kernel'), join(dir, 'kernel'));
  for (const n of LISTS) await copyFile(join(source, n), join(dir, n));
  for (const rel of UPDATES) await copyFile(join(source, rel), join(dir, 'updates', rel.slice(rel.lastIndexOf('/') + 1)));
  return root;
}

/** Decode an index and encode it again (oldest value of equal priority inserted first). */
function reencode(bytes: Uint8Array): Uint8Array {
  const entries = [...decodeKmodIndex(bytes)].flatMap(([key, values]) => [...values].reverse().map((v) => ({ key, ...v })));
  return encodeKmodIndex(entries);
}

function showDepends(root: string, kver: string, module: string): string {
  const out = execFileSync('modprobe', ['-d', root, '-S', kver, '--show-depends', module], { encoding: 'utf8' });
  return out.replaceAll(root, '<root>');
}

test('writes the same bytes as kmod depmod over the real kernel tree with vendor modules in updates/', async (t) => {
  if (!requireTool(t, 'depmod', 'modprobe')) return;
  const fx = await ensureFixtures(t);
  if (!fx) return;
  const kver = fx.kernel.kver;
  const [ours, theirs] = [await stageTree(t, fx.kernel.modulesDir, kver), await stageTree(t, fx.kernel.modulesDir, kver)];
  const oursDir = join(ours, 'lib/modules', kver);

  let started = performance.now();
  const tree = await loadTree(oursDir);
  const loaded = performance.now();
  const readMs = loaded - started;
  const result = runDepmod(tree, kver);
  const computed = performance.now();
  for (const [name, bytes] of result.files) await writeFile(join(oursDir, name), bytes);
  const ourMs = performance.now() - started;

  const emptyConfig = await tmpDir(t, 'remaster-depmod-d-');
  started = performance.now();
  execFileSync('depmod', ['-C', emptyConfig, '-b', theirs, kver]);
  const theirMs = performance.now() - started;
  t.diagnostic(`${tree.modules.length} module files: ours ${ourMs.toFixed(0)} ms (read+decode ${readMs.toFixed(0)} ms, runDepmod ${(computed - loaded).toFixed(0)} ms), kmod depmod ${theirMs.toFixed(0)} ms`);

  const written = (await readdir(join(theirs, 'lib/modules', kver))).filter((n) => n.startsWith('modules.') && !LISTS.includes(n)).sort();
  assert.deepEqual([...result.files.keys()].sort(), written, 'the same set of files as depmod');
  for (const name of written) {
    const want = new Uint8Array(await readFile(join(theirs, 'lib/modules', kver, name)));
    const got = result.files.get(name) as Uint8Array;
    if (name.endsWith('.bin') && want.length) {
      assert.deepEqual(decodeKmodIndex(got), decodeKmodIndex(want), `${name} content`);
      assert.ok(Buffer.from(reencode(want)).equals(Buffer.from(want)), `${name} survives decode + encode unchanged`);
    }
    assert.ok(Buffer.from(got).equals(Buffer.from(want)), `${name} is byte-identical to depmod's (${got.length} vs ${want.length} bytes)`);
  }

  const depLines = new TextDecoder().decode(result.files.get('modules.dep')).split('\n');
  assert.ok(depLines.includes('updates/hpsa.ko: updates/scsi_transport_sas.ko kernel/drivers/scsi/scsi_mod.ko kernel/drivers/scsi/scsi_common.ko'));
  assert.ok(!depLines.some((l) => l.startsWith('kernel/drivers/scsi/hpsa.ko:')), 'the kernel/ copy lost to updates/');
  const hpsa = showDepends(ours, kver, 'hpsa');
  assert.equal(hpsa, showDepends(theirs, kver, 'hpsa'));
  assert.deepEqual(hpsa.trim().split('\n').map((l) => l.replace(`insmod <root>/lib/modules/${kver}/`, '').trim()), [
    'kernel/drivers/scsi/scsi_common.ko',
    'kernel/drivers/scsi/scsi_mod.ko',
    'updates/scsi_transport_sas.ko',
    'updates/hpsa.ko',
  ]);
  const megaraid = showDepends(ours, kver, 'megaraid_sas');
  assert.equal(megaraid, showDepends(theirs, kver, 'megaraid_sas'));
  assert.ok(megaraid.includes(`insmod <root>/lib/modules/${kver}/updates/megaraid_sas.ko`), megaraid);
  // An alias lookup goes through modules.alias.bin to the updates/ copy too.
  const byAlias = showDepends(ours, kver, 'pci:v0000103Cd0000323Asv0000103Csd00003241bc01sc04i00');
  assert.equal(byAlias, showDepends(theirs, kver, 'pci:v0000103Cd0000323Asv0000103Csd00003241bc01sc04i00'));
  assert.ok(byAlias.includes('updates/hpsa.ko'), byAlias);
});

test('regenerates the Debian installer initrd indexes byte for byte from its own module subset', async (t) => {
  const fx = await ensureFixtures(t);
  if (!fx) return;
  const prefix = `lib/modules/${fx.di.kver}/`;
  const files = new Map<string, Uint8Array>();
  for await (const e of readInitrd([new Uint8Array(await readFile(fx.di.initrdGz))])) {
    if (!e.name.startsWith(prefix) || e.type !== 'file') continue;
    const chunks: Uint8Array[] = [];
    for await (const c of e.body) chunks.push(c.slice());
    files.set(e.name.slice(prefix.length), new Uint8Array(Buffer.concat(chunks)));
  }
  const modules = [...files.keys()].filter(isModulePath).sort().map((path) => ({ path, info: decodeModuleInfo(files.get(path) as Uint8Array) }));
  assert.ok(modules.length > 100, `${modules.length} modules in the installer`);
  const tree: ModuleTree = { modules };
  const latin1 = (n: string) => (files.has(n) ? Buffer.from(files.get(n) as Uint8Array).toString('latin1') : undefined);
  const order = latin1('modules.order');
  const builtin = latin1('modules.builtin');
  if (order !== undefined) tree.modulesOrder = order;
  if (builtin !== undefined) tree.modulesBuiltin = builtin;
  const result = runDepmod(tree, fx.di.kver);
  const shipped = [...result.files.keys()].filter((n) => files.has(n));
  assert.deepEqual(shipped, ['modules.dep.bin', 'modules.alias.bin', 'modules.softdep', 'modules.symbols.bin', 'modules.builtin.bin', 'modules.builtin.alias.bin', 'modules.devname']);
  for (const name of shipped) {
    const want = files.get(name) as Uint8Array;
    assert.ok(Buffer.from(result.files.get(name) as Uint8Array).equals(Buffer.from(want)), `${name} equals the installer's own (${want.length} bytes)`);
  }
});
