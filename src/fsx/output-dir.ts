/**
 * Build outputs appear whole or not at all: files are written into a fresh
 * sibling directory, which then takes the target's name by rename(2). An
 * existing target is moved aside first and removed only after the swap, so
 * a failure at any point leaves either the old tree or the new one.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rename, rm, lstat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { RemasterError } from '../errors.ts';

/**
 * Create a fresh directory named `prefix` + random characters with mode 0777
 * less the umask, as mkdir(1) would: mkdtemp(3) makes 0700, and the output
 * directory keeps the mode it is created with.
 */
async function makeDirLikeMkdir(prefix: string): Promise<string> {
  for (let attempt = 0; ; attempt++) {
    const path = `${prefix}${randomBytes(6).toString('hex')}`;
    try {
      await mkdir(path, 0o777);
      return path;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST' || attempt >= 8) throw err;
    }
  }
}

/** Fill a temporary directory with `fill`, then swap it into place as `dir`. */
export async function replaceDirAtomically<T>(dir: string, fill: (tmp: string) => Promise<T>): Promise<T> {
  const parent = dirname(dir);
  await mkdir(parent, { recursive: true });
  const existing = await lstat(dir).catch(() => undefined);
  if (existing && (!existing.isDirectory() || existing.isSymbolicLink())) {
    throw new RemasterError('PATH_EXISTS', 'output path exists and is not a directory', { file: dir });
  }
  const tmp = await makeDirLikeMkdir(join(parent, `.${basename(dir)}.new-`));
  let result: T;
  try {
    result = await fill(tmp);
  } catch (err) {
    await rm(tmp, { recursive: true, force: true });
    throw err;
  }
  if (existing) {
    const old = await mkdtemp(join(parent, `.${basename(dir)}.old-`));
    await rename(dir, join(old, 'tree'));
    await rename(tmp, dir);
    await rm(old, { recursive: true, force: true });
  } else {
    await rename(tmp, dir);
  }
  return result;
}
