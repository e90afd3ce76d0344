/**
 * The whole loop of `remaster serve` under QEMU, in a LAN of network namespaces (test/helpers/netns.ts):
 * - "site": dnsmasq handing out addresses only (no PXE options, no boot file);
 * - "boot": `remaster serve <tree> --proxy-dhcp` (the built CLI: TFTP on 69, HTTP on 8080, ProxyDHCP);
 * - QEMU guests on tap devices: SeaBIOS + QEMU's iPXE ROM (e1000); iPXE announces itself (user class)
 *   and the tree publishes BIOS iPXE (undionly.kpxe), so the ProxyDHCP offer names serve's HTTP script
 *   boot.ipxe, which chains ipxe/mac-<hex>.ipxe → the Debian test kernel and a busybox initrd (all over
 *   serve's HTTP), whose /init gets an address (udhcpc), fetches the kickstart named by inst.ks= on its
 *   command line (the one serve rendered for it), and runs that kickstart's own %pre, %pre-install and
 *   %post sections with sh, as anaconda would (a failing section runs %onerror and stops).
 * Checked: the server records armed → boot-fetched → kernel-fetched → ks-fetched → pre-started →
 * pre-done → installing → post-done → installed → disarmed in that order, publishes the disarm, and a
 * second boot of the same VM finds no per-MAC script and boots the local disk (there is none) — the kernel
 * never loads. A host
 * whose %pre fails (--erroronfail) ends in state failed with its %pre log tail.
 * Each configuration boots once.
 */
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { openStore, publishTree, readCurrentManifest } from '../../src/index.ts';
import { KS_BASE, KS_GOOD, writeGuestInitrd } from '../helpers/guest-installer.ts';
import { ensureFixtures } from '../helpers/fixtures.ts';
import { createLan, requireNetns, waitFor } from '../helpers/netns.ts';
import { bootTap, makeNonce } from '../helpers/qemu.ts';
import { startServe, startSiteDnsmasq } from '../helpers/serve-lab.ts';
import { requireFile, requireTool } from '../helpers/tools.ts';
import { makeRoots, tempDir } from '../unit/pxe/support.ts';

const GOOD = '52:54:00:5e:00:01';
const BAD = '52:54:00:5e:00:02';

const KS_BAD = `${KS_BASE}%pre --erroronfail
echo "REMASTER-PRE-FAILING: disk /dev/nvme9n9 not found"
exit 1
%end
`;

test('remaster serve under QEMU: an armed once host installs through its own callbacks, is disarmed, and boots locally next time; a failing %pre ends in failed', { timeout: 900_000 }, async (t) => {
  if (!requireNetns(t) || !requireTool(t, 'qemu-system-x86_64', 'dnsmasq') || !requireFile(t, '/usr/lib/ipxe/undionly.kpxe', 'ipxe')) return;
  const fx = await ensureFixtures(t);
  if (fx === undefined) return;
  const nonce = makeNonce();
  const lan = createLan(t);
  const site = await lan.addHost('site', 2);
  const boot = await lan.addHost('boot', 1);
  const serveUrl = `http://${boot.address}:8080`;

  // the tree: pxelinux, the Debian kernel, the busybox initrd, two once hosts published for serve
  const dir = await tempDir('remaster-serve-qemu-');
  const initrd = join(dir, 'initrd.img');
  await writeGuestInitrd(fx, initrd);
  await writeFile(join(dir, 'good.ks'), KS_GOOD);
  await writeFile(join(dir, 'bad.ks'), KS_BAD);
  const { tftpRoot } = await makeRoots();
  await publishTree({
    tftpRoot, kernel: fx.kernel.vmlinuz, initrd, dialect: 'rhel9', label: 'serve qemu', serveUrl,
    cmdline: ['console=ttyS0', 'panic=-1', `remaster.nonce=${nonce}`],
    hosts: [{ mac: GOOD, kickstart: join(dir, 'good.ks'), once: true }, { mac: BAD, kickstart: join(dir, 'bad.ks'), once: true }],
    loaders: { pxelinux: true, ipxe: true }, // with BIOS iPXE published, serve hands iPXE ROMs boot.ipxe (src/serve/boot-policy.ts)
  });
  const stateDir = join(dir, 'state');

  // the network: dnsmasq (addresses only) and remaster serve with ProxyDHCP
  const dnsmasq = await startSiteDnsmasq(site, lan.prefix, dir);
  const serve = await startServe(boot, tftpRoot, stateDir);
  const logs = () => `serve:\n${serve.log().split('\n').slice(-60).join('\n')}\ndnsmasq:\n${dnsmasq.log().split('\n').slice(-30).join('\n')}`;
  const tap = lan.addTap();
  const store = await openStore({ stateDir });
  t.after(() => store.close());

  // 1. the armed once host installs
  const first = await bootTap({
    netns: lan.ns, tap, mac: GOOD, nic: 'e1000', nonce, timeoutMs: 240_000,
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

  // 2. the same VM boots again: no per-MAC script, local boot, no kernel
  const second = await bootTap({ netns: lan.ns, tap, mac: GOOD, nic: 'e1000', nonce, timeoutMs: 150_000, expect: [/boot\.ipxe/, /No bootable device|Boot failed/] });
  assert.ok(second.passed, `missing ${second.missing.join(', ')}; console tail:\n${second.log.split('\n').slice(-30).join('\n')}\n${logs()}`);
  assert.doesNotMatch(second.log, /Linux version|REMASTER-GUEST-INIT/u, 'the kernel never loads on the second boot');

  // 3. a host whose %pre fails
  const third = await bootTap({
    netns: lan.ns, tap, mac: BAD, nic: 'e1000', nonce, timeoutMs: 240_000,
    expect: [/REMASTER-KS-FETCHED/, /REMASTER-PRE-FAILING/, /REMASTER-GUEST-DONE failed/],
  });
  assert.ok(third.passed, `missing ${third.missing.join(', ')}; console tail:\n${third.log.split('\n').slice(-40).join('\n')}\n${logs()}`);
  await waitFor(async () => ((await store.getHost(BAD))?.state === 'failed' ? true : undefined), 30_000, `failed: ${logs()}`);
  const bad = await store.getHost(BAD);
  assert.match(bad?.failureReason ?? '', /%onerror/u);
  assert.match((await store.getBlob(BAD, 'log:failed'))?.content ?? '', /REMASTER-PRE-FAILING: disk \/dev\/nvme9n9 not found/u);
  assert.ok((await readCurrentManifest(tftpRoot))?.model.hosts.some((h) => h.mac === BAD), 'a failed host stays armed (nothing is disarmed on failure)');
  serve.child.kill('SIGTERM');
});
