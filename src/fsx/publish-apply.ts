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
 * names and unreferenced blobs that the next publish removes. A failure
 * (a full disk) before the switch undoes what this publish added.
 *
 * Every directory on the way is checked (publish-layout.ts ensureRealDir)
 * when it is written to: a planted symlink is refused, never followed.
 */
import { createReadStream } from 'node:fs';
import { readlink, symlink } from 'node:fs/promises';
import { basename, join, posix } from 'node:path';
import { RemasterError } from '../errors.ts';
import { renameErrorPath } from '../io/index.ts';
import { ensureRealDir } from './publish-layout.ts';
import { fsyncPath, ioStep, lstatOrUndefined, mapLimit, opCreateFile, opRemoveTree, opRename, opSwitchLink, opSyncDir, opSyncFs, opUnlink, opWriteFile, tempName } from './publish-ops.ts';

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

/** What a stage created, so a failure before the switch can take it back. */
export interface StagedPublish {
  /** Remove the version directory, new content directories and new exported links (in reverse order). */
  unstage(): Promise<void>;
}

async function writeBlob(root: string, blob: BlobWrite, created: string[]): Promise<void> {
  const target = join(root, blob.path);
  await ensureRealDir(root, posix.dirname(blob.path), created);
  const existing = await lstatOrUndefined(target);
  // content-addressed and written by rename: an existing name of the right size is complete
  if (existing?.isFile() && existing.size === blob.size) return;
  const source = blob.source;
  await opWriteFile(target, typeof source === 'string' ? createReadStream(source, { highWaterMark: 1 << 20 }) : [source]);
}

/** Parallel writes into the private version directory. */
const WRITE_CONCURRENCY = 64;

async function fillVersionDir(tmp: string, plan: PublishWrite): Promise<void> {
  // the directory is private until renamed, so files are created in place (no per-file rename)
  const dirs = [...new Set(plan.entries.map((e) => posix.dirname(e.path)))].filter((d) => d !== '.').sort();
  for (const d of dirs) await ensureRealDir(tmp, d);
  await mapLimit(plan.entries, WRITE_CONCURRENCY, async (entry) => {
    const at = join(tmp, entry.path);
    if (entry.kind === 'file') await opCreateFile(at, entry.bytes, { sync: false });
    else await ioStep('create symlink', at, () => symlink(relTarget(`${plan.versionDir}/${entry.path}`, entry.target), at));
  });
  // durability before the rename publishes the directory: one syncfs, else fsync every file
  if (!(await opSyncFs(tmp))) {
    await mapLimit(plan.entries.filter((e) => e.kind === 'file'), WRITE_CONCURRENCY, (e) => fsyncPath(join(tmp, e.path)));
  }
  await opSyncDir(tmp);
}

async function writeVersionDir(root: string, plan: PublishWrite, created: string[]): Promise<void> {
  const final = join(root, plan.versionDir);
  await ensureRealDir(root, posix.dirname(plan.versionDir), created);
  if (await lstatOrUndefined(final)) throw new RemasterError('OUTPUT_EXISTS', 'version directory already exists', { file: final });
  const tmp = tempName(final);
  await ensureRealDir(root, posix.join(posix.dirname(plan.versionDir), basename(tmp)));
  try {
    await fillVersionDir(tmp, plan);
    await opRename(tmp, final);
  } catch (err) {
    await opRemoveTree(tmp).catch(() => {});
    throw renameErrorPath(err, tmp, final);
  }
}

async function ensureExport(root: string, publishDir: string, name: string, created: string[]): Promise<void> {
  const path = join(root, name);
  const want = relTarget(name, `${publishDir}/current/${name}`);
  await ensureRealDir(root, posix.dirname(name), created);
  const info = await lstatOrUndefined(path);
  if (info !== undefined && !info.isSymbolicLink()) {
    throw new RemasterError('PATH_EXISTS', `exists and is not managed by remaster; move it away so remaster can serve ${name} from ${publishDir}/current/`, { file: path });
  }
  if (info !== undefined) {
    const have = await readlink(path);
    if (have === want) return;
    if (have.startsWith('/') || !posix.normalize(posix.join(posix.dirname(name), have)).startsWith(`${publishDir}/`)) {
      throw new RemasterError('PATH_EXISTS', `is a symlink to ${have}, not into ${publishDir}/; move it away first`, { file: path });
    }
  }
  await opSwitchLink(path, want);
  if (info === undefined) created.push(path);
}

async function undo(created: readonly string[]): Promise<void> {
  for (const path of [...created].reverse()) {
    const info = await lstatOrUndefined(path).catch(() => undefined);
    if (info?.isSymbolicLink()) await opUnlink(path).catch(() => {});
    else if (info?.isDirectory()) await opRemoveTree(path).catch(() => {});
  }
}

/** Write blobs, the version directory and the exported names; do not switch yet. On failure, remove what was added. */
export async function stagePublish(roots: PublishRoots, plan: PublishWrite): Promise<StagedPublish> {
  const created: string[] = [];
  const versionPath = join(roots.tftpRoot, plan.versionDir);
  const unstage = async () => {
    if (await lstatOrUndefined(versionPath)) {
      const trash = tempName(versionPath);
      await opRename(versionPath, trash).then(() => opRemoveTree(trash)).catch(() => {});
    }
    await undo(created);
  };
  try {
    for (const blob of plan.blobs) {
      await writeBlob(roots.tftpRoot, blob, created);
      if (blob.http && roots.httpRoot !== undefined) await writeBlob(roots.httpRoot, blob, created);
    }
    await writeVersionDir(roots.tftpRoot, plan, created);
    await ensureExportsInto(roots, plan.exports, created);
  } catch (err) {
    await unstage();
    throw err;
  }
  return { unstage };
}

async function ensureExportsInto(roots: PublishRoots, exports: readonly string[], created: string[]): Promise<void> {
  for (const name of exports) await ensureExport(roots.tftpRoot, roots.publishDir, name, created);
  await ensureManifestLink(roots, created);
}

/** Make each exported top-level name a symlink into `current/` (and the manifest link). */
export async function ensureExports(roots: PublishRoots, exports: readonly string[]): Promise<void> {
  await ensureExportsInto(roots, exports, []);
}

async function ensureManifestLink(roots: PublishRoots, created: string[]): Promise<void> {
  const path = join(roots.tftpRoot, roots.publishDir, 'manifest.json');
  const info = await lstatOrUndefined(path);
  if (info?.isSymbolicLink() && (await readlink(path)) === 'current/manifest.json') return;
  if (info !== undefined) throw new RemasterError('PATH_EXISTS', 'exists and is not the manifest link (current/manifest.json)', { file: path });
  await opSwitchLink(path, 'current/manifest.json');
  created.push(path);
}

/** Switch every menu to `versionDir` with one rename(2) of the `current` symlink. */
export async function switchVersion(roots: PublishRoots, versionDir: string): Promise<void> {
  const link = join(roots.tftpRoot, roots.publishDir, 'current');
  await ensureRealDir(roots.tftpRoot, roots.publishDir);
  await opSwitchLink(link, relTarget(`${roots.publishDir}/current`, versionDir));
  await opSyncDir(join(roots.tftpRoot, roots.publishDir));
}
