/**
 * `remaster publish <recipe>`: the recipe is built (kernel, initrd, ks.cfg
 * rendered from a template with a hashed password) and published with its
 * pxe: section; verify then passes, unlisted machines boot locally and the
 * armed MAC gets the installer with inst.ks.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFile, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { hostEntries } from '../../src/index.ts';
import { buildImage } from '../helpers/edit.ts';
import { ensureFixtures } from '../helpers/fixtures.ts';
import { runCli } from '../helpers/run-cli.ts';
import { tmpDir } from '../helpers/tmp-dir.ts';

test('publish builds a recipe, renders its kickstart and publishes it; verify passes', async (t) => {
  const fx = await ensureFixtures(t);
  if (!fx) return;
  const dir = await tmpDir(t);
  await copyFile(fx.kernel.vmlinuz, join(dir, 'vmlinuz'));
  await writeFile(join(dir, 'initrd.img'), await buildImage(await hostEntries(fx.small.root, '/'), 'xz'));
  await copyFile(resolve(import.meta.dirname, '../../fixtures/kickstart/host.ks.tmpl'), join(dir, 'host.ks.tmpl'));
  await writeFile(join(dir, 'site.yaml'), `name: site
source:
  kernel: vmlinuz
  initrd: initrd.img
kickstart:
  template: host.ks.tmpl
  vars: { host: node1, repo: repo.example.internal, rootpw: secret }
pxe:
  tftpRoot: tftp
  label: Site install
  hosts:
    - mac: "52:54:00:12:34:56"
      once: true
output:
  dir: build
`);
  const r = await runCli(['publish', join(dir, 'site.yaml'), '--quiet', '--no-ipxe'], { env: { SOURCE_DATE_EPOCH: '1700000000' } });
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /published version 1: 1 armed hosts/);
  assert.match(r.stderr, /plaintext password replaced by a SHA-512 crypt hash/);
  const ks = await readFile(join(dir, 'build/ks.cfg'), 'utf8');
  assert.match(ks, /^rootpw --iscrypted '?\$6\$/m);
  assert.doesNotMatch(ks, /secret/);
  const v = await runCli(['verify', join(dir, 'tftp')]);
  assert.equal(v.code, 0, v.stdout + v.stderr);
  const host = await readFile(join(dir, 'tftp/pxelinux.cfg/01-52-54-00-12-34-56'), 'utf8');
  assert.match(host, /inst\.ks=/);
  const fallback = await readFile(join(dir, 'tftp/pxelinux.cfg/default'), 'utf8');
  assert.match(fallback, /LOCALBOOT 0/);
  assert.doesNotMatch(fallback, /inst\.ks=/);
});
