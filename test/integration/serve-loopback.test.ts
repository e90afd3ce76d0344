/**
 * `remaster serve` on loopback, against real clients: tftp-hpa's `tftp` and `curl` fetch through the
 * built-in TFTP server; curl fetches over HTTP with Range/HEAD; the kickstart is handed only to an armed
 * MAC, with its callbacks injected, and those callback lines run by `sh` move the host through its states in
 * order; a wrong secret gets 403 and a `callback-refused` event; 20 concurrent `installed` callbacks
 * disarm a once host exactly once (one new version). The same suite runs on SQLite and PostgreSQL.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { promisify } from 'node:util';
import { callbackCommand, createServer, parseKickstart, publishTree, readCurrentManifest, type ServeHandle } from '../../src/index.ts';
import { freshPostgresDatabase, requirePostgres } from '../helpers/postgres.ts';
import { requireTool } from '../helpers/tools.ts';
import { makeBuildDir, makeRoots, tempDir } from '../unit/pxe/support.ts';
import { writeFile } from 'node:fs/promises';

const run = promisify(execFile);
const MAC = '52:54:00:12:00:01';
const OTHER = '52:54:00:12:00:02';
const HYP = MAC.replaceAll(':', '-');

const KS = `#version=RHEL9
text
lang en_US.UTF-8
keyboard --xlayouts=us
timezone Etc/UTC --utc
url --url=http://10.0.0.5/rhel/9.4/BaseOS/
rootpw --lock
zerombr
clearpart --all --initlabel
autopart --type=plain
reboot
%packages
@^minimal-environment
%end
%pre
echo own-pre > "$OUT/own-pre"
%end
%post --nochroot
echo own-post > "$OUT/own-post"
%end
`;

async function setup(t: TestContext, state: { stateDir: string } | { url: string }) {
  const roots = await makeRoots();
  const build = await makeBuildDir();
  const ksFile = join(await tempDir(), 'host.ks');
  await writeFile(ksFile, KS);
  const srv = await createServer({ tftpRoot: roots.tftpRoot, listen: '127.0.0.1', tftpPort: 0, httpPort: 0, state, stallAfterMs: 3600_000 });
  t.after(() => srv.close({ graceful: false }));
  await publishTree({
    tftpRoot: roots.tftpRoot, kernel: join(build, 'vmlinuz'), initrd: join(build, 'initrd.img'), dialect: 'rhel9',
    loaders: { pxelinux: roots.loaderDir, ipxe: false }, hosts: [{ mac: MAC, kickstart: ksFile, once: true }], serveUrl: srv.httpUrl,
  });
  return { roots, build, srv };
}

async function states(srv: ServeHandle, mac = MAC): Promise<string[]> {
  const events = await srv.store.hostTimeline(mac);
  return events.map((e) => e.kind);
}

async function waitFor(cond: () => Promise<boolean>, what: string, ms = 15_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Run every shell %pre and %post section of a rendered kickstart with sh, the way anaconda would (in order). */
async function runSections(ks: string, out: string, only?: (name: string) => boolean): Promise<void> {
  for (const node of parseKickstart(ks).nodes) {
    if (node.kind !== 'section' || !['pre', 'pre-install', 'post'].includes(node.name) || (only && !only(node.name))) continue;
    // /tmp/ (the env file /tmp/remaster.env, logs) goes to `out`: the real /tmp is shared with other tests
    await run('sh', ['-eu', '-c', node.body.replaceAll('/tmp/', `${out}/`)], { env: { ...process.env, OUT: out, TMPDIR: out }, timeout: 60_000 });
  }
}

