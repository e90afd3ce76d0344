/**
 * remaster server-config as text: golden files for each server
 * (fixtures/pxe/server-*.result, regenerated with UPDATE_GOLDEN=1 and
 * reviewed in the diff), the boot-file choice from a tree's loaders, the
 * warnings, and the refusals. The real programs judge these files in
 * test/integration/server-config-validate.test.ts.
 */
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { test } from 'node:test';
import { dhcpPool, dhcpSnippet, parseSubnet, renderServerConfig, serverBootFiles, type PublishManifest, type ServerConfigOptions, type ServerKind } from '../../../src/index.ts';

const DIR = new URL('../../../fixtures/pxe/', import.meta.url);
const DIGEST = { sha256: '0'.repeat(64), size: 1 };

function manifest(loaders: string[], publish: PublishManifest['publish'] = { keep: 3, httpUrl: 'http://10.0.0.1', httpRoot: '/srv/www' }): PublishManifest {
  const files = Object.fromEntries([...loaders, 'boot.ipxe', 'pxelinux.cfg/default'].map((p) => [p, DIGEST]));
  return {
    format: 'remaster-pxe/1', version: 4, createdAt: '2030-01-01T00:00:00.000Z', grubDir: loaders.includes('shimx64.efi') ? 'grub' : 'boot/grub',
    model: { label: 'test', kernel: { path: 'remaster/a/vmlinuz' }, initrd: { path: 'remaster/b/initrd.img' }, cmdline: [], hosts: [], defaultAction: 'local' },
    files, httpFiles: [], exports: [], disarmed: [], loaders, publish,
  };
}

const FULL_TREE = manifest(['pxelinux.0', 'ldlinux.c32', 'undionly.kpxe', 'ipxe.efi', 'boot/grub/x86_64-efi/core.efi']);
const NET: ServerConfigOptions = { tftpRoot: '/srv/tftp', serverIp: '10.0.0.1', interface: 'eth1', subnet: '10.0.0.0/24' };

const CASES: [name: string, kind: ServerKind, m: PublishManifest, options: ServerConfigOptions][] = [
  ['server-dnsmasq', 'dnsmasq', FULL_TREE, NET],
  ['server-dnsmasq-proxy', 'dnsmasq', FULL_TREE, { ...NET, proxy: true }],
  ['server-dnsmasq-no-ipxe', 'dnsmasq', FULL_TREE, { ...NET, ipxe: false }],
  ['server-isc', 'isc', FULL_TREE, { ...NET, range: ['10.0.0.50', '10.0.0.99'] }],
  ['server-tftpd-hpa', 'tftpd-hpa', FULL_TREE, NET],
  ['server-nginx', 'nginx', FULL_TREE, NET],
];

for (const [name, kind, m, options] of CASES) {
  test(`renders ${name} as fixtures/pxe/${name}.result`, async () => {
    const { text, warnings } = renderServerConfig(kind, m, options);
    // proxyDHCP with a UEFI GRUB: GRUB 2.06 asks the site's DHCP server for its menus (README limits)
    assert.deepEqual(warnings.map((w) => /GRUB 2\.06 looks for its menus/u.test(w.message)), options.proxy === true ? [true] : []);
    const file = new URL(`${name}.result`, DIR);
    if (process.env.UPDATE_GOLDEN === '1') await writeFile(file, text);
    assert.equal(text, await readFile(file, 'utf8'));
  });
}

test('UEFI clients get the signed shim first, then grub-mknetdir\'s core.efi, then ipxe.efi', () => {
  assert.equal(serverBootFiles(manifest(['pxelinux.0', 'shimx64.efi', 'grubx64.efi', 'ipxe.efi'])).bootFiles.efi, 'shimx64.efi');
  assert.equal(serverBootFiles(FULL_TREE).bootFiles.efi, 'boot/grub/x86_64-efi/core.efi');
  const ipxeOnly = serverBootFiles(manifest(['pxelinux.0', 'ipxe.efi']));
  assert.equal(ipxeOnly.bootFiles.efi, 'ipxe.efi');
  assert.match(ipxeOnly.warnings[0]?.message ?? '', /"Press Ctrl-B" prompt.*--grub-netdir or --grub-signed/u);
  assert.deepEqual(serverBootFiles(manifest(['undionly.kpxe', 'boot/grub/x86_64-efi/core.efi'])).bootFiles, { bios: 'undionly.kpxe', efi: 'boot/grub/x86_64-efi/core.efi', ipxe: 'boot.ipxe' });
});

