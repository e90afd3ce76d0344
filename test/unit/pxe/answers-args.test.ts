/**
 * Boot arguments for preseed and autoinstall hosts, golden per loader
 * (fixtures/pxe/answers-<loader>.result; UPDATE_GOLDEN=1 regenerates):
 * `ds=nocloud-net;s=<url>/` bare for pxelinux and iPXE, with the `;`
 * escaped for GRUB (whose lexer would end the command there); a preseed as
 * `auto=true priority=critical url=<url>`, or from an overlay initrd with
 * no URL. GRUB's reading is checked with the project's GRUB word splitter.
 */
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { test } from 'node:test';
import {
  hostCmdline, renderGrubHost, renderIpxeHost, renderPxelinuxHost, splitGrubWords, unescapeGrubWord, type PxeHost, type PxeModel,
} from '../../../src/index.ts';

const DIR = new URL('../../../fixtures/pxe/', import.meta.url);
const MODEL: PxeModel = {
  label: 'Ubuntu 24.04 (remaster)',
  kernel: { path: 'remaster/0123456789abcdef/vmlinuz', httpUrl: 'http://10.0.0.1/tftp/remaster/0123456789abcdef/vmlinuz' },
  initrd: { path: 'remaster/fedcba9876543210/initrd.img', httpUrl: 'http://10.0.0.1/tftp/remaster/fedcba9876543210/initrd.img' },
  cmdline: ['console=ttyS0,115200'], hosts: [], defaultAction: 'local', dialect: 'ubuntu',
};
const AUTOINSTALL: PxeHost = { mac: '52:54:00:00:00:01', kickstart: { path: 'remaster/aaaaaaaaaaaaaaaa/user-data', httpUrl: 'http://10.0.0.1/tftp/remaster/aaaaaaaaaaaaaaaa/', format: 'autoinstall' } };
const PRESEED_URL: PxeHost = { mac: '52:54:00:00:00:02', kickstart: { path: 'remaster/bbbbbbbbbbbbbbbb/preseed.cfg', httpUrl: 'http://10.0.0.1/tftp/remaster/bbbbbbbbbbbbbbbb/preseed.cfg', format: 'preseed' } };
const PRESEED_INITRD: PxeHost = { mac: '52:54:00:00:00:03', kickstart: { path: 'remaster/cccccccccccccccc/preseed.cfg', initrdPath: 'remaster/dddddddddddddddd/preseed.img', format: 'preseed' } };
const DS = 'ds=nocloud-net;s=http://10.0.0.1/tftp/remaster/aaaaaaaaaaaaaaaa/';

const CASES: [string, (h: PxeHost) => string][] = [
  ['pxelinux', (h) => renderPxelinuxHost(MODEL, h)],
  ['grub', (h) => renderGrubHost(MODEL, h)],
  ['ipxe', (h) => renderIpxeHost(MODEL, h)],
];

for (const [loader, render] of CASES) {
  test(`${loader}: autoinstall and preseed hosts match answers-${loader}.result`, async () => {
    const actual = [AUTOINSTALL, PRESEED_URL, PRESEED_INITRD].map(render).join('\n# ----\n');
    const file = new URL(`answers-${loader}.result`, DIR);
    if (process.env.UPDATE_GOLDEN === '1') await writeFile(file, actual);
    assert.equal(actual, await readFile(file, 'utf8'));
  });
}

test('the ds= argument is bare for pxelinux and iPXE and GRUB reads its escaped form back intact', () => {
  assert.ok(renderPxelinuxHost(MODEL, AUTOINSTALL).includes(` autoinstall ${DS}`));
  assert.ok(renderIpxeHost(MODEL, AUTOINSTALL).includes(` autoinstall ${DS}`));
  const linux = renderGrubHost(MODEL, AUTOINSTALL).split('\n').find((l) => l.trim().startsWith('linux ')) as string;
  assert.ok(linux.includes('ds=nocloud-net\\;s=http://'), linux);
  assert.ok(splitGrubWords(linux.trim()).map(unescapeGrubWord).includes(DS));
  assert.equal(hostCmdline(MODEL, PRESEED_URL), 'console=ttyS0,115200 ip=dhcp auto=true priority=critical url=http://10.0.0.1/tftp/remaster/bbbbbbbbbbbbbbbb/preseed.cfg');
  assert.equal(hostCmdline(MODEL, PRESEED_INITRD), 'console=ttyS0,115200 ip=dhcp auto=true priority=critical');
});
