/**
 * The web console in a real headless Chromium (Debian's chromium, driven by playwright-core): admin,
 * operator and viewer log in; the operator arms a host by typing its name (the button stays disabled
 * until the name matches) and watches the progress bar move, live over SSE, while a simulated installer
 * fetches its menu and kernel over HTTP, its kickstart from /ks, and runs the kickstart's injected
 * callback lines with sh (curl), as anaconda would; the once host ends disarmed in the published tree
 * and the open pages show it no longer armed (Armed: no, no disarm form) without a reload.
 * The viewer sees the same page without any action. A host named `<script>alert(1)</script>` and log
 * tails with ANSI escapes and HTML render as text: no dialog opens, no element is injected.
 * Screenshots of the hosts page and host pages go to test-artifacts/console/ (gitignored).
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { test } from 'node:test';
import { promisify } from 'node:util';
import { chromium, type Browser, type Page } from 'playwright-core';
import { parseKickstart, readCurrentManifest } from '../../src/index.ts';
import { LAB_MAC, OTHER_MAC, PASSWORD, startConsole } from '../helpers/console.ts';
import { requireTool } from '../helpers/tools.ts';
import { tempDir } from '../unit/pxe/support.ts';

const run = promisify(execFile);
const ARTIFACTS = resolve(import.meta.dirname, '../../test-artifacts/console');
const HOSTILE_MAC = '52:54:00:13:00:66';
const HOSTILE_NAME = '<script>alert(1)</script>';
const HOSTILE_LOG = '\u001b[31mERROR\u001b[0m disk <img src=x onerror=alert(2)> failed\n\u001b]0;title\u0007<b id="injected">bold</b>\n';

async function login(browser: Browser, base: string, user: string, dialogs: string[]): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  page.on('dialog', (d) => {
    dialogs.push(`${user}: ${d.message()}`);
    void d.dismiss();
  });
  await page.goto(`${base}/ui/login`);
  await page.fill('input[name=username]', user);
  await page.fill('input[name=password]', PASSWORD);
  await Promise.all([page.waitForURL('**/ui/hosts'), page.click('form.login button[type=submit]')]);
  return page;
}

