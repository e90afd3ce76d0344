/**
 * A published autoinstall host's NoCloud directory (`ds=nocloud-net;s=<dir>/`) holds its user-data and
 * meta-data after the publish returns and after later publishes: the directory is named by a digest of
 * both files, not of one, and the prune after each switch once removed it as unreferenced content, so
 * the URL on the boot line answered 404 (found under QEMU).
 */
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { publishTree } from '../../../src/index.ts';
import { makeBuildDir, makeRoots, tempDir } from './support.ts';

const USER_DATA = `#cloud-config
autoinstall:
  version: 1
  identity: {hostname: web01, username: ops, password: '$6$remaster$gljQ6gJBBOZ4T4iAMfRy6SCVbUVFF.kIxTjUHIGjeGFCREZ8IFpKqbJ.u9A9AXiJmXBW.Ar6n91/iNInGPgNb1'}
`;

test('autoinstall user-data and meta-data stay published in the HTTP and TFTP roots, across later publishes', async () => {
  const build = await makeBuildDir();
  const dir = await tempDir();
  await writeFile(join(dir, 'user-data'), USER_DATA);
  await writeFile(join(dir, 'meta-data'), 'instance-id: web01\n');
  const { tftpRoot, httpRoot } = await makeRoots();
  const publish = async (marker: string) => {
    const initrd = join(await makeBuildDir({ marker }), 'initrd.img');
    return publishTree({
      tftpRoot, httpRoot, httpUrl: 'http://10.0.0.1', kernel: join(build, 'vmlinuz'), initrd, dialect: 'ubuntu', answers: 'autoinstall',
      hosts: [{ mac: '52:54:00:00:00:01', kickstart: join(dir, 'user-data') }], loaders: { pxelinux: false, ipxe: false }, keep: 1,
    });
  };
  for (const marker of ['one', 'two', 'three']) {
    const r = await publish(marker);
    const ks = r.manifest.model.hosts[0]?.kickstart;
    assert.equal(ks?.format, 'autoinstall');
    const url = new URL(ks?.httpUrl ?? '');
    assert.match(url.pathname, /^\/remaster\/[0-9a-f]{16}\/$/u);
    for (const root of [httpRoot, tftpRoot]) {
      assert.equal(await readFile(join(root, url.pathname, 'user-data'), 'utf8'), USER_DATA, `${marker}: user-data under ${root === httpRoot ? 'the HTTP' : 'the TFTP'} root`);
      assert.equal(await readFile(join(root, url.pathname, 'meta-data'), 'utf8'), 'instance-id: web01\n');
    }
  }
});
