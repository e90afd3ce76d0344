/**
 * After a switch: remove what no kept version needs. Runs under the publish
 * lock and only after `remaster/current` points at the new version, so
 * nothing removed here can be reached from a served menu.
 *
 * Crash safety: a directory is first renamed to a temporary name (one
 * rename(2)) and only then removed, so a kill part-way never leaves a
 * version directory without its manifest (which rollback refused) or a
 * half-emptied content directory under its real name; what a kill leaves is
 * a temporary name, and every publish removes those first
 * (removeLeftovers), under the lock, where no other publisher can own them.
 */
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { CONTENT_DIR_NAME, TEMP_NAME } from './publish-layout.ts';
import { lstatOrUndefined, opRemoveTree, opRename, opUnlink, tempName } from './publish-ops.ts';

/** What to remove. */
export interface PruneRequest {
  /** Root-relative top-level links no longer exported. */
  staleExports: readonly string[];
  /** Root-relative version directories to remove. */
  versionDirs: readonly string[];
  /** Content directory names (`<sha16>`) still referenced by a kept version; every other one goes. */
  keepContent: ReadonlySet<string>;
}

async function names(dir: string): Promise<string[]> {
  return readdir(dir).catch(() => [] as string[]);
}

/** Rename a directory to a temporary name, then remove it: it is whole or gone, never half. */
async function removeDirSafely(path: string): Promise<void> {
  if ((await lstatOrUndefined(path)) === undefined) return;
  const trash = tempName(path);
  await opRename(path, trash);
  await opRemoveTree(trash);
}

async function pruneContent(root: string, publishDir: string, keep: ReadonlySet<string>): Promise<void> {
  const dir = join(root, publishDir);
  for (const name of await names(dir)) {
    if (CONTENT_DIR_NAME.test(name) && !keep.has(name)) await removeDirSafely(join(dir, name));
  }
}

/** Remove stale exports, old versions and unreferenced content. */
export async function prunePublished(roots: { tftpRoot: string; httpRoot?: string; publishDir: string }, request: PruneRequest): Promise<void> {
  for (const name of request.staleExports) await opUnlink(join(roots.tftpRoot, name));
  for (const dir of request.versionDirs) await removeDirSafely(join(roots.tftpRoot, dir));
  await pruneContent(roots.tftpRoot, roots.publishDir, request.keepContent);
  if (roots.httpRoot !== undefined) await pruneContent(roots.httpRoot, roots.publishDir, request.keepContent);
}

/**
 * Remove what killed publishes left: temporary names in `publishDir`, in
 * its `versions/` and content directories (any type: files, trees, links),
 * and temporary *symlinks* in the root-relative directories `linkDirs`
 * (where exported names are switched). Call it only under the lock.
 */
export async function removeLeftovers(root: string, publishDir: string, linkDirs: readonly string[] = []): Promise<number> {
  let removed = 0;
  const top = join(root, publishDir);
  const dirs = [top, join(top, 'versions'), ...(await names(top)).filter((n) => CONTENT_DIR_NAME.test(n)).map((n) => join(top, n))];
  for (const dir of dirs) {
    for (const name of (await names(dir)).filter((n) => TEMP_NAME.test(n))) {
      await opRemoveTree(join(dir, name));
      removed += 1;
    }
  }
  for (const rel of new Set(linkDirs)) {
    const dir = join(root, rel);
    for (const name of (await names(dir)).filter((n) => TEMP_NAME.test(n))) {
      if ((await lstatOrUndefined(join(dir, name)))?.isSymbolicLink()) {
        await opUnlink(join(dir, name));
        removed += 1;
      }
    }
  }
  return removed;
}
