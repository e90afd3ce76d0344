/**
 * State-change latency of the store `remaster serve` uses (issue #12): 1,000 hosts, each armed and then
 * walked through the nine callback states by compare-and-set transitions (9,000 transitions), one at a
 * time (the latency a callback waits for) and 50 at a time (hosts reporting at once). SQLite in a temp
 * directory; PostgreSQL too when REMASTER_TEST_PG_URL is set (a fresh database, dropped afterwards).
 * Prints one JSON line per back end and mode: median, p99, max (ms) and transitions per second.
 *
 *   node bench/state.ts [hosts]
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { HOST_STATES, openStore, type HostState, type Store } from '../src/index.ts';

const HOSTS = Number(process.argv[2] ?? 1000);
const WALK: HostState[] = ['armed', 'boot-fetched', 'kernel-fetched', 'ks-fetched', 'pre-started', 'pre-done', 'installing', 'post-done', 'installed', 'disarmed'];

const mac = (i: number) => `52:54:${[(i >> 24) & 255, (i >> 16) & 255, (i >> 8) & 255, i & 255].map((b) => b.toString(16).padStart(2, '0')).join(':')}`;

function stats(samples: number[]): { median: number; p99: number; max: number } {
  const s = [...samples].sort((a, b) => a - b);
  const at = (q: number) => s[Math.min(s.length - 1, Math.floor(q * s.length))] as number;
  return { median: +at(0.5).toFixed(3), p99: +at(0.99).toFixed(3), max: +(s.at(-1) as number).toFixed(3) };
}

async function walkHost(store: Store, m: string, samples: number[]): Promise<void> {
  for (let i = 1; i < WALK.length; i++) {
    const from = WALK[i - 1] as HostState;
    const to = WALK[i] as HostState;
    const t0 = performance.now();
    const r = await store.transition(m, {
      from: [from], to, actor: 'bench', installId: 'a'.repeat(32), event: { kind: to },
      ...(to === 'armed' ? { arm: { installId: 'a'.repeat(32), callbackSecretHash: 'b'.repeat(64) } } : {}),
    });
    samples.push(performance.now() - t0);
    if (!r.applied) throw new Error(`${m}: ${from} → ${to} not applied (${r.refused})`);
  }
}

async function run(name: string, open: () => Promise<Store>): Promise<void> {
  for (const parallel of [1, 50]) {
    const store = await open();
    try {
      for (let i = 0; i < HOSTS; i++) {
        await store.createHost({ mac: mac(i + parallel * 100_000) }, 'bench');
        await store.transition(mac(i + parallel * 100_000), { from: HOST_STATES, to: 'armed', actor: 'bench', arm: { installId: 'a'.repeat(32), callbackSecretHash: 'b'.repeat(64) } });
      }
      const samples: number[] = [];
      const t0 = performance.now();
      let next = 0;
      await Promise.all(Array.from({ length: parallel }, async () => {
        while (next < HOSTS) {
          const i = next++;
          await walkHost(store, mac(i + parallel * 100_000), samples);
        }
      }));
      const seconds = (performance.now() - t0) / 1000;
      process.stdout.write(`${JSON.stringify({ backend: name, hosts: HOSTS, parallel, transitions: samples.length, seconds: +seconds.toFixed(2), perSecond: Math.round(samples.length / seconds), latencyMs: stats(samples) })}\n`);
    } finally {
      await store.close();
    }
  }
}

const dir = await mkdtemp(join(tmpdir(), 'remaster-bench-state-'));
try {
  let n = 0;
  await run('sqlite', () => openStore({ stateDir: join(dir, `s${++n}`) }));
  const url = process.env.REMASTER_TEST_PG_URL;
  if (url) {
    const db = `remaster_bench_${process.pid}`;
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${db}`);
    try {
      const u = new URL(url);
      u.pathname = `/${db}`;
      await run('postgres', () => openStore({ url: u.toString() }));
    } finally {
      await admin.query(`DROP DATABASE IF EXISTS ${db} WITH (FORCE)`);
      await admin.end();
    }
  }
} finally {
  await rm(dir, { recursive: true, force: true });
}
