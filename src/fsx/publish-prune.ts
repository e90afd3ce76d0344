/**
 * After a switch: remove what no kept version needs. Runs under the publish
 * lock and only after `remaster/current` points at the new version, so
 * nothing removed here can be reached from a served menu; a kill part-way
 * leaves more files than needed, never fewer.
 */
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { opRemoveTree, opUnlink } from './publish-ops.ts';

/** What to remove. */
export interface PruneRequest {
  /** Root-relative top-level links no longer exported. */
  staleExports: readonly string[];
  /** Root-relative version directories to remove. */
  versionDirs: readonly string[];
  /** Content directory names (`<sha16>`) still referenced by a kept version; every other one goes. */
  keepContent: ReadonlySet<string>;
}

const CONTENT_DIR = /^[0-9a-f]{16}$/u;
const TEMP_NAME = /^\..*\.tmp$/u;

async function pruneContent(root: string, publishDir: string, keep: ReadonlySet<string>): Promise<void> {
  const dir = join(root, publishDir);
  for (const name of await readdir(dir).catch(() => [] as string[])) {
    if ((CONTENT_DIR.test(name) && !keep.has(name)) || TEMP_NAME.test(name)) await opRemoveTree(join(dir, name));
  }
}

async function pruneTempVersions(root: string, versionsDir: string): Promise<void> {
  const dir = join(root, versionsDir);
  for (const name of await readdir(dir).catch(() => [] as string[])) {
    if (TEMP_NAME.test(name)) await opRemoveTree(join(dir, name));
  }
}

/** Remove stale exports, old versions, unreferenced content and leftover temporary names. */
export async function prunePublished(roots: { tftpRoot: string; httpRoot?: string; publishDir: string }, request: PruneRequest): Promise<void> {
  for (const name of request.staleExports) await opUnlink(join(roots.tftpRoot, name));
  for (const dir of request.versionDirs) await opRemoveTree(join(roots.tftpRoot, dir));
  await pruneTempVersions(roots.tftpRoot, `${roots.publishDir}/versions`);
  await pruneContent(roots.tftpRoot, roots.publishDir, request.keepContent);
  if (roots.httpRoot !== undefined) await pruneContent(roots.httpRoot, roots.publishDir, request.keepContent);
}
