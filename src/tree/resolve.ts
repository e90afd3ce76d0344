/**
 * Resolve paths inside an image through its own symlinks, the way the
 * kernel's path walk would after unpacking. Needed because an overlay must
 * never emit a directory entry over a symlink such as `lib -> usr/lib`
 * (initramfs clean_path() would replace the link by an empty directory and
 * hide the whole tree; reference 01 §3): new files go through the link's
 * target instead.
 */
import { RemasterError } from '../errors.ts';
import { ROOT_PATH, joinInside, parentPath } from './safe-path.ts';

/** What an image holds at a path, as far as resolution needs. */
export interface PathInfo {
  type: 'file' | 'dir' | 'symlink' | 'char' | 'block' | 'fifo' | 'socket';
  linkTarget?: string;
}

/** Lookup of image paths (normalised, no leading "/"). */
export type PathLookup = (path: string) => PathInfo | undefined;

/** Maximum symlinks followed while resolving one path, like Linux's MAXSYMLINKS. */
export const MAX_SYMLINK_HOPS = 40;

/**
 * Resolve every directory component of `path` through symlinks in `lookup`;
 * the last component is kept as is. Throws PATH_ESCAPE on loops.
 */
export function resolveParents(lookup: PathLookup, path: string): string {
  if (path === ROOT_PATH) return path;
  const i = path.lastIndexOf('/');
  if (i < 0) return path;
  const dir = resolveDir(lookup, path.slice(0, i), path);
  const base = path.slice(i + 1);
  return dir === ROOT_PATH ? base : `${dir}/${base}`;
}

function resolveDir(lookup: PathLookup, dir: string, original: string): string {
  let pending = dir.split('/');
  let resolved = ROOT_PATH;
  let hops = 0;
  while (pending.length > 0) {
    const part = pending.shift() as string;
    const candidate = resolved === ROOT_PATH ? part : `${resolved}/${part}`;
    const info = lookup(candidate);
    if (info?.type === 'symlink' && info.linkTarget !== undefined) {
      if (++hops > MAX_SYMLINK_HOPS) {
        throw new RemasterError('PATH_ESCAPE', `too many levels of symbolic links`, { entry: original });
      }
      const target = joinInside(parentPath(candidate), info.linkTarget) as string;
      pending = [...(target === ROOT_PATH ? [] : target.split('/')), ...pending];
      resolved = ROOT_PATH;
      continue;
    }
    resolved = candidate;
  }
  return resolved;
}