async function suite(t: TestContext, state: { stateDir: string } | { url: string }): Promise<void> {
  const { roots, build, srv } = await setup(t, state);
  const m = await readCurrentManifest(roots.tftpRoot);
  assert.ok(m);
  await srv.settled();
  await waitFor(async () => (await srv.store.getHost(MAC))?.state === 'armed', 'the sync to arm the host');

  await t.test('real TFTP clients fetch the menu and kernel through serve (boot-fetched, kernel-fetched)', async () => {
    const dir = await tempDir();
    await run('tftp', ['127.0.0.1', String(srv.tftpPort), '-m', 'binary', '-c', 'get', `pxelinux.cfg/01-${HYP}`, join(dir, 'menu')], { timeout: 30_000 });
    assert.equal(await readFile(join(dir, 'menu'), 'utf8'), await readFile(join(roots.tftpRoot, `pxelinux.cfg/01-${HYP}`), 'utf8'));
    assert.match(await readFile(join(dir, 'menu'), 'utf8'), new RegExp(`inst\\.ks=${srv.httpUrl.replaceAll('.', '\\.')}/ks/${HYP}`, 'u'));
    const kernel = await run('curl', ['-sS', '--fail', '--tftp-blksize', '1468', '-o', join(dir, 'vmlinuz'), `tftp://127.0.0.1:${srv.tftpPort}/${m.model.kernel.path}`], { timeout: 30_000 });
    assert.equal(kernel.stderr, '');
    assert.deepEqual(await readFile(join(dir, 'vmlinuz')), await readFile(join(build, 'vmlinuz')));
    await waitFor(async () => (await srv.store.getHost(MAC))?.state === 'kernel-fetched', 'kernel-fetched');
  });

  await t.test('HTTP serves files with HEAD and Range; the raw kickstart is not served', async () => {
    const head = await run('curl', ['-sS', '-I', `${srv.httpUrl}/${m.model.kernel.path}`]);
    assert.match(head.stdout, /^HTTP\/1\.1 200/mu);
    assert.match(head.stdout, /^content-length: 70000\r?$/imu);
    assert.match(head.stdout, /^etag: "/imu);
    const part = await run('curl', ['-sS', '-r', '100-199', '-D', '-', '-o', '/dev/null', `${srv.httpUrl}/${m.model.kernel.path}`]);
    assert.match(part.stdout, /^HTTP\/1\.1 206/mu);
    assert.match(part.stdout, /^content-range: bytes 100-199\/70000\r?$/imu);
    const ranged = await fetch(`${srv.httpUrl}/${m.model.kernel.path}`, { headers: { range: 'bytes=100-199' } });
    assert.deepEqual(new Uint8Array(await ranged.arrayBuffer()), new Uint8Array(await readFile(join(build, 'vmlinuz'))).subarray(100, 200));
    const raw = m.model.hosts[0]?.kickstart?.path as string;
    assert.equal((await fetch(`${srv.httpUrl}/${raw}`)).status, 404, 'the raw answers only go out through /ks/<mac>');
    assert.equal((await fetch(`${srv.httpUrl}/../../etc/passwd`)).status, 404);
    assert.equal((await fetch(`${srv.httpUrl}/healthz`)).status, 200);
  });

  let rendered = '';
  await t.test('the kickstart goes only to the armed MAC, with callbacks injected', async () => {
    assert.equal((await fetch(`${srv.httpUrl}/ks/${OTHER}`)).status, 404);
    assert.equal((await fetch(`${srv.httpUrl}/ks/not-a-mac`)).status, 404);
    const r = await fetch(`${srv.httpUrl}/ks/${HYP}`);
    assert.equal(r.status, 200);
    rendered = await r.text();
    assert.match(rendered, new RegExp(`REMASTER_CALLBACK_URL='?${srv.httpUrl.replaceAll('.', '\\.')}/cb/${HYP}/[0-9a-f]{64}'?\n`, 'u'));
    assert.match(rendered, /echo own-pre/u);
    assert.match(rendered, /remaster_report installed/u);
    assert.equal((await srv.store.getHost(MAC))?.state, 'ks-fetched');
  });

  await t.test('a wrong callback secret gets 403, an event, and no state change', async () => {
    const r = await fetch(`${srv.httpUrl}/cb/${HYP}/${'0'.repeat(64)}/installed`, { method: 'POST', body: '' });
    assert.equal(r.status, 403);
    assert.equal((await srv.store.getHost(MAC))?.state, 'ks-fetched');
    assert.ok((await states(srv)).includes('callback-refused'));
  });

  await t.test('the rendered %pre and %post lines, run by sh, report every state in order; 20 concurrent installed disarm once', async () => {
    const out = await tempDir();
    // everything except the last %post --nochroot (installed), which the concurrent reports stand in for
    await runSections(rendered, out, (n) => n === 'pre');
    assert.equal((await srv.store.getHost(MAC))?.state, 'pre-done');
    await runSections(rendered, out, (n) => n === 'pre-install');
    assert.equal((await srv.store.getHost(MAC))?.state, 'installing');
    assert.equal(await readFile(join(out, 'own-pre'), 'utf8'), 'own-pre\n', 'the host\'s own %pre ran');
    const posts = parseKickstart(rendered).nodes.filter((n) => n.kind === 'section' && n.name === 'post');
    const last = posts.at(-1);
    assert.ok(last?.kind === 'section' && /remaster_report installed/u.test(last.body));
    for (const p of posts.slice(0, -1)) if (p.kind === 'section') await run('sh', ['-eu', '-c', p.body], { env: { ...process.env, OUT: out, TMPDIR: out } });
    assert.equal((await srv.store.getHost(MAC))?.state, 'post-done');
    const before = (await readCurrentManifest(roots.tftpRoot))?.version as number;
    const url = /REMASTER_CALLBACK_URL='?([^'\n]+)'?\n/u.exec(rendered)?.[1] as string;
    const codes = await Promise.all(Array.from({ length: 20 }, () => fetch(`${url}/installed`, { method: 'POST', body: '' }).then((r) => r.status)));
    assert.deepEqual(codes, Array(20).fill(204));
    await srv.settled();
    await waitFor(async () => (await srv.store.getHost(MAC))?.state === 'disarmed', 'disarmed');
    const after = await readCurrentManifest(roots.tftpRoot);
    assert.equal(after?.version, before + 1, 'exactly one disarm publish');
    assert.equal(after?.model.hosts.length, 0);
    const kinds = await states(srv);
    const order = ['armed', 'boot-fetched', 'kernel-fetched', 'ks-fetched', 'pre-started', 'pre-done', 'installing', 'post-done', 'installed', 'disarmed'];
    const progress = kinds.filter((k) => order.includes(k) || k === 'initrd-fetched');
    assert.deepEqual(progress.filter((k, i) => progress.indexOf(k) === i && k !== 'initrd-fetched'), order, `timeline: ${kinds.join(' ')}`);
    assert.equal(kinds.filter((k) => k === 'disarmed').length, 1, 'one disarmed event');
    const timeline = await srv.store.hostTimeline(MAC);
    assert.equal(timeline.filter((e) => e.kind === 'installed').length, 20, 'every report is on the timeline');
    // the disarmed host's menu is gone; its kickstart is refused
    assert.equal((await fetch(`${srv.httpUrl}/ks/${HYP}`)).status, 404);
    const metrics = await (await fetch(`${srv.httpUrl}/metrics`)).text();
    assert.match(metrics, /remaster_hosts\{state="disarmed"\} 1/u);
    assert.match(metrics, /remaster_tftp_transfers_total\{outcome="complete"\} [1-9]/u);
  });
}

