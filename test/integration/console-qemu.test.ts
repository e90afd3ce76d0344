/**
 * The whole loop once more, driven from the browser: headless Chromium (Debian's chromium through
 * playwright-core) logs in to `remaster serve --ui` (the built CLI) as an operator, registers a host and
 * arms it by typing its name. serve runs with ProxyDHCP beside a site dnsmasq that hands out addresses
 * only, in a LAN of network namespaces (test/helpers/netns.ts); the browser runs inside serve's namespace
 * (`ip netns exec`; playwright talks to it over a pipe), so nothing listens outside the test's namespaces.
 * A QEMU guest (SeaBIOS + iPXE on e1000, a local disk that prints a marker when booted —
 * test/helpers/local-disks.ts) PXE-boots through serve into the Debian test kernel and a busybox /init
 * playing anaconda (test/helpers/guest-installer.ts): it fetches its kickstart from serve and runs the
 * kickstart's sections with the callbacks serve injected. The open host page, never reloaded, follows
 * live: every state of the install in order, installed (the full bar, the timeline), then disarmed, and
 * its Armed field turns from "yes, once" to "no". The same VM's next boot finds no per-MAC script and
 * boots its local disk: the disk's marker prints, the kernel never loads.
 * A screenshot of the host page goes to test-artifacts/console/ (gitignored). The VM boots twice (the
 * scenario: install, then the next boot), one configuration.
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
import { makeBiosMarkerDisk } from '../helpers/local-disks.ts';
import { createSiteLan, requireNetns, waitFor } from '../helpers/netns.ts';
import { bootTap, makeNonce } from '../helpers/qemu.ts';
import { runCli } from '../helpers/run-cli.ts';
import { startServe } from '../helpers/serve-lab.ts';
import { requireFile, requireTool } from '../helpers/tools.ts';
import { makeRoots, tempDir } from '../unit/pxe/support.ts';

const VM = '52:54:00:5e:13:01';
const NAME = 'vm01';
const PASSWORD = 'operator password';
const ARTIFACTS = resolve(import.meta.dirname, '../../test-artifacts/console');
/** The install states the page may show, in order (the live view polls, so it may skip some). */
const ORDER = ['armed', 'boot-fetched', 'kernel-fetched', 'ks-fetched', 'pre-started', 'pre-done', 'installing', 'post-done', 'installed', 'disarmed'];
const KS = `${CONSOLE_KS.replace('reboot\n', 'poweroff\n')}%pre
echo "REMASTER-OWN-PRE host=$(hostname)"
%end
%post --nochroot
echo REMASTER-OWN-POST
%end
`;

