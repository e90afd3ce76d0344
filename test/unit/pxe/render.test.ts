/**
 * Golden renderings for the three loaders (mkksiso's `.result` convention):
 * one model, every menu compared with fixtures/pxe/<name>.result; the
 * per-host goldens carry the wrong-machine guard (GRUB's `$net_default_mac`
 * test, iPXE's `iseq ${net0/mac}`), and PXELINUX's guard is its file name.
 * Regenerate with UPDATE_GOLDEN=1 and review the diff.
 */
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { test } from 'node:test';
import {
  EFI_LOCAL_LOADERS, hostCmdline, planPublish, renderGrubDefault, renderGrubHost, renderIpxeDefault, renderIpxeHost, renderPxelinuxDefault, renderPxelinuxHost,
  type PxeHost, type PxeModel,
} from '../../../src/index.ts';

const DIR = new URL('../../../fixtures/pxe/', import.meta.url);

const MODEL: PxeModel = {
  label: 'RHEL 9 (remaster)',
  kernel: { path: 'remaster/0123456789abcdef/vmlinuz', httpUrl: 'http://10.0.0.1/tftp/remaster/0123456789abcdef/vmlinuz' },
  initrd: { path: 'remaster/fedcba9876543210/initrd.img', httpUrl: 'http://10.0.0.1/tftp/remaster/fedcba9876543210/initrd.img' },
  cmdline: ['console=ttyS0,115200', 'inst.text'],
  hosts: [],
  defaultAction: 'local',
  dialect: 'rhel9',
  stage2: 'http://10.0.0.1/rhel9',
  repo: 'http://10.0.0.1/rhel9',
};
const HTTP_HOST: PxeHost = {
  mac: '52-54-00-12-34-56', name: "db01 'primary'", once: true, expires: '2030-01-01T00:00:00Z',
  kickstart: { path: 'remaster/aaaaaaaaaaaaaaaa/ks.cfg', httpUrl: 'http://10.0.0.1/tftp/remaster/aaaaaaaaaaaaaaaa/ks.cfg' },
  extraArgs: ['ds=nocloud;s=/x/'],
};
const OVERLAY_HOST: PxeHost = {
  mac: '52:54:00:AB:CD:EF', ksdevice: 'eth1',
  kickstart: { path: 'remaster/bbbbbbbbbbbbbbbb/ks.cfg', initrdPath: 'remaster/cccccccccccccccc/ks.img' },
};

const CASES: [string, () => string][] = [
  ['pxelinux-default', () => renderPxelinuxDefault(MODEL)],
  ['pxelinux-host-http', () => renderPxelinuxHost(MODEL, HTTP_HOST)],
  ['pxelinux-host-overlay', () => renderPxelinuxHost(MODEL, OVERLAY_HOST)],
  ['pxelinux-host-rhel6', () => renderPxelinuxHost({ ...MODEL, dialect: 'rhel6' }, OVERLAY_HOST)],
  ['grub-default', () => renderGrubDefault({ ...MODEL, serialConsole: true })],
  ['grub-host-http', () => renderGrubHost(MODEL, HTTP_HOST)],
  ['grub-host-over-http', () => renderGrubHost({ ...MODEL, http: { grub: true } }, OVERLAY_HOST)],
  ['ipxe-default', () => renderIpxeDefault(MODEL)],
  ['ipxe-host-overlay', () => renderIpxeHost(MODEL, OVERLAY_HOST)],
];

for (const [name, render] of CASES) {
  test(`renders ${name} as fixtures/pxe/${name}.result`, async () => {
    const text = render();
    const file = new URL(`${name}.result`, DIR);
    if (process.env.UPDATE_GOLDEN === '1') await writeFile(file, text);
    assert.equal(text, await readFile(file, 'utf8'));
  });
}

test('the default entries of every loader boot the local disk and name no kernel', () => {
  assert.match(renderPxelinuxDefault(MODEL), /^DEFAULT local$[\s\S]*^ {2}LOCALBOOT 0$/mu);
  assert.doesNotMatch(renderPxelinuxDefault(MODEL), /KERNEL|vmlinuz/u);
  assert.match(renderGrubDefault(MODEL), /set default=local[\s\S]*exit/u);
  assert.doesNotMatch(renderGrubDefault(MODEL), /linux /u);
  assert.match(renderIpxeDefault(MODEL), /sanboot --no-describe --drive 0x80/u);
});

