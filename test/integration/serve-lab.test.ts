/**
 * `remaster serve` alone in front of the firmware a site has: one LAN of network namespaces
 * (test/helpers/netns.ts), one `remaster serve <tree> --proxy-dhcp` started from the built CLI for the
 * whole file, a site dnsmasq handing out addresses, and one QEMU guest per configuration, booted once,
 * one after the other. Each configuration publishes its own tree version (serve follows it without a
 * restart) with one `once` host armed, and runs the whole install loop of serve-qemu.test.ts: the
 * guest's busybox /init (test/helpers/guest-installer.ts) fetches the kickstart serve rendered for it
 * and runs its own %pre and %post callback lines; serve records armed → boot-fetched → kernel-fetched
 * → ks-fetched → pre-started → pre-done → installing → post-done → installed → disarmed in that order
 * and publishes the disarm.
 * 1. BIOS: SeaBIOS + QEMU's iPXE ROM (e1000); the tree publishes pxelinux and no BIOS iPXE, so the
 *    ProxyDHCP offer names pxelinux.0 even for iPXE (src/serve/boot-policy.ts); pxelinux.0, its
 *    per-MAC config, kernel and initrd all come over serve's TFTP. A second boot of the same VM, with a
 *    marker disk attached, reaches pxelinux's LOCALBOOT and the disk without loading the kernel.
 * 2. UEFI through ProxyDHCP: OVMF's own PXE stack (romfile= drops QEMU's iPXE ROM) takes the address
 *    from dnsmasq and ipxe.efi from serve's offer (port 4011), iPXE asks again and gets the HTTP script
 *    boot.ipxe, which chains the per-MAC script → kernel and initrd over HTTP.
 * 3. UEFI GRUB with the site DHCP server configured for serve: dnsmasq gets the lines
 *    `remaster dhcp-snippet --dnsmasq --next-server <serve>` prints (next-server and boot file),
 *    serve does TFTP, HTTP and the lifecycle. serve's ProxyDHCP still answers (it runs for the whole
 *    file) and names the same file; GRUB 2.06 takes its server from the site's DHCPACK (siaddr), which
 *    is why a site next-server makes GRUB work where ProxyDHCP alone does not (README, limits).
 *    grub-mknetdir's core.efi → grub.cfg-01-<mac> → kernel and initrd over TFTP.
 * 4. The signed chain the same way, Secure Boot enforcing with Microsoft's keys: OVMF verifies shim,
 *    shim verifies Debian's signed network GRUB, GRUB verifies the Debian kernel; the guest loads
 *    Debian's signed NIC modules under lockdown.
 * 5. A DHCP client that is not PXE (busybox udhcpc, no option 60 "PXEClient") on the same LAN: serve's
 *    ProxyDHCP receives its DISCOVER (its /metrics count it as ignored) and sends nothing (no reply
 *    counted, none logged); the client binds to the site server's offer. The guests' own udhcpc does the
 *    same in every install above. On the wire, with tshark as the judge, the responder's silence is
 *    shown in test/integration/proxy-dhcp.test.ts.
 */
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { openStore, publishTree, readCurrentManifest, type LoaderOptions } from '../../src/index.ts';
import { ensureFixtures } from '../helpers/fixtures.ts';
import { KS_GOOD, writeGuestInitrd } from '../helpers/guest-installer.ts';
import { grubNetDir } from '../helpers/lab-servers.ts';
import { makeBiosMarkerDisk, makeEfiMarkerDisk } from '../helpers/local-disks.ts';
import { createLan, requireNetns, startSiteDhcp, waitFor } from '../helpers/netns.ts';
import { ensurePackages, signedChainDir } from '../helpers/packages.ts';
import { bootTap, makeNonce, type BootResult, type BootTapOptions } from '../helpers/qemu.ts';
import { runCli } from '../helpers/run-cli.ts';
import { startServe, type LabProcess } from '../helpers/serve-lab.ts';
import { requireFile, requireTool } from '../helpers/tools.ts';
import { makeRoots, tempDir } from '../unit/pxe/support.ts';

const INSTALL = [/REMASTER-GUEST-INIT/, /REMASTER-KS-FETCHED/, /REMASTER-OWN-PRE/, /REMASTER-OWN-POST/, /REMASTER-GUEST-DONE ok/];
const ORDER = ['armed', 'boot-fetched', 'kernel-fetched', 'ks-fetched', 'pre-started', 'pre-done', 'installing', 'post-done', 'installed', 'disarmed'];
const OVMF_PXE = 'virtio-net-pci,romfile=';
const BOOT_MS = 240_000;

interface ServeLine {
  event?: string;
  path?: string;
  outcome?: string;
  mac?: string;
  arch?: string;
  bootFile?: string;
  via?: string;
}

