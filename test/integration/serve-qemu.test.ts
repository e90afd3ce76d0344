/**
 * The whole loop of `remaster serve` under QEMU, in a LAN of network namespaces (test/helpers/netns.ts):
 * - "site": dnsmasq handing out addresses only (no PXE options, no boot file);
 * - "boot": `remaster serve <tree> --proxy-dhcp` (the built CLI: TFTP on 69, HTTP on 8080, ProxyDHCP);
 * - QEMU guests on tap devices: SeaBIOS + QEMU's iPXE ROM (e1000); iPXE announces itself (user class)
 *   and the tree publishes BIOS iPXE (undionly.kpxe), so the ProxyDHCP offer names serve's HTTP script boot.ipxe, which chains ipxe/mac-<hex>.ipxe → the Debian
 *   test kernel and a busybox initrd (all over serve's HTTP), whose /init gets an address
 *   (udhcpc), fetches the kickstart named by inst.ks= on its command line (the one serve rendered for
 *   it), and runs that kickstart's own %pre, %pre-install and %post sections with sh, as anaconda
 *   would (a failing section runs %onerror and stops).
 * Both kickstarts are rendered from a recipe with an install: section (inventory and a hardware policy,
 * issue #14), and the VM has three virtio disks of 64, 96 and 128 MiB with serials: the install %pre runs
 * the shipped snippets on the real /sys of the guest and reports through serve's callbacks.
 * Checked: the server records armed → boot-fetched → kernel-fetched → ks-fetched → pre-started →
 * pre-done → installing → post-done → installed → disarmed in that order, stores the inventory (the three
 * disks with sizes and serials, the NIC's MAC) as `require: disks >= 3` passes, publishes the disarm, and a
 * second boot of the same VM finds no per-MAC script and boots the local disk (there is none) — the kernel
 * never loads. A host whose policy asks for four disks fails in the install %pre (--erroronfail) before
 * its own %pre runs: it ends in state failed with the reason naming the rule and the measured 3, its
 * inventory stored, its %pre log tail kept, and stays armed.
 * Each configuration boots once.
 */
