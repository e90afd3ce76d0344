import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseDiscinfo, parseTreeinfo } from '../../../src/iso/treeinfo.ts';

test('parses a productmd .treeinfo preferring [release] and the native [images-<arch>]', () => {
  const info = parseTreeinfo(`[general]\n; comment\nfamily = Rocky Linux\nversion = 9.4\narch = x86_64\n[images-xen]\nkernel = images/xen/vmlinuz\n[images-x86_64]\nkernel = images/pxeboot/vmlinuz\ninitrd = images/pxeboot/initrd.img\nefiboot.img = images/efiboot.img\n[release]\nname = Rocky Linux\nversion = 9.4\n[stage2]\nmainimage = images/install.img\n`);
  assert.equal(info.family, 'Rocky Linux');
  assert.equal(info.version, '9.4');
  assert.equal(info.arch, 'x86_64');
  assert.deepEqual(info.kernels, ['images/pxeboot/vmlinuz', 'images/xen/vmlinuz']);
  assert.deepEqual(info.initrds, ['images/pxeboot/initrd.img']);
  assert.equal(info.efiImage, 'images/efiboot.img');
  assert.equal(info.stage2, 'images/install.img');
  assert.equal(info.isProductmd, true);
});

test('parses a RHEL 6 .treeinfo and .discinfo', () => {
  const info = parseTreeinfo('[general]\r\nfamily = CentOS\r\nversion = 6.10\r\narch = x86_64\r\nvariant =\r\n[images-x86_64]\r\nkernel = images/pxeboot/vmlinuz\r\n');
  assert.equal(info.isProductmd, false);
  assert.equal(info.family, 'CentOS');
  assert.deepEqual(parseDiscinfo('1700000000.000000\nCentOS 6.10\nx86_64\n1\n'), { release: 'CentOS 6.10', arch: 'x86_64' });
});