test('uses inst.ks= for RHEL 7+ and ks= for RHEL 5/6, never both', () => {
  const modern = hostCmdline(MODEL, HTTP_HOST);
  assert.match(modern, /(^| )inst\.ks=http:\/\/10\.0\.0\.1\/tftp\/remaster\/a{16}\/ks\.cfg( |$)/u);
  assert.doesNotMatch(modern, /(^| )ks=/u);
  const legacy = hostCmdline({ ...MODEL, dialect: 'rhel6' }, OVERLAY_HOST);
  assert.match(legacy, /(^| )ks=file:\/ks\.cfg( |$)/u);
  assert.match(legacy, /ksdevice=eth1/u);
  assert.doesNotMatch(legacy, /inst\.(ks|repo|stage2)=/u);
});

test('a kernel argument with a line break is refused instead of injecting loader commands', () => {
  assert.throws(() => renderPxelinuxHost(MODEL, { mac: '52:54:00:00:00:01', extraArgs: ['x=1\nLABEL evil'] }), /line break/u);
});

test('iPXE refuses an argument it cannot quote', () => {
  assert.throws(() => renderIpxeHost(MODEL, { mac: '52:54:00:00:00:01', extraArgs: ['a=${evil}'] }), /iPXE cannot pass/u);
});

test('every per-host install entry checks its own MAC: GRUB in an if around the entry, iPXE before it loads anything', () => {
  const grub = renderGrubHost(MODEL, OVERLAY_HOST);
  const guard = grub.indexOf('if [ "$net_default_mac" = "52:54:00:ab:cd:ef" ]; then');
  assert.ok(guard > 0 && guard < grub.indexOf("menuentry 'Install") && grub.indexOf("menuentry 'Install") < grub.indexOf('\nelse\n'), grub);
  assert.match(grub, /^set default=local$/mu, 'without the MAC the default is the local disk');
  const ipxe = renderIpxeHost(MODEL, OVERLAY_HOST).split('\n');
  assert.equal(ipxe[2], 'iseq ${net0/mac} 52:54:00:ab:cd:ef || goto local');
  assert.ok(ipxe.indexOf(':local') > ipxe.indexOf('boot'), 'the local section follows the install');
});

test('IP and UUID names lead to the MAC-guarded GRUB entry only; PXELINUX, which cannot check the MAC, gets the MAC name alone', () => {
  const host: PxeHost = { mac: '52:54:00:12:34:56', ip: '10.99.0.50', uuid: '4C4C4544-0042-3510-8056-B4C04F4A3332' };
  const plan = planPublish({ version: 1, now: new Date('2030-01-01T00:00:00Z'), model: { ...MODEL, hosts: [host] }, artifacts: [], loaders: [], grubDir: 'boot/grub', publish: { keep: 3 } });
  const paths = plan.entries.map((e) => (e.kind === 'link' ? `${e.path} -> ${e.target}` : e.path));
  assert.deepEqual(paths.filter((p) => p.startsWith('pxelinux.cfg/')), ['pxelinux.cfg/default', 'pxelinux.cfg/01-52-54-00-12-34-56']);
  assert.deepEqual(paths.filter((p) => p.startsWith('boot/grub/grub.cfg-')), [
    'boot/grub/grub.cfg-01-52-54-00-12-34-56',
    'boot/grub/grub.cfg-01-52:54:00:12:34:56 -> boot/grub/grub.cfg-01-52-54-00-12-34-56',
    'boot/grub/grub.cfg-0A630032 -> boot/grub/grub.cfg-01-52-54-00-12-34-56',
    'boot/grub/grub.cfg-4c4c4544-0042-3510-8056-b4c04f4a3332 -> boot/grub/grub.cfg-01-52-54-00-12-34-56',
  ]);
});

test('the EFI local entry chainloads the first ESP loader it finds and only then exits to the firmware', () => {
  const local = renderGrubDefault(MODEL);
  assert.match(local, /for loader in [^;]*\/EFI\/BOOT\/BOOTX64\.EFI; do\n {6}if search --no-floppy --file --set=root \$loader; then\n {8}echo "Booting \(\$root\)\$loader"\n {8}chainloader \$loader\n {8}boot\n {6}fi\n {4}done\n {4}exit\n/u);
  assert.ok(EFI_LOCAL_LOADERS.indexOf('/EFI/redhat/shimx64.efi') < EFI_LOCAL_LOADERS.indexOf('/EFI/BOOT/BOOTX64.EFI'), 'a distribution\'s own shim before the removable path (which may start shim\'s fallback)');
});
