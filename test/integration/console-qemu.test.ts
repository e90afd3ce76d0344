/**
 * The whole loop once more, driven from the browser: headless Chromium (playwright-core) logs in to
 * `remaster serve --ui` running with ProxyDHCP in a network namespace LAN (test/helpers/netns.ts; the
 * browser runs inside the server's namespace through `ip netns exec`), registers a host, arms it by typing
 * its name; a QEMU guest (SeaBIOS + iPXE, the Debian test kernel, a busybox /init playing anaconda —
 * test/helpers/guest-installer.ts) PXE-boots through serve, fetches its kickstart and runs the injected
 * callbacks; the open host page shows the install move to installed and the once host disarmed, live;
 * the VM's next boot finds no per-MAC script and boots the local disk (there is none: the kernel never loads).
 */
import assert from 'node:assert/strict';
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { test } from 'node:test';
import { chromium } from 'playwright-core';
import { publishTree, readCurrentManifest } from '../../src/index.ts';
import { CONSOLE_KS } from '../helpers/console.ts';
import { ensureFixtures } from '../helpers/fixtures.ts';
import { writeGuestInitrd } from '../helpers/guest-installer.ts';
import { createLan, requireNetns, waitFor } from '../helpers/netns.ts';
import { bootTap, makeNonce } from '../helpers/qemu.ts';
import { CLI, runCli } from '../helpers/run-cli.ts';
import { requireTool } from '../helpers/tools.ts';
import { makeRoots, tempDir } from '../unit/pxe/support.ts';

const VM = '52:54:00:5e:13:01';
const ARTIFACTS = resolve(import.meta.dirname, '../../test-artifacts/console');
const KS = `${CONSOLE_KS.replace('reboot\n', 'poweroff\n')}%pre
echo "REMASTER-OWN-PRE host=$(hostname)"
%end
%post --nochroot
echo REMASTER-OWN-POST
%end
`;

