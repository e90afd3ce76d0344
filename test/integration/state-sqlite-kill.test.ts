/**
 * SQLite state survives `kill -9`: a child process registers and arms hosts
 * in a loop (test/helpers/state-writer.ts) and is killed with SIGKILL at an
 * arbitrary point, three times on the same database. After each kill the
 * database passes PRAGMA integrity_check, every write the child saw
 * acknowledged is there, and the write in flight is either whole or absent:
 * no host is lost, none is armed twice, none is armed without its event.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { openStore, SQLITE_FILE_NAME } from '../../src/index.ts';
import { waitFor } from '../helpers/netns.ts';
import { tmpDir } from '../helpers/tmp-dir.ts';

const WRITER = fileURLToPath(new URL('../helpers/state-writer.ts', import.meta.url));

async function runAndKill(stateDir: string, first: number, acksBeforeKill: number): Promise<number[]> {
  const child = spawn(process.execPath, [WRITER, stateDir, String(first)], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const acks = () => [...out.matchAll(/^ack (\d+)$/gm)].map((m) => Number(m[1]));
  try {
    await waitFor(() => (acks().length >= acksBeforeKill ? true : undefined), 60_000, `${acksBeforeKill} acknowledged writes (stderr: ${err})`);
  } finally {
    child.kill('SIGKILL');
    await new Promise((r) => (child.exitCode !== null || child.signalCode !== null ? r(undefined) : child.once('exit', r)));
  }
  assert.equal(child.signalCode, 'SIGKILL', `the writer was killed, not finished: ${err}`);
  return acks();
}

test('kill -9 of a writer mid-transaction leaves an intact database with every acknowledged host armed exactly once', { timeout: 180_000 }, async (t) => {
  const stateDir = join(await tmpDir(t, 'remaster-kill-'), 'state');
  let next = 0;
  const acknowledged: number[] = [];
  const earlier = new Set<string>(); // hosts present after the previous round (its in-flight write included)
  for (const [round, kills] of [[1, 120], [2, 37], [3, 211]] as const) {
    const acks = await runAndKill(stateDir, next, kills);
    acknowledged.push(...acks);
    const raw = new DatabaseSync(join(stateDir, SQLITE_FILE_NAME));
    assert.deepEqual(raw.prepare('PRAGMA integrity_check').all().map((r) => ({ ...r })), [{ integrity_check: 'ok' }], `round ${round}`);
    raw.close();
    const store = await openStore({ stateDir });
    try {
      const hosts = await store.listHosts();
      const byName = new Map(hosts.map((h) => [h.name, h]));
      for (const i of acknowledged) {
        const h = byName.get(`h${i}`);
        assert.equal(h?.state, 'armed', `round ${round}: acknowledged host h${i} is armed`);
        assert.equal(h?.installId, `i${i}`);
      }
      const inFlight = hosts.filter((h) => !earlier.has(h.name!) && !acknowledged.includes(Number(h.name!.slice(1))));
      assert.ok(inFlight.length <= 1, `round ${round}: at most the one write in flight is unacknowledged (${inFlight.map((h) => h.name).join(', ')})`);
      for (const h of hosts) {
        const events = await store.hostTimeline(h.mac);
        assert.equal(events.length, h.state === 'armed' ? 1 : 0, `round ${round}: ${h.name} has one event per arm`);
        assert.ok(h.state === 'armed' || h.state === 'registered');
      }
      next = Math.max(...hosts.map((h) => Number(h.name!.slice(1)))) + 1;
      for (const h of hosts) earlier.add(h.name!);
      t.diagnostic(`round ${round}: ${acks.length} acknowledged, ${hosts.length} hosts, ${inFlight.length} in flight`);
    } finally {
      await store.close();
    }
  }
});
