/**
 * The disk side of a PXE publish (the plan is made in src/pxe/plan.ts):
 *
 * 1. content-addressed blobs are added under new names nothing refers to yet;
 * 2. the version directory is filled under a hidden temporary name and
 *    renamed into place, so it exists complete or not at all;
 * 3. exported top-level names are made symlinks into `remaster/current/`
 *    (a new name dangles, i.e. reads as "file not found", until the switch);
 * 4. the switch: a fresh symlink renamed over `remaster/current`, the one
 *    rename(2) that moves every menu from the old version to the new one.
 *
 * A kill between any two steps therefore leaves the old version served
 * whole (before 4) or the new one (after 4); leftovers are hidden `.tmp`
 * names and unreferenced blobs that the next publish removes.
 */
import { createReadStream } from 'node:fs';
import { readlink, symlink } from 'node:fs/promises';
import { dirname, join, posix } from 'node:path';
import { RemasterError } from '../errors.ts';
import { counted, fsyncPath, lstatOrUndefined, mapLimit, opCreateFile, opSyncFs, opMkdir, opRename, opSwitchLink, opSyncDir, opWriteFile, tempName } from './publish-ops.ts';

/** A content-addressed file to add. */
export interface BlobWrite {
  path: string;
  size: number;
  source: string | Uint8Array;
  http: boolean;
}

/** One entry of the version directory (`target` is root-relative for links). */
export type VersionEntryWrite = { kind: 'file'; path: string; bytes: Uint8Array } | { kind: 'link'; path: string; target: string };

/** Everything applyPublish needs; src/pxe's PublishPlan has this shape. */
export interface PublishWrite {
  versionDir: string;
  blobs: readonly BlobWrite[];
  entries: readonly VersionEntryWrite[];
  exports: readonly string[];
}

/** Where to write. */
export interface PublishRoots {
  tftpRoot: string;
  httpRoot?: string;
  /** Root-relative directory remaster owns (`remaster`). */
  publishDir: string;
}

function relTarget(from: string, to: string): string {
  return posix.relative(posix.dirname(`/${from}`), `/${to}`);
}

async function writeBlob(root: string, blob: BlobWrite): Promise<void> {
  const target = join(root, blob.path);
  const existing = await lstatOrUndefined(target);
  // content-addressed and written by rename: an existing name of the right size is complete
  if (existing?.isFile() && existing.size === blob.size) return;
  await opMkdir(dirname(target));
  const source = blob.source;
  await opWriteFile(target, typeof source === 'string' ? createReadStream(source, { highWaterMark: 1 << 20 }) : [source]);
}

/** Parallel writes into the private version directory. */
const WRITE_CONCURRENCY = 64;

async function writeVersionDir(root: string, plan: PublishWrite): Promise<void> {
  const final = join(root, plan.versionDir);
  if (await lstatOrUndefined(final)) throw new RemasterError('OUTPUT_EXISTS', 'version directory already exists', { file: final });
  await opMkdir(dirname(final));
  const tmp = tempName(final);
  await opMkdir(tmp);
  // the directory is private until renamed, so files are created in place (no per-file rename)
  const dirs = [...new Set(plan.entries.map((e) => dirname(join(tmp, e.path))))].sort();
  for (const d of dirs) if (d !== tmp) await opMkdir(d);
  await mapLimit(plan.entries, WRITE_CONCURRENCY, async (entry) => {
    const at = join(tmp, entry.path);
    if (entry.kind === 'file') await opCreateFile(at, entry.bytes, { sync: false });
    else await counted(() => symlink(relTarget(`${plan.versionDir}/${entry.path}`, entry.target), at));
  });
  // durability before the rename publishes the directory: one syncfs, else fsync every file
  if (!(await opSyncFs(tmp))) {
    await mapLimit(plan.entries.filter((e) => e.kind === 'file'), WRITE_CONCURRENCY, (e) => fsyncPath(join(tmp, e.path)));
  }
  await opSyncDir(tmp);
  await opRename(tmp, final);
}

async function ensureExport(root: string, publishDir: string, name: string): Promise<void> {
  const path = join(root, name);
  const want = relTarget(name, `${publishDir}/current/${name}`);
  const info = await lstatOrUndefined(path);
  if (info !== undefined && !info.isSymbolicLink()) {
    throw new RemasterError('PATH_EXISTS', `exists and is not managed by remaster; move it away so remaster can serve ${name} from ${publishDir}/current/`, { file: path });
  }
  if (info !== undefined) {
    const have = await readlink(path);
    if (have === want) return;
    if (!posix.normalize(posix.join(posix.dirname(name), have)).startsWith(`${publishDir}/`)) {
      throw new RemasterError('PATH_EXISTS', `is a symlink to ${have}, not into ${publishDir}/; move it away first`, { file: path });
    }
  }
  await opMkdir(dirname(path));
  await opSwitchLink(path, want);
}

/** Write blobs, the version directory and the exported names; do not switch yet. */
export async function stagePublish(roots: PublishRoots, plan: PublishWrite): Promise<void> {
  for (const blob of plan.blobs) {
    await writeBlob(roots.tftpRoot, blob);
    if (blob.http && roots.httpRoot !== undefined) await writeBlob(roots.httpRoot, blob);
  }
  await writeVersionDir(roots.tftpRoot, plan);
  await ensureExports(roots, plan.exports);
}

/** Make each exported top-level name a symlink into `current/` (and the manifest link). */
export async function ensureExports(roots: PublishRoots, exports: readonly string[]): Promise<void> {
  for (const name of exports) await ensureExport(roots.tftpRoot, roots.publishDir, name);
  await ensureManifestLink(roots);
}

async function ensureManifestLink(roots: PublishRoots): Promise<void> {
  const path = join(roots.tftpRoot, roots.publishDir, 'manifest.json');
  const info = await lstatOrUndefined(path);
  if (info?.isSymbolicLink()) return;
  if (info !== undefined) throw new RemasterError('PATH_EXISTS', 'exists and is not the manifest link', { file: path });
  await opSwitchLink(path, 'current/manifest.json');
}

/** Switch every menu to `versionDir` with one rename(2) of the `current` symlink. */
export async function switchVersion(roots: PublishRoots, versionDir: string): Promise<void> {
  const link = join(roots.tftpRoot, roots.publishDir, 'current');
  await opSwitchLink(link, relTarget(`${roots.publishDir}/current`, versionDir));
  await opSyncDir(join(roots.tftpRoot, roots.publishDir));
}
