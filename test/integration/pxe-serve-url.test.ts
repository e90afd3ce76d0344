/**
 * Trees published for `remaster serve`: menus name `<serveUrl>/ks/<mac>` (and the preseed and
 * autoinstall forms), no kickstart overlay is made, the tree verifies, and every armed host carries an
 * arm id that republishes keep and a new arm changes; disarm by arm id never disarms twice.
 */
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import {
  armHost, disarmHost, expireHosts, isRemasterError, publishTree, readCurrentManifest, setServeUrl, verifyTree, type PublishTreeOptions,
} from '../../src/index.ts';
import { KS_RHEL9, makeBuildDir, makeRoots, tempDir } from '../unit/pxe/support.ts';

const NOW = new Date('2026-01-01T00:00:00Z');
const MAC_A = '52:54:00:00:00:0a';
const MAC_B = '52:54:00:00:00:0b';
const URL_BASE = 'http://10.0.0.1:8080';

async function setup(extra: Partial<PublishTreeOptions> = {}) {
  const build = await makeBuildDir();
  const roots = await makeRoots();
  const options: PublishTreeOptions = {
    tftpRoot: roots.tftpRoot, kernel: join(build, 'vmlinuz'), initrd: join(build, 'initrd.img'), now: NOW, dialect: 'rhel9',
    loaders: { pxelinux: roots.loaderDir, ipxe: false }, hosts: [{ mac: MAC_A, kickstart: KS_RHEL9 }], serveUrl: `${URL_BASE}/`, ...extra,
  };
  return { roots, options };
}

const armIdOf = async (root: string, mac: string) => (await readCurrentManifest(root))?.model.hosts.find((h) => h.mac === mac)?.armId;

test('a tree published for serve names <serveUrl>/ks/<mac> in every loader, has no overlay, and verifies', async () => {
  const { roots, options } = await setup();
  const r = await publishTree(options);
  assert.equal(r.manifest.model.serveUrl, URL_BASE);
  const pxe = await readFile(join(roots.tftpRoot, 'pxelinux.cfg/01-52-54-00-00-00-0a'), 'utf8');
  assert.match(pxe, /APPEND .*inst\.ks=http:\/\/10\.0\.0\.1:8080\/ks\/52-54-00-00-00-0a(\s|$)/u);
  assert.match(pxe, /INITRD remaster\/[0-9a-f]{16}\/initrd\.img\n/u, 'only the main initrd: no ks.img overlay');
  assert.match(await readFile(join(roots.tftpRoot, 'boot/grub/grub.cfg-01-52-54-00-00-00-0a'), 'utf8'), /inst\.ks=http:\/\/10\.0\.0\.1:8080\/ks\/52-54-00-00-00-0a/u);
  assert.match(await readFile(join(roots.tftpRoot, 'ipxe/mac-52540000000a.ipxe'), 'utf8'), /inst\.ks=http:\/\/10\.0\.0\.1:8080\/ks\/52-54-00-00-00-0a/u);
  assert.ok(!Object.keys(r.manifest.files).some((p) => p.endsWith('/ks.img')), 'no overlay initrd is published');
  assert.match(r.manifest.model.hosts[0]?.armId ?? '', /^[0-9a-f]{32}$/u);
  assert.deepEqual((await verifyTree(roots.tftpRoot, { now: NOW })).problems, []);
});