test('a tree without a UEFI loader sends UEFI clients nothing and says how to add one', () => {
  const r = renderServerConfig('dnsmasq', manifest(['pxelinux.0', 'ldlinux.c32']), NET);
  assert.doesNotMatch(r.text, /efi64,tag:!ipxe,/u);
  assert.match(r.text, /^# no x64 UEFI boot loader in the tree: UEFI clients get no boot file$/mu);
  assert.equal(r.warnings.length, 1);
  assert.match(r.warnings[0]?.message ?? '', /--grub-netdir .*--grub-signed .*ipxe/u);
  const isc = renderServerConfig('isc', manifest(['pxelinux.0']), NET).text;
  assert.doesNotMatch(isc, /00:07/u);
  assert.match(isc, /filename "pxelinux\.0";/u);
});

test('an overridden boot file the tree lacks is a warning; handing iPXE to iPXE clients is refused', () => {
  const r = renderServerConfig('dnsmasq', FULL_TREE, { ...NET, efiFile: 'grubx64.efi' });
  assert.match(r.warnings[0]?.message ?? '', /grubx64\.efi is not in the published tree/u);
  assert.throws(() => renderServerConfig('dnsmasq', manifest(['undionly.kpxe']), { ...NET, ipxe: false, biosFile: 'undionly.kpxe' }), /undionly\.kpxe is iPXE/u);
  assert.equal(serverBootFiles(manifest(['undionly.kpxe']), { ipxe: false }).bootFiles.bios, undefined, 'undionly.kpxe is only offered beside the iPXE branch');
});

test('refuses a relative TFTP root and values that would end a configuration line', () => {
  assert.throws(() => renderServerConfig('dnsmasq', FULL_TREE, { ...NET, tftpRoot: 'tftp' }), /absolute path/u);
  assert.throws(() => renderServerConfig('dnsmasq', FULL_TREE, { ...NET, tftpRoot: '/srv/my tftp' }), /cannot go into a server configuration line/u);
  assert.throws(() => renderServerConfig('isc', FULL_TREE, { ...NET, serverIp: '10.0.0.1";\nx' }), /cannot go into/u);
  assert.throws(() => renderServerConfig('isc', FULL_TREE, { ...NET, subnet: '10.0.0.1/24' }), /host bits set; the network address is 10\.0\.0\.0\/24/u);
  assert.throws(() => renderServerConfig('dnsmasq', FULL_TREE, { tftpRoot: '/srv/tftp', serverIp: '10.0.0.1' }), /needs the client subnet/u);
});

test('the default pool is the half of the subnet without the server; a given range must fit', () => {
  const net = parseSubnet('192.168.8.0/23');
  assert.deepEqual(net, { network: '192.168.8.0', prefix: 23, netmask: '255.255.254.0', broadcast: '192.168.9.255' });
  assert.deepEqual(dhcpPool(net, '192.168.8.1'), ['192.168.9.0', '192.168.9.254']);
  assert.deepEqual(dhcpPool(net, '192.168.9.200'), ['192.168.8.1', '192.168.8.255']);
  assert.throws(() => dhcpPool(net, '192.168.8.1', ['192.168.8.1', '192.168.8.9']), /holds the server's own address/u);
  assert.throws(() => dhcpPool(net, '192.168.8.1', ['192.168.10.1', '192.168.10.9']), /must be two addresses of 192\.168\.8\.0\/23/u);
});

test('nginx needs an HTTP URL, serves the TFTP root without an HTTP root, and warns about a doubled /remaster prefix', () => {
  assert.throws(() => renderServerConfig('nginx', manifest([], { keep: 3 }), NET), /published without an HTTP URL/u);
  const fromTftp = renderServerConfig('nginx', manifest([], { keep: 3, httpUrl: 'http://10.0.0.1' }), NET);
  assert.match(fromTftp.text, /^ {8}alias \/srv\/tftp\/remaster\/;$/mu);
  const doubled = renderServerConfig('nginx', manifest([], { keep: 3, httpUrl: 'http://10.0.0.1/remaster', httpRoot: '/srv/www' }), NET);
  assert.match(doubled.text, /^ {4}location \/remaster\/remaster\/ \{$/mu);
  assert.match(doubled.warnings[0]?.message ?? '', /publish with --http-url http:\/\/10\.0\.0\.1 for one prefix/u);
});

test('the ISC snippet comes in two parts: the option definition at top level, the rest inside the subnet', () => {
  const text = dhcpSnippet({ kind: 'isc', nextServer: '10.0.0.1' });
  const [top, scope] = text.split('# 2. inside your subnet { } block:\n') as [string, string];
  assert.match(top, /^option arch code 93 = unsigned integer 16;$/mu);
  assert.doesNotMatch(scope, /option arch code/u);
  assert.match(scope, /^next-server 10\.0\.0\.1;$/mu);
  assert.throws(() => dhcpSnippet({ kind: 'dnsmasq', nextServer: '10.0.0.1', tftpRoot: 'srv/tftp' }), /absolute path/u);
});
