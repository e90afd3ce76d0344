/**
 * The publish lock after crashes, reboots and careless hands: a lock whose
 * pid now belongs to an unrelated process (pid reuse, after a reboot or
 * not), a lock from a previous boot, a legacy lock older than the boot, and
 * garbage are taken over at once; a live owner or a lock from another host
 * blocks with a message that says how to recover. Leftovers of killed
 * publishes (temporary version directories, temporary content files and
 * switch links, half-pruned directories) are removed by the next publish.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdir, readdir, readFile, symlink, utimes, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { acquirePublishLock, armHost, isRemasterError, processStartTime, publishTree, rollbackTree, verifyTree, type PublishTreeOptions } from '../../src/index.ts';
import { runCli } from '../helpers/run-cli.ts';
import { makeBuildDir, makeRoots } from '../unit/pxe/support.ts';

const NOW = new Date('2026-01-01T00:00:00Z');

async function published(): Promise<{ root: string; options: PublishTreeOptions; lock: string }> {
  const build = await makeBuildDir();
  const roots = await makeRoots();
  const options: PublishTreeOptions = {
    tftpRoot: roots.tftpRoot, kernel: join(build, 'vmlinuz'), initrd: join(build, 'initrd.img'), now: NOW,
    loaders: { pxelinux: roots.loaderDir, ipxe: false }, hosts: [{ mac: '52:54:00:00:00:01' }],
  };
  await publishTree(options);
  return { root: roots.tftpRoot, options, lock: join(roots.tftpRoot, 'remaster/.lock') };
}

const bootId = async () => (await readFile('/proc/sys/kernel/random/boot_id', 'utf8')).trim();

/** A live process that is not remaster (pid reuse stands in for it). */
function unrelatedProcess(t: import('node:test').TestContext): number {
  const child = spawn('sleep', ['60'], { stdio: 'ignore' });
  t.after(() => child.kill());
  return child.pid as number;
}

test('a lock naming a live but unrelated pid (other start time) is taken over', async (t) => {
  const { root, lock } = await published();
  const pid = unrelatedProcess(t);
  const start = await processStartTime(pid);
  assert.ok(start !== undefined);
  await writeFile(lock, JSON.stringify({ pid, host: hostname(), startedAt: '2025-01-01T00:00:00Z', bootId: await bootId(), pidStart: start + 1 }));
  assert.equal((await armHost({ tftpRoot: root, mac: '52:54:00:00:00:02', now: NOW })).version, 2);
});

test('a lock taken under another host name in this boot and pid namespace (a renamed host) is judged by its pid', async (t) => {
  const { root, lock } = await published();
  const { readlink } = await import('node:fs/promises');
  const pidNs = await readlink('/proc/self/ns/pid');
  const pid = unrelatedProcess(t);
  await writeFile(lock, JSON.stringify({ pid, host: 'old-name', startedAt: '2025-01-01T00:00:00Z', bootId: await bootId(), pidStart: ((await processStartTime(pid)) ?? 0) + 1, pidNs }));
  assert.equal((await armHost({ tftpRoot: root, mac: '52:54:00:00:00:02', now: NOW })).version, 2);
});

test('a lock from a previous boot is taken over, even when its pid runs now', async () => {
  const { root, lock } = await published();
  await writeFile(lock, JSON.stringify({ pid: 1, host: hostname(), startedAt: '2025-01-01T00:00:00Z', bootId: '00000000-0000-0000-0000-000000000000', pidStart: 1 }));
  assert.equal((await armHost({ tftpRoot: root, mac: '52:54:00:00:00:02', now: NOW })).version, 2);
});

test('a legacy lock (no boot id) older than this boot is taken over, even when its pid runs now', async () => {
  const { root, lock } = await published();
  await writeFile(lock, JSON.stringify({ pid: 1, host: hostname(), startedAt: '2000-01-01T00:00:00Z' }));
  await utimes(lock, new Date('2000-01-01T00:00:00Z'), new Date('2000-01-01T00:00:00Z'));
  assert.equal((await armHost({ tftpRoot: root, mac: '52:54:00:00:00:02', now: NOW })).version, 2);
});

test('a lock file of garbage is taken over at once (a real lock is never half-written)', async () => {
  const { root, lock } = await published();
  for (const garbage of ['', '{"pid":', 'hello\n', JSON.stringify({ pid: -4, host: 5 })]) {
    await writeFile(lock, garbage);
    await armHost({ tftpRoot: root, mac: '52:54:00:00:00:02', now: NOW });
  }
  assert.deepEqual((await verifyTree(root, { now: NOW, readOnly: true })).problems, []);
});

