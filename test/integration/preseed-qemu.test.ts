/**
 * The real Debian 12 netboot installer consumes remaster's preseeds under
 * QEMU, both ways d-i reads one (each configuration boots once):
 * 1. `remaster build` embeds the rendered preseed as /preseed.cfg in the
 *    installer initrd (append mode: one new segment), which d-i's
 *    S30initrd-preseed loads before any question;
 * 2. by URL from `remaster serve`: a tree published for serve (`serveUrl`)
 *    gives the armed host's boot line `auto=true priority=critical
 *    url=<serve>/preseed/<mac>` (the test boots the published kernel, initrd
 *    and that line); d-i fetches it after DHCP from serve (createServer on
 *    loopback, reached through QEMU's guestfwd), which renders it for that MAC
 *    with its callbacks in preseed/early_command. serve must record ks-fetched,
 *    pre-started, the early script's own report (the marker, posted to the
 *    callback URL from the env file serve's early_command wrote) and pre-done,
 *    in that order. (This replaced a boot of the same preseed copied into a
 *    plain published HTTP root: the tree serve serves is a published tree, and
 *    one d-i boot costs 120 to 160 s.)
 * d-i runs with its text frontend (DEBIAN_FRONTEND=text), so every question
 * it asks is a plain line on the serial console. Proof of consumption: the
 * preseed's early_command (a script carried like a kickstart %pre) prints a
 * marker with this run's nonce; no prompt for the language, keymap, hostname
 * or mirror appears; and choose-mirror asks the preseeded mirror (this run's
 * HTTP server, a directory named after the nonce) for its Release file: the
 * server saw the request, and as there is no archive there d-i stops
 * at its "Bad archive mirror" error, where the boot ends.
 */
import assert from 'node:assert/strict';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { applyPlan, createServer, hostCmdline, planRecipe, prepareBuild, parseRecipe, publishTree, type PublishManifest } from '../../src/index.ts';
import { ensureFixtures } from '../helpers/fixtures.ts';
import { bootKernel, GUEST_HTTP_URL, makeNonce } from '../helpers/qemu.ts';
import { tmpDir } from '../helpers/tmp-dir.ts';
import { requireTool } from '../helpers/tools.ts';

const MAC = '52:54:00:12:34:56';
const HYP = MAC.replaceAll(':', '-');
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
  // Served by remaster serve, the env file its early_command wrote first names the callback URL and the host:
  // the marker then carries the host's name and is posted as a log report (d-i's wget is GNU wget).
  await writeFile(join(dir, 'early.sh'), `#!/bin/sh
if [ -r /tmp/remaster.env ]; then
  . /tmp/remaster.env
  echo "REMASTER-PRESEED-EARLY nonce=${nonce} host=$REMASTER_HOST_NAME" > /tmp/remaster-early.txt
  wget -q -O /dev/null --post-file /tmp/remaster-early.txt "$REMASTER_CALLBACK_URL/log" || echo REMASTER-PRESEED-REPORT-FAILED > /dev/ttyS0
  cat /tmp/remaster-early.txt > /dev/ttyS0
else
  echo "REMASTER-PRESEED-EARLY nonce=${nonce}" > /dev/ttyS0
fi
`);
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
async function bootDi(t: TestContext, what: string, options: { kernel: string; initrd: string; append: string; nonce: string } & ({ httpRoot: string } | { forwardPort: number; mac: string })): Promise<string[]> {
  const httpLog = join(await tmpDir(t), 'http.log');
  await writeFile(httpLog, '');
  const r = await bootKernel({ ...options, httpLog, memoryMiB: 1024, timeoutMs: 300_000, expect: [/REMASTER-PRESEED-EARLY nonce=NONCE/u, MIRROR] });
  t.diagnostic(`${what}: ${r.durationMs} ms`);
  assert.ok(r.passed, `${what}: missing ${r.missing.join(', ')}; console tail:\n${r.log.slice(-3000)}`);
  assert.doesNotMatch(r.log, PROMPTS, `${what}: d-i asked a question the preseed answers`);
  const got = await requests(httpLog);
  // "404 <path>" from the file server, "GET <path> HTTP/1.1" from the bridge to serve
  const release = new RegExp(`^(?:404|GET) /mirror-${options.nonce}/debian/dists/\\S+/Release(?: HTTP/1\\.[01])?$`, 'u');
  assert.ok(got.some((l) => release.test(l)),
    `${what}: choose-mirror asked the preseeded mirror for a Release file; the server was asked:\n${got.join('\n')}`);
  return got;
}

test('d-i loads the preseed remaster embeds in its initrd and the one remaster serve renders by URL for its armed MAC, which records its callbacks', { timeout: 900_000 }, async (t) => {
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

  // 2. The same preseed by URL from remaster serve, for the armed MAC of a tree published for it (the stock initrd).
  const tftp = join(dir, 'tftp');
  await mkdir(tftp);
  const published = await publishTree({
    tftpRoot: tftp, kernel: fx.di.linux, initrd: fx.di.initrdGz, dialect: 'debian', answers: 'preseed', serveUrl: GUEST_HTTP_URL,
    cmdline: [NAMESERVER_ARG, 'DEBIAN_FRONTEND=text'], hosts: [{ mac: MAC, name: 'remaster-qemu', kickstart: join(out, 'preseed.cfg') }], loaders: { pxelinux: false, ipxe: false },
  });
  const model = (published.manifest as PublishManifest).model;
  const host = model.hosts[0];
  assert.ok(host !== undefined && host.kickstart?.format === 'preseed');
  const append = hostCmdline(model, host);
  assert.match(append, new RegExp(`auto=true priority=critical url=${GUEST_HTTP_URL}/preseed/${HYP}(?: |$)`, 'u'));
  const srv = await createServer({ tftpRoot: tftp, listen: '127.0.0.1', tftpPort: 0, httpPort: 0, state: { stateDir: join(dir, 'state') } });
  t.after(() => srv.close({ graceful: false }));
  const got = await bootDi(t, 'preseed from remaster serve boot', {
    kernel: join(tftp, model.kernel.path), initrd: join(tftp, model.initrd.path), forwardPort: srv.httpPort, mac: MAC, nonce, append,
  });
  assert.ok(got.includes(`GET /preseed/${HYP} HTTP/1.1`), `d-i fetched its preseed from serve; serve was asked:\n${got.join('\n')}`);
  const events = await srv.store.hostTimeline(MAC);
  const kinds = events.map((e) => e.kind);
  const order = ['ks-fetched', 'pre-started', 'log', 'pre-done'];
  assert.deepEqual(kinds.filter((k) => order.includes(k)), order, `serve recorded the preseed's callbacks in order: ${kinds.join(' ')}`);
  assert.equal((await srv.store.getBlob(MAC, 'log:install'))?.content, `REMASTER-PRESEED-EARLY nonce=${nonce} host=remaster-qemu\n`, 'the early script\'s marker reached serve');
  assert.equal((await srv.store.getHost(MAC))?.state, 'pre-done');
});
