/**
 * Faults: `kill -9` of `remaster serve` (the built CLI) while 20 TFTP transfers run and an `installed`
 * report is being applied. After a restart on the same tree and state directory: the SQLite database
 * passes `PRAGMA integrity_check`, the host is still there, and it ends disarmed by exactly one new
 * version — a disarm the crash interrupted is finished by the restart, never done twice. The kill lands
 * at a few different moments (right away, after a short and a longer delay).
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { test, type TestContext } from 'node:test';
import { openStore, publishTree, readCurrentManifest, SQLITE_FILE_NAME } from '../../src/index.ts';
import { CLI } from '../helpers/run-cli.ts';
import { requireTool } from '../helpers/tools.ts';
import { makeBuildDir, makeRoots, tempDir } from '../unit/pxe/support.ts';

const MAC = '52:54:00:12:00:41';
const HYP = MAC.replaceAll(':', '-');
const KS = '#version=RHEL9\ntext\nlang en_US.UTF-8\nkeyboard --xlayouts=us\ntimezone Etc/UTC --utc\nurl --url=http://10.0.0.5/os/\nrootpw --lock\nautopart\n%packages\n%end\n';

interface Running {
  child: ChildProcess;
  tftpPort: number;
  httpUrl: string;
  exited: Promise<unknown>;
}

async function start(t: TestContext, root: string, stateDir: string): Promise<Running> {
  const child = spawn(process.execPath, [CLI, 'serve', root, '--listen', '127.0.0.1', '--tftp-port', '0', '--http-port', '0', '--state', stateDir], { stdio: ['ignore', 'pipe', 'pipe'] });
  t.after(() => child.kill('SIGKILL'));
  let out = '';
  child.stdout!.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr!.on('data', () => {});
  const exited = new Promise((resolve) => child.on('close', resolve));
  const deadline = Date.now() + 30_000;
  let m: RegExpExecArray | null;
  while ((m = /tftp 127\.0\.0\.1:(\d+), http (http:\/\/\S+)/u.exec(out)) === null) {
    if (Date.now() > deadline || child.exitCode !== null) throw new Error(`serve did not start: ${out}`);
    await new Promise((r) => setTimeout(r, 25));
  }
  return { child, tftpPort: Number(m[1]), httpUrl: m[2] as string, exited };
}

for (const delayMs of [0, 15, 150]) {
  test(`kill -9 during 20 transfers and an installed report (${delayMs} ms after it was sent): the restart disarms once, the database is intact`, { timeout: 120_000 }, async (t) => {
    if (!requireTool(t, 'curl')) return;
    const roots = await makeRoots();
    const build = await makeBuildDir();
    const ks = join(await tempDir(), 'h.ks');
    await writeFile(ks, KS);
    await publishTree({
      tftpRoot: roots.tftpRoot, kernel: join(build, 'vmlinuz'), initrd: join(build, 'initrd.img'), dialect: 'rhel9',
      loaders: { pxelinux: roots.loaderDir, ipxe: false }, hosts: [{ mac: MAC, kickstart: ks, once: true }], serveUrl: 'http://127.0.0.1:1',
    });
    await writeFile(join(roots.tftpRoot, 'big.bin'), new Uint8Array(4 * 1024 * 1024).fill(7));
    const stateDir = join(await tempDir(), 'state');
    const first = await start(t, roots.tftpRoot, stateDir);
    const ksText = await (await fetch(`${first.httpUrl}/ks/${HYP}`)).text();
    const path = new URL(/REMASTER_CALLBACK_URL='?([^'\n]+)'?\n/u.exec(ksText)?.[1] as string).pathname;
    const version = (await readCurrentManifest(roots.tftpRoot))?.version as number;

    const transfers = Array.from({ length: 20 }, () => new Promise<void>((resolve) => {
      const c = spawn('curl', ['-s', '-o', '/dev/null', '--max-time', '4', `tftp://127.0.0.1:${first.tftpPort}/big.bin`], { stdio: 'ignore' });
      c.on('close', () => resolve());
      c.on('error', () => resolve());
    }));
    await new Promise((r) => setTimeout(r, 200)); // the transfers are under way
    const report = fetch(`${first.httpUrl}${path}/installed`, { method: 'POST', body: '' }).catch(() => undefined);
    if (delayMs > 0) await new Promise((r) => setTimeout(r, delayMs));
    first.child.kill('SIGKILL');
    await first.exited;
    await report;
    await Promise.all(transfers);

    const db = new DatabaseSync(join(stateDir, SQLITE_FILE_NAME));
    try {
      assert.deepEqual(db.prepare('PRAGMA integrity_check').all().map((r) => Object.values(r as object)[0]), ['ok']);
    } finally {
      db.close();
    }
    const second = await start(t, roots.tftpRoot, stateDir);
    const store = await openStore({ stateDir });
    t.after(() => store.close());
    let host = await store.getHost(MAC);
    assert.ok(host !== undefined, 'the host survived the crash');
    t.diagnostic(`after the kill: ${host.state}, version ${(await readCurrentManifest(roots.tftpRoot))?.version}`);
    if (host.state !== 'installed' && host.state !== 'disarmed') {
      // the report never reached the store: the installer's retry does it now
      assert.equal((await fetch(`${second.httpUrl}${path}/installed`, { method: 'POST', body: '' })).status, 204);
    }
    const deadline = Date.now() + 30_000;
    while ((host = await store.getHost(MAC))?.state !== 'disarmed') {
      if (Date.now() > deadline) throw new Error(`not disarmed after the restart: ${host?.state}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    // a late duplicate report changes nothing
    await fetch(`${second.httpUrl}${path}/installed`, { method: 'POST', body: '' });
    await new Promise((r) => setTimeout(r, 300));
    const m = await readCurrentManifest(roots.tftpRoot);
    assert.equal(m?.version, version + 1, 'exactly one disarm version');
    assert.equal(m?.model.hosts.length, 0);
    assert.equal((await store.hostTimeline(MAC)).filter((e) => e.kind === 'disarmed').length, 1);
    second.child.kill('SIGTERM');
    await second.exited;
  });
}
