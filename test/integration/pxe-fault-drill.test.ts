/**
 * Fault drill for the atomic publish. A child process publishes version 2
 * over a tree holding version 1 and is SIGKILLed by the hook in
 * src/fsx/publish-ops.ts right after its Nth filesystem mutation
 * (REMASTER_FAULT_KILL_AFTER=N), for every N from 1 to the number of
 * mutations a whole publish makes. After each kill: verify passes (read
 * only) on exactly version 1 or version 2, every name a client can ask for
 * resolves to a complete file of that version, and a following publish
 * recovers (takes over the dead publisher's lock, removes its leftovers).
 * Then concurrent publishers: never interleaved, the loser gets
 * PUBLISH_LOCKED (or waits with waitMs).
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { cp, mkdir, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { publishTree, verifyTree, type PublishTreeOptions } from '../../src/index.ts';
import { fakeKernel, fakeInitrd, KS_RHEL9, makeRoots, tempDir } from '../unit/pxe/support.ts';

const NOW = new Date('2026-01-01T00:00:00Z');
const INDEX = new URL('../../src/index.ts', import.meta.url).href;
const CHILD = `
import { publishTree, publishOpCount, isRemasterError } from ${JSON.stringify(INDEX)};
const o = JSON.parse(process.env.PXE_DRILL_OPTIONS);
try {
  const r = await publishTree({ ...o, now: new Date(o.now) });
  process.stdout.write(JSON.stringify({ ops: publishOpCount(), version: r.version }));
} catch (err) {
  if (isRemasterError(err, 'PUBLISH_LOCKED')) { process.stdout.write('LOCKED'); process.exit(3); }
  throw err;
}`;

interface ChildResult { code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }

function runChild(options: PublishTreeOptions, killAfter?: number): Promise<ChildResult> {
  return new Promise((resolve, reject) => {
    const env = { ...process.env, PXE_DRILL_OPTIONS: JSON.stringify(options), REMASTER_FAULT_KILL_AFTER: killAfter === undefined ? '' : String(killAfter) };
    const child = spawn(process.execPath, ['--input-type=module', '-e', CHILD], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => { stdout += c.toString(); });
    child.stderr.on('data', (c: Buffer) => { stderr += c.toString(); });
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

async function buildInputs(dir: string, kver: string, marker: string): Promise<{ kernel: string; initrd: string }> {
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'vmlinuz'), fakeKernel(kver, 90_000 + marker.length));
  await writeFile(join(dir, 'initrd.img'), await fakeInitrd(kver, 'gzip', marker));
  return { kernel: join(dir, 'vmlinuz'), initrd: join(dir, 'initrd.img') };
}

async function assertWhole(root: string, allowed: number[], label: string): Promise<number> {
  const v = await verifyTree(root, { now: NOW, readOnly: true });
  assert.deepEqual(v.problems, [], `${label}: ${v.problems.map((p) => p.message).join('; ')}`);
  assert.ok(v.version !== undefined && allowed.includes(v.version), `${label}: version ${v.version} not in ${allowed.join(',')}`);
  // what a client asks for: the default and every per-host name, and what they name
  const manifest = JSON.parse(await readFile(join(root, 'remaster/manifest.json'), 'utf8')) as { version: number; files: Record<string, unknown> };
  assert.equal(manifest.version, v.version, `${label}: the manifest seen through the switch is the version's own`);
  for (const name of ['pxelinux.cfg/default', 'boot/grub/grub.cfg', 'boot.ipxe', 'pxelinux.0']) await readFile(join(root, name));
  return v.version as number;
}

async function drillSetup() {
  const base = await tempDir('remaster-drill-');
  const roots = await makeRoots();
  const one = await buildInputs(join(base, 'one'), '6.1.0-1-amd64', 'one');
  const two = await buildInputs(join(base, 'two'), '6.1.0-2-amd64', 'two');
  const common = { now: NOW.toISOString() as unknown as Date, dialect: 'rhel9' as const, loaders: { pxelinux: roots.loaderDir, ipxe: false as const } };
  const v1: PublishTreeOptions = { ...common, tftpRoot: roots.tftpRoot, ...one, hosts: [{ mac: '52:54:00:00:00:01', kickstart: KS_RHEL9 }] };
  await publishTree({ ...v1, now: NOW });
  const snapshot = join(base, 'snapshot');
  await cp(roots.tftpRoot, snapshot, { recursive: true, verbatimSymlinks: true });
  const v2 = (root: string): PublishTreeOptions => ({ ...common, tftpRoot: root, ...two, hosts: [{ mac: '52:54:00:00:00:02', kickstart: KS_RHEL9 }, { mac: '52:54:00:00:00:03' }, { mac: '52:54:00:00:00:04', ip: '10.0.2.15' }, { mac: '52:54:00:00:00:05', once: true }] });
  return { base, snapshot, v2 };
}

test('publish killed with SIGKILL after each of its filesystem mutations leaves the old or the new tree whole', { timeout: 600_000 }, async (t) => {
  const { base, snapshot, v2 } = await drillSetup();
  const probe = join(base, 'probe');
  await cp(snapshot, probe, { recursive: true, verbatimSymlinks: true });
  const full = await runChild(v2(probe));
  assert.equal(full.code, 0, full.stderr);
  const total = (JSON.parse(full.stdout) as { ops: number }).ops;
  assert.ok(total >= 50, `a publish makes ${total} mutations; the drill needs at least 50 kill points`);
  const seen = { old: 0, new: 0 };
  const points = Array.from({ length: total }, (_, i) => i + 1);
  const drill = async (n: number) => {
    const root = join(base, `kill-${n}`);
    await cp(snapshot, root, { recursive: true, verbatimSymlinks: true });
    const r = await runChild(v2(root), n);
    assert.equal(r.signal, 'SIGKILL', `kill point ${n}: ${r.stderr}`);
    const version = await assertWhole(root, [1, 2], `after kill at mutation ${n}`);
    // a kill inside prune never leaves a version directory without its manifest (rollback needs it)
    for (const v of (await readdir(join(root, 'remaster/versions'))).filter((x) => /^\d+$/u.test(x))) {
      await readFile(join(root, 'remaster/versions', v, 'manifest.json'));
    }
    seen[version === 1 ? 'old' : 'new'] += 1;
    // recovery in-process (faster than a third child): takes over the dead publisher's lock
    await publishTree({ ...v2(root), now: NOW });
    await assertWhole(root, [2, 3], `recovery after kill at ${n}`);
    const remaster = join(root, 'remaster');
    const dirs = [root, join(root, 'boot'), remaster, join(remaster, 'versions'), ...(await readdir(remaster)).filter((x) => /^[0-9a-f]{16}$/u.test(x)).map((x) => join(remaster, x))];
    for (const dir of dirs) {
      const leftovers = (await readdir(dir)).filter((x) => x.endsWith('.tmp') || x.endsWith('.pending'));
      assert.deepEqual(leftovers, [], `kill point ${n}: leftovers in ${dir} after recovery`);
    }
    await rm(root, { recursive: true, force: true });
  };
  for (let i = 0; i < points.length; i += 4) await Promise.all(points.slice(i, i + 4).map(drill));
  t.diagnostic(`mutations per publish: ${total}; kill points: ${points.length}; old tree served after ${seen.old}, new after ${seen.new}`);
  assert.ok(seen.old > 0 && seen.new > 0);
});

test('concurrent publishers never interleave: one wins, the other gets PUBLISH_LOCKED or waits its turn', { timeout: 120_000 }, async (t) => {
  const { base, snapshot, v2 } = await drillSetup();
  let locked = 0;
  for (let round = 0; round < 6; round++) {
    const root = join(base, `race-${round}`);
    await cp(snapshot, root, { recursive: true, verbatimSymlinks: true });
    const results = await Promise.all([runChild(v2(root)), runChild(v2(root))]);
    for (const r of results) assert.ok(r.code === 0 || (r.code === 3 && r.stdout === 'LOCKED'), r.stderr);
    const wins = results.filter((r) => r.code === 0).length;
    locked += 2 - wins;
    await assertWhole(root, [1 + wins], `race ${round}`);
    const waiting = await Promise.all([runChild({ ...v2(root), waitMs: 30_000 }), runChild({ ...v2(root), waitMs: 30_000 })]);
    assert.deepEqual(waiting.map((r) => r.code), [0, 0], waiting.map((r) => r.stderr).join('\n'));
    assert.deepEqual(waiting.map((r) => (JSON.parse(r.stdout) as { version: number }).version).sort(), [2 + wins, 3 + wins]);
    await assertWhole(root, [3 + wins], `race ${round} with waiting`);
  }
  t.diagnostic(`PUBLISH_LOCKED returned ${locked} times in 6 simultaneous pairs`);
});