/** The lab: LAN, site dnsmasq (restartable with extra lines), one serve, its store, the guest's tap. */
async function startLab(t: TestContext, tftpRoot: string, dir: string) {
  const lan = createLan(t);
  const site = await lan.addHost('site', 2);
  const boot = await lan.addHost('boot', 1);
  const serve = await startServe(boot, tftpRoot, join(dir, 'state'));
  const store = await openStore({ stateDir: join(dir, 'state') });
  t.after(async () => {
    serve.child.kill('SIGTERM');
    await store.close();
  });
  let dnsmasq: LabProcess | undefined;
  /** (Re)start the site's dnsmasq: addresses only, plus `confFile` when given. */
  const startSite = async (confFile?: string) => {
    if (dnsmasq !== undefined) await stop(dnsmasq.child);
    dnsmasq = await startSiteDhcp(lan, site, dir, confFile);
  };
  const siteLog = () => dnsmasq?.log() ?? '';
  const lines = (): ServeLine[] => serve.log().split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as ServeLine);
  const logs = () => `serve:\n${serve.log().split('\n').slice(-40).join('\n')}\ndnsmasq:\n${siteLog().split('\n').slice(-25).join('\n')}`;
  return { lan, site, boot, serveUrl: serve.url, store, startSite, siteLog, lines, logs, tap: lan.addTap() };
}

function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

type Lab = Awaited<ReturnType<typeof startLab>>;

/** The failure message of a boot: what is missing, the console's end and the servers' logs. */
function told(r: BootResult, lab: Lab): string {
  return `missing ${r.missing.join(', ')}${r.timedOut ? ' (timed out)' : ''}; console tail:\n${r.log.split('\n').slice(-40).join('\n')}\n${lab.logs()}`;
}

/** Every install state in order (initrd-fetched counts as kernel-fetched), and the host gone from the tree. */
async function assertInstalled(lab: Lab, tftpRoot: string, mac: string): Promise<void> {
  await waitFor(async () => ((await lab.store.getHost(mac))?.state === 'disarmed' ? true : undefined), 30_000, `the disarm of ${mac}: ${lab.logs()}`);
  const kinds = (await lab.store.hostTimeline(mac)).map((e) => e.kind);
  const states = kinds.map((k) => (k === 'initrd-fetched' ? 'kernel-fetched' : k)).filter((k) => ORDER.includes(k));
  assert.deepEqual(states.filter((k, i) => states.indexOf(k) === i), ORDER, `timeline: ${kinds.join(' ')}`);
  assert.deepEqual((await readCurrentManifest(tftpRoot))?.model.hosts.map((h) => h.mac), [], 'the installed host was disarmed by a new version');
}

