/**
 * Attack: path traversal against the HTTP side of `remaster serve` — `..` in the raw request line
 * (curl --path-as-is), percent-encoded `..` and `/`, an absolute path, and a symlink planted in the
 * served root pointing at a secret outside it. Every one is refused (403/404) and no byte of the
 * secret is sent; the secret and the root are unchanged afterwards (content, mode, mtime). Also: a
 * forged callback for another host is refused with 403 and changes no state.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { promisify } from 'node:util';
import { createServer, publishTree } from '../../src/index.ts';
import { requireTool } from '../helpers/tools.ts';
import { makeBuildDir, makeRoots } from '../unit/pxe/support.ts';

const run = promisify(execFile);

test('serve HTTP refuses ../, encoded traversal, absolute paths and symlinks out of the root; forged callbacks get 403', async (t) => {
  if (!requireTool(t, 'curl')) return;
  const roots = await makeRoots();
  const build = await makeBuildDir();
  await publishTree({ tftpRoot: roots.tftpRoot, kernel: join(build, 'vmlinuz'), initrd: join(build, 'initrd.img'), loaders: { pxelinux: roots.loaderDir, ipxe: false }, hosts: [{ mac: '52:54:00:00:00:51' }] });
  const outside = await mkdtemp(join(tmpdir(), 'remaster-secret-'));
  const secret = join(outside, 'secret.txt');
  await writeFile(secret, 'TOP-SECRET-CONTENT\n', { mode: 0o600 });
  await symlink(secret, join(roots.tftpRoot, 'leak.txt'));
  await symlink(outside, join(roots.tftpRoot, 'leakdir'));
  const before = await stat(secret);
  const srv = await createServer({ tftpRoot: roots.tftpRoot, listen: '127.0.0.1', tftpPort: 0, httpPort: 0, state: { stateDir: join(outside, 'state') } });
  t.after(() => srv.close({ graceful: false }));

  const rel = secret.slice(1);
  const attempts = [
    `/../../../../../../${rel}`, `/%2e%2e/%2e%2e/%2e%2e/%2e%2e/${rel}`, `/..%2f..%2f..%2f..%2f${rel.replaceAll('/', '%2f')}`,
    `//${rel}`, `/${encodeURIComponent(secret)}`, '/leak.txt', '/leakdir/secret.txt', '/pxelinux.cfg/..%2f..%2f..%2fetc%2fpasswd',
  ];
  for (const path of attempts) {
    const r = await run('curl', ['-s', '--path-as-is', '-o', '-', '-w', '\n%{http_code}', `${srv.httpUrl}${path}`]);
    const code = Number(r.stdout.slice(r.stdout.lastIndexOf('\n') + 1));
    assert.ok(code === 403 || code === 404 || code === 400, `${path}: HTTP ${code}`);
    assert.doesNotMatch(r.stdout, /TOP-SECRET|root:x:0/u, `${path} leaked`);
  }
  const forged = await fetch(`${srv.httpUrl}/cb/52-54-00-00-00-51/${'a'.repeat(64)}/installed`, { method: 'POST', body: 'x' });
  assert.equal(forged.status, 403);
  assert.notEqual((await srv.store.getHost('52:54:00:00:00:51'))?.state, 'installed');
  const after = await stat(secret);
  assert.equal(await readFile(secret, 'utf8'), 'TOP-SECRET-CONTENT\n');
  assert.deepEqual([after.mode, after.mtimeMs, after.uid], [before.mode, before.mtimeMs, before.uid]);
});
