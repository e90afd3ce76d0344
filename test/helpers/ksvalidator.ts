/**
 * pykickstart's ksvalidator as an oracle (../shared/oracles/pykickstart,
 * tests only): ksvalidator-batch.py imports tools/ksvalidator.py and calls
 * its main() unchanged once per file and version, in one Python process per
 * version group, printing one JSON record per file. Locally a missing
 * python3 or oracle checkout skips the test with a notice; CI fails.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { TestContext } from 'node:test';
import { requireTool } from './tools.ts';

const REPO_ROOT = resolve(import.meta.dirname, '..', '..');
/** The oracle checkout beside the project (shared/README.md: every developer and CI has it). */
export const PYKICKSTART = resolve(process.env.REMASTER_PYKICKSTART ?? join(REPO_ROOT, '..', 'shared', 'oracles', 'pykickstart'));
const BATCH = join(import.meta.dirname, 'ksvalidator-batch.py');

/** One ksvalidator run: its exit status and printed messages. */
export interface ValidatorRecord {
  file: string;
  version: string;
  rc: number;
  messages: string[];
}

/** Skip (locally) or fail (CI) unless python3 and the pykickstart checkout are present. */
export function requireKsvalidator(t: TestContext): boolean {
  if (!requireTool(t, 'python3')) return false;
  if (existsSync(join(PYKICKSTART, 'tools', 'ksvalidator.py'))) return true;
  const msg = `needs pykickstart's ksvalidator at ${PYKICKSTART}`;
  if (process.env.CI === 'true') throw new Error(`${msg}; CI must provide ../shared/oracles`);
  t.skip(msg);
  return false;
}

function runBatch(versions: readonly string[], files: readonly string[], cwd: string): Promise<ValidatorRecord[]> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn('python3', [BATCH, join(PYKICKSTART, 'tools', 'ksvalidator.py'), versions.join(','), ...files], {
      cwd, env: { ...process.env, PYTHONPATH: PYKICKSTART, LC_ALL: 'C.UTF-8' }, stdio: ['ignore', 'pipe', 'pipe'],
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (c: Buffer) => out.push(c));
    child.stderr.on('data', (c: Buffer) => err.push(c));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) return reject(new Error(`ksvalidator batch failed (${code}): ${Buffer.concat(err).toString()}`));
      resolvePromise(Buffer.concat(out).toString().trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as ValidatorRecord));
    });
  });
}

/** Validate every file for every version; versions are split over two Python processes (the machine has two cores). */
export async function ksvalidate(versions: readonly string[], files: readonly string[], cwd: string): Promise<ValidatorRecord[]> {
  const half = Math.ceil(versions.length / 2);
  const groups = [versions.slice(0, half), versions.slice(half)].filter((g) => g.length > 0);
  return (await Promise.all(groups.map((g) => runBatch(g, files, cwd)))).flat();
}
