// Attack: someone who can write to a TFTP root replaces one of remaster's
// own directories (remaster/, a content directory remaster/<sha16>/,
// remaster/versions/, boot/ under an exported name) or one of its links
// (remaster/current, an exported name, the lock, a content file) by a
// symlink to a directory or file elsewhere. publish, arm, disarm, rollback
// and verify used to write the content store, kernels or version
// directories through it (and verify passed). Every command must refuse the
// tree and leave the target of the link exactly as it was.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, readdir, rename, rm, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  armHost, disarmHost, isRemasterError, publishTree, rollbackTree, verifyTree, type PublishTreeOptions,
} from '../../src/index.ts';
import { runCli } from '../helpers/run-cli.ts';
import { snapshotTree } from '../helpers/tree-snapshot.ts';
import { makeBuildDir, makeRoots, tempDir } from '../unit/pxe/support.ts';

const NOW = new Date('2026-01-01T00:00:00Z');

interface Area { root: string; decoy: string; loaderDir: string; options: PublishTreeOptions; contentDirs: string[] }

/** A tree with two versions (so there is something to roll back to) and a decoy directory outside it. */
async function area(): Promise<Area> {
  const build = await makeBuildDir();
  const roots = await makeRoots();
  const options: PublishTreeOptions = {
    tftpRoot: roots.tftpRoot, kernel: join(build, 'vmlinuz'), initrd: join(build, 'initrd.img'), now: NOW, dialect: 'rhel9',
    loaders: { pxelinux: roots.loaderDir, ipxe: false }, hosts: [{ mac: '52:54:00:00:00:01' }],
  };
  await publishTree(options);
  await publishTree({ ...options, hosts: [{ mac: '52:54:00:00:00:02', expires: '2099-01-01T00:00:00Z' }] });
  const decoy = await tempDir('remaster-decoy-');
  await mkdir(join(decoy, 'versions'));
  await writeFile(join(decoy, 'secret'), 'root:$6$secret:19000:0:99999:7:::\n');
  const contentDirs = (await readdir(join(roots.tftpRoot, 'remaster'))).filter((n) => /^[0-9a-f]{16}$/u.test(n));
  return { root: roots.tftpRoot, decoy, loaderDir: roots.loaderDir, options, contentDirs };
}

/** Replace `rel` (a directory or link of the tree) by a symlink to `target`, keeping the original aside for the attacker's copy. */
async function plant(a: Area, rel: string, target: string): Promise<void> {
  await rename(join(a.root, rel), join(a.decoy, `.orig-${rel.replaceAll('/', '_')}`)).catch(() => {});
  await rm(join(a.root, rel), { recursive: true, force: true });
  await symlink(target, join(a.root, rel));
}

const PLANTS: { name: string; plant: (a: Area) => Promise<void> }[] = [
  { name: 'remaster/ -> decoy', plant: (a) => plant(a, 'remaster', a.decoy) },
  { name: 'remaster/<sha16>/ -> decoy', plant: (a) => plant(a, `remaster/${a.contentDirs[0]}`, a.decoy) },
  { name: 'remaster/versions/ -> decoy/versions', plant: (a) => plant(a, 'remaster/versions', join(a.decoy, 'versions')) },
  { name: 'boot/ -> decoy', plant: (a) => plant(a, 'boot', a.decoy) },
  { name: 'pxelinux.cfg -> decoy', plant: (a) => plant(a, 'pxelinux.cfg', a.decoy) },
  { name: 'remaster/current -> decoy', plant: (a) => plant(a, 'remaster/current', a.decoy) },
  { name: 'remaster/manifest.json -> decoy/secret', plant: (a) => plant(a, 'remaster/manifest.json', join(a.decoy, 'secret')) },
  { name: 'remaster/versions/1 -> decoy', plant: (a) => plant(a, 'remaster/versions/1', a.decoy) },
  { name: 'remaster/versions/1/pxelinux.cfg -> decoy', plant: (a) => plant(a, 'remaster/versions/1/pxelinux.cfg', a.decoy) },
  { name: 'remaster/versions/2/boot/grub -> decoy', plant: (a) => plant(a, 'remaster/versions/2/boot/grub', a.decoy) },
  { name: 'remaster/<sha16>/<file> -> decoy/secret', plant: async (a) => {
    const dir = `remaster/${a.contentDirs[0]}`;
    const [file] = await readdir(join(a.root, dir));
    await plant(a, `${dir}/${file}`, join(a.decoy, 'secret'));
  } },
];

