/**
 * Concurrent `arm`s of distinct MACs, as separate CLI processes: each one
 * reads the host list and publishes it with its MAC added. The read used to
 * happen before the lock, so parallel arms all printed success and most of
 * the hosts were lost. Every armed MAC must be listed afterwards. Also: a
 * new build published over an armed tree keeps its hosts (it used to print
 * "0 armed hosts"), and --replace-hosts says which ones it disarms.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { runCli, type CliResult } from '../helpers/run-cli.ts';
import { makeBuildDir, makeRoots } from '../unit/pxe/support.ts';

/** Run `work` over `items` with at most `limit` at once (process spawns are bounded; the lock sees them all contend). */
async function pool<T, R>(items: readonly T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(Array.from({ length: limit }, async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await work(items[i] as T);
    }
  }));
  return out;
}

const mac = (i: number) => `52:54:00:aa:${(i >> 8).toString(16).padStart(2, '0')}:${(i & 0xff).toString(16).padStart(2, '0')}`;

async function publishEmpty(): Promise<{ tftpRoot: string; loaderDir: string }> {
  const build = await makeBuildDir();
  const roots = await makeRoots();
  const pub = await runCli(['publish', build, '--tftp-root', roots.tftpRoot, '--pxelinux-dir', roots.loaderDir, '--no-ipxe', '--quiet']);
  assert.equal(pub.code, 0, pub.stderr);
  return roots;
}

test('100 concurrent arm --wait 60 of distinct MACs: all 100 are armed afterwards', { timeout: 600_000 }, async (t) => {
  const { tftpRoot } = await publishEmpty();
  const macs = Array.from({ length: 100 }, (_, i) => mac(i));
  const started = Date.now();
  const results: CliResult[] = await pool(macs, 25, (m) => runCli(['arm', tftpRoot, m, '--wait', '60']));
  t.diagnostic(`100 arms in ${((Date.now() - started) / 1000).toFixed(1)} s, 25 processes at a time`);
  results.forEach((r, i) => assert.equal(r.code, 0, `${macs[i]}: ${r.stderr}`));
  const status = await runCli(['status', tftpRoot, '--json']);
  assert.equal(status.code, 0, status.stderr);
  const listed = (JSON.parse(status.stdout) as { version: number; hosts: { mac: string; state: string }[] });
  assert.deepEqual(listed.hosts.filter((h) => h.state === 'armed').map((h) => h.mac).sort(), macs.sort());
  assert.equal(listed.version, 101);
  const v = await runCli(['verify', tftpRoot, '--read-only']);
  assert.equal(v.code, 0, v.stdout + v.stderr);
});

test('publishing a new build keeps the armed hosts; --replace-hosts disarms them and says so', { timeout: 120_000 }, async () => {
  const { tftpRoot, loaderDir } = await publishEmpty();
  for (const m of [mac(1), mac(2)]) assert.equal((await runCli(['arm', tftpRoot, m])).code, 0);
  const next = await makeBuildDir({ marker: 'second build' });
  const pub = await runCli(['publish', next, '--tftp-root', tftpRoot, '--pxelinux-dir', loaderDir, '--no-ipxe', '--host', mac(3)]);
  assert.equal(pub.code, 0, pub.stderr);
  assert.match(pub.stdout, new RegExp(`^published version 4: 3 armed hosts \\(kept from the previous version: ${mac(1)}, ${mac(2)}\\), \\d+ files\\n$`, 'u'));
  const third = await makeBuildDir({ marker: 'third build' });
  const replace = await runCli(['publish', third, '--tftp-root', tftpRoot, '--pxelinux-dir', loaderDir, '--no-ipxe', '--host', mac(3), '--replace-hosts']);
  assert.equal(replace.code, 0, replace.stderr);
  assert.match(replace.stdout, new RegExp(`^published version 5: 1 armed hosts, \\d+ files; disarmed \\(not listed, --replace-hosts\\): ${mac(1)}, ${mac(2)}\\n$`, 'u'));
  const status = JSON.parse((await runCli(['status', join(tftpRoot), '--json'])).stdout) as { hosts: { mac: string; state: string }[] };
  assert.deepEqual(status.hosts.map((h) => [h.mac, h.state]), [[mac(3), 'armed'], [mac(1), 'disarmed'], [mac(2), 'disarmed']]);
});