test('remaster serve boots BIOS pxelinux, UEFI iPXE via ProxyDHCP, UEFI GRUB and the Secure Boot shim chain via the site DHCP server, each through the whole install loop', { timeout: 1_200_000 }, async (t) => {
  if (!requireNetns(t) || !requireTool(t, 'qemu-system-x86_64', 'dnsmasq', 'grub-mknetdir', 'grub-mkstandalone', 'mkfs.fat', 'mcopy') || !requireFile(t, '/usr/lib/ipxe/ipxe.efi', 'ipxe')) return;
  const fx = await ensureFixtures(t);
  if (fx === undefined) return;
  const pkgs = await ensurePackages(t);
  if (pkgs === undefined) return;
  const nonce = makeNonce();
  const dir = await tempDir('remaster-serve-lab-');
  const initrd = join(dir, 'initrd.img');
  await writeGuestInitrd(fx, initrd);
  await writeFile(join(dir, 'install.ks'), KS_GOOD);
  const { tftpRoot } = await makeRoots();
  const lab = await startLab(t, tftpRoot, dir);
  await lab.startSite();
  const signed = await signedChainDir(pkgs, dir);
  const grub = grubNetDir(dir);

  /** Publish a tree with `loaders` and `mac` armed once; wait until serve has it armed. */
  const publish = async (mac: string, loaders: LoaderOptions) => {
    await publishTree({
      tftpRoot, kernel: fx.kernel.vmlinuz, initrd, dialect: 'rhel9', label: `serve lab ${mac}`, serveUrl: lab.serveUrl,
      cmdline: ['console=ttyS0', 'panic=-1', `remaster.nonce=${nonce}`], hosts: [{ mac, kickstart: join(dir, 'install.ks'), once: true }], loaders,
      waitMs: 30_000, // serve may be publishing a disarm (after a case that failed before waiting for it)
    });
    await waitFor(async () => ((await lab.store.getHost(mac))?.state === 'armed' ? true : undefined), 15_000, `serve to follow the new version (${mac} armed): ${lab.logs()}`);
  };
  const boot = async (c: string, o: Omit<BootTapOptions, 'netns' | 'tap' | 'nonce' | 'timeoutMs'>, timeoutMs = BOOT_MS) => {
    const r = await bootTap({ ...o, netns: lab.lan.ns, tap: lab.tap, nonce, timeoutMs });
    t.diagnostic(`${c}: ${r.passed ? 'passed' : 'FAILED'} in ${r.durationMs} ms`);
    const keep = process.env.REMASTER_LAB_LOGS;
    if (keep !== undefined && keep !== '') {
      await mkdir(keep, { recursive: true });
      await writeFile(join(keep, `${c.replaceAll(' ', '-')}.log`), `${r.log}\n--- servers:\n${lab.logs()}\n--- dnsmasq, whole:\n${lab.siteLog()}`);
    }
    return r;
  };
  const replies = (mac: string) => lab.lines().filter((l) => l.event === 'proxydhcp' && l.mac === mac);
  const fetched = (pattern: RegExp) => lab.lines().some((l) => l.event === 'tftp' && l.outcome === 'complete' && pattern.test(l.path ?? ''));
  const dhcpFromSite = (r: BootResult) => assert.match(r.log, new RegExp(`REMASTER-DHCP ${lab.lan.prefix.replaceAll('.', '\\.')}\\.1\\d\\d from ${lab.site.address.replaceAll('.', '\\.')}\\b`), 'the guest\'s udhcpc took the site server\'s offer');

  await t.test('BIOS: SeaBIOS + iPXE ROM gets pxelinux.0 from the ProxyDHCP offer, everything over TFTP; the second boot reaches the local disk', async () => {
    const mac = '52:54:00:5f:00:01';
    await publish(mac, { pxelinux: true, ipxe: false });
    const r = await boot('bios pxelinux install', { mac, nic: 'e1000', expect: [/iPXE/, /PXELINUX 6/, ...INSTALL] });
    assert.ok(r.passed, told(r, lab));
    dhcpFromSite(r);
    assert.ok(replies(mac).some((l) => l.arch === 'bios' && l.bootFile === 'pxelinux.0'), `the offer named pxelinux.0: ${lab.logs()}`);
    assert.equal(replies(mac).some((l) => l.bootFile?.endsWith('boot.ipxe') === true), false, 'iPXE was never sent the script');
    assert.ok(fetched(/^pxelinux\.cfg\/01-52-54-00-5f-00-01$/u) && fetched(/vmlinuz$/u) && fetched(/initrd\.img$/u), `per-MAC config, kernel and initrd over TFTP: ${lab.logs()}`);
    await assertInstalled(lab, tftpRoot, mac);
    const marker = `REMASTER-LOCAL-DISK ${makeNonce()}`;
    const disk = await makeBiosMarkerDisk(await tempDir('remaster-serve-lab-disk-'), marker);
    const again = await boot('bios pxelinux second boot', { mac, nic: 'e1000', disk, expect: [/PXELINUX 6/, new RegExp(marker)] }, 150_000);
    assert.ok(again.passed, told(again, lab));
    assert.doesNotMatch(again.log, /Linux version|REMASTER-GUEST-INIT/u, 'the kernel never loads on the second boot');
  });

  await t.test('UEFI: OVMF\'s own PXE gets ipxe.efi through ProxyDHCP, iPXE the HTTP script, kernel and initrd over HTTP', async () => {
    const mac = '52:54:00:5f:00:02';
    await publish(mac, { pxelinux: true, ipxe: true });
    const r = await boot('uefi ipxe install', { mac, uefi: true, nic: OVMF_PXE, expect: [/NBP filename is ipxe\.efi/, /boot\.ipxe/, ...INSTALL] });
    assert.ok(r.passed, told(r, lab));
    dhcpFromSite(r);
    assert.ok(replies(mac).some((l) => l.via === 'pxe' && l.arch === 'efi-x64' && l.bootFile === 'ipxe.efi'), `OVMF asked on port 4011: ${lab.logs()}`);
    assert.ok(replies(mac).some((l) => l.bootFile === `${lab.serveUrl}/boot.ipxe`), `iPXE got the script: ${lab.logs()}`);
    await assertInstalled(lab, tftpRoot, mac);
  });

  /** Point the site's dnsmasq at serve with the printed dhcp-snippet lines. */
  const siteSnippet = async (args: string[]) => {
    const r = await runCli(['dhcp-snippet', '--dnsmasq', '--next-server', lab.boot.address, ...args]);
    assert.equal(r.code, 0, r.stderr);
    const conf = join(dir, 'site-pxe.conf');
    await writeFile(conf, r.stdout);
    await lab.startSite(conf);
  };
  /** The site's dnsmasq handed `file` on serve's address (its --log-dhcp lines). */
  const siteNamed = (file: string) => {
    assert.match(lab.siteLog(), new RegExp(`next server: ${lab.boot.address.replaceAll('.', '\\.')}\\b`), lab.logs());
    // in the BOOTP file field or, when the client asks for it, as option 67
    assert.match(lab.siteLog(), new RegExp(`(?:bootfile name: |option: 67 bootfile-name +)${file.replaceAll('.', '\\.')}`), lab.logs());
  };

  await t.test('UEFI GRUB: the site DHCP server names serve as next-server and core.efi; grub.cfg-01-<mac>, kernel and initrd over serve\'s TFTP', async () => {
    const mac = '52:54:00:5f:00:03';
    await publish(mac, { pxelinux: true, ipxe: false, grubNetDir: grub });
    await siteSnippet([]);
    const r = await boot('uefi grub install', { mac, uefi: true, nic: OVMF_PXE, expect: [/NBP filename is boot\/grub\/x86_64-efi\/core\.efi/, ...INSTALL] });
    assert.ok(r.passed, told(r, lab));
    siteNamed('boot/grub/x86_64-efi/core.efi');
    assert.ok(fetched(/^boot\/grub\/grub\.cfg-01-52-54-00-5f-00-03$/u) && fetched(/vmlinuz$/u), `GRUB read its per-MAC file and the kernel from serve: ${lab.logs()}`);
    await assertInstalled(lab, tftpRoot, mac);
    const marker = `REMASTER-LOCAL-DISK ${makeNonce()}`;
    const disk = await makeEfiMarkerDisk(await tempDir('remaster-serve-lab-disk-'), marker);
    const again = await boot('uefi grub second boot', { mac, uefi: true, nic: OVMF_PXE, disk, expect: [/NBP filename is boot\/grub\/x86_64-efi\/core\.efi/, new RegExp(marker)] }, 150_000);
    assert.ok(again.passed, told(again, lab));
    assert.doesNotMatch(again.log, /Linux version|REMASTER-GUEST-INIT/u, 'the kernel never loads on the second boot');
  });

  await t.test('Secure Boot: shim → Debian\'s signed GRUB → the Debian kernel, named by the site DHCP server, served by serve', async () => {
    const mac = '52:54:00:5f:00:04';
    await publish(mac, { pxelinux: true, ipxe: false, grubSigned: signed });
    await siteSnippet(['--efi-file', 'shimx64.efi']);
    const r = await boot('uefi secure boot shim install', { mac, secureBoot: true, nic: OVMF_PXE, expect: [/NBP filename is shimx64\.efi/, /Secure boot enabled/, ...INSTALL] }, 300_000);
    assert.ok(r.passed, told(r, lab));
    siteNamed('shimx64.efi');
    assert.ok(fetched(/^grubx64\.efi$/u) && fetched(/^grub\/grub\.cfg/u), `shim loaded GRUB and GRUB its menu from serve: ${lab.logs()}`);
    await assertInstalled(lab, tftpRoot, mac);
  });

  await t.test('a DHCP client without option 60 PXEClient gets an address from the site server and no answer from serve', async () => {
    await lab.startSite();
    const counts = async () => {
      const r = await lab.boot.run('curl', ['-sS', '--max-time', '10', `${lab.serveUrl}/metrics`]);
      const count = (result: string) => [...r.stdout.matchAll(new RegExp(`^remaster_proxydhcp_datagrams_total\\{[^}]*result="${result}"[^}]*\\} (\\d+)$`, 'gmu'))].reduce((n, m) => n + Number(m[1]), 0);
      return { reply: count('reply'), ignore: count('ignore') };
    };
    const client = await lab.lan.addHost('plain', 60);
    const script = join(dir, 'udhcpc-report.sh');
    await writeFile(script, '#!/bin/sh\n[ "$1" = bound ] && echo "BOUND $ip from $serverid"\nexit 0\n', { mode: 0o755 });
    const before = await counts();
    const r = await client.run(fx.busybox, ['udhcpc', '-i', 'eth0', '-f', '-q', '-n', '-t', '5', '-T', '2', '-s', script], { timeoutMs: 30_000 });
    assert.match(r.stdout, new RegExp(`BOUND ${lab.lan.prefix.replaceAll('.', '\\.')}\\.1\\d\\d from ${lab.site.address.replaceAll('.', '\\.')}\\b`), `udhcpc bound to the site server: ${r.stdout}${r.stderr}`);
    const after = await counts();
    assert.ok(after.ignore > before.ignore, `serve's ProxyDHCP received the DISCOVER (ignored ${before.ignore} → ${after.ignore})`);
    assert.equal(after.reply, before.reply, 'and sent no reply');
    assert.equal(replies(client.mac).length, 0, 'no reply logged for the client');
  });
});
