/**
 * Served answers with callbacks: the kickstart keeps every line of the host's own, gains the report
 * sections in the right places, passes pykickstart's ksvalidator for RHEL 5/6/7/9, and its sections,
 * run in order by a real `sh`, report to an HTTP server on loopback through curl and through busybox's
 * wget (whichever the shell finds), with the %pre log tail in the failure report. Preseed and
 * autoinstall get the same callbacks in their command hooks.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { createServer, type IncomingMessage } from 'node:http';
import { mkdir, readFile, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { parse as parseYaml } from 'yaml';
import { parseKickstart, renderServedKickstart, renderServedPreseed, renderServedAutoinstall, type KickstartSection } from '../../../src/index.ts';
import { ensureFixtures } from '../../helpers/fixtures.ts';
import { ksvalidate, requireKsvalidator } from '../../helpers/ksvalidator.ts';
import { tmpDir } from '../../helpers/tmp-dir.ts';
import { requireTool } from '../../helpers/tools.ts';

const KS = new URL('../../../fixtures/kickstart/', import.meta.url).pathname;

interface Received {
  method: string;
  url: string;
  body: string;
  type: string | undefined;
}

/** An HTTP server on 127.0.0.1 that records every request and answers 204. */
async function recorder(t: TestContext): Promise<{ base: string; got: Received[] }> {
  const got: Received[] = [];
  const server = createServer((req: IncomingMessage, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      got.push({ method: req.method ?? '', url: req.url ?? '', body: Buffer.concat(chunks).toString('utf8'), type: req.headers['content-type'] });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.after(() => new Promise<void>((r) => server.close(() => r())));
  const address = server.address() as { port: number };
  return { base: `http://127.0.0.1:${address.port}/cb/52-54-00-12-34-56/s3cr3t`, got };
}

/** Run a script with sh without blocking the event loop (the recording server lives in this process). */
function sh(body: string, env: NodeJS.ProcessEnv, shell = 'sh'): Promise<{ status: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(shell, ['-c', body], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('close', (status) => {
      clearTimeout(timer);
      resolve({ status, output });
    });
  });
}

/** Run the sections of a rendered kickstart in anaconda's order with sh (%pre, %pre-install, %post), honouring --log and --erroronfail. */
async function runKickstart(text: string, env: NodeJS.ProcessEnv): Promise<void> {
  // the snippets' env file goes to the test's directory, not the machine's shared /tmp
  const own = env.TMPDIR !== undefined ? text.replaceAll('/tmp/remaster.env', `${env.TMPDIR}/remaster.env`) : text;
  const sections = parseKickstart(own).nodes.filter((n): n is KickstartSection => n.kind === 'section');
  for (const name of ['pre', 'pre-install', 'post']) {
    for (const s of sections.filter((x) => x.name === name)) {
      const log = s.args.find((a) => a.startsWith('--log='))?.slice(6);
      const r = await sh(s.body, env);
      if (log !== undefined) await writeFile(log, r.output);
      if (s.args.includes('--erroronfail') && r.status !== 0) {
        for (const e of sections.filter((x) => x.name === 'onerror')) await sh(e.body, env);
        return;
      }
    }
  }
}

test('the served kickstart keeps the host\'s own sections, adds the callbacks, and passes ksvalidator for every RHEL generation', async (t) => {
  const dir = await tmpDir(t, 'remaster-served-ks-');
  const files: string[] = [];
  const originals: string[] = [];
  const checks: [string, string][] = [['rhel5.ks', 'rhel5'], ['rhel6.ks', 'rhel6'], ['rhel7.ks', 'rhel7'], ['rhel9.ks', 'rhel9']];
  for (const [name, dialect] of checks) {
    const own = await readFile(join(KS, name), 'utf8');
    const served = renderServedKickstart(own, 'http://10.0.0.1:8080/cb/52-54-00-12-34-56/abc', dialect as 'rhel9');
    for (const line of own.split('\n').filter((l) => l.trim() !== '' && !/^%(pre|post)\b/u.test(l))) assert.ok(served.includes(line), `${name}: lost line ${JSON.stringify(line)}`);
    const sections = parseKickstart(served).nodes.filter((n): n is KickstartSection => n.kind === 'section');
    const pre = sections.filter((s) => s.name === 'pre');
    assert.match(pre[0]?.body ?? '', /remaster_report pre-started <\/dev\/null\n$/u);
    // the install snippets' env file comes next, before the host's own %pre
    assert.match(pre[1]?.body ?? '', /^REMASTER_CALLBACK_URL='http:\/\/10\.0\.0\.1:8080\/cb\/52-54-00-12-34-56\/abc'$/mu);
    assert.match(pre.at(-1)?.body ?? '', /remaster_report pre-done <\/dev\/null\n$/u);
    const post = sections.filter((s) => s.name === 'post');
    assert.deepEqual(post.slice(-2).map((s) => [s.args, /remaster_report (\S+)/u.exec(s.body.split('\n').at(-2) ?? '')?.[1]]), [[['--nochroot'], 'post-done'], [['--nochroot'], 'installed']]);
    const modern = dialect === 'rhel7' || dialect === 'rhel9';
    assert.equal(sections.some((s) => s.name === 'onerror'), modern, `${name}: %onerror only where anaconda has it`);
    assert.equal(sections.some((s) => s.name === 'pre-install' && s.body.includes('remaster_report installing')), modern);
    if (!modern) assert.ok(sections.some((s) => s.name === 'traceback' && s.body.includes('remaster_report failed')), `${name}: %traceback reports the failure`);
    assert.ok(sections.filter((s) => ['pre', 'post'].includes(s.name) && !s.body.startsWith('# remaster: begin serve')).every((s) => s.body.includes('export REMASTER_CALLBACK_URL')), `${name}: every script section can call remaster_report`);
    const file = join(dir, `served-${name}`);
    await writeFile(file, served);
    files.push(file);
    originals.push(join(KS, name));
  }
  if (!requireKsvalidator(t)) return;
  const versions = ['RHEL5', 'RHEL6', 'RHEL7', 'RHEL9'];
  for (const [i, file] of files.entries()) {
    const [served, own] = await ksvalidate([versions[i] as string], [file, originals[i] as string], dir);
    // the host's own file may carry deprecation notes; the served one adds nothing to them
    assert.deepEqual([served?.rc, served?.messages.map((m) => m.replace(/line \d+/u, 'line N'))], [own?.rc, own?.messages.map((m) => m.replace(/line \d+/u, 'line N'))], `${file} (${versions[i]})`);
    assert.ok((served?.rc ?? 1) === 0 || (served?.messages ?? []).every((m) => /deprecated/iu.test(m)), `${file}: ${served?.messages.join('\n')}`);
  }
});

test('run by sh with curl, the sections report every state in order and the failure report carries the %pre log tail', async (t) => {
  if (!requireTool(t, 'curl')) return;
  const { base, got } = await recorder(t);
  const dir = await tmpDir(t, 'remaster-served-run-');
  const own = '#version=RHEL9\ncmdline\n%pre --erroronfail\necho "checking disks"\nremaster_report inventory <<EOF\n{"disks":1}\nEOF\n%end\n%post\necho post\n%end\n';
  const served = renderServedKickstart(own, base, 'rhel9');
  await runKickstart(served, { PATH: process.env.PATH ?? '/usr/bin:/bin', TMPDIR: dir });
  assert.deepEqual(got.map((g) => `${g.method} ${g.url.replace(/^.*\//u, '')}`), ['POST pre-started', 'POST inventory', 'POST pre-done', 'POST installing', 'POST post-done', 'POST installed']);
  assert.equal(got[1]?.body, '{"disks":1}\n');
  assert.equal(got[0]?.type, 'application/octet-stream');
  assert.ok(got.every((g) => g.url.startsWith('/cb/52-54-00-12-34-56/s3cr3t/')));

  got.length = 0;
  const failing = '#version=RHEL9\ncmdline\n%pre --erroronfail\necho "no disk matches the RAID profile: FAIL-MARKER-7"\nexit 3\n%end\n';
  await runKickstart(renderServedKickstart(failing, base, 'rhel9'), { PATH: process.env.PATH ?? '/usr/bin:/bin', TMPDIR: dir });
  assert.deepEqual(got.map((g) => g.url.replace(/^.*\//u, '')), ['pre-started', 'failed']);
  assert.match(got[1]?.body ?? '', /^reason: the installer ran %onerror\n/u);
  assert.match(got[1]?.body ?? '', /==> \/tmp\/remaster-pre-1\.log <==\n.*FAIL-MARKER-7/su);
});

test('with only busybox (no curl), the function falls back to wget --post-file and still never fails', async (t) => {
  const fx = await ensureFixtures(t);
  if (fx === undefined) return;
  const { base, got } = await recorder(t);
  const dir = await tmpDir(t, 'remaster-served-bb-');
  const bin = join(dir, 'bin');
  await mkdir(bin);
  for (const applet of ['sh', 'wget', 'tail', 'rm', 'sleep', 'cat', 'timeout', 'mkdir', 'dirname']) await symlink(fx.busybox, join(bin, applet));
  const env = { PATH: bin, TMPDIR: dir };
  const served = renderServedKickstart('#version=RHEL9\ncmdline\n%post\necho hi\n%end\n', base, 'rhel9');
  const posts = parseKickstart(served).nodes.filter((n): n is KickstartSection => n.kind === 'section' && n.name === 'post');
  for (const s of posts) assert.equal((await sh(s.body, env, join(bin, 'sh'))).status, 0);
  assert.deepEqual(got.map((g) => `${g.method} ${g.url.replace(/^.*\//u, '')} ${g.type}`), ['POST post-done application/octet-stream', 'POST installed application/octet-stream']);
  // the server is gone: three bounded attempts, then success anyway
  const down = renderServedKickstart('#version=RHEL9\ncmdline\n', 'http://127.0.0.1:1/cb/x/y', 'rhel9');
  const last = parseKickstart(down).nodes.filter((n): n is KickstartSection => n.kind === 'section').at(-1) as KickstartSection;
  const started = Date.now();
  assert.equal((await sh(last.body, env, join(bin, 'sh'))).status, 0);
  assert.ok(Date.now() - started < 30_000);
});

test('preseed and autoinstall get the callbacks in their command hooks, around the host\'s own commands', async (t) => {
  const preseed = renderServedPreseed('d-i debian-installer/locale string en_US\nd-i preseed/late_command string in-target systemctl enable ssh\n', 'http://10.0.0.1/cb/m/s');
  const early = /^d-i preseed\/early_command string (.*)$/mu.exec(preseed)?.[1] ?? '';
  // a POST with an empty body: serve has no GET route for callbacks
  assert.match(early, /^\{ curl -fsS -m 20 -o \/dev\/null --data-binary '' http:\/\/10\.0\.0\.1\/cb\/m\/s\/pre-started \|\| wget -q -O \/dev\/null --post-data '' http:\/\/10\.0\.0\.1\/cb\/m\/s\/pre-started; \} .*; \(umask 077 && printf .*REMASTER_CALLBACK_URL=.* > \/tmp\/remaster\.env\); \{ curl .*\/pre-done/u);
  const late = /^d-i preseed\/late_command string (.*)$/mu.exec(preseed)?.[1] ?? '';
  assert.match(late, /^in-target systemctl enable ssh; \{ curl .*\/post-done .*; \{ curl .*\/installed /u);
  assert.equal(preseed.match(/preseed\/late_command/gu)?.length, 1, 'the host\'s late_command is extended, not duplicated');
  if (requireTool(t, 'sh')) assert.equal(spawnSync('sh', ['-n', '-c', late]).status, 0, 'the line parses as sh');

  const ai = renderServedAutoinstall('#cloud-config\nautoinstall:\n  version: 1\n  late-commands:\n    - echo own\n', 'http://10.0.0.1/cb/m/s');
  const doc = parseYaml(ai) as { autoinstall: Record<string, string[]> };
  assert.match(doc.autoinstall['early-commands']?.[0] ?? '', /\/pre-started/u);
  assert.deepEqual(doc.autoinstall['late-commands']?.map((c) => /\/([a-z-]+) \|\|/u.exec(c)?.[1] ?? c), ['echo own', 'post-done', 'installed']);
  assert.match(doc.autoinstall['error-commands']?.[0] ?? '', /subiquity-server-debug\.log.*\/failed/u);
  assert.ok(ai.startsWith('#cloud-config\n'));
});
