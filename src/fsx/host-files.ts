/**
 * Turn host files and directory trees into AddSpec entries for an edit.
 * Directories are walked with lstat (symlinks are added as symlinks, never
 * followed), in sorted order so the result does not depend on readdir order.
 * File data is streamed at write time, not read here.
 */
import { lstat, readdir, readlink } from 'node:fs/promises';
import { join } from 'node:path';
import { RemasterError } from '../errors.ts';
import { readFileChunks } from '../io/file-stream.ts';
import type { AddSpec } from '../initrd/index.ts';

/** Options for hostEntries. */
export interface HostEntriesOptions {
  /** Owner for every entry (default 0:0, as dracut's cpio -R 0:0). */
  uid?: number;
  gid?: number;
  /** Override permission bits of regular files. */
  mode?: number;
}

/** Describe `hostPath` (file, symlink or directory tree) as entries under `imagePath`. */
export async function hostEntries(hostPath: string, imagePath: string, options: HostEntriesOptions = {}): Promise<AddSpec[]> {
  const out: AddSpec[] = [];
  await walk(hostPath, imagePath.replace(/\/+$/, '') || '/', options, out, 0);
  return out;
}

const MAX_DEPTH = 64;

async function walk(host: string, image: string, options: HostEntriesOptions, out: AddSpec[], depth: number): Promise<void> {
  if (depth > MAX_DEPTH) throw new RemasterError('LIMIT_EXCEEDED', `directory tree deeper than ${MAX_DEPTH} levels`, { file: host });
  let st;
  try {
    st = await lstat(host);
  } catch (err) {
    throw new RemasterError('INPUT_NOT_FOUND', `cannot read: ${(err as Error).message}`, { file: host }, { cause: err });
  }
  const base = { path: image, uid: options.uid ?? 0, gid: options.gid ?? 0, mtime: Math.floor(st.mtimeMs / 1000), source: host };
  if (st.isDirectory()) {
    if (image !== '/' && image !== '.') out.push({ ...base, type: 'dir', mode: st.mode & 0o7777, keepExisting: true });
    const names = (await readdir(host)).sort();
    for (const name of names) await walk(join(host, name), image === '/' ? `/${name}` : `${image}/${name}`, options, out, depth + 1);
  } else if (st.isSymbolicLink()) {
    out.push({ ...base, type: 'symlink', linkTarget: await readlink(host) });
  } else if (st.isFile()) {
    out.push({ ...base, type: 'file', mode: options.mode ?? st.mode & 0o7777, size: st.size, data: () => readFileChunks(host) });
  } else {
    throw new RemasterError('INPUT_NOT_FOUND', `not a regular file, directory or symlink`, { file: host });
  }
}
