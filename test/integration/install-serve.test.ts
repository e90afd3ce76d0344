/**
 * The install: snippets through `remaster serve`, on loopback. A recipe whose install: section asks
 * for the inventory and a policy of four disks is rendered the way the build renders it
 * (prepareInstall + renderRecipeKickstart), armed in a published tree, and served by createServer
 * (SQLite state). The test then acts as Anaconda: it fetches /ks/<mac>, runs the %pre sections in
 * order against a made-up machine of three disks and one NIC (REMASTER_SYSFS / REMASTER_PROCFS),
 * each section's output into its --log file, stops at the first failing `%pre --erroronfail` and
 * runs %onerror. Under dash with the system's tools (curl) and under busybox sh with applets only
 * (wget), one attempt each; the host is armed again between the two.
 *
 * Asserted against the server's store: the inventory arrived and is byte for byte what the snippet
 * wrote (the three disks with sizes and serials, the NIC's MAC); the host is `failed` with the
 * reason naming the rule and the measured value (the later %onerror report keeps that verdict and
 * adds the %pre log); the host's own %pre and pre-done never ran; the failed host stays armed in
 * the tree (no disarm publish), and arming it again starts a new attempt.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, statSync, writeFileSync, appendFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import {
  armHost, createServer, parseKickstart, parseRecipe, prepareInstall, publishTree, readCurrentManifest, renderRecipeKickstart, type ServeHandle,
} from '../../src/index.ts';
import { CONSOLE_KS } from '../helpers/console.ts';
import { ensureFixtures } from '../helpers/fixtures.ts';
import { runSnippets, shells, writeTree, type Shell } from '../helpers/snippets.ts';
import { requireTool } from '../helpers/tools.ts';
import { tmpDir } from '../helpers/tmp-dir.ts';
import { makeBuildDir, makeRoots } from '../unit/pxe/support.ts';

const MAC = '52:54:00:5e:77:01';
const HYP = MAC.replaceAll(':', '-');
const NAME = 'db-07';
const MiB = 1024 * 1024;
const DISKS = [{ name: 'vda', bytes: 64 * MiB, serial: 'SRV-A-64' }, { name: 'vdb', bytes: 96 * MiB, serial: 'SRV-B-96' }, { name: 'vdc', bytes: 128 * MiB, serial: 'SRV-C-128' }];

/** A plain RHEL 9 kickstart with a %pre of the host's own, which must never run after a failed policy. */
const TEMPLATE = `${CONSOLE_KS}%pre
echo own-pre > /tmp/remaster-test-own-pre
%end
`;

const RECIPE = `name: install-serve
source:
  initrd: initrd.img
kickstart:
  template: ks.tmpl
  dialect: rhel9
install:
  inventory: true
  require:
    disks: ">=4"
output:
  dir: out
`;

/** A machine of three virtio disks with serials and one virtio NIC (the host's MAC, link up), booted by pxelinux with IPAPPEND 2. */
function machine(root: string): { sys: string; proc: string } {
  const sys = join(root, 'sys');
  const proc = join(root, 'proc');
  const pci = 'devices/pci0000:00';
  const tree: Record<string, string> = {};
  DISKS.forEach((d, i) => {
    tree[`${pci}/0000:00:0${5 + i}.0/virtio${2 + i}/features`] = '0\n';
    tree[`block/${d.name}/device`] = `->../../${pci}/0000:00:0${5 + i}.0/virtio${2 + i}`;
    tree[`block/${d.name}/serial`] = `${d.serial}\n`;
    tree[`block/${d.name}/size`] = `${d.bytes / 512}\n`;
    tree[`block/${d.name}/queue/rotational`] = '1\n';
    tree[`block/${d.name}/removable`] = '0\n';
  });
  Object.assign(tree, {
    [`${pci}/0000:00:03.0/virtio0/features`]: '0\n', 'bus/virtio/drivers/virtio_net/bind': '',
    [`${pci}/0000:00:03.0/virtio0/driver`]: '->../../../../bus/virtio/drivers/virtio_net',
    'class/net/eth0/device': `->../../../${pci}/0000:00:03.0/virtio0`, 'class/net/eth0/address': `${MAC}\n`,
    'class/net/eth0/operstate': 'up\n', 'class/net/eth0/carrier': '1\n', 'class/net/eth0/speed': '-1\n',
    'class/net/lo/address': '00:00:00:00:00:00\n',
  });
  writeTree(sys, tree);
  writeTree(proc, {
    cpuinfo: 'processor\t: 0\nvendor_id\t: GenuineIntel\nmodel name\t: QEMU Virtual CPU\nphysical id\t: 0\n\n',
    meminfo: 'MemTotal:        2000000 kB\n',
    cmdline: `BOOT_IMAGE=vmlinuz inst.ks=http://127.0.0.1/ks/${HYP} BOOTIF=01-${HYP} quiet\n`,
  });
  return { sys, proc };
}

