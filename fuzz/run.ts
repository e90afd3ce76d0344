/**
 * `npm run fuzz`: deterministic mutation fuzzing of remaster's readers.
 *
 *   node fuzz/run.ts [--seed N] [--cases N] [--time-limit S] [--target a,b]
 *                    [--case-timeout MS] [--max-rss-mb MB] [--jobs N]
 *   node fuzz/run.ts --target cpio --repro fuzz/findings/cpio-<hash>.bin
 *   node fuzz/run.ts --target cpio --seed 1 --case 1234      (rerun one case)
 *
 * Each target runs in a worker thread; the runner watches the case index and
 * start time the worker publishes in shared memory, terminates a case that
 * runs past --case-timeout (a hang finding) and restarts after it. Any
 * exception that is not a RemasterError, any hang and any rss growth past
 * --max-rss-mb is a finding: printed with seed and case index and saved as
 * fuzz/findings/<target>-<hash>.bin with a .json sidecar.
 */
import { createHash } from 'node:crypto';
import { appendFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Worker } from 'node:worker_threads';
import { RemasterError } from '../src/errors.ts';
import { caseInput, makeTarget, TARGET_NAMES, type Target, type TargetName } from './targets.ts';
import type { WorkerInput, WorkerMessage } from './worker.ts';

const FINDINGS = join(import.meta.dirname, 'findings');
/** Inputs saved per distinct finding signature (the rest are counted). */
const SAVE_PER_SIGNATURE = 3;

const { values } = parseArgs({
  options: {
    seed: { type: 'string', default: '1' },
    cases: { type: 'string' },
    'time-limit': { type: 'string' },
    target: { type: 'string' },
    'case-timeout': { type: 'string', default: '2000' },
    'max-rss-mb': { type: 'string', default: '1024' },
    jobs: { type: 'string', default: '1' },
    repro: { type: 'string' },
    case: { type: 'string' },
  },
});

const seed = Number(values.seed) >>> 0;
const names = (values.target?.split(',') ?? [...TARGET_NAMES]) as TargetName[];
for (const n of names) if (!TARGET_NAMES.includes(n)) throw new Error(`unknown target "${n}"; targets: ${TARGET_NAMES.join(', ')}`);

interface Finding {
  target: string;
  kind: 'exception' | 'hang' | 'memory';
  seed: number;
  index: number;
  name: string;
  message: string;
  stack: string;
  file?: string;
}

interface RunResult {
  target: string;
  cases: number;
  seconds: number;
  findings: number;
  signatures: number;
  seed: number;
  notes: string[];
  /** How cases ended: 'ok' or the RemasterError code (workers that finished normally only). */
  outcomes: Record<string, number>;
}

function signature(f: Finding): string {
  const frame = f.stack.split('\n').find((l) => l.includes('/src/')) ?? f.stack.split('\n')[1] ?? '';
  return `${f.kind}|${f.name}|${f.message.replace(/\d+/g, 'N').slice(0, 80)}|${frame.replace(/:\d+:\d+\)?$/, '').trim()}`;
}

function save(target: Target, finding: Finding, bytes: Uint8Array): string {
  mkdirSync(FINDINGS, { recursive: true });
  const hash = createHash('sha256').update(bytes).digest('hex').slice(0, 12);
  const base = join(FINDINGS, `${target.name}-${hash}`);
  writeFileSync(`${base}.bin`, bytes);
  writeFileSync(`${base}.json`, `${JSON.stringify({ ...finding, size: bytes.length }, null, 2)}\n`);
  return `${base}.bin`;
}