test('the console in headless Chromium: roles, arm by typing the name, live progress, hostile data as text', async (t) => {
  if (!requireTool(t, 'chromium', 'curl', 'sh')) return;
  const s = await startConsole(t, { liveIntervalMs: 150 });
  assert.ok(s);
  await s.srv.store.createHost({ mac: HOSTILE_MAC, name: HOSTILE_NAME, group: 'lab' }, 'admin');
  await s.srv.store.putBlob(HOSTILE_MAC, 'log:failed', HOSTILE_LOG);
  await s.srv.store.putBlob(HOSTILE_MAC, 'inventory', '{"cpu":"<svg onload=alert(3)>"}');
  await mkdir(ARTIFACTS, { recursive: true });
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
  t.after(() => browser.close());
  const dialogs: string[] = [];

  await t.test('admin sees every host and the users page', async () => {
    const page = await login(browser, s.base, 'admin', dialogs);
    const macs = await page.$$eval('#hosts tbody tr', (rows) => rows.map((r) => r.getAttribute('data-mac')));
    assert.deepEqual(macs, [LAB_MAC, OTHER_MAC, HOSTILE_MAC]);
    await page.click('nav a[href="/ui/users"]');
    assert.deepEqual(await page.$$eval('table.users tbody tr td:first-child', (tds) => tds.map((td) => td.textContent)), ['admin', 'op', 'other', 'viewer']);
  });

  const viewer = await login(browser, s.base, 'viewer', dialogs);
  const operator = await login(browser, s.base, 'op', dialogs);

  await t.test('hostile host name and log tails render as text', async () => {
    for (const page of [operator, viewer]) {
      await page.goto(`${s.base}/ui/hosts`);
      const name = await page.textContent(`#hosts tr[data-mac="${HOSTILE_MAC}"] td.name`);
      assert.equal(name, HOSTILE_NAME);
      assert.equal(await page.locator('main script').count(), 0, 'no script element in the page body');
      await page.goto(`${s.base}/ui/hosts/${HOSTILE_MAC}`);
      assert.equal(await page.textContent('h1'), HOSTILE_NAME);
      const log = (await page.textContent('pre.log')) as string;
      assert.ok(log.includes('ERROR disk <img src=x onerror=alert(2)> failed'), log);
      assert.ok(log.includes('<b id="injected">bold</b>'), log);
      assert.ok(!log.includes('\u001b'), 'escape sequences removed');
      assert.ok(((await page.textContent('pre.inventory')) as string).includes('<svg onload=alert(3)>'));
      assert.equal(await page.locator('main img, main svg, #injected, main script').count(), 0, 'no injected element');
    }
    await operator.screenshot({ path: join(ARTIFACTS, 'hostile-host.png'), fullPage: true });
    await new Promise((r) => setTimeout(r, 300));
    assert.deepEqual(dialogs, [], 'no dialog opened');
  });

  await t.test('the operator arms by typing the name and watches the progress bar move as the installer reports', async () => {
    await operator.goto(`${s.base}/ui/hosts/${LAB_MAC}`);
    await viewer.goto(`${s.base}/ui/hosts/${LAB_MAC}`);
    const button = operator.locator('form.arm button[type=submit]');
    assert.equal(await button.isDisabled(), true, 'disabled before the name is typed');
    await operator.fill('form.arm input.confirm', 'web0');
    assert.equal(await button.isDisabled(), true, 'a wrong name keeps it disabled');
    await operator.fill('form.arm input.confirm', 'web01');
    assert.equal(await button.isDisabled(), false);
    assert.equal(await operator.isChecked('form.arm input[name=once]'), true, 'once by default');
    await Promise.all([operator.waitForURL(`**/ui/hosts/${LAB_MAC}`), button.click()]);
    assert.equal(await operator.textContent('dd.state'), 'armed');
    assert.equal(await operator.textContent('.armed-by'), 'op');
    assert.equal(await operator.textContent('dd.armed .armed-value'), 'yes, once');
    assert.equal(await operator.locator('form.disarm').count(), 1, 'an armed host can be disarmed');
    const m = await readCurrentManifest(s.tftpRoot);
    const host = m?.model.hosts.find((h) => h.mac === LAB_MAC);
    assert.ok(host?.once && m, 'armed once in the published tree');

    const bar = (page: Page) => page.$eval('dd progress', (p) => (p as unknown as { value: number }).value);
    const seen: number[] = [];
    const reach = async (value: number, state: string) => {
      // both live pages follow, the operator's and the viewer's
      for (const page of [operator, viewer]) {
        const deadline = Date.now() + 15_000;
        for (;;) {
          const v = await page.$eval('dd progress', (p) => (p as unknown as { value: number }).value);
          if (v === value && (await page.textContent('dd.state')) === state) break;
          if (Date.now() > deadline) throw new Error(`the bar did not reach ${value} (${state}); it shows ${v} ${await page.textContent('dd.state')}`);
          await new Promise((r) => setTimeout(r, 50));
        }
      }
      seen.push(value);
    };
    seen.push(await bar(operator));

    // the installer: menu and kernel over HTTP, then the kickstart, then its %pre/%pre-install/%post sections
    const hyp = LAB_MAC.replaceAll(':', '-');
    assert.equal((await fetch(`${s.base}/pxelinux.cfg/01-${hyp}`)).status, 200);
    await reach(2, 'boot-fetched');
    assert.equal((await fetch(`${s.base}/${m.model.kernel.path}`)).status, 200);
    await reach(3, 'kernel-fetched');
    await operator.screenshot({ path: join(ARTIFACTS, 'host-installing.png'), fullPage: true });
    const out = await tempDir();
    // the installer's /tmp is this test's directory: never the machine's shared /tmp/remaster.env
    const ks = (await (await fetch(`${s.base}/ks/${LAB_MAC}`)).text()).replaceAll('/tmp/', `${out}/`);
    await reach(4, 'ks-fetched');
    const section = async (name: string) => {
      for (const node of parseKickstart(ks).nodes) {
        if (node.kind === 'section' && node.name === name) await run('sh', ['-eu', '-c', node.body], { env: { ...process.env, OUT: out, TMPDIR: out }, timeout: 60_000 });
      }
    };
    await section('pre');
    await reach(6, 'pre-done');
    await section('pre-install');
    await reach(7, 'installing');
    await section('post');
    await reach(9, 'disarmed'); // installed, then the once host is disarmed
    assert.deepEqual(seen, [1, 2, 3, 4, 6, 7, 9]);
    // the open pages follow the tree too: no longer armed, nothing left to disarm (no reload)
    for (const page of [operator, viewer]) {
      const deadline = Date.now() + 15_000;
      while ((await page.textContent('dd.armed .armed-value')) !== 'no') {
        if (Date.now() > deadline) throw new Error(`the Armed field stayed ${await page.textContent('dd.armed .armed-value')} after the disarm`);
        await new Promise((r) => setTimeout(r, 50));
      }
    }
    assert.equal(await operator.locator('form.disarm').count(), 0, 'the disarm form is gone live');
    assert.equal((await readCurrentManifest(s.tftpRoot))?.model.hosts.some((h) => h.mac === LAB_MAC), false, 'the next boot goes to local disk');
    const kinds = await operator.$$eval('table.timeline tbody tr td:nth-child(2)', (tds) => tds.map((td) => td.textContent));
    for (const k of ['boot-fetched', 'kernel-fetched', 'ks-fetched', 'pre-started', 'pre-done', 'installing', 'post-done', 'installed', 'disarmed']) assert.ok(kinds.includes(k), `timeline shows ${k} live: ${kinds.join(',')}`);
    await operator.screenshot({ path: join(ARTIFACTS, 'host-operator.png'), fullPage: true });
    await operator.goto(`${s.base}/ui/hosts`);
    assert.equal(await operator.textContent(`#hosts tr[data-mac="${LAB_MAC}"] td.state`), 'disarmed');
    await operator.screenshot({ path: join(ARTIFACTS, 'hosts.png'), fullPage: true });
  });

  await t.test('the viewer sees the same host page without action buttons', async () => {
    await viewer.goto(`${s.base}/ui/hosts/${LAB_MAC}`);
    assert.equal(await viewer.textContent('dd.state'), 'disarmed');
    assert.equal(await viewer.locator('section.actions, form.arm, form.disarm').count(), 0);
    assert.deepEqual(await viewer.$$eval('main button', (b) => b.map((x) => x.textContent)), [], 'no buttons in the page body');
    await operator.goto(`${s.base}/ui/hosts/${LAB_MAC}`);
    assert.equal(await operator.locator('form.arm').count(), 1, 'the operator has the re-arm form');
    await viewer.screenshot({ path: join(ARTIFACTS, 'host-viewer.png'), fullPage: true });
    await viewer.goto(`${s.base}/ui/hosts`);
    await viewer.screenshot({ path: join(ARTIFACTS, 'hosts-viewer.png'), fullPage: true });
    assert.deepEqual(dialogs, [], 'no dialog opened');
  });
});