test('remaster serve on loopback with SQLite', async (t) => {
  if (!requireTool(t, 'tftp', 'curl')) return;
  await suite(t, { stateDir: join(await tempDir(), 'state') });
});

test('remaster serve on loopback with PostgreSQL', async (t) => {
  if (!requireTool(t, 'tftp', 'curl')) return;
  const base = requirePostgres(t);
  if (base === undefined) return;
  await suite(t, { url: await freshPostgresDatabase(t, base) });
});

test('a failing %pre ends in failed with its log tail', async (t) => {
  if (!requireTool(t, 'curl')) return;
  const { srv } = await setup(t, { stateDir: join(await tempDir(), 'state') });
  await waitFor(async () => (await srv.store.getHost(MAC))?.state === 'armed', 'armed');
  const ks = await (await fetch(`${srv.httpUrl}/ks/${HYP}`)).text();
  const url = /REMASTER_CALLBACK_URL='?([^'\n]+)'?\n/u.exec(ks)?.[1] as string;
  const out = await tempDir();
  await writeFile(join(out, 'anaconda.log'), 'line 1\nERROR: disk nvme0n1 not found\n');
  // anaconda runs %onerror when a %pre fails; the section reads the installer's logs under /tmp
  const onerror = parseKickstart(ks).nodes.find((n) => n.kind === 'section' && n.name === 'onerror');
  assert.ok(onerror?.kind === 'section');
  const body = onerror.body.replaceAll('/tmp/', `${out}/`);
  await run('sh', ['-eu', '-c', body], { env: { ...process.env, TMPDIR: out } });
  assert.ok(url);
  const host = await srv.store.getHost(MAC);
  assert.equal(host?.state, 'failed');
  assert.match(host?.failureReason ?? '', /%onerror/u);
  assert.match((await srv.store.getBlob(MAC, 'log:failed'))?.content ?? '', /disk nvme0n1 not found/u);
});

