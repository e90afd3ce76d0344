/**
 * `remaster serve` as users run it: the built CLI serves a published tree on loopback (ports picked by the
 * kernel), prints where, answers /healthz and TFTP (curl), logs JSON lines on stderr, and stops cleanly on
 * SIGTERM; `remaster status` then shows the recorded install state and `remaster events` the timeline.
 */
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { promisify } from 'node:util';
import { publishTree } from '../../src/index.ts';
import { CLI, runCli } from '../helpers/run-cli.ts';
import { requireTool } from '../helpers/tools.ts';
import { makeBuildDir, makeRoots, tempDir } from '../unit/pxe/support.ts';

const run = promisify(execFile);
const MAC = '52:54:00:12:00:31';

test('remaster serve on loopback: health, TFTP, JSON logs, SIGTERM; status and events read the store', async (t) => {
  if (!requireTool(t, 'curl')) return;
  const roots = await makeRoots();
  const build = await makeBuildDir();
  const ks = join(await tempDir(), 'h.ks');
  await writeFile(ks, '#version=RHEL9\ntext\nlang en_US.UTF-8\nkeyboard --xlayouts=us\ntimezone Etc/UTC --utc\nurl --url=http://10.0.0.5/os/\nrootpw --lock\nautopart\n%packages\n%end\n');
  await publishTree({
    tftpRoot: roots.tftpRoot, kernel: join(build, 'vmlinuz'), initrd: join(build, 'initrd.img'), dialect: 'rhel9',
    loaders: { pxelinux: roots.loaderDir, ipxe: false }, hosts: [{ mac: MAC, kickstart: ks, once: true }], serveUrl: 'http://127.0.0.1:1',
  });
  const child = spawn(process.execPath, [CLI, 'serve', roots.tftpRoot, '--listen', '127.0.0.1', '--tftp-port', '0', '--http-port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
  t.after(() => child.kill('SIGKILL'));
  const deadline = Date.now() + 30_000;
  while (!/serving .*tftp 127\.0\.0\.1:(\d+), http (http:\/\/\S+)/u.test(stdout)) {
    if (Date.now() > deadline || child.exitCode !== null) throw new Error(`serve did not start: ${stdout}${stderr}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  const [, tftpPort, httpUrl] = /tftp 127\.0\.0\.1:(\d+), http (http:\/\/\S+)/u.exec(stdout) as RegExpExecArray;
  const health = (await (await fetch(`${httpUrl}/healthz`)).json()) as { ok: boolean; version: number; backend: string };
  assert.deepEqual([health.ok, health.version, health.backend], [true, 1, 'sqlite']);
  const menu = await run('curl', ['-sS', '--fail', `tftp://127.0.0.1:${tftpPort}/pxelinux.cfg/01-${MAC.replaceAll(':', '-')}`]);
  assert.match(menu.stdout, /inst\.ks=http:\/\/127\.0\.0\.1:1\/ks\/52-54-00-12-00-31/u);
  assert.equal((await fetch(`${httpUrl}/ks/52-54-00-12-00-99`)).status, 404);
  child.kill('SIGTERM');
  assert.equal(await exited, 0, stderr);
  const lines = stderr.trim().split('\n').map((l) => JSON.parse(l) as { event?: string; filename?: string; outcome?: string; state?: string });
  assert.ok(lines.some((l) => l.event === 'tftp' && l.filename === `pxelinux.cfg/01-${MAC.replaceAll(':', '-')}` && l.outcome === 'complete'), stderr);
  assert.ok(lines.some((l) => l.event === 'lifecycle' && l.state === 'boot-fetched'), stderr);

  const status = await runCli(['status', roots.tftpRoot]);
  assert.equal(status.code, 0, status.stderr);
  assert.match(status.stdout, new RegExp(`^${MAC}\\tarmed\\tonce\\t.*\\tboot-fetched since `, 'mu'));
  const events = await runCli(['events', roots.tftpRoot, MAC]);
  assert.equal(events.code, 0, events.stderr);
  assert.deepEqual(events.stdout.trim().split('\n').map((l) => l.split('\t')[1]), ['armed', 'boot-fetched']);
});