test('console under QEMU: arm in the browser → the VM installs through serve → the page shows it live → the next boot is the local disk', { timeout: 900_000 }, async (t) => {
  if (!requireNetns(t) || !requireTool(t, 'qemu-system-x86_64', 'dnsmasq', 'chromium') || !requireFile(t, '/usr/lib/ipxe/undionly.kpxe', 'ipxe')) return;
  const fx = await ensureFixtures(t);
  if (fx === undefined) return;
  const nonce = makeNonce();
  const diskNonce = makeNonce();
  const dir = await tempDir('remaster-console-qemu-');
  // the network: dnsmasq (addresses only) on "site"; remaster serve --ui with ProxyDHCP on "boot" (below)
  const { lan, boot, siteDhcp } = await createSiteLan(t, dir);
  const base = `http://${boot.address}:8080`;

  // the tree (no host armed yet), a profile, an operator of group lab
  const initrd = join(dir, 'initrd.img');
  await writeGuestInitrd(fx, initrd);
  await writeFile(join(dir, 'vm.ks'), KS);
  const disk = await makeBiosMarkerDisk(dir, `REMASTER-LOCAL-DISK ${diskNonce}`);
  const { tftpRoot } = await makeRoots();
  await publishTree({
    tftpRoot, kernel: fx.kernel.vmlinuz, initrd, dialect: 'rhel9', label: 'console qemu', serveUrl: base,
    cmdline: ['console=ttyS0', 'panic=-1', `remaster.nonce=${nonce}`], hosts: [], loaders: { pxelinux: true, ipxe: true }, // BIOS iPXE published: serve hands the iPXE ROM boot.ipxe (src/serve/boot-policy.ts)
  });
  const stateDir = join(dir, 'state');
  const added = await runCli(['user', 'add', 'op', '--role', 'operator', '--group', 'lab', '--password-stdin', '--state', stateDir], { input: new TextEncoder().encode(`${PASSWORD}\n`) });
  assert.equal(added.code, 0, added.stderr);

  const serve = await startServe(boot, tftpRoot, stateDir, { args: ['--ui', '--profile', `vm=${join(dir, 'vm.ks')}`], ready: `console ${base}/ui/` });
  const logs = () => `serve:\n${serve.log().split('\n').slice(-60).join('\n')}\ndnsmasq:\n${siteDhcp.log().split('\n').slice(-30).join('\n')}`;

  // the browser, inside serve's namespace
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
  await page.fill('input[name=password]', PASSWORD);
  await Promise.all([page.waitForURL('**/ui/hosts'), page.click('form.login button[type=submit]')]);

  // register, then arm by typing the name (the button stays disabled until it matches)
  await page.click('details summary');
  await page.fill('form.register input[name=mac]', VM);
  await page.fill('form.register input[name=name]', NAME);
  await page.selectOption('form.register select[name=profile]', 'vm');
  await Promise.all([page.waitForURL(`**/ui/hosts/${encodeURIComponent(VM)}`), page.click('form.register button[type=submit]')]);
  const arm = page.locator('form.arm button[type=submit]');
  await page.fill('form.arm input.confirm', 'vm0');
  assert.equal(await arm.isDisabled(), true, 'a wrong name keeps the button disabled');
  await page.fill('form.arm input.confirm', NAME);
  await Promise.all([page.waitForURL(`**/ui/hosts/${encodeURIComponent(VM)}`), arm.click()]);
  assert.equal(await page.textContent('dd.state'), 'armed');
  assert.equal(await page.textContent('dd.armed .armed-value'), 'yes, once');
  assert.equal(await page.textContent('.armed-by'), 'op');
  assert.ok((await readCurrentManifest(tftpRoot))?.model.hosts.some((h) => h.mac === VM && h.once === true), 'armed once in the published tree');

  // from here on the page is never reloaded: record what it shows as the live updates write it
  // (the script runs in the page; this project's TypeScript has no DOM types, hence a string)
  await page.evaluate(`(() => {
    const state = document.querySelector('dd.state');
    const armed = document.querySelector('dd.armed .armed-value');
    window.seen = { states: [state.textContent], armed: [armed.textContent] };
    const watch = (el, into) => new MutationObserver(() => {
      if (into[into.length - 1] !== el.textContent) into.push(el.textContent);
    }).observe(el, { childList: true, characterData: true, subtree: true });
    watch(state, window.seen.states);
    watch(armed, window.seen.armed);
  })()`);
  const seen = () => page.evaluate<{ states: string[]; armed: string[] }>('window.seen');

  // 1. the VM installs through serve; the open page follows
  const tap = lan.addTap();
  const first = await bootTap({
    netns: lan.ns, tap, mac: VM, nic: 'e1000', disk, nonce, timeoutMs: 240_000,
    expect: [/boot\.ipxe/, /REMASTER-GUEST-INIT/, /REMASTER-KS-FETCHED/, /REMASTER-OWN-PRE/, /REMASTER-OWN-POST/, /REMASTER-GUEST-DONE ok/],
  });
  t.diagnostic(`install boot: ${first.durationMs} ms`);
  assert.ok(first.passed, `missing ${first.missing.join(', ')}; console tail:\n${first.log.split('\n').slice(-40).join('\n')}\n${logs()}`);
  assert.match(first.log, new RegExp(`REMASTER-KS-URL ${base.replaceAll('.', '\\.')}/ks/52-54-00-5e-13-01`, 'u'), 'the kickstart serve rendered for this host');
  assert.doesNotMatch(first.log, /REMASTER-LOCAL-DISK/u, 'the armed boot never reaches the disk');
  await waitFor(async () => ((await seen()).armed.at(-1) === 'no' && (await page.textContent('dd.state')) === 'disarmed' ? true : undefined), 30_000, 'the page to show the disarm')
    .catch(async (err: Error) => assert.fail(`${err.message}; it showed ${JSON.stringify(await seen())}\n${logs()}`));
  const shown = await seen();
  t.diagnostic(`the page showed: ${shown.states.join(' → ')}; Armed: ${shown.armed.join(' → ')}`);
  assert.deepEqual(shown.armed, ['yes, once', 'no'], 'the Armed field follows the tree live');
  assert.deepEqual([...shown.states].sort((a, b) => ORDER.indexOf(a) - ORDER.indexOf(b)), shown.states, `states in install order: ${shown.states.join(' ')}`);
  assert.ok(shown.states.every((s) => ORDER.includes(s)), `only install states: ${shown.states.join(' ')}`);
  // the live view polls (1 s): the last seconds (ks-fetched … installed) may fall between two polls, the
  // ~20 s the guest kernel takes to boot after kernel-fetched may not
  assert.equal(shown.states[0], 'armed');
  assert.equal(shown.states.at(-1), 'disarmed');
  assert.ok(shown.states.length >= 3, `the page moved through the install, not just armed → disarmed: ${shown.states.join(' ')}`);
  assert.equal(await page.$eval('dd progress', (p) => (p as unknown as { value: number }).value), 9, 'the bar is full: installed');
  const kinds = await page.$$eval('table.timeline tbody tr td:nth-child(2)', (tds) => tds.map((td) => td.textContent));
  for (const k of ['boot-fetched', 'kernel-fetched', 'ks-fetched', 'pre-started', 'pre-done', 'installing', 'post-done', 'installed', 'disarmed']) assert.ok(kinds.includes(k), `the page's timeline shows ${k} live: ${kinds.join(' ')}`);
  assert.ok(kinds.indexOf('installed') < kinds.indexOf('disarmed'), 'installed, then disarmed');
  assert.equal(await page.locator('form.disarm').count(), 0, 'nothing left to disarm');
  await mkdir(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: join(ARTIFACTS, 'qemu-host-installed.png'), fullPage: true });
  assert.equal((await readCurrentManifest(tftpRoot))?.model.hosts.some((h) => h.mac === VM), false, 'disarmed in the published tree');

  // 2. the same VM boots again: no per-MAC script, iPXE hands over to the local disk, no kernel
  const second = await bootTap({ netns: lan.ns, tap, mac: VM, nic: 'e1000', disk, nonce: diskNonce, timeoutMs: 150_000, expect: [/boot\.ipxe/, /REMASTER-LOCAL-DISK NONCE/] });
  t.diagnostic(`local boot: ${second.durationMs} ms`);
  assert.ok(second.passed, `missing ${second.missing.join(', ')}; console tail:\n${second.log.split('\n').slice(-30).join('\n')}\n${logs()}`);
  assert.doesNotMatch(second.log, /Linux version|REMASTER-GUEST-INIT/u, 'the kernel never loads on the second boot');
  await page.reload();
  assert.equal(await page.textContent('dd.state'), 'disarmed');
  assert.equal(await page.textContent('dd.armed .armed-value'), 'no');
  assert.deepEqual(dialogs, []);
  serve.child.kill('SIGTERM');
});
