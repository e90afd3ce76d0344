/**
 * Run shipped snippets (snippets/*.sh) on the host under two real shells: dash with the
 * system's tools (Debian's /bin/sh, mawk, coreutils) and busybox sh with only busybox applets on
 * PATH (what an installer initrd has). Snippets read /sys and /proc through REMASTER_SYSFS and
 * REMASTER_PROCFS, so tests give them a made-up machine and never the host's disks.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync, symlinkSync, writeFileSync, existsSync } from 'node:fs';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import type { TestContext } from 'node:test';

export const SNIPPETS_DIR = resolve(import.meta.dirname, '..', '..', 'snippets');

/** A shell to run snippets with. */
export interface Shell {
  name: string;
  argv: string[];
  /** PATH entries the shell needs first (busybox: a directory of applet links). */
  path: string[];
}

const APPLETS = ['sh', 'cat', 'sed', 'tr', 'head', 'tail', 'awk', 'sort', 'grep', 'readlink', 'basename', 'printf', 'mv', 'cp', 'rm', 'mkdir', 'ln', 'sleep', 'wget', 'timeout', 'ls', 'echo', 'chmod', 'touch', 'uniq', 'wc', 'test', '['];

/** The two shells: dash (system tools) and busybox sh (applets only). */
export function shells(busybox: string, scratch: string): Shell[] {
  const bin = join(scratch, 'busybox-bin');
  if (!existsSync(bin)) {
    mkdirSync(bin, { recursive: true });
    for (const a of APPLETS) symlinkSync(busybox, join(bin, a));
  }
  return [
    { name: 'dash', argv: ['dash'], path: ['/usr/local/bin', '/usr/bin', '/bin'] },
    { name: 'busybox', argv: [busybox, 'sh'], path: [bin] },
  ];
}

/** Result of one shell run. */
export interface ShellRun {
  status: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Source `snippets` (names in snippets/) and run `script` with `env` (PATH: `extraPath` first, then the shell's).
 * REMASTER_ENV_FILE defaults to a path that does not exist: a /tmp/remaster.env left by a test that ran a
 * served kickstart's %pre must not give these snippets a callback URL.
 */
export function runSnippets(shell: Shell, snippets: string[], script: string, env: Record<string, string> = {}, extraPath: string[] = []): Promise<ShellRun> {
  const text = [...snippets.map((s) => `. '${join(SNIPPETS_DIR, s)}'`), script].join('\n');
  return new Promise((done, fail) => {
    const child = spawn(shell.argv[0] as string, [...shell.argv.slice(1), '-c', text], {
      env: { PATH: [...extraPath, ...shell.path].join(':'), HOME: '/nonexistent', LC_ALL: 'C', TMPDIR: env.TMPDIR ?? '/tmp', REMASTER_ENV_FILE: '/nonexistent/remaster.env', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => { stdout += c.toString('latin1'); });
    child.stderr.on('data', (c: Buffer) => { stderr += c.toString('latin1'); });
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('error', fail);
    child.on('close', (status) => {
      clearTimeout(timer);
      done({ status, stdout, stderr });
    });
  });
}

/** Write files of a made-up tree: path → content (a string, or bytes); `->target` makes a symlink. */
export function writeTree(root: string, files: Record<string, string | Uint8Array>): void {
  for (const [path, content] of Object.entries(files)) {
    const full = join(root, path);
    mkdirSync(dirname(full), { recursive: true });
    if (typeof content === 'string' && content.startsWith('->')) symlinkSync(content.slice(2), full);
    else writeFileSync(full, content);
  }
}

/** Write an executable stand-in: a POSIX sh script. */
export function writeTool(dir: string, name: string, script: string): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, name), `#!/bin/sh\n${script}\n`, { mode: 0o755 });
}

/** One request the callback server got. */
export interface Received { method: string; url: string; type: string; body: string }

/** An HTTP server on 127.0.0.1 (ephemeral port, closed after the test) recording every request, answering 200. */
export async function callbackServer(t: TestContext): Promise<{ port: number; received: Received[] }> {
  const received: Received[] = [];
  const srv = createServer((req: IncomingMessage, res) => {
    const parts: Buffer[] = [];
    req.on('data', (c: Buffer) => parts.push(c));
    req.on('end', () => {
      received.push({ method: req.method ?? '', url: req.url ?? '', type: req.headers['content-type'] ?? '', body: Buffer.concat(parts).toString('utf8') });
      res.writeHead(200, { 'content-type': 'text/plain', connection: 'close' }).end('ok\n');
    });
  });
  srv.listen(0, '127.0.0.1');
  await once(srv, 'listening');
  t.after(() => new Promise<void>((done) => srv.close(() => done())));
  return { port: (srv.address() as AddressInfo).port, received };
}