test('console under QEMU: arm in the browser → the VM installs through serve → the page shows it → next boot is local', { timeout: 900_000 }, async (t) => {
  if (!requireNetns(t) || !requireTool(t, 'qemu-system-x86_64', 'dnsmasq', 'chromium')) return;
  const fx = await ensureFixtures(t);
  if (fx === undefined) return;
  const nonce = makeNonce();
  const lan = createLan(t);
  const site = await lan.addHost('site', 2);
  const boot = await lan.addHost('boot', 1);
  const base = `http://${boot.address}:8080`;

  const dir = await tempDir('remaster-console-qemu-');
  const initrd = join(dir, 'initrd.img');
  await writeGuestInitrd(fx, initrd);
  await writeFile(join(dir, 'vm.ks'), KS);
  const { tftpRoot } = await makeRoots();
  await publishTree({
    tftpRoot, kernel: fx.kernel.vmlinuz, initrd, dialect: 'rhel9', label: 'console qemu', serveUrl: base,
    cmdline: ['console=ttyS0', 'panic=-1', `remaster.nonce=${nonce}`], hosts: [], loaders: { pxelinux: true, ipxe: false },
  });
  const stateDir = join(dir, 'state');
  const added = await runCli(['user', 'add', 'op', '--role', 'operator', '--group', 'lab', '--password-stdin', '--state', stateDir], { input: new TextEncoder().encode('op password\n') });
  assert.equal(added.code, 0, added.stderr);

  const dnsmasq = site.spawn('dnsmasq', ['--no-daemon', '--conf-file=/dev/null', '--port=0', '--interface=eth0', '--bind-interfaces', '--user=root',
    `--dhcp-range=${lan.prefix}.100,${lan.prefix}.150,255.255.255.0,1h`, `--dhcp-leasefile=${join(dir, 'leases')}`, `--pid-file=${join(dir, 'dnsmasq.pid')}`, '--log-dhcp', '--log-facility=-']);
  let siteLog = '';
  dnsmasq.stderr!.on('data', (d: Buffer) => (siteLog += d.toString()));
  const serve = boot.spawn(process.execPath, [CLI, 'serve', tftpRoot, '--ui', '--profile', `vm=${join(dir, 'vm.ks')}`, '--listen', boot.address, '--tftp-port', '69', '--http-port', '8080', '--proxy-dhcp', boot.address, '--state', stateDir]);
  let serveOut = '';
  let serveLog = '';
  serve.stdout!.on('data', (d: Buffer) => (serveOut += d.toString()));
  serve.stderr!.on('data', (d: Buffer) => (serveLog += d.toString()));
  await waitFor(() => (serveOut.includes('console') ? true : undefined), 30_000, `remaster serve --ui to start: ${serveOut}${serveLog}`);
  await waitFor(() => (siteLog.includes('DHCP, IP range') ? true : undefined), 15_000, `dnsmasq to start: ${siteLog}`);
  const logs = () => `serve:\n${serveLog.split('\n').slice(-60).join('\n')}\ndnsmasq:\n${siteLog.split('\n').slice(-30).join('\n')}`;

  // the browser, inside the server's namespace (playwright talks to it over a pipe)
  const wrapper = join(dir, 'chromium-in-netns');
  await writeFile(wrapper, `#!/bin/sh\nexec ip netns exec ${boot.ns} /usr/bin/chromium "$@"\n`);
  await chmod(wrapper, 0o755);
  const browser = await chromium.launch({ executablePath: wrapper, headless: true, args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
  t.after(() => browser.close());
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const dialogs: string[] = [];
  page.on('dialog', (d) => {
    dialogs.push(d.message());
    void d.dismiss();
  });
  await page.goto(`${base}/ui/login`);
  await page.fill('input[name=username]', 'op');
  await page.fill('input[name=password]', 'op password');
  await Promise.all([page.waitForURL('**/ui/hosts'), page.click('form.login button[type=submit]')]);

  // register and arm
  await page.click('details summary');
  await page.fill('form.register input[name=mac]', VM);
  await page.fill('form.register input[name=name]', 'vm01');
  await page.selectOption('form.register select[name=profile]', 'vm');
  await Promise.all([page.waitForURL(`**/ui/hosts/${encodeURIComponent(VM)}`), page.click('form.register button[type=submit]')]);
  await page.fill('form.arm input.confirm', 'vm01');
  await Promise.all([page.waitForURL(`**/ui/hosts/${encodeURIComponent(VM)}`), page.click('form.arm button[type=submit]')]);
  assert.equal(await page.textContent('dd.state'), 'armed');
  assert.ok((await readCurrentManifest(tftpRoot))?.model.hosts.some((h) => h.mac === VM && h.once === true), 'armed once in the published tree');

  // 1. the VM installs; the open page follows
  const tap = lan.addTap();
  const first = await bootTap({
    netns: lan.ns, tap, mac: VM, nic: 'e1000', nonce, timeoutMs: 240_000,
    expect: [/boot\.ipxe/, /REMASTER-GUEST-INIT/, /REMASTER-KS-FETCHED/, /REMASTER-OWN-PRE/, /REMASTER-OWN-POST/, /REMASTER-GUEST-DONE ok/],
  });
  t.diagnostic(`install boot: ${first.durationMs} ms`);
  assert.ok(first.passed, `missing ${first.missing.join(', ')}; console tail:\n${first.log.split('\n').slice(-40).join('\n')}\n${logs()}`);
  await waitFor(async () => ((await page.textContent('dd.state')) === 'disarmed' ? true : undefined), 30_000, `the page to show the disarm: ${logs()}`);
  assert.equal(await page.$eval('dd progress', (p) => (p as unknown as { value: number }).value), 9, 'the bar is full');
  const kinds = await page.$$eval('table.timeline tbody tr td:nth-child(2)', (tds) => tds.map((td) => td.textContent));
  for (const k of ['boot-fetched', 'kernel-fetched', 'ks-fetched', 'pre-started', 'pre-done', 'installing', 'post-done', 'installed', 'disarmed']) assert.ok(kinds.includes(k), `the page's timeline shows ${k}: ${kinds.join(' ')}`);
  await mkdir(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: join(ARTIFACTS, 'qemu-host-installed.png'), fullPage: true });
  assert.equal((await readCurrentManifest(tftpRoot))?.model.hosts.some((h) => h.mac === VM), false, 'disarmed in the published tree');

  // 2. the next boot goes to the local disk
  const second = await bootTap({ netns: lan.ns, tap, mac: VM, nic: 'e1000', nonce, timeoutMs: 150_000, expect: [/boot\.ipxe/, /No bootable device|Boot failed/] });
  assert.ok(second.passed, `missing ${second.missing.join(', ')}; console tail:\n${second.log.split('\n').slice(-30).join('\n')}\n${logs()}`);
  assert.doesNotMatch(second.log, /Linux version|REMASTER-GUEST-INIT/u, 'the kernel never loads on the second boot');
  await page.reload();
  assert.equal(await page.textContent('dd.state'), 'disarmed');
  assert.deepEqual(dialogs, []);
  serve.kill('SIGTERM');
});
