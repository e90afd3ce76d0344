/**
 * The published tree's own directories are real directories, and its own
 * links point where remaster put them (STYLE §1.8 rule 6). Someone with
 * write access to a TFTP root could replace `remaster/`, a content
 * directory `remaster/<sha16>/`, `remaster/versions/` or `boot/` by a
 * symlink, and a publish would then write kernels, content and version
 * directories wherever it points (and verify passed). So:
 *
 * - ensureRealDir() creates or checks a root-relative directory one
 *   component at a time with lstat, at the moment of each write, and refuses
 *   a symlink anywhere on the way;
 * - checkPublishLayout() checks everything remaster owns under `remaster/`
 *   before anything is read or written: real directories, regular files in
 *   content directories, `current -> versions/<n>`, `manifest.json ->
 *   current/manifest.json`;
 * - checkVersionTree() walks one version directory: real directories,
 *   regular files, and links that stay inside `remaster/`.
 *
 * The links remaster makes itself (`remaster/current`, the exported names
 * such as `pxelinux.cfg -> remaster/current/pxelinux.cfg`) are the only
 * links allowed. Residual race, documented: Node has no openat(2), so a
 * component swapped for a link between the lstat and the write is not seen;
 * files are still created with O_NOFOLLOW.
 */
import { lstat, mkdir, readdir, readlink } from 'node:fs/promises';
import { join, posix } from 'node:path';
import { RemasterError } from '../errors.ts';
import { toIoError } from '../io/index.ts';
import { counted, lstatOrUndefined } from './publish-ops.ts';

/** One thing wrong with the layout, root-relative. */
export interface LayoutProblem {
  path: string;
  message: string;
}

/** Names remaster gives its content directories: 16 hex digits of a sha256. */
export const CONTENT_DIR_NAME = /^[0-9a-f]{16}$/u;
/** Temporary names (publish-ops.ts tempName, prune's trash): `.<name>.<12 hex>.tmp`. */
export const TEMP_NAME = /^\..+\.[0-9a-f]{12}\.tmp$/u;
const VERSION_NAME = /^[1-9][0-9]*$/u;

function describe(info: import('node:fs').Stats | undefined, target: string | undefined): string {
  if (info === undefined) return 'missing';
  if (info.isSymbolicLink()) return `a symlink to ${JSON.stringify(target)}`;
  return info.isDirectory() ? 'a directory' : info.isFile() ? 'a regular file' : 'a special file';
}

async function describePath(path: string): Promise<string> {
  const info = await lstatOrUndefined(path);
  return describe(info, info?.isSymbolicLink() ? await readlink(path).catch(() => '?') : undefined);
}

/** Throw PATH_THROUGH_SYMLINK for the first layout problem, with how to recover. */
export function throwLayoutProblems(root: string, problems: readonly LayoutProblem[]): void {
  const first = problems[0];
  if (first === undefined) return;
  const more = problems.length > 1 ? ` (and ${problems.length - 1} more problem(s): ${problems.slice(1, 4).map((p) => p.path).join(', ')})` : '';
  throw new RemasterError('PATH_THROUGH_SYMLINK', `${first.message}${more}; remaster writes only through directories it made. Move the planted entry away (and check who could write to this tree) before publishing again`, { file: join(root, first.path) });
}

/**
 * Create (or check) `rel` under `root` one component at a time; throw
 * PATH_THROUGH_SYMLINK at a symlink or non-directory. Directories it creates
 * are appended to `created`. Return the absolute path.
 */
export async function ensureRealDir(root: string, rel: string, created?: string[]): Promise<string> {
  let at = root;
  if ((await lstatOrUndefined(root)) === undefined) {
    await counted(() => mkdir(root, { recursive: true })).catch((err: unknown) => {
      throw toIoError(err, 'create directory', root);
    });
  }
  for (const part of rel.split('/').filter((p) => p !== '' && p !== '.')) {
    if (part === '..') throw new RemasterError('PATH_ESCAPE', 'path leaves the tree', { file: join(root, rel) });
    at = join(at, part);
    let info = await lstatOrUndefined(at);
    if (info === undefined) {
      const made = await counted(() => mkdir(at)).then(() => true, (err: NodeJS.ErrnoException) => {
        if (err.code !== 'EEXIST') throw toIoError(err, 'create directory', at);
        return false;
      });
      if (made) created?.push(at);
      info = await lstat(at);
    }
    if (!info.isDirectory()) {
      throw new RemasterError('PATH_THROUGH_SYMLINK', `is ${await describePath(at)}, where remaster keeps a directory of its own; move it away before publishing again`, { file: at });
    }
  }
  return at;
}

async function checkDirEntries(root: string, rel: string, each: (name: string, info: import('node:fs').Stats) => Promise<string | undefined>): Promise<LayoutProblem[]> {
  const problems: LayoutProblem[] = [];
  for (const name of await readdir(join(root, rel)).catch(() => [] as string[])) {
    const info = await lstatOrUndefined(join(root, rel, name));
    if (info === undefined) continue;
    const wrong = await each(name, info);
    if (wrong !== undefined) problems.push({ path: `${rel}/${name}`, message: wrong });
  }
  return problems;
}

