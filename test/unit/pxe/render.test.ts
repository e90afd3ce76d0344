/**
 * Golden renderings for the three loaders (mkksiso's `.result` convention):
 * one model, every menu compared with fixtures/pxe/<name>.result.
 * Regenerate with UPDATE_GOLDEN=1 and review the diff.
 */
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { test } from 'node:test';
import {
  hostCmdline, renderGrubDefault, renderGrubHost, renderIpxeDefault, renderIpxeHost, renderPxelinuxDefault, renderPxelinuxHost,
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
