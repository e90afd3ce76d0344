/** MAC spellings, kernel release decoding, menu references and DHCP snippets. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodeKernelRelease, dhcpSnippet, ipv4HexName, macConfigName, macHexraw, menuReferences, normalizeMac } from '../../../src/index.ts';
import { fakeKernel } from './support.ts';

test('normalises every MAC spelling to lowercase colons and derives the loader names', () => {
  for (const m of ['52:54:00:AB:cd:01', '52-54-00-ab-cd-01', '525400abcd01', '01-52-54-00-ab-cd-01']) assert.equal(normalizeMac(m), '52:54:00:ab:cd:01');
  assert.equal(macConfigName('52:54:00:AB:CD:01'), '01-52-54-00-ab-cd-01');
  assert.equal(macHexraw('52:54:00:AB:CD:01'), '525400abcd01');
  assert.throws(() => normalizeMac('52:54:00:ab:cd'), /not an Ethernet MAC/u);
  assert.throws(() => normalizeMac('52:54-00:ab:cd:01'), /not an Ethernet MAC/u);
});

test('writes client IPv4 names in uppercase hex as PXELINUX and GRUB look them up', () => {
  assert.equal(ipv4HexName('10.0.0.130'), '0A000082');
  assert.equal(ipv4HexName('192.0.2.91'), 'C000025B');
});

test('reads the kernel release from the bzImage setup header', () => {
  assert.equal(decodeKernelRelease(fakeKernel('6.1.0-18-amd64')), '6.1.0-18-amd64');
  assert.equal(decodeKernelRelease(new Uint8Array(4096)), undefined);
});

test('finds kernel, initrds and kickstart URLs in menus of each loader', () => {
  const pxe = menuReferences('KERNEL a/vmlinuz\n  INITRD a/i.img,b/ks.img\n  APPEND inst.ks=http://h/ks.cfg\n', 'pxelinux');
  assert.deepEqual(pxe.map((r) => [r.kind, r.target]), [['kernel', 'a/vmlinuz'], ['initrd', 'a/i.img'], ['initrd', 'b/ks.img'], ['kickstart', 'http://h/ks.cfg']]);
  const grub = menuReferences('  linux /a/vmlinuz x=1\n  initrd /a/i.img (http,h)/b.img\n', 'grub');
  assert.deepEqual(grub.map((r) => r.target), ['a/vmlinuz', 'a/i.img', '(http,h)/b.img']);
  const ipxe = menuReferences('#!ipxe\nkernel http://h/v initrd=i.img\ninitrd /a/i.img\nchain --autofree ipxe/mac-${net0/mac:hexraw}.ipxe\n', 'ipxe');
  assert.deepEqual(ipxe.map((r) => r.target), ['http://h/v', 'a/i.img']);
});

test('the ISC snippet matches option 93 values 7 and 9 for x64 UEFI', () => {
  const text = dhcpSnippet({ kind: 'isc', nextServer: '10.0.0.1' });
  assert.match(text, /option arch code 93 = unsigned integer 16;/u);
  assert.match(text, /option arch = 00:07 or option arch = 00:09/u);
  assert.match(text, /next-server 10\.0\.0\.1;/u);
  assert.match(text, /filename "pxelinux\.0";/u);
  assert.match(text, /user-class = "iPXE"/u);
});

test('the dnsmasq snippet tags client-arch 0, 7 and 9 (proxyDHCP is server-config dnsmasq --proxy)', () => {
  const text = dhcpSnippet({ kind: 'dnsmasq', nextServer: '10.0.0.1', tftpRoot: '/srv/tftp' });
  for (const re of [/client-arch,0$/mu, /client-arch,7$/mu, /client-arch,9$/mu, /dhcp-boot=tag:bios,tag:!ipxe,pxelinux\.0,,10\.0\.0\.1/u, /tftp-root=\/srv\/tftp/u]) assert.match(text, re);
});

test('refuses a DHCP value that would break out of its configuration line', () => {
  assert.throws(() => dhcpSnippet({ kind: 'isc', nextServer: '10.0.0.1";\nfoo' }), /cannot go into a server configuration line/u);
});
