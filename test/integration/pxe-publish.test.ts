/**
 * Publish → verify on real files: the published tree verifies; tampering,
 * a deleted artifact and a bad initrd are reported by name; rollback,
 * arm/disarm/status, expiry and the lock behave as documented.
 */
import assert from 'node:assert/strict';
import { lstat, readFile, readlink, readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import {
  armHost, disarmHost, expireHosts, hostStatus, isRemasterError, publishTree, rollbackTree, verifyTree, acquirePublishLock, type PublishTreeOptions,
} from '../../src/index.ts';
import { fakeKernel, KS_BROKEN, KS_RHEL9, makeBuildDir, makeRoots } from '../unit/pxe/support.ts';

const NOW = new Date('2026-01-01T00:00:00Z');
const MAC_A = '52:54:00:00:00:0a';
const MAC_B = '52:54:00:00:00:0b';

async function setup(extra: Partial<PublishTreeOptions> = {}) {
  const build = await makeBuildDir();
  const roots = await makeRoots();
  const options: PublishTreeOptions = {
    tftpRoot: roots.tftpRoot, kernel: join(build, 'vmlinuz'), initrd: join(build, 'initrd.img'), now: NOW, dialect: 'rhel9',
    loaders: { pxelinux: roots.loaderDir, ipxe: false }, hosts: [{ mac: MAC_A, kickstart: KS_RHEL9 }], ...extra,
  };
  return { build, roots, options };
}

test('a published tree verifies and every loader name resolves through remaster/current', async () => {
  const { roots, options } = await setup();
  const result = await publishTree(options);
  assert.equal(result.version, 1);
  const v = await verifyTree(roots.tftpRoot, { now: NOW });
  assert.deepEqual(v.problems, []);
  assert.equal(v.kernelRelease, '6.1.0-99-amd64');
  assert.deepEqual(v.initrdKernels, ['6.1.0-99-amd64']);
  assert.equal(await readlink(join(roots.tftpRoot, 'pxelinux.cfg')), 'remaster/current/pxelinux.cfg');
  assert.equal(await readlink(join(roots.tftpRoot, 'boot/grub')), '../remaster/current/boot/grub');
  const host = await readFile(join(roots.tftpRoot, 'pxelinux.cfg/01-52-54-00-00-00-0a'), 'utf8');
  assert.match(host, /inst\.ks=file:\/ks\.cfg/u);
  assert.match(await readFile(join(roots.tftpRoot, 'boot/grub/grub.cfg-01-52:54:00:00:00:0a'), 'utf8'), /set default=install/u);
  assert.match(await readFile(join(roots.tftpRoot, 'ipxe/mac-52540000000a.ipxe'), 'utf8'), /^#!ipxe\n/u);
  assert.match(await readFile(join(roots.tftpRoot, 'pxelinux.cfg/default'), 'utf8'), /LOCALBOOT 0/u);
  assert.equal(await readFile(join(roots.tftpRoot, 'pxelinux.0'), 'utf8'), 'fake pxelinux.0\n');
});

test('with an HTTP root, artifacts and kickstarts are copied there and menus name their URLs', async () => {
  const { roots, options } = await setup();
  await publishTree({ ...options, httpRoot: roots.httpRoot, httpUrl: 'http://10.0.2.2/pxe' });
  const ipxe = await readFile(join(roots.tftpRoot, 'ipxe/mac-52540000000a.ipxe'), 'utf8');
  const url = /kernel (http:\/\/10\.0\.2\.2\/pxe\/(remaster\/[0-9a-f]{16}\/vmlinuz))/u.exec(ipxe);
  assert.ok(url, ipxe);
  await lstat(join(roots.httpRoot, url[2] as string));
  const ks = /inst\.ks=http:\/\/10\.0\.2\.2\/pxe\/(\S+)/u.exec(ipxe);
  assert.equal(await readFile(join(roots.httpRoot, ks?.[1] as string), 'utf8'), await readFile(KS_RHEL9, 'utf8'));
  assert.deepEqual((await verifyTree(roots.tftpRoot, { now: NOW })).problems, []);
});

test('verify names a tampered menu, a deleted initrd and a kickstart that does not lint', async () => {
  const { roots, options } = await setup({ hosts: [{ mac: MAC_A, kickstart: KS_RHEL9 }, { mac: MAC_B, kickstart: KS_RHEL9 }] });
  const { manifest } = await publishTree(options);
  await writeFile(join(roots.tftpRoot, 'pxelinux.cfg/default'), 'DEFAULT install\n');
  await rm(join(roots.tftpRoot, manifest.model.initrd.path));
  const ksB = manifest.model.hosts.find((h) => h.mac === MAC_B)?.kickstart?.path as string;
  await writeFile(join(roots.tftpRoot, ksB), await readFile(KS_BROKEN));
  const { problems } = await verifyTree(roots.tftpRoot, { now: NOW });
  const text = problems.map((p) => p.message).join('\n');
  assert.match(text, /pxelinux\.cfg\/default: sha256 .* differs from the manifest/u);
  assert.match(text, new RegExp(`${manifest.model.initrd.path}: listed in the manifest but missing`, 'u'));
  assert.match(text, /KS_NO_TIMEZONE.*host 52:54:00:00:00:0b/u);
});

test('publish refuses what verify would reject: a kickstart that does not lint is not served', async () => {
  const { roots, options } = await setup();
  await publishTree(options);
  const before = await readlink(join(roots.tftpRoot, 'remaster/current'));
  await assert.rejects(publishTree({ ...options, hosts: [{ mac: MAC_B, kickstart: KS_BROKEN }] }), (err) => isRemasterError(err, 'VERIFY_FAILED')
    && /version 2 was not published: it fails the checks of remaster verify/u.test(err.message) && /KS_NO_TIMEZONE.*host 52:54:00:00:00:0b/u.test(err.message));
  assert.equal(await readlink(join(roots.tftpRoot, 'remaster/current')), before);
  assert.deepEqual(await readdir(join(roots.tftpRoot, 'remaster/versions')), ['1']);
  assert.deepEqual((await verifyTree(roots.tftpRoot, { now: NOW })).problems, []);
});

test('a kernel whose release differs from the initrd lib/modules is refused by publish and reported by verify', async () => {
  const { build, roots, options } = await setup({ hosts: [] });
  await writeFile(join(build, 'vmlinuz'), fakeKernel('6.9.9-1-amd64'));
  await assert.rejects(publishTree(options), (err) => isRemasterError(err, 'VERIFY_FAILED') && /has modules for 6\.1\.0-99-amd64 but the kernel is 6\.9\.9-1-amd64/u.test(err.message));
  // nothing of the refused version is left: no content, no version directory, no exported names
  assert.deepEqual(await readdir(roots.tftpRoot), ['remaster']);
  assert.deepEqual(await readdir(join(roots.tftpRoot, 'remaster')), []);
  await writeFile(join(build, 'vmlinuz'), fakeKernel('6.1.0-99-amd64'));
  const { manifest } = await publishTree(options);
  await writeFile(join(roots.tftpRoot, manifest.model.kernel.path), fakeKernel('6.9.9-1-amd64'));
  const { problems } = await verifyTree(roots.tftpRoot, { now: NOW });
  assert.match(problems.map((p) => p.message).join('\n'), /has modules for 6\.1\.0-99-amd64 but the kernel is 6\.9\.9-1-amd64/u);
});

test('rollback restores the previous version whole, and versions beyond keep are pruned', async () => {
  const { roots, options } = await setup({ keep: 2 });
  await publishTree(options);
  await publishTree({ ...options, hosts: [{ mac: MAC_B }], replaceHosts: true });
  await publishTree({ ...options, hosts: [{ mac: MAC_A }, { mac: MAC_B }], label: 'third' });
  assert.deepEqual((await readdir(join(roots.tftpRoot, 'remaster/versions'))).sort(), ['2', '3']);
  const back = await rollbackTree({ tftpRoot: roots.tftpRoot });
  assert.equal(back.version, 2);
  await assert.rejects(lstat(join(roots.tftpRoot, 'pxelinux.cfg/01-52-54-00-00-00-0a')));
  await lstat(join(roots.tftpRoot, 'pxelinux.cfg/01-52-54-00-00-00-0b'));
  assert.deepEqual((await verifyTree(roots.tftpRoot, { now: NOW })).problems, []);
  await assert.rejects(rollbackTree({ tftpRoot: roots.tftpRoot, to: 1 }), /no version 1/u);
});

test('arm, disarm and status publish new versions from the manifest alone', async () => {
  const { build, roots, options } = await setup({ hosts: [] });
  await publishTree(options);
  await rm(build, { recursive: true });
  await armHost({ tftpRoot: roots.tftpRoot, mac: MAC_B, once: true, kickstart: KS_RHEL9, now: NOW });
  let status = await hostStatus(roots.tftpRoot, { now: NOW });
  assert.deepEqual(status.hosts.map((h) => [h.mac, h.state, h.once]), [[MAC_B, 'armed', true]]);
  assert.match(await readFile(join(roots.tftpRoot, 'pxelinux.cfg/01-52-54-00-00-00-0b'), 'utf8'), /inst\.ks=file:\/ks\.cfg/u);
  await disarmHost({ tftpRoot: roots.tftpRoot, mac: MAC_B, now: NOW });
  await assert.rejects(lstat(join(roots.tftpRoot, 'pxelinux.cfg/01-52-54-00-00-00-0b')));
  status = await hostStatus(roots.tftpRoot, { now: NOW });
  assert.deepEqual(status.hosts.map((h) => [h.mac, h.state]), [[MAC_B, 'disarmed']]);
  assert.equal(status.version, 3);
  assert.deepEqual((await verifyTree(roots.tftpRoot, { now: NOW })).problems, []);
});

test('an expired host is not armed by publish and is disarmed by verify once its time passes', async () => {
  const { roots, options } = await setup({ hosts: [{ mac: MAC_A, expires: '2025-12-31T00:00:00Z' }, { mac: MAC_B, expires: '2026-01-02T00:00:00Z' }] });
  const published = await publishTree(options);
  assert.deepEqual(published.expired.map((h) => h.mac), [MAC_A]);
  await assert.rejects(lstat(join(roots.tftpRoot, 'pxelinux.cfg/01-52-54-00-00-00-0a')));
  await lstat(join(roots.tftpRoot, 'pxelinux.cfg/01-52-54-00-00-00-0b'));
  const later = new Date('2026-01-03T00:00:00Z');
  const readOnly = await verifyTree(roots.tftpRoot, { now: later, readOnly: true });
  assert.match(readOnly.problems.map((p) => p.message).join('\n'), /host 52:54:00:00:00:0b expired/u);
  const v = await verifyTree(roots.tftpRoot, { now: later });
  assert.deepEqual(v.disarmed, [MAC_B]);
  assert.deepEqual(v.problems, []);
  await assert.rejects(lstat(join(roots.tftpRoot, 'pxelinux.cfg/01-52-54-00-00-00-0b')));
  const status = await hostStatus(roots.tftpRoot, { now: later });
  assert.deepEqual(status.hosts.map((h) => [h.mac, h.state]), [[MAC_B, 'expired'], [MAC_A, 'expired']]);
});

test('expireHosts (remaster expire, for cron) disarms only the hosts whose time passed, as one new version; nothing expired publishes nothing', async () => {
  const { roots, options } = await setup({ hosts: [{ mac: MAC_A, expires: '2026-01-02T00:00:00Z' }, { mac: MAC_B }] });
  await publishTree(options);
  assert.deepEqual(await expireHosts({ tftpRoot: roots.tftpRoot, now: new Date('2026-01-01T12:00:00Z') }), { version: 1, expired: [] });
  const later = new Date('2026-01-02T00:00:01Z');
  const r = await expireHosts({ tftpRoot: roots.tftpRoot, now: later });
  assert.equal(r.version, 2);
  assert.deepEqual(r.expired.map((h) => [h.mac, h.expires]), [[MAC_A, '2026-01-02T00:00:00Z']]);
  await assert.rejects(lstat(join(roots.tftpRoot, 'pxelinux.cfg/01-52-54-00-00-00-0a')), 'the expired host falls back to the default entry');
  await lstat(join(roots.tftpRoot, 'pxelinux.cfg/01-52-54-00-00-00-0b'));
  const status = await hostStatus(roots.tftpRoot, { now: later });
  assert.deepEqual(status.hosts.map((h) => [h.mac, h.state, h.at]), [[MAC_B, 'armed', undefined], [MAC_A, 'expired', later.toISOString()]]);
  assert.deepEqual((await verifyTree(roots.tftpRoot, { now: later })).problems, []);
});

test('a second publisher gets PUBLISH_LOCKED while the lock is held, and a dead owner\'s lock is taken over', async () => {
  const { roots, options } = await setup();
  await publishTree(options);
  const lock = await acquirePublishLock(join(roots.tftpRoot, 'remaster/.lock'));
  await assert.rejects(publishTree(options), (err) => isRemasterError(err, 'PUBLISH_LOCKED') && /pid \d+/u.test(err.message));
  await lock.release();
  await writeFile(join(roots.tftpRoot, 'remaster/.lock'), JSON.stringify({ pid: 2 ** 22 + 12345, host: (await import('node:os')).hostname(), startedAt: 'x' }));
  const r = await publishTree(options);
  assert.equal(r.version, 2);
});

test('publish and verify refuse an initrd the kernel cannot unpack (xz with the CRC64 check xz uses by default)', async (t) => {
  const { spawnSync } = await import('node:child_process');
  if (spawnSync('sh', ['-c', 'command -v xz'], { stdio: 'ignore' }).status !== 0) {
    if (process.env.CI === 'true') throw new Error('xz missing; CI must install it');
    t.skip('needs xz');
    return;
  }
  const { build, roots, options } = await setup({ hosts: [] });
  const { fakeInitrd } = await import('../unit/pxe/support.ts');
  const cpio = await fakeInitrd('6.1.0-99-amd64', 'none');
  const xz = spawnSync('xz', ['--check=crc64', '-c'], { input: cpio });
  await writeFile(join(build, 'initrd.img'), xz.stdout);
  await assert.rejects(publishTree(options), (err) => isRemasterError(err, 'VERIFY_FAILED') && /segment 1 \(at 0x0\): xz parameters the kernel cannot unpack .*crc64/u.test(err.message));
  await writeFile(join(build, 'initrd.img'), cpio);
  const { manifest } = await publishTree(options);
  await writeFile(join(roots.tftpRoot, manifest.model.initrd.path), xz.stdout);
  const { problems } = await verifyTree(roots.tftpRoot, { now: NOW });
  assert.match(problems.map((p) => p.message).join('\n'), /segment 1 \(at 0x0\): xz parameters the kernel cannot unpack .*crc64/u);
});