async function runTarget(name: TargetName, cases: number | undefined, timeLimitS: number | undefined): Promise<RunResult> {
  const target = await makeTarget(name);
  const total = cases ?? target.defaultCases;
  const caseTimeoutMs = Number(values['case-timeout']);
  const maxRss = Number(values['max-rss-mb']);
  const started = Date.now();
  const deadline = timeLimitS === undefined ? Number.POSITIVE_INFINITY : started + timeLimitS * 1000;
  const seen = new Map<string, number>();
  let findings = 0;
  let next = 0;
  const outcomes: Record<string, number> = {};
  const record = (f: Finding): void => {
    findings++;
    const sig = signature(f);
    const count = (seen.get(sig) ?? 0) + 1;
    seen.set(sig, count);
    if (count <= SAVE_PER_SIGNATURE) {
      f.file = save(target, f, caseInput(target, seed, f.index));
      console.log(`FINDING ${f.target} ${f.kind} seed=${seed} case=${f.index}: ${f.name}: ${f.message.split('\n')[0]}\n  ${f.stack.split('\n').slice(1, 4).join('\n  ')}\n  saved ${f.file}`);
    }
  };
  while (next < total && Date.now() < deadline) {
    const shared = new SharedArrayBuffer(16);
    const ints = new Int32Array(shared, 0, 2);
    const times = new Float64Array(shared, 8, 1);
    const data: WorkerInput = { target: name, seed, start: next, end: total, deadline, caseTimeoutMs, maxRssGrowthMb: maxRss, shared };
    const worker = new Worker(new URL('./worker.ts', import.meta.url), { workerData: data, resourceLimits: { maxOldGenerationSizeMb: maxRss } });
    next = await new Promise<number>((resolve) => {
      let settled = false;
      let current = next;
      const finish = (n: number): void => {
        if (settled) return;
        settled = true;
        clearInterval(watch);
        void worker.terminate();
        resolve(n);
      };
      const watch = setInterval(() => {
        if (Atomics.load(ints, 1) !== 1) return;
        const index = Atomics.load(ints, 0);
        const elapsed = Date.now() - (times[0] as number);
        if (elapsed > caseTimeoutMs) {
          record({ target: name, kind: 'hang', seed, index, name: 'Hang', message: `case still running after ${elapsed} ms (limit ${caseTimeoutMs} ms); worker terminated`, stack: '' });
          finish(index + 1);
        }
        current = index;
      }, 50);
      worker.on('message', (m: WorkerMessage) => {
        if (m.type === 'finding') record({ target: name, kind: m.kind, seed, index: m.index, name: m.name, message: m.message, stack: m.stack });
        else if (m.type === 'progress') {
          current = m.next;
          if (m.next % 10_000 === 0) console.log(`  ${name}: ${m.next}/${total} cases, ${((Date.now() - started) / 1000).toFixed(0)} s, ${findings} findings`);
        }
        else if (m.type === 'done') {
          for (const [k, v] of Object.entries(m.outcomes)) outcomes[k] = (outcomes[k] ?? 0) + v;
          finish(m.next);
        }
      });
      worker.on('error', (err: Error & { code?: string }) => {
        const index = Atomics.load(ints, 0);
        const kind = err.code === 'ERR_WORKER_OUT_OF_MEMORY' ? 'memory' : 'exception';
        record({ target: name, kind, seed, index, name: err.name, message: `worker died: ${err.message}`, stack: err.stack ?? '' });
        finish(Math.max(current, index) + 1);
      });
      worker.on('exit', () => finish(Math.max(current, Atomics.load(ints, 0)) + 1));
    });
  }
  const seconds = (Date.now() - started) / 1000;
  return { target: name, cases: Math.min(next, total), seconds, findings, signatures: seen.size, seed, notes: target.notes, outcomes };
}

function topOutcomes(o: Record<string, number>): string {
  return Object.entries(o).sort((a, b) => b[1] - a[1]).slice(0, 6).map(([k, v]) => `${k}=${v}`).join(' ');
}

async function repro(name: TargetName): Promise<void> {
  const target = await makeTarget(name);
  const bytes = values.repro !== undefined ? Uint8Array.from(readFileSync(values.repro)) : caseInput(target, seed, Number(values.case));
  const started = performance.now();
  try {
    await target.run(bytes);
    console.log(`ok (${bytes.length} bytes, ${(performance.now() - started).toFixed(1)} ms)`);
  } catch (err) {
    const kind = err instanceof RemasterError ? 'RemasterError (expected)' : 'FINDING';
    console.log(`${kind} after ${(performance.now() - started).toFixed(1)} ms:`, err);
  }
}

if (values.repro !== undefined || values.case !== undefined) {
  await repro(names[0] as TargetName);
} else {
  const cases = values.cases === undefined ? undefined : Number(values.cases);
  const limit = values['time-limit'] === undefined ? undefined : Number(values['time-limit']);
  const jobs = Math.max(1, Number(values.jobs));
  const queue = [...names];
  const results: RunResult[] = [];
  await Promise.all(
    Array.from({ length: jobs }, async () => {
      for (let n = queue.shift(); n !== undefined; n = queue.shift()) {
        const r = await runTarget(n, cases, limit);
        results.push(r);
        console.log(`done ${r.target}: ${r.cases} cases in ${r.seconds.toFixed(1)} s (${(r.cases / r.seconds).toFixed(0)}/s), ${r.findings} findings (${r.signatures} distinct); outcomes ${topOutcomes(r.outcomes)}${r.notes.length ? `; ${r.notes.join('; ')}` : ''}`);
      }
    }),
  );
  results.sort((a, b) => names.indexOf(a.target as TargetName) - names.indexOf(b.target as TargetName));
  console.log('\n| target | cases | seconds | cases/s | findings (distinct) | seed |\n|---|---:|---:|---:|---:|---:|');
  for (const r of results) console.log(`| ${r.target} | ${r.cases} | ${r.seconds.toFixed(1)} | ${(r.cases / r.seconds).toFixed(0)} | ${r.findings} (${r.signatures}) | ${r.seed} |`);
  mkdirSync(FINDINGS, { recursive: true });
  for (const r of results) appendFileSync(join(FINDINGS, 'runs.jsonl'), `${JSON.stringify({ ...r, at: new Date().toISOString(), node: process.version })}\n`);
  process.exitCode = results.some((r) => r.findings > 0) ? 1 : 0;
}
