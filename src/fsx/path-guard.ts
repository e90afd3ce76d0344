/**
 * The two checks that keep an extraction inside its target (STYLE.md §1.8
 * rule 5), and the error every other filesystem failure becomes.
 *
 * PathGuard.parents() walks a path's parents with lstat before each write: a
 * parent that is a symlink is never traversed (PATH_THROUGH_SYMLINK), whether
 * the archive planted it before the entry or replaced a directory by it
 * later. Directories already seen are remembered only until any directory is
 * removed: a remembered directory that an archive replaced by a symlink is
 * how node-tar wrote through links (CVE-2021-32803/37701), and on a
 * case-folding or normalising filesystem the removed name may be spelt
 * differently from the remembered one (CVE-2021-37712), so the whole memory
 * goes, not one key.
 */
import { lstat } from 'node:fs/promises';
import { join } from 'node:path';
import { RemasterError } from '../errors.ts';
import { toIoError } from '../io/index.ts';
import { ancestors } from '../tree/index.ts';

/** What lies above a path: all parents are directories, one is missing, or one is not a directory. */
export type ParentState = 'ok' | 'missing' | 'notdir';

/** Parent checks for one extraction into `root`. */
export class PathGuard {
  readonly root: string;
  #known = new Set<string>();

  constructor(root: string) {
    this.root = root;
  }

  /** Check every parent of `path` (normalised, relative to root); throw PATH_THROUGH_SYMLINK at a symlink. */
  async parents(path: string, entry: string = path): Promise<ParentState> {
    for (const dir of ancestors(path)) {
      if (this.#known.has(dir)) continue;
      const st = await fsCall('lstat', join(this.root, dir), () => lstat(join(this.root, dir)), 'ENOENT');
      if (st === 'ENOENT') return 'missing';
      if (st.isSymbolicLink()) {
        throw new RemasterError('PATH_THROUGH_SYMLINK', `parent ${JSON.stringify(dir)} is a symlink; refusing to write through it (the kernel would follow it)`, { entry });
      }
      if (!st.isDirectory()) return 'notdir';
      this.#known.add(dir);
    }
    return 'ok';
  }

  /** Remember a directory the extraction just created or checked. */
  remember(dir: string): void {
    this.#known.add(dir);
  }

  /** Forget every remembered directory: call after removing any directory. */
  forgetAll(): void {
    this.#known.clear();
  }
}

/**
 * Run one filesystem call; an errno listed in `allowed` is returned as its
 * code, any other failure becomes DISK_FULL or IO_ERROR naming the operation and the path.
 */
export async function fsCall<T, A extends string = never>(op: string, path: string, call: () => Promise<T>, ...allowed: A[]): Promise<T | A> {
  try {
    return await call();
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== undefined && (allowed as string[]).includes(code)) return code as A;
    throw ioError(err, op, path);
  }
}

/** Turn a Node filesystem error into DISK_FULL (ENOSPC, EDQUOT) or IO_ERROR (EIO, EACCES, EROFS ...), naming the operation and path. */
export function ioError(err: unknown, op: string, path: string): RemasterError {
  const converted = toIoError(err, op, path);
  if (converted instanceof RemasterError) return converted;
  return new RemasterError('IO_ERROR', `${op}: ${String((err as Error | undefined)?.message ?? err)}`, { file: path }, { cause: err });
}
