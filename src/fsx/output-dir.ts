/**
 * Build outputs appear whole or not at all: files are written into a fresh
 * sibling directory, which then takes the target's name by rename(2). An
 * existing target is moved aside first and removed only after the swap, so
 * a failure at any point leaves either the old tree or the new one.
 *
 * What is replaced, remaster made (STYLE §1.8 rule 6): `output.dir: ~` or
 * `--out .` once deleted the user's home or the recipe itself. An existing
 * directory is replaced only when it is empty or holds nothing but what a
 * build writes (recognised by the caller from its manifest), and never when
 * it is, or contains, the current directory, the home directory, `/`, the
 * recipe or any input; `force` lifts only the "not ours" rule. Paths are
 * compared after realpath(3), so a symlink on either side changes nothing.
 */
import { randomBytes } from 'node:crypto';
import { lstat, mkdir, mkdtemp, readdir, readFile, realpath, rename, rm, rmdir } from 'node:fs/promises';
import { homedir } from 'node:os';
import { basename, dirname, join, relative, resolve, sep } from 'node:path';
import { RemasterError } from '../errors.ts';
import { renameErrorPath, toIoError, withIoContext } from '../io/index.ts';

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

/** What replaceDirAtomically may replace. */
export interface OutputDirOptions {
  /** Files and directories the build reads (recipe, sources, overlays…): the output may not contain any of them. */
  inputs?: readonly string[];
  /** Return true when the directory's entries (names, and manifest.json's text) are a previous output of this tool. */
  isOwnOutput?: (names: readonly string[], manifestText: string | undefined) => boolean;
  /** Replace a non-empty directory that is not ours (still never one holding an input). */
  force?: boolean;
}

async function realOrResolved(path: string): Promise<string> {
  const abs = resolve(path);
  // an input that does not exist yet still names a place: resolve its nearest existing parent
  for (let p = abs, rest = ''; ; rest = join(basename(p), rest), p = dirname(p)) {
    const real = await realpath(p).catch(() => undefined);
    if (real !== undefined) return join(real, rest);
    if (dirname(p) === p) return abs;
  }
}

function contains(dir: string, path: string): boolean {
  const rel = relative(dir, path);
  return rel === '' || (!rel.startsWith(`..${sep}`) && rel !== '..' && !rel.startsWith(sep));
}

async function refuseHolders(dir: string, real: string, inputs: readonly string[]): Promise<void> {
  const guarded: [string, string][] = [
    ['/', 'the filesystem root'],
    [process.cwd(), 'the current directory'],
    [homedir(), 'your home directory'],
    ...inputs.map((i): [string, string] => [i, `the input ${i}`]),
  ];
  for (const [path, what] of guarded) {
    if (contains(real, await realOrResolved(path))) {
      const how = path === '/' || path === process.cwd() || path === homedir() ? 'is or contains' : 'contains';
      throw new RemasterError('OUTPUT_HOLDS_INPUT', `output directory ${how} ${what}; replacing it would delete it. Choose an output directory of its own (output.dir or --out)`, { file: dir });
    }
  }
}

async function checkOwned(dir: string, options: OutputDirOptions): Promise<void> {
  const names = await withIoContext('list', dir, () => readdir(dir));
  if (names.length === 0 || options.force) return;
  const manifest = names.includes('manifest.json') ? await readFile(join(dir, 'manifest.json'), 'utf8').catch(() => undefined) : undefined;
  if (options.isOwnOutput?.(names, manifest)) return;
  const shown = names.slice(0, 3).join(', ') + (names.length > 3 ? `, … (${names.length} entries)` : '');
  throw new RemasterError('OUTPUT_EXISTS', `output directory is not empty and was not written by remaster build (it holds ${shown}); remaster replaces only an empty directory or its own output. Choose another directory, empty this one, or pass --force to replace it`, { file: dir });
}

/**
 * Check that `dir` may be replaced by a build: absent, empty, or a previous
 * output (options.isOwnOutput), and holding no input; throw OUTPUT_EXISTS,
 * OUTPUT_HOLDS_INPUT or PATH_EXISTS otherwise. Return whether it exists.
 */
export async function checkOutputDir(dir: string, options: OutputDirOptions = {}): Promise<boolean> {
  const existing = await lstat(dir).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return undefined;
    throw toIoError(err, 'inspect output directory', dir);
  });
  if (existing === undefined) {
    // not there yet: it still may not be an input's ancestor (a symlinked parent could make it one)
    await refuseHolders(dir, await realOrResolved(dir), options.inputs ?? []);
    return false;
  }
  if (!existing.isDirectory() || existing.isSymbolicLink()) {
    throw new RemasterError('PATH_EXISTS', 'output path exists and is not a directory (a symlink is not followed)', { file: dir });
  }
  await refuseHolders(dir, await realpath(dir), options.inputs ?? []);
  await checkOwned(dir, options);
  return true;
}

/** Fill a temporary directory with `fill`, then swap it into place as `dir` (see the header for what may be replaced). */
export async function replaceDirAtomically<T>(dir: string, fill: (tmp: string) => Promise<T>, options: OutputDirOptions = {}): Promise<T> {
  await checkOutputDir(dir, options);
  const parent = dirname(resolve(dir));
  await withIoContext('create directory', parent, () => mkdir(parent, { recursive: true }));
  const tmp = await withIoContext('create directory', parent, () => makeDirLikeMkdir(join(parent, `.${basename(dir)}.new-`)));
  let result: T;
  try {
    result = await fill(tmp);
    // the build took a while: look again right before the swap
    const existing = await checkOutputDir(dir, options);
    await swapInto(dir, tmp, existing);
  } catch (err) {
    await rm(tmp, { recursive: true, force: true });
    throw renameErrorPath(toIoError(err, 'write output directory', dir), tmp, dir);
  }
  return result;
}

async function swapInto(dir: string, tmp: string, existing: boolean): Promise<void> {
  if (!existing) {
    await withIoContext('rename into place', dir, () => rename(tmp, dir));
    return;
  }
  const parent = dirname(resolve(dir));
  const old = await withIoContext('create directory', parent, () => mkdtemp(join(parent, `.${basename(dir)}.old-`)));
  try {
    await withIoContext('move the previous output aside', dir, () => rename(dir, join(old, 'tree')));
  } catch (err) {
    await rmdir(old).catch(() => {});
    throw err;
  }
  try {
    await withIoContext('rename into place', dir, () => rename(tmp, dir));
  } catch (err) {
    await rename(join(old, 'tree'), dir).catch(() => {});
    await rmdir(old).catch(() => {});
    throw err;
  }
  await rm(old, { recursive: true, force: true });
}