test('the one-line callbacks of a served preseed move the host with curl, and with wget where there is no curl', async (t) => {
  if (!requireTool(t, 'curl', 'wget')) return;
  const roots = await makeRoots();
  const build = await makeBuildDir();
  const dir = await tempDir();
  await writeFile(join(dir, 'preseed.cfg'), 'd-i debian-installer/locale string en_US.UTF-8\n');
  const srv = await createServer({ tftpRoot: roots.tftpRoot, listen: '127.0.0.1', tftpPort: 0, httpPort: 0, state: { stateDir: join(dir, 'state') }, stallAfterMs: 3600_000 });
  t.after(() => srv.close({ graceful: false }));
  await publishTree({
    tftpRoot: roots.tftpRoot, kernel: join(build, 'vmlinuz'), initrd: join(build, 'initrd.img'), dialect: 'debian', answers: 'preseed',
    loaders: { pxelinux: roots.loaderDir, ipxe: false }, hosts: [{ mac: MAC, kickstart: join(dir, 'preseed.cfg') }], serveUrl: srv.httpUrl,
  });
  await waitFor(async () => (await srv.store.getHost(MAC))?.state === 'armed', 'armed');
  const preseed = await (await fetch(`${srv.httpUrl}/preseed/${HYP}`)).text();
  const url = new RegExp(`(${srv.httpUrl}/cb/${HYP}/[0-9a-f]+)/pre-started`, 'u').exec(preseed)?.[1];
  assert.ok(url !== undefined, preseed);
  // d-i has no curl: a PATH with only wget makes the command take its second branch
  const wgetOnly = join(dir, 'wget-only');
  await run('mkdir', [wgetOnly]);
  await run('ln', ['-s', (await run('sh', ['-c', 'command -v wget'])).stdout.trim(), join(wgetOnly, 'wget')]);
  for (const [kind, path] of [['pre-started', process.env.PATH ?? ''], ['pre-done', wgetOnly]] as const) {
    const command = callbackCommand(url, kind);
    assert.ok(preseed.includes(command), `the served preseed carries ${command}`);
    await run('/bin/sh', ['-c', command], { env: { PATH: path } });
    assert.equal((await srv.store.getHost(MAC))?.state, kind, `${kind} by ${path === wgetOnly ? 'wget' : 'curl'}`);
  }
});

/** Two servers on one tree and one store (a load-balanced pair): 20 concurrent installed reports spread over both disarm once. */
async function twoServers(t: TestContext, state: { stateDir: string } | { url: string }): Promise<void> {
  const { roots, srv } = await setup(t, state);
  const other = await createServer({ tftpRoot: roots.tftpRoot, listen: '127.0.0.1', tftpPort: 0, httpPort: 0, state, stallAfterMs: 3600_000 });
  t.after(() => other.close({ graceful: false }));
  await waitFor(async () => (await srv.store.getHost(MAC))?.state === 'armed', 'armed');
  const ks = await (await fetch(`${srv.httpUrl}/ks/${HYP}`)).text();
  const url = /REMASTER_CALLBACK_URL='?([^'\n]+)'?\n/u.exec(ks)?.[1] as string;
  const path = new URL(url).pathname;
  const before = (await readCurrentManifest(roots.tftpRoot))?.version as number;
  const codes = await Promise.all(Array.from({ length: 20 }, (_, i) => fetch(`${(i % 2 ? other : srv).httpUrl}${path}/installed`, { method: 'POST', body: '' }).then((r) => r.status)));
  assert.deepEqual(codes, Array(20).fill(204), 'both servers accept the secret (one key in the shared store)');
  await Promise.all([srv.settled(), other.settled()]);
  await waitFor(async () => (await srv.store.getHost(MAC))?.state === 'disarmed', 'disarmed');
  await new Promise((r) => setTimeout(r, 2500)); // let both servers see the new version
  assert.equal((await readCurrentManifest(roots.tftpRoot))?.version, before + 1, 'one disarm publish');
  const timeline = await srv.store.hostTimeline(MAC);
  assert.equal(timeline.filter((e) => e.kind === 'disarmed').length, 1);
  assert.equal(timeline.filter((e) => e.kind === 'installed').length, 20);
}

