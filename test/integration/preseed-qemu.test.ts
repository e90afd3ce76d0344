/**
 * The real Debian 12 netboot installer consumes remaster's preseeds under
 * QEMU, both ways d-i reads one:
 * 1. `remaster build` embeds the rendered preseed as /preseed.cfg in the
 *    installer initrd (append mode: one new segment), which d-i's
 *    S30initrd-preseed loads before any question;
 * 2. `remaster publish` puts it in the HTTP root of a published tree and the
 *    host's boot line says `auto=true priority=critical url=<url>`; d-i fetches
 *    it after DHCP (served by a guestfwd stdio server: no host socket).
 * Proof of consumption, on the serial console: the preseed's
 * early_command (a script carried like a kickstart %pre) prints a marker with
 * this run's nonce; no prompt for the language, hostname or mirror appears;
 * and the installer reaches the mirror check with the preseeded mirror (there
 * is no network mirror here, so it stops at "Bad archive mirror"). The boot
 * ends there.
 *
 * NOT YET VERIFIED: written while the shared QEMU lock was held by other runs
 * for the whole session, so it has never run to completion; the console texts
 * it waits for are the d-i templates' wording, not observed output. It runs
 * only with REMASTER_PRESEED_QEMU=1 until it has passed once (issue #15).
 */
import assert from 'node:assert/strict';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { applyPlan, planRecipe, prepareBuild, parseRecipe, publishTree, type PublishManifest } from '../../src/index.ts';
import { ensureFixtures } from '../helpers/fixtures.ts';
import { bootKernel, GUEST_HTTP_URL, makeNonce } from '../helpers/qemu.ts';
import { tmpDir } from '../helpers/tmp-dir.ts';
import { requireTool } from '../helpers/tools.ts';

const TEMPLATE = `d-i debian-installer/locale string en_US.UTF-8
d-i keyboard-configuration/xkb-keymap select us
d-i netcfg/choose_interface select auto
d-i netcfg/get_hostname string {{host}}
d-i netcfg/get_domain string example.com
d-i netcfg/hostname string {{host}}
d-i mirror/country string manual
d-i mirror/http/hostname string {{mirror}}
d-i mirror/http/directory string /debian
d-i mirror/http/proxy string
d-i passwd/root-password password changeme
d-i passwd/root-password-again password changeme
`;
/** Prompts d-i shows when these questions are not preseeded. */
const PROMPTS = /Choose the language|Select a language|Please enter the hostname|Debian archive mirror country/u;
const MIRROR = /Bad archive mirror|archive mirror is either not available/u;

async function recipe(dir: string, fx: { linux: string; initrdGz: string }, nonce: string): Promise<string> {
  await writeFile(join(dir, 'preseed.tmpl'), TEMPLATE);
  await writeFile(join(dir, 'early.sh'), `#!/bin/sh\necho "REMASTER-PRESEED-EARLY nonce=${nonce}" > /dev/ttyS0\n`);
  const yaml = [
    'name: debian12-preseed',
    `source: { initrd: ${fx.initrdGz}, kernel: ${fx.linux} }`,
    'answers:',
    '  template: preseed.tmpl',
    '  dialect: debian12',
    '  vars: { host: remaster-qemu, mirror: deb.remaster.invalid }',
    '  pre: [early.sh]',
    'output: { dir: out, mode: append, compression: gzip }',
    '',
  ].join('\n');
  await writeFile(join(dir, 'recipe.yaml'), yaml);
  return join(dir, 'recipe.yaml');
}

test('d-i loads the preseed remaster embeds in its initrd and the one it publishes by URL', { timeout: 900_000 }, async (t) => {
  if (process.env.REMASTER_PRESEED_QEMU !== '1') {
    t.skip('unverified d-i boot test: set REMASTER_PRESEED_QEMU=1 (under flock /tmp/remaster-heavy.lock)');
    return;
  }
  if (!requireTool(t, 'qemu-system-x86_64')) return;
  const fx = await ensureFixtures(t);
  if (!fx) return;
  const dir = await tmpDir(t);
  const nonce = makeNonce();
  const file = await recipe(dir, fx.di, nonce);
  const build = await prepareBuild(parseRecipe(await readFile(file, 'utf8'), file), file, await readFile(file, 'utf8'));
  const plan = planRecipe(build);
  assert.deepEqual(plan.answers?.embedded, ['preseed.cfg']);
  await applyPlan(plan, build);
  await build.source.close();
  const out = join(dir, 'out');
  const preseed = await readFile(join(out, 'preseed.cfg'), 'utf8');
  assert.match(preseed, /^d-i passwd\/root-password-crypted password \$6\$/mu);
  assert.match(preseed, /^d-i preseed\/early_command string \{ printf /mu);

  const embedded = await bootKernel({
    kernel: join(out, 'vmlinuz'), initrd: join(out, 'initrd.img'), nonce, memoryMiB: 1024, timeoutMs: 300_000,
    append: 'auto=true priority=critical DEBIAN_FRONTEND=text', expect: [/REMASTER-PRESEED-EARLY nonce=NONCE/u, MIRROR],
  });
  t.diagnostic(`embedded preseed boot: ${embedded.durationMs} ms`);
  assert.ok(embedded.passed, `missing ${embedded.missing.join(', ')}; console tail:\n${embedded.log.slice(-3000)}`);
  assert.doesNotMatch(embedded.log, PROMPTS);

  // The same preseed by URL from a published tree (the stock initrd: nothing embedded).
  const tftp = join(dir, 'tftp');
  const http = join(dir, 'http');
  await mkdir(tftp);
  await mkdir(http);
  const published = await publishTree({
    tftpRoot: tftp, httpRoot: http, httpUrl: GUEST_HTTP_URL, kernel: fx.di.linux, initrd: fx.di.initrdGz, dialect: 'debian', answers: 'preseed',
    hosts: [{ mac: '52:54:00:12:34:56', kickstart: join(out, 'preseed.cfg') }], loaders: { pxelinux: false, ipxe: false },
  });
  const host = (published.manifest as PublishManifest).model.hosts[0];
  assert.equal(host?.kickstart?.format, 'preseed');
  const url = host?.kickstart?.httpUrl as string;
  const byUrl = await bootKernel({
    kernel: fx.di.linux, initrd: fx.di.initrdGz, nonce, memoryMiB: 1024, timeoutMs: 300_000, httpRoot: http,
    append: `auto=true priority=critical url=${url} DEBIAN_FRONTEND=text`, expect: [/REMASTER-PRESEED-EARLY nonce=NONCE/u, MIRROR],
  });
  t.diagnostic(`preseed by URL boot: ${byUrl.durationMs} ms`);
  assert.ok(byUrl.passed, `missing ${byUrl.missing.join(', ')}; console tail:\n${byUrl.log.slice(-3000)}`);
  assert.doesNotMatch(byUrl.log, /Please enter the hostname|Debian archive mirror country/u);
});