test('a live owner blocks with a message that says how to wait or recover; the CLI exits 1', async () => {
  const { root, lock } = await published();
  const held = await acquirePublishLock(lock);
  try {
    await assert.rejects(armHost({ tftpRoot: root, mac: '52:54:00:00:00:02', now: NOW }), (err) => isRemasterError(err, 'PUBLISH_LOCKED')
      && new RegExp(`pid ${process.pid} on ${hostname()}`, 'u').test(err.message) && /--wait <seconds>/u.test(err.message) && err.message.includes(`rm ${lock}`));
    const cli = await runCli(['arm', root, '52:54:00:00:00:03']);
    assert.equal(cli.code, 1, cli.stderr);
    assert.match(cli.stderr, /another publish holds the lock .*remove the lock file \(rm .*\.lock\) and run the command again \[PUBLISH_LOCKED\]/u);
  } finally {
    await held.release();
  }
});

test('a fresh lock from another host blocks (shared roots) and says how to recover; an hour-old one is taken over', async () => {
  const { root, lock } = await published();
  await writeFile(lock, JSON.stringify({ pid: 4242, host: 'other-host.example', startedAt: new Date().toISOString(), bootId: 'x' }));
  await assert.rejects(rollbackTree({ tftpRoot: root }), (err) => isRemasterError(err, 'PUBLISH_LOCKED')
    && /pid 4242 on other-host\.example/u.test(err.message) && /if no remaster publish, arm or disarm is running on other-host\.example, remove the lock file \(rm /u.test(err.message));
  const old = new Date(Date.now() - 2 * 3_600_000);
  await utimes(lock, old, old);
  assert.equal((await armHost({ tftpRoot: root, mac: '52:54:00:00:00:02', now: NOW })).version, 2);
});

test('leftovers of killed publishes are removed by the next publish, under the lock', async () => {
  const { root, options } = await published();
  const remaster = join(root, 'remaster');
  const [content] = (await readdir(remaster)).filter((n) => /^[0-9a-f]{16}$/u.test(n));
  // a version directory killed before its rename, with 1 MB in it
  await mkdir(join(remaster, 'versions/.2.0123456789ab.tmp/pxelinux.cfg'), { recursive: true });
  await writeFile(join(remaster, 'versions/.2.0123456789ab.tmp/big'), new Uint8Array(1 << 20));
  // a version being pruned (renamed to its trash name) when the kill came
  await mkdir(join(remaster, 'versions/.7.aaaaaaaaaaaa.tmp'));
  // a content file killed before its rename, a content directory in its trash name, switch links never renamed
  await writeFile(join(remaster, content as string, '.vmlinuz.bbbbbbbbbbbb.tmp'), 'partial');
  await mkdir(join(remaster, '.0123456789abcdef.cccccccccccc.tmp'));
  await symlink('remaster/current/pxelinux.cfg', join(root, '.pxelinux.cfg.dddddddddddd.tmp'));
  await symlink('versions/1', join(remaster, '.current.eeeeeeeeeeee.tmp'));
  await symlink('../remaster/current/boot/grub', join(root, 'boot/.grub.ffffffffffff.tmp'));
  // and what is not remaster's stays
  await writeFile(join(root, '.notes.tmp'), 'mine');
  await publishTree({ ...options, hosts: [] });
  const temps = async (dir: string) => (await readdir(dir)).filter((n) => /\.[0-9a-f]{12}\.tmp$/u.test(n));
  for (const dir of [root, join(root, 'boot'), remaster, join(remaster, 'versions'), ...(await readdir(remaster)).filter((n) => /^[0-9a-f]{16}$/u.test(n)).map((n) => join(remaster, n))]) {
    assert.deepEqual(await temps(dir), [], dir);
  }
  assert.equal(await readFile(join(root, '.notes.tmp'), 'utf8'), 'mine');
  assert.deepEqual((await verifyTree(root, { now: NOW, readOnly: true })).problems, []);
});

test('rollback by default skips a version left without its manifest (an old interrupted prune)', async () => {
  const { root, options } = await published();
  await publishTree({ ...options, hosts: [{ mac: '52:54:00:00:00:02' }] });
  await publishTree({ ...options, hosts: [{ mac: '52:54:00:00:00:03' }] });
  const { rm } = await import('node:fs/promises');
  await rm(join(root, 'remaster/versions/2/manifest.json'));
  const back = await rollbackTree({ tftpRoot: root });
  assert.equal(back.version, 1);
  await assert.rejects(rollbackTree({ tftpRoot: root, to: 2 }), (err) => isRemasterError(err, 'VERIFY_FAILED') && /version has no manifest/u.test(err.message));
});
