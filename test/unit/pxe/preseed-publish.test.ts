/**
 * A preseed host published into a plain HTTP root (no `remaster serve`): the preseed lands under the
 * HTTP root byte for byte at the URL its boot line names with `auto=true priority=critical url=`, and
 * nothing is embedded. (d-i fetching a preseed by URL is booted under QEMU through `remaster serve`,
 * test/integration/preseed-qemu.test.ts, which renders it from a published tree as well.)
 */
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { hostCmdline, hostInitrds, publishTree } from '../../../src/index.ts';
import { makeBuildDir, makeRoots, tempDir } from './support.ts';

const PRESEED = 'd-i debian-installer/locale string en_US.UTF-8\nd-i netcfg/get_hostname string web01\n';

test('a preseed published into the HTTP root is served at the url= of its host\'s boot line', async () => {
  const build = await makeBuildDir();
  const dir = await tempDir();
  await writeFile(join(dir, 'preseed.cfg'), PRESEED);
  const { tftpRoot, httpRoot } = await makeRoots();
  const r = await publishTree({
    tftpRoot, httpRoot, httpUrl: 'http://10.0.0.1/d-i', kernel: join(build, 'vmlinuz'), initrd: join(build, 'initrd.img'), dialect: 'debian', answers: 'preseed',
    hosts: [{ mac: '52:54:00:00:00:01', kickstart: join(dir, 'preseed.cfg') }], loaders: { pxelinux: false, ipxe: false },
  });
  const host = r.manifest.model.hosts[0];
  assert.ok(host !== undefined);
  assert.equal(host.kickstart?.format, 'preseed');
  const url = host.kickstart?.httpUrl ?? '';
  assert.ok(url.startsWith('http://10.0.0.1/d-i/'), url);
  assert.match(hostCmdline(r.manifest.model, host), new RegExp(`(?:^| )auto=true priority=critical url=${url.replaceAll('.', '\\.')}(?: |$)`, 'u'));
  assert.equal(await readFile(join(httpRoot, url.slice('http://10.0.0.1/d-i/'.length)), 'utf8'), PRESEED);
  assert.deepEqual(hostInitrds(r.manifest.model, host), [r.manifest.model.initrd], 'no overlay initrd');
});
