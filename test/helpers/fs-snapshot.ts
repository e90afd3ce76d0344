/**
 * Snapshots of real directory trees for extraction attack tests: every path
 * under a root with its type, mode, owner, mtime, size, link target and a
 * sha256 of the content, read with lstat (links are never followed). Two
 * snapshots compare equal only when nothing changed: not the content, not the
 * mode, not the owner, not a modification time; the change time (ctime, which
 * no call can set back) catches even a write that restored everything else.
 */
import { createHash } from 'node:crypto';
import { lstat, mkdir, readFile, readdir, readlink, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** What a path holds, as lstat and the content say. */
export interface PathFacts {
  type: 'file' | 'dir' | 'symlink' | 'other';
  mode: number;
  uid: number;
  gid: number;
  mtimeMs: number;
  ctimeMs: number;
  size: number;
  ino: number;
  nlink: number;
  sha256?: string;
  linkTarget?: string;
}

/** A tree keyed by path relative to its root ("." is the root itself). */
export type Snapshot = Map<string, PathFacts>;

async function facts(path: string, content: boolean): Promise<PathFacts> {
  const st = await lstat(path);
  const type = st.isFile() ? 'file' : st.isDirectory() ? 'dir' : st.isSymbolicLink() ? 'symlink' : 'other';
  const out: PathFacts = { type, mode: st.mode & 0o7777, uid: st.uid, gid: st.gid, mtimeMs: st.mtimeMs, ctimeMs: st.ctimeMs, size: st.size, ino: st.ino, nlink: st.nlink };
  if (type === 'file' && content) out.sha256 = createHash('sha256').update(await readFile(path)).digest('hex');
  if (type === 'symlink') out.linkTarget = await readlink(path);
  return out;
}

/**
 * Snapshot `root` and everything under it, skipping the relative paths in `exclude`. Without
 * `content` files are not read (ctime still shows any write).
 */
export async function snapshotTree(root: string, exclude: string[] = [], options: { content?: boolean } = {}): Promise<Snapshot> {
  const out: Snapshot = new Map();
  const walk = async (rel: string): Promise<void> => {
    if (exclude.includes(rel)) return;
    const full = rel === '.' ? root : join(root, rel);
    const f = await facts(full, options.content ?? true);
    out.set(rel, f);
    if (f.type !== 'dir') return;
    for (const name of (await readdir(full)).sort()) await walk(rel === '.' ? name : `${rel}/${name}`);
  };
  await walk('.');
  return out;
}

/** Describe every difference between two snapshots (empty when equal). */
export function snapshotChanges(before: Snapshot, after: Snapshot): string[] {
  const out: string[] = [];
  for (const [path, a] of before) {
    const b = after.get(path);
    if (b === undefined) out.push(`removed ${path}`);
    else if (JSON.stringify(a) !== JSON.stringify(b)) out.push(`changed ${path}: ${JSON.stringify(a)} -> ${JSON.stringify(b)}`);
  }
  for (const path of after.keys()) if (!before.has(path)) out.push(`added ${path}`);
  return out;
}

/**
 * Make a decoy tree an attack would like to reach: a directory with a file,
 * a subdirectory and old timestamps (so a stray utimes shows), mode 0755.
 */
export async function makeDecoy(dir: string): Promise<void> {
  await mkdir(join(dir, 'sub'), { recursive: true, mode: 0o755 });
  await writeFile(join(dir, 'host-file'), 'host data\n', { mode: 0o644 });
  await writeFile(join(dir, 'sub', 'deep'), 'deep host data\n', { mode: 0o600 });
  const old = new Date('2001-02-03T04:05:06Z');
  for (const p of [join(dir, 'sub', 'deep'), join(dir, 'host-file'), join(dir, 'sub'), dir]) await utimes(p, old, old);
}
