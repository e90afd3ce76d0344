/**
 * Fuzz worker thread: runs cases [start, end) of one target until done or
 * past the deadline. Before each case it publishes the case index and start
 * time in shared memory, so the runner can see a case that never returns (a
 * synchronous infinite loop included) and terminate the thread.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { RemasterError } from '../src/errors.ts';
import { caseInput, makeTarget, type TargetName } from './targets.ts';

export interface WorkerInput {
  target: TargetName;
  seed: number;
  start: number;
  end: number;
  /** Date.now() after which no new case starts. */
  deadline: number;
  caseTimeoutMs: number;
  maxRssGrowthMb: number;
  /** Int32[0] = case index, Int32[1] = 1 while a case runs; Float64[1] = case start (ms since epoch). */
  shared: SharedArrayBuffer;
}

export type WorkerMessage =
  | { type: 'ready' }
  | { type: 'progress'; next: number }
  | { type: 'finding'; kind: 'exception' | 'hang' | 'memory'; index: number; name: string; message: string; stack: string; ms: number; rssMb: number }
  | { type: 'done'; next: number; outcomes: Record<string, number> };

const input = workerData as WorkerInput;
const ints = new Int32Array(input.shared, 0, 2);
const times = new Float64Array(input.shared, 8, 1);
const post = (m: WorkerMessage): void => parentPort?.postMessage(m);

const target = await makeTarget(input.target);
let baseline = process.memoryUsage.rss();
post({ type: 'ready' });
const outcomes: Record<string, number> = {};
let i = input.start;
for (; i < input.end && Date.now() < input.deadline; i++) {
  const bytes = caseInput(target, input.seed, i);
  ints[0] = i;
  times[0] = Date.now();
  Atomics.store(ints, 1, 1);
  const started = performance.now();
  try {
    const label = (await target.run(bytes)) ?? 'ok';
    outcomes[label] = (outcomes[label] ?? 0) + 1;
  } catch (err) {
    if (err instanceof RemasterError) outcomes[err.code] = (outcomes[err.code] ?? 0) + 1;
    else {
      const e = err instanceof Error ? err : new Error(String(err));
      post({ type: 'finding', kind: 'exception', index: i, name: e.name, message: e.message, stack: e.stack ?? '', ms: performance.now() - started, rssMb: 0 });
    }
  }
  Atomics.store(ints, 1, 0);
  const ms = performance.now() - started;
  // An async case that yields to the event loop is also seen by the runner's watchdog; this catches the ones that end just past the limit.
  if (ms > input.caseTimeoutMs) post({ type: 'finding', kind: 'hang', index: i, name: 'Slow', message: `case took ${ms.toFixed(0)} ms (limit ${input.caseTimeoutMs} ms)`, stack: '', ms, rssMb: 0 });
  const rss = process.memoryUsage.rss();
  if (rss - baseline > input.maxRssGrowthMb * 2 ** 20) {
    post({ type: 'finding', kind: 'memory', index: i, name: 'Memory', message: `rss grew by ${((rss - baseline) / 2 ** 20).toFixed(0)} MiB (limit ${input.maxRssGrowthMb} MiB)`, stack: '', ms, rssMb: rss / 2 ** 20 });
    baseline = rss;
  }
  if (i % 1000 === 999) post({ type: 'progress', next: i + 1 });
}
post({ type: 'done', next: i, outcomes });
