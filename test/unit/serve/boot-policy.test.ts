/** decideBootFile: which boot file ProxyDHCP names for a client of the current tree. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { DhcpClient } from '../../../src/net/dhcp/index.ts';
import type { PublishManifest } from '../../../src/pxe/index.ts';
import { decideBootFile } from '../../../src/serve/boot-policy.ts';

const POLICY = { nextServer: '10.0.0.1', httpBase: 'http://10.0.0.1:8080/' };
const SCRIPT = 'http://10.0.0.1:8080/boot.ipxe';

function client(archName: DhcpClient['archName'], isIpxe: boolean, mac = '52:54:00:00:00:01'): DhcpClient {
  return {
    mac, messageType: 1, xid: 1, vendorClass: 'PXEClient', isPxe: true, isHttpBoot: false, arch: undefined, arches: [], archName, isUefi: archName.startsWith('efi-'),
    userClasses: isIpxe ? ['iPXE'] : [], isIpxe, uuid: undefined, uuidOption: undefined, nii: undefined, anomalies: [],
  };
}

function tree(loaders: string[], macs: string[] = []): PublishManifest {
  return { loaders, grubDir: 'boot/grub', model: { hosts: macs.map((mac) => ({ mac })) } } as unknown as PublishManifest;
}

const fileFor = (c: DhcpClient, m: PublishManifest, o = {}) => decideBootFile(c, m, { ...POLICY, ...o })?.bootFile;

test('an iPXE ROM on BIOS gets pxelinux.0 when the tree publishes pxelinux but no BIOS iPXE, else the HTTP script', () => {
  assert.equal(fileFor(client('bios', true), tree(['pxelinux.0', 'ldlinux.c32'])), 'pxelinux.0');
  assert.equal(fileFor(client('bios', true), tree(['pxelinux.0', 'ldlinux.c32', 'undionly.kpxe', 'ipxe.efi'])), SCRIPT);
  assert.equal(fileFor(client('bios', true), tree(['boot/grub/x86_64-efi/core.efi'])), SCRIPT, 'no pxelinux: the script, never nothing');
  assert.equal(fileFor(client('bios', true), tree(['pxelinux.0']), { biosFile: 'undionly.kpxe' }), 'pxelinux.0', 'a BIOS override never hands iPXE to iPXE');
});

test('iPXE on UEFI always gets the HTTP script; firmware PXE gets the loader of its architecture', () => {
  assert.equal(fileFor(client('efi-x64', true), tree(['pxelinux.0', 'ipxe.efi'])), SCRIPT);
  assert.equal(fileFor(client('efi-x64', true), tree(['pxelinux.0', 'boot/grub/x86_64-efi/core.efi'])), SCRIPT);
  assert.equal(fileFor(client('bios', false), tree(['pxelinux.0', 'undionly.kpxe'])), 'pxelinux.0');
  assert.equal(fileFor(client('bios', false), tree(['undionly.kpxe', 'ipxe.efi'])), 'undionly.kpxe');
  assert.equal(fileFor(client('efi-x64', false), tree(['ipxe.efi', 'shimx64.efi'])), 'ipxe.efi', 'iPXE first: GRUB misses the ProxyDHCP offer');
  assert.equal(fileFor(client('efi-x64', false), tree(['shimx64.efi', 'boot/grub/x86_64-efi/core.efi'])), 'shimx64.efi');
  assert.equal(fileFor(client('efi-x64', false), tree(['boot/grub/x86_64-efi/core.efi'])), 'boot/grub/x86_64-efi/core.efi');
  assert.equal(fileFor(client('efi-arm64', false), tree(['pxelinux.0', 'ipxe.efi'])), undefined, 'no loader for arm64: silence');
});

test('armedOnly answers armed MACs only, and no tree means silence', () => {
  const m = tree(['pxelinux.0'], ['52:54:00:00:00:01']);
  assert.equal(fileFor(client('bios', false), m, { armedOnly: true }), 'pxelinux.0');
  assert.equal(fileFor(client('bios', false, '52:54:00:00:00:02'), m, { armedOnly: true }), undefined);
  assert.equal(decideBootFile(client('bios', false), undefined, POLICY), undefined);
});
