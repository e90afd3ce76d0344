/**
 * Archive path normalisation (STYLE.md §1.8 rule 1). Every path that comes
 * from an image goes through toArchivePath() once: leading "/" and "./" are
 * stripped (the kernel resolves names relative to "/"), and empty names, NUL
 * bytes and ".." components are refused, because an extractor that honours
 * them writes outside its target directory (node-tar CVE-2021-32804 class).
 */
import { RemasterError } from '../errors.ts';

/** The archive root, as the kernel's own "." entry names it. */
export const ROOT_PATH = '.';

/** Normalise an entry path to "a/b/c" form (or "." for the root); throw PATH_ESCAPE / PATH_INVALID. */
export function toArchivePath(name: string): string {
  if (name.includes('\0')) throw new RemasterError('PATH_INVALID', `path contains a NUL byte`, { entry: name });
  const parts: string[] = [];
  for (const part of name.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') throw new RemasterError('PATH_ESCAPE', `path has a ".." component`, { entry: name });
    parts.push(part);
  }
  if (parts.length === 0) {
    if (name.replaceAll('/', '').replaceAll('.', '') === '' && name !== '') return ROOT_PATH;
    throw new RemasterError('PATH_INVALID', `empty path`, { entry: name });
  }
  return parts.join('/');
}

/** Return the parent of a normalised path ("." for top-level names). */
export function parentPath(path: string): string {
  const i = path.lastIndexOf('/');
  return i < 0 ? ROOT_PATH : path.slice(0, i);
}

/** Return every ancestor of a normalised path, outermost first, without "." and without the path itself. */
export function ancestors(path: string): string[] {
  const out: string[] = [];
  let i = path.indexOf('/');
  while (i >= 0) {
    out.push(path.slice(0, i));
    i = path.indexOf('/', i + 1);
  }
  return out;
}

/** Join a normalised directory and a relative symlink target inside the image, refusing to climb above the root. */
export function joinInside(dir: string, target: string): string | undefined {
  const parts = target.startsWith('/') || dir === ROOT_PATH ? [] : dir.split('/');
  for (const part of target.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      // Like the kernel's path walk, ".." at the root stays at the root.
      parts.pop();
      continue;
    }
    parts.push(part);
  }
  return parts.length === 0 ? ROOT_PATH : parts.join('/');
}