function logOf(args: string[]): string | undefined {
  const i = args.findIndex((a) => /^--log(?:=|$)/u.test(a));
  if (i < 0) return undefined;
  const arg = args[i] as string;
  return arg.includes('=') ? arg.slice(arg.indexOf('=') + 1) : args[i + 1];
}

/** Name a served %pre by what it does. */
function whatSection(body: string): string {
  if (body.includes('remaster_report pre-started')) return 'pre-started';
  if (body.includes('remaster_report pre-done')) return 'pre-done';
  if (body.includes('# remaster: begin serve (host record')) return 'env file';
  if (body.includes('# remaster: begin install.require')) return 'install';
  return 'own';
}

/**
 * Run the served kickstart's %pre sections in order, as Anaconda does: each section's output into
 * its --log file; the first failing `%pre --erroronfail` ends the install, and %onerror runs.
 * The served text fixes its paths under /tmp (the env file /tmp/remaster.env, the inventory, the
 * logs), so every `/tmp/` of the fetched text is rewritten to this attempt's directory: nothing
 * touches the real /tmp that other tests share. Return the exit status of each section run, by its first line.
 */
async function runInstaller(ks: string, shell: Shell, env: Record<string, string>, dir: string): Promise<{ ran: [string, number | null][]; stopped: boolean }> {
  const at = (text: string) => text.replaceAll('/tmp/', `${dir}/`);
  const nodes = parseKickstart(ks).nodes;
  const ran: [string, number | null][] = [];
  for (const node of nodes) {
    if (node.kind !== 'section' || node.name !== 'pre') continue;
    const r = await runSnippets(shell, [], at(node.body), env);
    const log = logOf(node.args);
    if (log !== undefined) appendFileSync(at(log), r.stdout + r.stderr);
    ran.push([whatSection(node.body), r.status]);
    if (r.status !== 0 && node.args.includes('--erroronfail')) {
      const onerror = nodes.find((n) => n.kind === 'section' && n.name === 'onerror');
      assert.ok(onerror?.kind === 'section', 'the served kickstart has %onerror');
      const e = await runSnippets(shell, [], at(onerror.body), env);
      assert.equal(e.status, 0, `%onerror: ${e.stdout}${e.stderr}`);
      return { ran, stopped: true };
    }
  }
  return { ran, stopped: false };
}

