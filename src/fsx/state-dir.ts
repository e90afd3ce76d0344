/**
 * The service's state directory (the SQLite database beside the TFTP root):
 * created with mode 0700 when missing; refused when the path is a symlink or
 * not a directory, so a planted link cannot redirect the database elsewhere.
 */
import { lstat, mkdir } from 'node:fs/promises';
import { RemasterError } from '../errors.ts';

/** Create `dir` (and parents) with mode 0700 if needed; throw when it is a symlink or not a directory. */
export async function ensureStateDir(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const st = await lstat(dir);
  if (st.isSymbolicLink()) throw new RemasterError('PATH_THROUGH_SYMLINK', `state directory ${dir} is a symbolic link`, { file: dir });
  if (!st.isDirectory()) throw new RemasterError('PATH_EXISTS', `state directory ${dir} exists and is not a directory`, { file: dir });
}