import assert from 'node:assert/strict';
import { open, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { openStore, parseRecipe, prepareInstall, publishTree, readCurrentManifest, renderRecipeKickstart } from '../../src/index.ts';
import { KS_BASE, KS_GOOD, VIRTIO_BLK_MODULES, writeGuestInitrd } from '../helpers/guest-installer.ts';
import { ensureFixtures } from '../helpers/fixtures.ts';
import { createSiteLan, requireNetns, waitFor } from '../helpers/netns.ts';
import { bootTap, makeNonce } from '../helpers/qemu.ts';
import { startServe } from '../helpers/serve-lab.ts';
import { requireFile, requireTool } from '../helpers/tools.ts';
import { makeRoots, tempDir } from '../unit/pxe/support.ts';

const GOOD = '52:54:00:5e:00:01';
const BAD = '52:54:00:5e:00:02';
const MiB = 1024 * 1024;
const DISKS = [{ name: 'vda', mib: 64, serial: 'SQ-A-64' }, { name: 'vdb', mib: 96, serial: 'SQ-B-96' }, { name: 'vdc', mib: 128, serial: 'SQ-C-128' }];

const KS_BAD = `${KS_BASE}%pre --erroronfail
echo "REMASTER-PRE-FAILING: disk /dev/nvme9n9 not found"
exit 1
%end
`;

/** The recipe that renders a host's kickstart: inventory, and a policy on the disk count. */
const recipeText = (template: string, disks: string) => `name: serve-qemu
source:
  initrd: initrd.img
kickstart:
  template: ${template}
  dialect: rhel9
install:
  inventory: true
  require:
    disks: "${disks}"
output:
  dir: out
`;

/** Render `template` (a file in `dir`) as the build does, with the recipe's install: section; return the kickstart's path. */
async function renderKickstart(dir: string, template: string, disks: string): Promise<string> {
  const recipe = parseRecipe(recipeText(template, disks), join(dir, `${template}.yaml`));
  const install = await prepareInstall(recipe);
  if (install === undefined || recipe.kickstart === undefined) throw new Error('the recipe has kickstart: and install:');
  const file = join(dir, `${template}.cfg`);
  await writeFile(file, (await renderRecipeKickstart(recipe.kickstart, dir, { install, onWarning: () => {} })).text);
  return file;
}

interface Inventory { disks: { name: string; sizeBytes: number; serial: string | null }[]; nics: { name: string; mac: string; driver: string | null }[] }

test('remaster serve under QEMU: an armed once host posts its inventory, passes disks >= 3, installs through its own callbacks, is disarmed, and boots locally next time; a host failing disks >= 4 ends in failed with the reason', { timeout: 900_000 }, async (t) => {
  if (!requireNetns(t) || !requireTool(t, 'qemu-system-x86_64', 'dnsmasq') || !requireFile(t, '/usr/lib/ipxe/undionly.kpxe', 'ipxe')) return;
  const fx = await ensureFixtures(t);
  if (fx === undefined) return;
  const nonce = makeNonce();
  const dir = await tempDir('remaster-serve-qemu-');
  // the network: dnsmasq (addresses only) on "site"; remaster serve with ProxyDHCP on "boot" (below)
  const { lan, boot, siteDhcp } = await createSiteLan(t, dir);
  const serveUrl = `http://${boot.address}:8080`;

  // the tree: pxelinux, the Debian kernel, the busybox initrd, two once hosts published for serve
  const initrd = join(dir, 'initrd.img');
  await writeGuestInitrd(fx, initrd, { modules: VIRTIO_BLK_MODULES, waitFor: DISKS.map((d) => `/sys/block/${d.name}`) });
  await writeFile(join(dir, 'good.ks'), KS_GOOD);
  await writeFile(join(dir, 'bad.ks'), KS_BAD);
  const goodKs = await renderKickstart(dir, 'good.ks', '>=3');
  const badKs = await renderKickstart(dir, 'bad.ks', '>=4');
  // the VM's disks: sparse files, written only to QEMU's snapshot
  const drives: string[] = [];
  for (const d of DISKS) {
    const h = await open(join(dir, `${d.name}.raw`), 'w');
    await h.truncate(d.mib * MiB);
    await h.close();
    drives.push('-drive', `file=${join(dir, `${d.name}.raw`)},if=none,id=${d.name},format=raw,snapshot=on`, '-device', `virtio-blk-pci,drive=${d.name},serial=${d.serial}`);
  }
  const { tftpRoot } = await makeRoots();
  await publishTree({
    tftpRoot, kernel: fx.kernel.vmlinuz, initrd, dialect: 'rhel9', label: 'serve qemu', serveUrl,
    cmdline: ['console=ttyS0', 'panic=-1', `remaster.nonce=${nonce}`],
    hosts: [{ mac: GOOD, kickstart: goodKs, once: true }, { mac: BAD, kickstart: badKs, once: true }],
    loaders: { pxelinux: true, ipxe: true }, // with BIOS iPXE published, serve hands iPXE ROMs boot.ipxe (src/serve/boot-policy.ts)
  });
  const stateDir = join(dir, 'state');

  const serve = await startServe(boot, tftpRoot, stateDir);
  const logs = () => `serve:\n${serve.log().split('\n').slice(-60).join('\n')}\ndnsmasq:\n${siteDhcp.log().split('\n').slice(-30).join('\n')}`;
  const tap = lan.addTap();
  const store = await openStore({ stateDir });
  t.after(() => store.close());

  // 1. the armed once host installs
  const first = await bootTap({
    netns: lan.ns, tap, mac: GOOD, nic: 'e1000', nonce, timeoutMs: 240_000, extraArgs: drives,
    expect: [/boot\.ipxe/, /REMASTER-GUEST-INIT/, /REMASTER-KS-FETCHED/, /REMASTER-OWN-PRE/, /REMASTER-OWN-POST/, /REMASTER-GUEST-DONE ok/],
  });
  t.diagnostic(`install boot: ${first.durationMs} ms`);
  assert.ok(first.passed, `missing ${first.missing.join(', ')}; console tail:\n${first.log.split('\n').slice(-40).join('\n')}\n${logs()}`);
  assert.match(first.log, new RegExp(`REMASTER-KS-URL ${serveUrl.replaceAll('.', '\\.')}/ks/52-54-00-5e-00-01`, 'u'));
  await waitFor(async () => ((await store.getHost(GOOD))?.state === 'disarmed' ? true : undefined), 30_000, `the disarm: ${logs()}`);
  const kinds = (await store.hostTimeline(GOOD)).map((e) => e.kind);
  const order = ['armed', 'boot-fetched', 'kernel-fetched', 'ks-fetched', 'pre-started', 'pre-done', 'installing', 'post-done', 'installed', 'disarmed'];
  const states = kinds.map((k) => (k === 'initrd-fetched' ? 'kernel-fetched' : k)).filter((k) => order.includes(k));
  assert.deepEqual(states.filter((k, i) => states.indexOf(k) === i), order, `timeline: ${kinds.join(' ')}`);
  const m = await readCurrentManifest(tftpRoot);
  assert.deepEqual(m?.model.hosts.map((h) => h.mac), [BAD], 'the installed host was disarmed by a new version; the other stays armed');
  assert.doesNotMatch(first.log, /REMASTER-INSMOD-FAILED/u);
  assert.match(first.log, /remaster: require disks\.count ">=3": ok/u);
  const inventoryOf = async (mac: string): Promise<Inventory> => JSON.parse((await store.getBlob(mac, 'inventory'))?.content ?? '{}') as Inventory;
  const assertInventory = (inv: Inventory, mac: string) => {
    assert.deepEqual(inv.disks?.map((d) => [d.name, d.sizeBytes, d.serial]), DISKS.map((d) => [d.name, d.mib * MiB, d.serial]), 'the three disks with sizes and serials');
    assert.deepEqual(inv.nics?.map((n) => [n.mac, n.driver]), [[mac, 'e1000']], 'the NIC with its MAC');
  };
  assertInventory(await inventoryOf(GOOD), GOOD);
  assert.ok(kinds.indexOf('inventory') > kinds.indexOf('pre-started') && kinds.indexOf('inventory') < kinds.indexOf('pre-done'), `the inventory came from the install %pre: ${kinds.join(' ')}`);

  // 2. the same VM boots again: no per-MAC script, local boot, no kernel
  const second = await bootTap({ netns: lan.ns, tap, mac: GOOD, nic: 'e1000', nonce, timeoutMs: 150_000, extraArgs: drives, expect: [/boot\.ipxe/, /No bootable device|Boot failed/] });
  t.diagnostic(`local boot: ${second.durationMs} ms`);
  assert.ok(second.passed, `missing ${second.missing.join(', ')}; console tail:\n${second.log.split('\n').slice(-30).join('\n')}\n${logs()}`);
  assert.doesNotMatch(second.log, /Linux version|REMASTER-GUEST-INIT/u, 'the kernel never loads on the second boot');

  // 3. a host whose policy asks for four disks: the install %pre fails before the host's own %pre
  const policy = 'hardware policy not met (no disk was touched): install.require.disks.count ">=4": measured 3 (vda 64 MiB, vdb 96 MiB, vdc 128 MiB)';
  const third = await bootTap({
    netns: lan.ns, tap, mac: BAD, nic: 'e1000', nonce, timeoutMs: 240_000, extraArgs: drives,
    expect: [/REMASTER-KS-FETCHED/, /REMASTER-SECTION-FAILED/, /REMASTER-GUEST-DONE failed/],
  });
  t.diagnostic(`failed policy boot: ${third.durationMs} ms`);
  assert.ok(third.passed, `missing ${third.missing.join(', ')}; console tail:\n${third.log.split('\n').slice(-40).join('\n')}\n${logs()}`);
  assert.doesNotMatch(third.log, /REMASTER-PRE-FAILING/u, 'the host\'s own %pre never ran');
  await waitFor(async () => ((await store.getHost(BAD))?.state === 'failed' ? true : undefined), 30_000, `failed: ${logs()}`);
  const bad = await store.getHost(BAD);
  assert.equal(bad?.failureReason, policy, 'the reason names the rule and the measured 3');
  assertInventory(await inventoryOf(BAD), BAD);
  const badKinds = (await store.hostTimeline(BAD)).map((e) => e.kind);
  assert.ok(badKinds.includes('inventory') && badKinds.indexOf('inventory') < badKinds.indexOf('failed'), `the inventory arrived before the verdict: ${badKinds.join(' ')}`);
  for (const k of ['pre-done', 'installing', 'installed']) assert.ok(!badKinds.includes(k), `no ${k} in ${badKinds.join(' ')}`);
  // %onerror's later report keeps the verdict and brings the %pre log, with the snippet's message
  assert.ok(((await store.getBlob(BAD, 'log:failed'))?.content ?? '').includes(`remaster: FAILED: ${policy}`));
  assert.ok((await readCurrentManifest(tftpRoot))?.model.hosts.some((h) => h.mac === BAD), 'a failed host stays armed (nothing is disarmed on failure)');
  serve.child.kill('SIGTERM');
});