test('preseed and autoinstall hosts get url=<serveUrl>/preseed/<mac> and ds=nocloud-net;s=<serveUrl>/ai/<mac>/ (GRUB-quoted)', async () => {
  const dir = await tempDir();
  const preseed = join(dir, 'preseed.cfg');
  await writeFile(preseed, 'd-i debian-installer/locale string en_US\n');
  const { roots, options } = await setup({ dialect: 'debian', answers: 'preseed', hosts: [{ mac: MAC_A, kickstart: preseed }] });
  await publishTree(options);
  assert.match(await readFile(join(roots.tftpRoot, 'pxelinux.cfg/01-52-54-00-00-00-0a'), 'utf8'), /auto=true priority=critical url=http:\/\/10\.0\.0\.1:8080\/preseed\/52-54-00-00-00-0a/u);

  const userData = join(dir, 'user-data');
  await writeFile(userData, '#cloud-config\nautoinstall:\n  version: 1\n  identity:\n    hostname: h\n    username: u\n    password: "$6$abc$def"\n');
  const ai = await setup({ dialect: 'ubuntu', answers: 'autoinstall', hosts: [{ mac: MAC_B, kickstart: userData }] });
  await publishTree(ai.options);
  const grub = await readFile(join(ai.roots.tftpRoot, 'boot/grub/grub.cfg-01-52-54-00-00-00-0b'), 'utf8');
  assert.match(grub, /ds=nocloud-net\\;s=http:\/\/10\.0\.0\.1:8080\/ai\/52-54-00-00-00-0b\//u);
  assert.match(await readFile(join(ai.roots.tftpRoot, 'pxelinux.cfg/01-52-54-00-00-00-0b'), 'utf8'), /ds=nocloud-net;s=http:\/\/10\.0\.0\.1:8080\/ai\/52-54-00-00-00-0b\//u);
});

test('republishing keeps a host\'s arm id, arming it again makes a new one, and a later publish keeps the serve URL', async () => {
  const { roots, options } = await setup();
  await publishTree(options);
  const first = await armIdOf(roots.tftpRoot, MAC_A);
  const { serveUrl: _given, ...withoutUrl } = options;
  await publishTree(withoutUrl);
  assert.equal(await armIdOf(roots.tftpRoot, MAC_A), first, 'a republish continues the same install attempt');
  assert.equal((await readCurrentManifest(roots.tftpRoot))?.model.serveUrl, URL_BASE, 'the serve URL is inherited');
  await armHost({ tftpRoot: roots.tftpRoot, mac: MAC_B, now: NOW });
  assert.equal(await armIdOf(roots.tftpRoot, MAC_A), first, 'arming another host leaves this one alone');
  assert.match((await armIdOf(roots.tftpRoot, MAC_B)) ?? '', /^[0-9a-f]{32}$/u);
  await armHost({ tftpRoot: roots.tftpRoot, mac: MAC_A, now: NOW });
  const second = await armIdOf(roots.tftpRoot, MAC_A);
  assert.ok(second !== undefined && second !== first, 're-arming starts a new attempt');
});

test('disarm by arm id publishes once; a second disarm of the same attempt or of a re-armed host is refused with STATE_CONFLICT', async () => {
  const { roots, options } = await setup({ hosts: [{ mac: MAC_A, kickstart: KS_RHEL9, once: true }] });
  await publishTree(options);
  const armId = (await armIdOf(roots.tftpRoot, MAC_A)) as string;
  const plan = await disarmHost({ tftpRoot: roots.tftpRoot, mac: MAC_A, armId, now: NOW });
  assert.equal(plan.version, 2);
  await assert.rejects(disarmHost({ tftpRoot: roots.tftpRoot, mac: MAC_A, armId, now: NOW }), (e: unknown) => isRemasterError(e, 'STATE_CONFLICT'));
  await armHost({ tftpRoot: roots.tftpRoot, mac: MAC_A, now: NOW });
  await assert.rejects(disarmHost({ tftpRoot: roots.tftpRoot, mac: MAC_A, armId, now: NOW }), (e: unknown) => isRemasterError(e, 'STATE_CONFLICT'));
  assert.equal((await readCurrentManifest(roots.tftpRoot))?.version, 3, 'refused disarms published nothing');
});

test('setServeUrl turns a plain tree into a served one (arm ids added) and expireHosts publishes only when a host expired', async () => {
  const { roots, options } = await setup({ serveUrl: '', hosts: [{ mac: MAC_A, kickstart: KS_RHEL9, expires: '2026-01-02T00:00:00Z' }] });
  await publishTree(options);
  assert.equal((await readCurrentManifest(roots.tftpRoot))?.model.serveUrl, undefined, 'serveUrl "" publishes a plain tree');
  assert.match(await readFile(join(roots.tftpRoot, 'pxelinux.cfg/01-52-54-00-00-00-0a'), 'utf8'), /inst\.ks=file:\/ks\.cfg/u);
  await setServeUrl({ tftpRoot: roots.tftpRoot, serveUrl: URL_BASE, now: NOW });
  assert.match(await readFile(join(roots.tftpRoot, 'pxelinux.cfg/01-52-54-00-00-00-0a'), 'utf8'), /inst\.ks=http:\/\/10\.0\.0\.1:8080\/ks\/52-54-00-00-00-0a/u);
  assert.deepEqual((await verifyTree(roots.tftpRoot, { now: NOW, readOnly: true })).problems, []);
  assert.equal(await expireHosts({ tftpRoot: roots.tftpRoot, now: NOW }), undefined);
  const plan = await expireHosts({ tftpRoot: roots.tftpRoot, now: new Date('2026-01-03T00:00:00Z') });
  assert.equal(plan?.manifest.model.hosts.length, 0);
  assert.equal(plan?.manifest.disarmed[0]?.reason, 'expired');
});
