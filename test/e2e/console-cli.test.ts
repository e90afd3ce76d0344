/**
 * `remaster serve --ui` as users start it: a user and a token made with the CLI in the same state
 * directory; the console's login page answers, /api/v1 refuses no credentials (401) and answers the
 * bearer token; a registered profile (--profile NAME=FILE) is listed; SIGTERM stops it cleanly.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { publishTree } from '../../src/index.ts';
import { CONSOLE_KS } from '../helpers/console.ts';
import { CLI, runCli } from '../helpers/run-cli.ts';
import { makeBuildDir, makeRoots, tempDir } from '../unit/pxe/support.ts';

test('remaster serve --ui: login page, API with a CLI-made token, profiles', async (t) => {
  const roots = await makeRoots();
  const build = await makeBuildDir();
  const state = await tempDir('remaster-console-cli-');
  const ks = join(await tempDir(), 'web.ks');
  await writeFile(ks, CONSOLE_KS);
  await publishTree({ tftpRoot: roots.tftpRoot, kernel: join(build, 'vmlinuz'), initrd: join(build, 'initrd.img'), dialect: 'rhel9', loaders: { pxelinux: roots.loaderDir, ipxe: false }, hosts: [], serveUrl: 'http://127.0.0.1:1' });
  assert.equal((await runCli(['user', 'add', 'ann', '--role', 'viewer', '--password-stdin', '--state', state], { input: new TextEncoder().encode('pw of ann\n') })).code, 0);
  const token = (await runCli(['token', 'create', 'ann', '--state', state])).stdout.trimEnd().split('\n').at(-1) as string;

  const child = spawn(process.execPath, [CLI, 'serve', roots.tftpRoot, '--ui', '--profile', `web=${ks}`, '--state', state, '--listen', '127.0.0.1', '--tftp-port', '0', '--http-port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
  t.after(() => child.kill('SIGKILL'));
  const deadline = Date.now() + 30_000;
  while (!/console (http:\/\/\S+)\/ui\//u.test(stdout)) {
    if (Date.now() > deadline || child.exitCode !== null) throw new Error(`serve --ui did not start: ${stdout}${stderr}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  const base = (/console (http:\/\/\S+)\/ui\//u.exec(stdout) as RegExpExecArray)[1] as string;
  const login = await fetch(`${base}/ui/login`);
  assert.equal(login.status, 200);
  assert.match(await login.text(), /<form method="post" action="\/ui\/login"/u);
  assert.equal((await fetch(`${base}/api/v1/hosts`)).status, 401, 'loopback alone is not enough with --ui');
  const api = await fetch(`${base}/api/v1/hosts`, { headers: { authorization: `Bearer ${token}` } });
  assert.equal(api.status, 200);
  assert.deepEqual(await api.json(), []);
  const profiles = (await (await fetch(`${base}/api/v1/profiles`, { headers: { authorization: `Bearer ${token}` } })).json()) as { build: { version: number }; profiles: { name: string }[] };
  assert.deepEqual([profiles.build.version, profiles.profiles], [1, [{ name: 'web' }]]);
  child.kill('SIGTERM');
  assert.equal(await exited, 0, stderr);
});