type Command = { name: string; run: (a: Area) => Promise<unknown> };
const COMMANDS: Command[] = [
  { name: 'publish', run: (a) => publishTree({ ...a.options, hosts: [{ mac: '52:54:00:00:00:03' }] }) },
  { name: 'arm', run: (a) => armHost({ tftpRoot: a.root, mac: '52:54:00:00:00:04', now: NOW }) },
  { name: 'disarm', run: (a) => disarmHost({ tftpRoot: a.root, mac: '52:54:00:00:00:01', now: NOW }) },
  { name: 'rollback', run: (a) => rollbackTree({ tftpRoot: a.root, to: 1 }) },
  { name: 'expire', run: async (a) => {
    // verify disarms the host whose expiry passed: a new version, unless the tree is refused
    const r = await verifyTree(a.root, { now: new Date('2100-01-01T00:00:00Z') });
    if (r.disarmed.length > 0 || r.problems.length === 0) throw new Error(`verify wrote a new version or passed: ${JSON.stringify(r)}`);
    return r;
  } },
];

const REFUSED = ['PATH_THROUGH_SYMLINK', 'PATH_EXISTS'] as const;

for (const p of PLANTS) {
  test(`a planted symlink ${p.name}: publish, arm, disarm, rollback and expiry refuse, verify fails, nothing outside changes`, async () => {
    for (const c of COMMANDS) {
      const a = await area();
      await p.plant(a);
      const before = snapshotTree(a.decoy);
      const outcome = await c.run(a).then((r) => r, (err: unknown) => err);
      if (c.name !== 'expire') assert.ok(isRemasterError(outcome, ...REFUSED), `${p.name}, ${c.name}: expected a refusal, got ${String(outcome)}`);
      else assert.ok(!(outcome instanceof Error), String(outcome));
      assert.deepEqual(snapshotTree(a.decoy), before, `${p.name}, ${c.name}: the link's target changed`);
      const v = await verifyTree(a.root, { now: NOW, readOnly: true });
      assert.ok(v.problems.some((x) => x.kind === 'layout'), `${p.name}: verify after ${c.name} must report the planted link: ${JSON.stringify(v.problems)}`);
    }
  });
}

test('a planted lock symlink is not a lock: it is removed (never followed) and the publish goes ahead', async () => {
  const a = await area();
  await symlink(join(a.decoy, 'secret'), join(a.root, 'remaster/.lock'));
  const before = snapshotTree(a.decoy);
  assert.equal((await armHost({ tftpRoot: a.root, mac: '52:54:00:00:00:05', now: NOW })).version, 3);
  assert.deepEqual(snapshotTree(a.decoy), before);
  assert.deepEqual((await verifyTree(a.root, { now: NOW, readOnly: true })).problems, []);
});

