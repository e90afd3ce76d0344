/** Boot loader collection: distribution layouts (Debian, RHEL) and the signed Secure Boot chain (shim + Debian's signed network GRUB). */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { collectLoaders, loadRecipe, publishOptionsFromRecipe, publishTree, RemasterError, type Recipe } from '../../../src/index.ts';
import { makeBuildDir, makeRoots, tempDir } from './support.ts';

const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

async function signedDir(names: [string, string]): Promise<string> {
  const dir = await tempDir('remaster-signed-');
  await writeFile(join(dir, names[0]), 'fake shim\n');
  await writeFile(join(dir, names[1]), 'fake signed grub\n');
  return dir;
}

test('grubSigned publishes shimx64.efi and grubx64.efi at the root, from Debian file names or published names', async () => {
  for (const names of [['shimx64.efi.signed', 'grubnetx64.efi.signed'], ['shimx64.efi', 'grubx64.efi']] as [string, string][]) {
    const dir = await signedDir(names);
    const loaders = await collectLoaders({ pxelinux: false, ipxe: false, grubSigned: dir }, 'grub');
    assert.deepEqual(loaders.map((l) => [l.path, l.source, l.sha256]), [
      ['shimx64.efi', join(dir, names[0]), sha(await readFile(join(dir, names[0])))],
      ['grubx64.efi', join(dir, names[1]), sha(await readFile(join(dir, names[1])))],
    ]);
  }
});

test('grubSigned: a missing binary names the file; a GRUB directory other than grub is refused', async () => {
  const dir = await tempDir('remaster-signed-');
  await writeFile(join(dir, 'shimx64.efi'), 'shim only\n');
  await assert.rejects(collectLoaders({ pxelinux: false, ipxe: false, grubSigned: dir }, 'grub'),
    (e: unknown) => e instanceof RemasterError && e.code === 'TOOL_MISSING' && e.file === join(dir, 'grubx64.efi'));
  await assert.rejects(collectLoaders({ pxelinux: false, ipxe: false, grubSigned: await signedDir(['shimx64.efi', 'grubx64.efi']) }, 'boot/grub'),
    (e: unknown) => e instanceof RemasterError && e.code === 'USAGE' && /built-in prefix/u.test(e.message));
});