test('two servers on one SQLite store disarm once', async (t) => {
  await twoServers(t, { stateDir: join(await tempDir(), 'state') });
});

test('two servers on one PostgreSQL database disarm once', async (t) => {
  const base = requirePostgres(t);
  if (base === undefined) return;
  await twoServers(t, { url: await freshPostgresDatabase(t, base) });
});

test('--read-only records installed but never publishes a disarm', async (t) => {
  const roots = await makeRoots();
  const build = await makeBuildDir();
  const ksFile = join(await tempDir(), 'host.ks');
  await writeFile(ksFile, KS);
  const srv = await createServer({ tftpRoot: roots.tftpRoot, listen: '127.0.0.1', tftpPort: 0, httpPort: 0, state: { stateDir: join(await tempDir(), 'state') }, readOnly: true });
  t.after(() => srv.close({ graceful: false }));
  await publishTree({
    tftpRoot: roots.tftpRoot, kernel: join(build, 'vmlinuz'), initrd: join(build, 'initrd.img'), dialect: 'rhel9',
    loaders: { pxelinux: roots.loaderDir, ipxe: false }, hosts: [{ mac: MAC, kickstart: ksFile, once: true }], serveUrl: srv.httpUrl,
  });
  const ks = await (await fetch(`${srv.httpUrl}/ks/${HYP}`)).text();
  const url = /REMASTER_CALLBACK_URL='?([^'\n]+)'?\n/u.exec(ks)?.[1] as string;
  assert.equal((await fetch(`${url}/installed`, { method: 'POST', body: '' })).status, 204);
  await srv.settled();
  assert.equal((await srv.store.getHost(MAC))?.state, 'installed');
  const m = await readCurrentManifest(roots.tftpRoot);
  assert.equal(m?.version, 1, 'nothing published');
  assert.deepEqual(m?.model.hosts.map((h) => h.mac), [MAC]);
});

test('an install with no event for --stall-after becomes stalled; a later callback revives it', async (t) => {
  const roots = await makeRoots();
  const build = await makeBuildDir();
  const ksFile = join(await tempDir(), 'host.ks');
  await writeFile(ksFile, KS);
  const srv = await createServer({ tftpRoot: roots.tftpRoot, listen: '127.0.0.1', tftpPort: 0, httpPort: 0, state: { stateDir: join(await tempDir(), 'state') }, stallAfterMs: 1000 });
  t.after(() => srv.close({ graceful: false }));
  await publishTree({
    tftpRoot: roots.tftpRoot, kernel: join(build, 'vmlinuz'), initrd: join(build, 'initrd.img'), dialect: 'rhel9',
    loaders: { pxelinux: roots.loaderDir, ipxe: false }, hosts: [{ mac: MAC, kickstart: ksFile }], serveUrl: srv.httpUrl,
  });
  const ks = await (await fetch(`${srv.httpUrl}/ks/${HYP}`)).text();
  assert.equal((await srv.store.getHost(MAC))?.state, 'ks-fetched');
  await new Promise((r) => setTimeout(r, 2500));
  assert.equal((await srv.store.getHost(MAC))?.state, 'stalled', 'armed-only hosts never stall, an install under way does');
  const url = /REMASTER_CALLBACK_URL='?([^'\n]+)'?\n/u.exec(ks)?.[1] as string;
  assert.equal((await fetch(`${url}/pre-started`, { method: 'POST', body: '' })).status, 204);
  assert.equal((await srv.store.getHost(MAC))?.state, 'pre-started');
});