async function waitFor(cond: () => Promise<boolean>, what: string, ms = 15_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function armedId(tftpRoot: string): Promise<{ version: number; armId: string | undefined }> {
  const m = await readCurrentManifest(tftpRoot);
  assert.ok(m);
  return { version: m.version, armId: m.model.hosts.find((h) => h.mac.toLowerCase() === MAC)?.armId };
}

test('remaster serve: the install %pre posts the inventory to the server; a failed policy ends in failed with its reason; the host stays armed', async (t) => {
  if (!requireTool(t, 'dash', 'curl')) return;
  const fx = await ensureFixtures(t);
  if (!fx) return;
  const dir = await tmpDir(t, 'remaster-install-serve-');

  // The kickstart as the build renders it from the recipe's install: section.
  writeFileSync(join(dir, 'ks.tmpl'), TEMPLATE);
  const recipe = parseRecipe(RECIPE, join(dir, 'install.yaml'));
  const install = await prepareInstall(recipe);
  assert.ok(install && recipe.kickstart);
  const ksFile = join(dir, 'ks.cfg');
  writeFileSync(ksFile, (await renderRecipeKickstart(recipe.kickstart, dir, { install, onWarning: () => {} })).text);

  const roots = await makeRoots();
  const build = await makeBuildDir();
  const srv: ServeHandle = await createServer({ tftpRoot: roots.tftpRoot, listen: '127.0.0.1', tftpPort: 0, httpPort: 0, state: { stateDir: join(dir, 'state') }, stallAfterMs: 3600_000 });
  t.after(() => srv.close({ graceful: false }));
  await publishTree({
    tftpRoot: roots.tftpRoot, kernel: join(build, 'vmlinuz'), initrd: join(build, 'initrd.img'), dialect: 'rhel9',
    loaders: { pxelinux: roots.loaderDir, ipxe: false }, hosts: [{ mac: MAC, name: NAME, kickstart: ksFile, once: true }], serveUrl: srv.httpUrl,
  });

  let previous: string | undefined;
  for (const shell of shells(fx.busybox, dir)) {
    const attempt = join(dir, shell.name);
    mkdirSync(attempt);
    const { sys, proc } = machine(join(attempt, 'machine'));
    if (previous !== undefined) {
      // A failed install stays armed; arming it again (a new arm id) starts a new attempt.
      await armHost({ tftpRoot: roots.tftpRoot, mac: MAC });
    }
    const armed = await armedId(roots.tftpRoot);
    assert.ok(armed.armId !== undefined && armed.armId !== previous, `${shell.name}: a new arm id`);
    await waitFor(async () => { const h = await srv.store.getHost(MAC); return h?.state === 'armed' && h.installId === armed.armId; }, `${shell.name}: the sync to arm the host`);

    const res = await fetch(`${srv.httpUrl}/ks/${HYP}`);
    assert.equal(res.status, 200);
    const ks = await res.text();
    const url = /REMASTER_CALLBACK_URL='?([^'\n]+)'?\n/u.exec(ks)?.[1];
    assert.ok(url?.startsWith(`${srv.httpUrl}/cb/${HYP}/`), shell.name);

    // REMASTER_ENV_FILE: the env file the rewritten serve %pre writes (see runInstaller)
    const env = { REMASTER_SYSFS: sys, REMASTER_PROCFS: proc, TMPDIR: attempt, REMASTER_ENV_FILE: join(attempt, 'remaster.env') };
    const { ran, stopped } = await runInstaller(ks, shell, env, attempt);
    const name = `${shell.name}: ${JSON.stringify(ran)}`;
    assert.ok(stopped, `the install %pre failed and stopped the install (${name})`);
    // pre-started, then the env file, then the install %pre (ahead of the host's own), which fails
    assert.deepEqual(ran, [['pre-started', 0], ['env file', 0], ['install', 1]], name);
    assert.equal(existsSync(join(attempt, 'remaster-test-own-pre')), false, `${shell.name}: the host's own %pre never ran`);

    // The env file the served kickstart wrote: the callback URL and the host record, mode 0600.
    const envFile = join(attempt, 'remaster.env');
    assert.equal(readFileSync(envFile, 'utf8'), `REMASTER_CALLBACK_URL='${url}'\nREMASTER_HOST_NAME='${NAME}'\nREMASTER_HOST_MAC='${MAC}'\n`, shell.name);
    assert.equal(statSync(envFile).mode & 0o777, 0o600);

    // The inventory arrived, byte for byte what the snippet wrote.
    const written = readFileSync(join(attempt, 'remaster-inventory.json'), 'utf8');
    const stored = await srv.store.getBlob(MAC, 'inventory');
    assert.equal(stored?.content, written, `${shell.name}: the stored inventory is the snippet's file`);
    const inv = JSON.parse(written) as { disks: { name: string; sizeBytes: number; serial: string | null }[]; nics: { name: string; mac: string; driver: string | null }[]; bootif: string | null };
    assert.deepEqual(inv.disks.map((d) => [d.name, d.sizeBytes, d.serial]), DISKS.map((d) => [d.name, d.bytes, d.serial]), shell.name);
    assert.deepEqual(inv.nics.map((n) => [n.name, n.mac, n.driver]), [['eth0', MAC, 'virtio_net']], shell.name);
    assert.equal(inv.bootif, MAC);

    // Failed, with the reason naming the rule and the measured value.
    const host = await srv.store.getHost(MAC);
    assert.equal(host?.state, 'failed', shell.name);
    assert.equal(host?.installId, armed.armId);
    assert.equal(host?.failureReason, 'hardware policy not met (no disk was touched): install.require.disks.count ">=4": measured 3 (vda 64 MiB, vdb 96 MiB, vdc 128 MiB)', shell.name);
    // %onerror's later report keeps the verdict and brings the %pre log, with the snippet's message.
    assert.match((await srv.store.getBlob(MAC, 'log:failed'))?.content ?? '', /remaster: FAILED: hardware policy not met .*measured 3/u, shell.name);
    const kinds = (await srv.store.hostTimeline(MAC, { installId: armed.armId as string })).map((e) => e.kind);
    for (const k of ['ks-fetched', 'pre-started', 'inventory', 'failed']) assert.ok(kinds.includes(k), `${shell.name}: ${k} in ${kinds.join(' ')}`);
    assert.ok(kinds.indexOf('inventory') < kinds.indexOf('failed'), 'the inventory comes before the verdict');
    for (const k of ['pre-done', 'installing', 'installed', 'disarmed', 'callback-refused']) assert.ok(!kinds.includes(k), `${shell.name}: no ${k} in ${kinds.join(' ')}`);

    // Not disarmed: the tree still arms the host with this attempt's arm id, and no version was published.
    await srv.settled();
    assert.deepEqual(await armedId(roots.tftpRoot), armed, `${shell.name}: the failed host stays armed`);
    assert.equal((await srv.store.getHost(MAC))?.state, 'failed');
    previous = armed.armId;
  }
});