async function linkProblem(root: string, rel: string, want: RegExp, what: string): Promise<LayoutProblem[]> {
  const path = join(root, rel);
  const info = await lstatOrUndefined(path);
  if (info === undefined) return [];
  const target = info.isSymbolicLink() ? await readlink(path) : undefined;
  if (target !== undefined && want.test(target)) return [];
  return [{ path: rel, message: `${rel} is ${describe(info, target)}, expected ${what}` }];
}

async function checkContentDir(root: string, rel: string): Promise<LayoutProblem[]> {
  return checkDirEntries(root, rel, async (name, info) => {
    if (info.isFile() || TEMP_NAME.test(name)) return undefined;
    return `${rel}/${name} is ${await describePath(join(root, rel, name))}; content files are regular files`;
  });
}

/**
 * Check the directory remaster owns in `root` (`publishDir`, e.g. `remaster`)
 * and return every problem: a planted symlink or foreign file type where
 * remaster keeps a directory, a content file that is not a regular file, a
 * switch link or manifest link that points elsewhere. An absent directory
 * (never published) has no problems.
 */
export async function checkPublishLayout(root: string, publishDir: string): Promise<LayoutProblem[]> {
  const top = join(root, publishDir);
  const info = await lstatOrUndefined(top);
  if (info === undefined) return [];
  if (!info.isDirectory()) return [{ path: publishDir, message: `${publishDir} is ${await describePath(top)}, expected remaster's own directory` }];
  const problems = await checkDirEntries(root, publishDir, async (name, entry) => {
    const rel = `${publishDir}/${name}`;
    const kind = await describePath(join(root, rel));
    if (CONTENT_DIR_NAME.test(name) || name === 'versions') return entry.isDirectory() ? undefined : `${rel} is ${kind}, expected a directory`;
    if (name === '.lock' || name.endsWith('.pending')) return entry.isFile() ? undefined : `${rel} is ${kind}, expected the lock file`;
    return undefined;
  });
  for (const name of await readdir(top)) {
    const rel = `${publishDir}/${name}`;
    if (CONTENT_DIR_NAME.test(name) && (await lstat(join(root, rel))).isDirectory()) problems.push(...(await checkContentDir(root, rel)));
  }
  problems.push(...(await linkProblem(root, `${publishDir}/current`, /^versions\/[1-9][0-9]*$/u, 'a symlink to versions/<n>')));
  problems.push(...(await linkProblem(root, `${publishDir}/manifest.json`, /^current\/manifest\.json$/u, 'a symlink to current/manifest.json')));
  if ((await lstatOrUndefined(join(top, 'versions')))?.isDirectory()) problems.push(...(await checkVersions(root, `${publishDir}/versions`)));
  return problems;
}

async function checkVersions(root: string, rel: string): Promise<LayoutProblem[]> {
  const problems = await checkDirEntries(root, rel, async (name, info) => {
    if (!VERSION_NAME.test(name) || info.isDirectory()) return undefined;
    return `${rel}/${name} is ${await describePath(join(root, rel, name))}, expected a version directory`;
  });
  for (const name of (await readdir(join(root, rel))).filter((n) => VERSION_NAME.test(n))) {
    const manifest = `${rel}/${name}/manifest.json`;
    const info = await lstatOrUndefined(join(root, manifest));
    if (info !== undefined && !info.isFile()) problems.push({ path: manifest, message: `${manifest} is ${await describePath(join(root, manifest))}, expected a regular file` });
  }
  return problems;
}

/**
 * Walk one version directory (root-relative `versionRel`, under
 * `publishDir`): every directory real, every file regular, every link
 * relative and resolving inside `publishDir` or to a name under one of the
 * version's `exports` (host aliases name their menu by its client path,
 * which leads back through `current`). Return the problems.
 */
export async function checkVersionTree(root: string, versionRel: string, publishDir: string, exports: readonly string[]): Promise<LayoutProblem[]> {
  const inside = (p: string) => p.startsWith(`${publishDir}/`) || exports.some((e) => p === e || p.startsWith(`${e}/`));
  const problems: LayoutProblem[] = [];
  // dirent types come with the listing: no lstat per entry (a version with 100 hosts has about 600)
  const entries = await readdir(join(root, versionRel), { recursive: true, withFileTypes: true }).catch(() => []);
  for (const entry of entries) {
    if (entry.isDirectory() || entry.isFile()) continue;
    const path = join(entry.parentPath, entry.name);
    const rel = `${versionRel}/${path.slice(join(root, versionRel).length + 1)}`;
    if (!entry.isSymbolicLink()) {
      problems.push({ path: rel, message: `${rel} is a special file` });
      continue;
    }
    const target = await readlink(path);
    const lands = posix.normalize(posix.join(posix.dirname(rel), target));
    if (target.startsWith('/') || !inside(lands)) {
      problems.push({ path: rel, message: `${rel} is a symlink to ${JSON.stringify(target)}, which leads out of what remaster publishes` });
    }
  }
  return problems;
}
