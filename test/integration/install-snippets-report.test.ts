/**
 * report.sh's callback contract against a real HTTP server on loopback: remaster_report KIND FILE
 * POSTs the file to $REMASTER_CALLBACK_URL/KIND with curl (dash, system tools) or busybox wget
 * (busybox sh with applets only); the URL comes from the environment, REMASTER_ENV_FILE or the
 * kernel command line; remaster_fail reports `failed` with its message and exits 1; a server that
 * is down costs bounded time and never fails the caller.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { ensureFixtures } from '../helpers/fixtures.ts';
import { callbackServer, runSnippets, shells, writeTree, type Received } from '../helpers/snippets.ts';
import { requireTool } from '../helpers/tools.ts';
import { tmpDir } from '../helpers/tmp-dir.ts';

async function server(t: import('node:test').TestContext): Promise<{ base: string; received: Received[]; port: number }> {
  const { port, received } = await callbackServer(t);
  return { base: `http://127.0.0.1:${port}/cb/52:54:00:12:34:56/0123abcd`, received, port };
}

test('remaster_report posts the inventory with curl (dash) and busybox wget (applets only); remaster_fail reports failed and exits 1', async (t) => {
  if (!requireTool(t, 'curl')) return;
  const fx = await ensureFixtures(t);
  if (!fx) return;
  const dir = await tmpDir(t);
  const srv = await server(t);
  const inventory = '{"schema":"remaster-inventory/1","disks":[{"name":"sda","model":"a \\"b\\""}]}\n';
  writeTree(dir, { 'inventory.json': inventory });
  for (const shell of shells(fx.busybox, dir)) {
    srv.received.length = 0;
    const r = await runSnippets(shell, ['report.sh'], `remaster_report inventory '${join(dir, 'inventory.json')}'; echo "rc=$?"; remaster_fail 'install.require.disks.count ">=4": measured 3'; echo unreachable`, {
      REMASTER_CALLBACK_URL: `${srv.base}/`, REMASTER_ENV_FILE: join(dir, 'none.env'), TMPDIR: dir,
    });
    assert.equal(r.status, 1, `${shell.name}: ${r.stdout}${r.stderr}`);
    assert.match(r.stdout, /^rc=0\nremaster: FAILED: install\.require\.disks\.count ">=4": measured 3\n$/u, shell.name);
    assert.deepEqual(srv.received, [
      { method: 'POST', url: '/cb/52:54:00:12:34:56/0123abcd/inventory', type: 'application/json', body: inventory },
      { method: 'POST', url: '/cb/52:54:00:12:34:56/0123abcd/failed', type: 'text/plain; charset=utf-8', body: 'install.require.disks.count ">=4": measured 3\n' },
    ], shell.name);
  }
});

test('the callback URL comes from REMASTER_ENV_FILE (what remaster serve writes) or else from remaster.callback= on the kernel command line', async (t) => {
  const fx = await ensureFixtures(t);
  if (!fx) return;
  const dir = await tmpDir(t);
  const srv = await server(t);
  const busybox = shells(fx.busybox, dir)[1]!;
  writeTree(dir, {
    'remaster.env': `REMASTER_CALLBACK_URL='${srv.base}'\nREMASTER_HOST_NAME='web-01'\n`,
    'proc/cmdline': `BOOT_IMAGE=vmlinuz remaster.callback=${srv.base}/from-cmdline quiet\n`,
  });
  await runSnippets(busybox, ['report.sh'], "remaster_report_text log 'raid: created md0'", { REMASTER_ENV_FILE: join(dir, 'remaster.env'), REMASTER_PROCFS: join(dir, 'proc'), TMPDIR: dir });
  await runSnippets(busybox, ['report.sh'], "remaster_report_text log 'from the command line'", { REMASTER_ENV_FILE: join(dir, 'absent.env'), REMASTER_PROCFS: join(dir, 'proc'), TMPDIR: dir });
  assert.deepEqual(srv.received.map((x) => [x.url, x.body]), [
    ['/cb/52:54:00:12:34:56/0123abcd/log', 'raid: created md0\n'],
    ['/cb/52:54:00:12:34:56/0123abcd/from-cmdline/log', 'from the command line\n'],
  ]);
});

test('a server that is down: three bounded attempts, logged, and the caller goes on with status 0', async (t) => {
  const fx = await ensureFixtures(t);
  if (!fx) return;
  const dir = await tmpDir(t);
  const srv = await server(t);
  const down = srv.base.replace(`:${srv.port}/`, ':9/'); // the discard port: nothing listens on loopback
  const started = Date.now();
  const r = await runSnippets(shells(fx.busybox, dir)[1]!, ['report.sh'], 'remaster_report_text log x; echo "rc=$?"', { REMASTER_CALLBACK_URL: down, REMASTER_REPORT_TIMEOUT: '2', TMPDIR: dir, REMASTER_ENV_FILE: join(dir, 'none') });
  const elapsed = Date.now() - started;
  assert.match(r.stdout, /attempt 1 of 3 failed\nremaster: report log: attempt 2 of 3 failed\nremaster: report log: attempt 3 of 3 failed\nremaster: report log: not delivered to the server\nrc=0\n$/u, r.stdout + r.stderr);
  assert.ok(elapsed < 3 * 2000 + 2 * 2000 + 5000, `bounded: ${elapsed} ms`);
});