test('publishTree with grubSigned puts the GRUB menus under grub/ unless told otherwise', async () => {
  const build = await makeBuildDir();
  const { tftpRoot } = await makeRoots();
  const r = await publishTree({ tftpRoot, kernel: join(build, 'vmlinuz'), initrd: join(build, 'initrd.img'), hosts: [{ mac: '52:54:00:12:34:56' }],
    loaders: { pxelinux: false, ipxe: false, grubSigned: await signedDir(['shimx64.efi.signed', 'grubnetx64.efi.signed']) } });
  assert.equal(r.manifest.grubDir, 'grub');
  assert.ok('grub/grub.cfg' in r.manifest.files && 'grub/grub.cfg-01-52-54-00-12-34-56' in r.manifest.files, Object.keys(r.manifest.files).join(' '));
  assert.deepEqual(r.manifest.loaders, ['grubx64.efi', 'shimx64.efi']);
  assert.equal(await readFile(join(tftpRoot, 'shimx64.efi'), 'utf8'), 'fake shim\n');
  assert.match(await readFile(join(tftpRoot, 'grub/grub.cfg-01-52:54:00:12:34:56'), 'utf8'), /menuentry 'Install/u);
});

test('loader directories in a recipe are relative to the recipe file', () => {
  const recipe = { pxe: { tftpRoot: 'tftp', hosts: [], loaders: { pxelinux: 'loaders/syslinux', grubNetDir: 'net/boot/grub', ipxe: 'auto', grubSigned: 'signed' } } } as unknown as Recipe;
  const o = publishOptionsFromRecipe(recipe, '/srv/recipes/site.yaml', '/srv/out', false);
  assert.deepEqual(o.loaders, { pxelinux: '/srv/recipes/loaders/syslinux', grubNetDir: '/srv/recipes/net/boot/grub', ipxe: 'auto', grubSigned: '/srv/recipes/signed' });
  assert.equal(o.tftpRoot, '/srv/recipes/tftp');
});

test('a recipe\'s pxe.http names the loaders that fetch over HTTP, and a host may carry ip and uuid', async () => {
  const yaml = ['name: site', 'source: { kernel: k, initrd: i }', 'output: { dir: out }', 'pxe:', '  tftpRoot: tftp', '  httpUrl: http://10.0.0.1', '  http: { pxelinux: true, grub: true }',
    '  hosts: [{ mac: "52:54:00:00:00:01", ip: 10.0.0.50, uuid: 4c4c4544-0042-3510-8056-b4c04f4a3332 }]', ''].join('\n');
  const dir = await tempDir('remaster-recipe-');
  await writeFile(join(dir, 'site.yaml'), yaml);
  const { recipe } = await loadRecipe(join(dir, 'site.yaml'));
  const o = publishOptionsFromRecipe(recipe, join(dir, 'site.yaml'), '/srv/out', false);
  assert.deepEqual(o.http, { pxelinux: true, grub: true });
  assert.deepEqual(o.hosts, [{ mac: '52:54:00:00:00:01', ip: '10.0.0.50', uuid: '4c4c4544-0042-3510-8056-b4c04f4a3332' }]);
});

/** Make files (with their path as content) below a fake system root. */
async function fakeRoot(paths: string[]): Promise<string> {
  const root = await tempDir('remaster-root-');
  for (const p of paths) {
    await mkdir(dirname(join(root, p)), { recursive: true });
    await writeFile(join(root, p), p);
  }
  return root;
}

test('pxelinux from the distribution: the first layout whose pxelinux.0 exists, taken whole (RHEL 8+ /tftpboot here)', async () => {
  const rhel = ['/tftpboot/pxelinux.0', '/tftpboot/ldlinux.c32', '/tftpboot/libutil.c32', '/tftpboot/menu.c32'];
  const root = await fakeRoot([...rhel, '/usr/share/ipxe/undionly.kpxe', '/usr/share/ipxe/ipxe-x86_64.efi']);
  const loaders = await collectLoaders({}, 'boot/grub', root);
  assert.deepEqual(loaders.map((l) => [l.path, l.source.slice(root.length)]), [
    ['pxelinux.0', '/tftpboot/pxelinux.0'], ['ldlinux.c32', '/tftpboot/ldlinux.c32'], ['libutil.c32', '/tftpboot/libutil.c32'], ['menu.c32', '/tftpboot/menu.c32'],
    ['undionly.kpxe', '/usr/share/ipxe/undionly.kpxe'], ['ipxe.efi', '/usr/share/ipxe/ipxe-x86_64.efi'],
  ]);
});

test('pxelinux from the distribution never mixes builds: Debian pxelinux.0 without its ldlinux.c32 is an error, not RHEL\'s', async () => {
  const root = await fakeRoot(['/usr/lib/PXELINUX/pxelinux.0', '/tftpboot/pxelinux.0', '/tftpboot/ldlinux.c32', '/tftpboot/libutil.c32', '/tftpboot/menu.c32']);
  await assert.rejects(collectLoaders({ ipxe: false }, 'boot/grub', root),
    (e: unknown) => e instanceof RemasterError && e.code === 'TOOL_MISSING' && e.file === join(root, '/usr/lib/syslinux/modules/bios/ldlinux.c32') && /Debian's pxelinux\.0/u.test(e.message));
  await assert.rejects(collectLoaders({ ipxe: false }, 'boot/grub', await fakeRoot([])),
    (e: unknown) => e instanceof RemasterError && /\/usr\/lib\/PXELINUX\/pxelinux\.0 \(Debian.*\/tftpboot\/pxelinux\.0 \(RHEL 8\+\/Fedora.*\/usr\/share\/syslinux\/pxelinux\.0 \(RHEL 7/u.test(e.message));
});

test('a missing boot loader is TOOL_MISSING naming the Debian package (fake system root: whatever this machine has installed does not matter)', async () => {
  const debian = ['/usr/lib/PXELINUX/pxelinux.0', '/usr/lib/syslinux/modules/bios/ldlinux.c32', '/usr/lib/syslinux/modules/bios/libutil.c32', '/usr/lib/syslinux/modules/bios/menu.c32'];
  const root = await fakeRoot(debian);
  await assert.rejects(collectLoaders({ pxelinux: true, ipxe: true }, 'boot/grub', root),
    (e: unknown) => e instanceof RemasterError && e.code === 'TOOL_MISSING' && /package ipxe/u.test(e.message));
  const loaders = await collectLoaders({ pxelinux: true, ipxe: false }, 'boot/grub', root);
  assert.deepEqual(loaders.map((l) => l.path), ['pxelinux.0', 'ldlinux.c32', 'libutil.c32', 'menu.c32']);
});

test('menus over HTTP publish the same layout\'s lpxelinux.0 under the name pxelinux.0, so DHCP configurations keep naming pxelinux.0', async () => {
  const debian = ['/usr/lib/PXELINUX/pxelinux.0', '/usr/lib/PXELINUX/lpxelinux.0', '/usr/lib/syslinux/modules/bios/ldlinux.c32', '/usr/lib/syslinux/modules/bios/libutil.c32', '/usr/lib/syslinux/modules/bios/menu.c32'];
  const root = await fakeRoot(debian);
  const loaders = await collectLoaders({ pxelinux: true, pxelinuxHttp: true, ipxe: false }, 'boot/grub', root);
  assert.deepEqual(loaders.map((l) => [l.path, l.source.slice(root.length)]).slice(0, 2), [['pxelinux.0', '/usr/lib/PXELINUX/lpxelinux.0'], ['ldlinux.c32', '/usr/lib/syslinux/modules/bios/ldlinux.c32']]);
  await assert.rejects(collectLoaders({ pxelinux: true, pxelinuxHttp: true, ipxe: false }, 'boot/grub', await fakeRoot(debian.filter((p) => !p.includes('lpxelinux')))),
    (e: unknown) => e instanceof RemasterError && e.code === 'TOOL_MISSING' && /lpxelinux\.0 not found next to Debian's pxelinux\.0/u.test(e.message));
});
