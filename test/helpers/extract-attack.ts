/**
 * Harness for extraction attacks: a temporary root holding an empty
 * `target/` and a decoy `outside/` (see fs-snapshot.ts). An attack image is
 * extracted into the target with the library; the result says how the
 * extraction ended and what changed anywhere outside the target.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { RemasterError, extractEntries, readInitrd, type ExtractResult, type Warning } from '../../src/index.ts';
import { makeDecoy, snapshotChanges, snapshotTree } from './fs-snapshot.ts';
import { tmpDir } from './tmp-dir.ts';

/** Paths of one attack run. */
export interface AttackPaths {
  root: string;
  target: string;
  outside: string;
}

/** How an attack extraction ended. */
export interface AttackOutcome extends AttackPaths {
  result?: ExtractResult;
  error?: RemasterError;
  warnings: Warning[];
  /** Differences outside the target (must be empty). */
  changes: string[];
}

/** Make the root, target and decoy; `build` gets the paths and returns the image's segments. */
export async function runAttack(t: TestContext, build: (p: AttackPaths) => Uint8Array[]): Promise<AttackOutcome> {
  const root = await tmpDir(t, 'remaster-attack-');
  const paths = { root, target: join(root, 'target'), outside: join(root, 'outside') };
  await mkdir(paths.target);
  await makeDecoy(paths.outside);
  const before = await snapshotTree(root, ['target']);
  const warnings: Warning[] = [];
  const outcome: AttackOutcome = { ...paths, warnings, changes: [] };
  try {
    outcome.result = await extractEntries(readInitrd([Buffer.concat(build(paths))]), paths.target, { onWarning: (w) => warnings.push(w) });
  } catch (err) {
    if (!(err instanceof RemasterError)) throw err;
    outcome.error = err;
  }
  outcome.changes = snapshotChanges(before, await snapshotTree(root, ['target']));
  return outcome;
}
