/**
 * The real Debian 12 netboot installer consumes remaster's preseeds under
 * QEMU, both ways d-i reads one (each configuration boots once):
 * 1. `remaster build` embeds the rendered preseed as /preseed.cfg in the
 *    installer initrd (append mode: one new segment), which d-i's
 *    S30initrd-preseed loads before any question;
 * 2. `remaster publish` puts it in the HTTP root of a published tree and the
 *    host's boot line says `auto=true priority=critical url=<url>`; d-i fetches
 *    it after DHCP (served by a guestfwd stdio server: no host socket).
 * d-i runs with its text frontend (DEBIAN_FRONTEND=text), so every question
 * it asks is a plain line on the serial console. Proof of consumption: the
 * preseed's early_command (a script carried like a kickstart %pre) prints a
 * marker with this run's nonce; no prompt for the language, keymap, hostname
 * or mirror appears; and choose-mirror asks the preseeded mirror (this run's
 * HTTP server, a directory named after the nonce) for its Release file: the
 * server's log shows the request, and as there is no archive there d-i stops
 * at its "Bad archive mirror" error, where the boot ends.
 */
import assert from 'node:assert/strict';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
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
d-i netcfg/get_nameservers string 10.0.2.3
d-i mirror/country string manual
d-i mirror/http/hostname string {{mirror}}
d-i mirror/http/directory string {{directory}}
d-i mirror/http/proxy string
d-i passwd/root-password password changeme
d-i passwd/root-password-again password changeme
`;
/** Prompts d-i shows when these questions are not preseeded. */
const PROMPTS = /Choose the language|Keymap to use|Please enter the hostname|Debian archive mirror country|Debian archive mirror hostname/u;
/** choose-mirror's mirror/bad error (its template's description), shown when the preseeded mirror has no Release file. */
const MIRROR = /Bad archive mirror/u;
/**
 * QEMU's restricted network sends no name server in its DHCP reply, and netcfg then asks for one (at
 * critical priority) before it fetches a preseed by URL: answered on the boot line, as d-i allows for
 * any question. The embedded preseed answers it itself (netcfg/get_nameservers above).
 */
const NAMESERVER_ARG = 'netcfg/get_nameservers=10.0.2.3';
/** The preseeded mirror: this run's HTTP server (QEMU's guestfwd address), in a directory only this run uses. */
const MIRROR_HOST = new URL(GUEST_HTTP_URL).host;

async function recipe(dir: string, fx: { linux: string; initrdGz: string }, nonce: string): Promise<string> {
  await writeFile(join(dir, 'preseed.tmpl'), TEMPLATE);
  await writeFile(join(dir, 'early.sh'), `#!/bin/sh\necho "REMASTER-PRESEED-EARLY nonce=${nonce}" > /dev/ttyS0\n`);
  const yaml = [
    'name: debian12-preseed',
    `source: { initrd: ${fx.initrdGz}, kernel: ${fx.linux} }`,
    'answers:',
    '  template: preseed.tmpl',
    '  dialect: debian12',
    `  vars: { host: remaster-qemu, mirror: ${MIRROR_HOST}, directory: /mirror-${nonce}/debian }`,
    '  pre: [early.sh]',
    'output: { dir: out, mode: append, compression: gzip }',
    '',
  ].join('\n');
  await writeFile(join(dir, 'recipe.yaml'), yaml);
  return join(dir, 'recipe.yaml');
}

/** The HTTP server's log lines ("<status> <path>"), one list per boot. */
async function requests(log: string): Promise<string[]> {
  return (await readFile(log, 'utf8')).split('\n').filter(Boolean);
}

/** Boot d-i once; assert the early_command marker, no prompt, and the preseeded mirror asked for its Release file. */
async function bootDi(t: TestContext, what: string, options: { kernel: string; initrd: string; append: string; httpRoot: string; nonce: string }): Promise<string[]> {
  const httpLog = join(await tmpDir(t), 'http.log');
  await writeFile(httpLog, '');
  const r = await bootKernel({ ...options, httpLog, memoryMiB: 1024, timeoutMs: 300_000, expect: [/REMASTER-PRESEED-EARLY nonce=NONCE/u, MIRROR] });
  t.diagnostic(`${what}: ${r.durationMs} ms`);
  assert.ok(r.passed, `${what}: missing ${r.missing.join(', ')}; console tail:\n${r.log.slice(-3000)}`);
  assert.doesNotMatch(r.log, PROMPTS, `${what}: d-i asked a question the preseed answers`);
  const got = await requests(httpLog);
  assert.ok(got.some((l) => l.startsWith(`404 /mirror-${options.nonce}/debian/dists/`) && l.endsWith('/Release')),
    `${what}: choose-mirror asked the preseeded mirror for a Release file; the server saw:\n${got.join('\n')}`);
  return got;
}

test('d-i loads the preseed remaster embeds in its initrd and the one it publishes by URL', { timeout: 900_000 }, async (t) => {
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

  // 1. Embedded: nothing on the command line names the preseed; the HTTP root only stands in for the mirror.
  const empty = join(dir, 'empty');
  await mkdir(empty);
  await bootDi(t, 'embedded preseed boot', { kernel: join(out, 'vmlinuz'), initrd: join(out, 'initrd.img'), httpRoot: empty, nonce, append: 'priority=critical DEBIAN_FRONTEND=text' });

  // 2. The same preseed by URL from a published tree (the stock initrd: nothing embedded).
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
  const got = await bootDi(t, 'preseed by URL boot', { kernel: fx.di.linux, initrd: fx.di.initrdGz, httpRoot: http, nonce, append: `auto=true priority=critical url=${url} ${NAMESERVER_ARG} DEBIAN_FRONTEND=text` });
  assert.ok(got.includes(`200 ${new URL(url).pathname}`), `d-i fetched the published preseed ${url}; the server saw:\n${got.join('\n')}`);
});