test('remaster verify and publish on the command line name the planted link and exit 1', async () => {
  const a = await area();
  await plant(a, `remaster/${a.contentDirs[0]}`, a.decoy);
  const before = snapshotTree(a.decoy);
  const v = await runCli(['verify', a.root]);
  assert.equal(v.code, 1, v.stdout + v.stderr);
  assert.match(v.stdout, new RegExp(`remaster/${a.contentDirs[0]} is a symlink to "${a.decoy}", expected a directory`, 'u'));
  const build = await makeBuildDir({ marker: 'cli' });
  const pub = await runCli(['publish', build, '--tftp-root', a.root, '--no-ipxe', '--pxelinux-dir', a.loaderDir]);
  assert.equal(pub.code, 1, pub.stderr);
  assert.match(pub.stderr, /is a symlink to .*remaster writes only through directories it made.*\[PATH_THROUGH_SYMLINK\]/u);
  const arm = await runCli(['arm', a.root, '52:54:00:00:00:09']);
  assert.equal(arm.code, 1, arm.stderr);
  assert.match(arm.stderr, /\[PATH_THROUGH_SYMLINK\]/u);
  assert.deepEqual(snapshotTree(a.decoy), before);
});

test('a forged manifest naming files outside the tree is refused; nothing outside is read into the tree', async () => {
  const a = await area();
  const file = join(a.root, 'remaster/versions/2/manifest.json');
  const { readFile } = await import('node:fs/promises');
  const m = JSON.parse(await readFile(file, 'utf8')) as { model: { kernel: { path: string } }; files: Record<string, unknown> };
  const escape = `remaster/../../../../../../../..${a.decoy}/secret`;
  m.files[escape] = m.files[m.model.kernel.path];
  m.model.kernel.path = escape;
  await writeFile(file, JSON.stringify(m));
  const before = snapshotTree(a.decoy);
  for (const c of COMMANDS.filter((x) => x.name !== 'expire')) {
    const outcome = await c.run(a).then((r) => r, (err: unknown) => err);
    if (c.name === 'rollback') continue; // version 1 is sound: rolling back to it is fine
    assert.ok(isRemasterError(outcome, 'VERIFY_FAILED'), `${c.name}: ${String(outcome)}`);
    assert.match(String((outcome as Error).message), /not a remaster-pxe\/1 manifest: model\.kernel\.path/u);
  }
  assert.deepEqual(snapshotTree(a.decoy), before);
  const { spawnSync } = await import('node:child_process');
  const found = spawnSync('grep', ['-rl', 'secret:19000', a.root], { encoding: 'utf8' });
  assert.equal(found.status, 1, `the secret was copied into the tree: ${found.stdout}`);
});

test('a planted symlink in the HTTP root (remaster/<sha16>/ -> decoy) is refused too', async () => {
  const build = await makeBuildDir();
  const roots = await makeRoots();
  const options: PublishTreeOptions = {
    tftpRoot: roots.tftpRoot, httpRoot: roots.httpRoot, httpUrl: 'http://10.0.2.2/pxe', kernel: join(build, 'vmlinuz'), initrd: join(build, 'initrd.img'), now: NOW,
    loaders: { pxelinux: roots.loaderDir, ipxe: false }, hosts: [{ mac: '52:54:00:00:00:01' }],
  };
  await publishTree(options);
  const decoy = await tempDir('remaster-decoy-');
  const [content] = (await readdir(join(roots.httpRoot, 'remaster'))).filter((n) => /^[0-9a-f]{16}$/u.test(n));
  await rm(join(roots.httpRoot, 'remaster', content as string), { recursive: true });
  await symlink(decoy, join(roots.httpRoot, 'remaster', content as string));
  const before = snapshotTree(decoy);
  for (const run of [() => publishTree(options), () => armHost({ tftpRoot: roots.tftpRoot, mac: '52:54:00:00:00:02', now: NOW })]) {
    await assert.rejects(run(), (err) => isRemasterError(err, 'PATH_THROUGH_SYMLINK') && err.message.includes(roots.httpRoot));
  }
  assert.deepEqual(snapshotTree(decoy), before);
  // verify finds the HTTP root from the manifest (publish.httpRoot)
  const v = await verifyTree(roots.tftpRoot, { now: NOW, readOnly: true });
  assert.match(v.problems.map((p) => p.message).join('\n'), /HTTP root: remaster\/[0-9a-f]{16} is a symlink/u);
});
