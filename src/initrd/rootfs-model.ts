/**
 * What the kernel leaves in its rootfs after unpacking an initrd: an
 * in-memory model of init/initramfs.c (Linux 6.1, the Debian 12 kernel the
 * QEMU tests boot). Each entry runs the same sequence of filesystem calls as
 * the kernel, on inodes and directory entries, so hard links, replacements
 * and failures come out as they do at boot:
 *
 * - do_name(): `clean_path(collected, mode)` first, for every type but
 *   symlinks; clean_path() lstat()s the path and, when the type differs,
 *   `init_rmdir()`s a directory (which fails unless it is empty: a non-empty
 *   directory survives a later file or symlink of the same name) or
 *   `init_unlink()`s anything else.
 * - Regular files: `maybe_link()` for nlink >= 2, then `filp_open(collected,
 *   O_WRONLY|O_CREAT (|O_TRUNC unless linked))`, `vfs_fchown`, `vfs_fchmod`,
 *   `vfs_truncate(body_len)` only when body_len > 0, the data, and
 *   `do_utime_path()` on the opened file. A failed open (a directory in the
 *   way, a missing parent) skips the entry.
 * - find_link()/maybe_link(): a member is linked to the *name* of the first
 *   member with the same (ino, major, minor, mode & S_IFMT); the table is
 *   emptied by free_hash() at every TRAILER!!!, not per segment. The link is
 *   `clean_path(collected, 0)` then `init_link(old, collected)`; when it
 *   fails the entry is skipped; when it works the open has no O_TRUNC, so a
 *   member without data keeps the group's data and a member with data
 *   rewrites it for every name.
 * - Directories: `init_mkdir` (EEXIST is fine), `init_chown`, `init_chmod`,
 *   `dir_add()`; dir_utime() sets the times at the very end, on whatever is
 *   at each path then (no follow), newest entry first (list_add() pushes at
 *   the head), so the first entry for a path wins.
 * - do_symlink(): `clean_path(collected, 0)`, `init_symlink`, `init_chown(…,
 *   AT_SYMLINK_NOFOLLOW)`, `do_utime`: when the symlink cannot be created
 *   (a non-empty directory is there) the owner and time land on what is there.
 * - Device nodes, FIFOs, sockets: maybe_link(), `init_mknod`, chown, chmod,
 *   do_utime. do_header(): a non-regular, non-symlink entry with body_len > 0
 *   is skipped before do_name().
 * - Path walks follow symlinks in parent components (absolute targets from
 *   the root, ".." at the root stays there, at most 40 links like
 *   MAXSYMLINKS), and a link-open follows a final symlink.
 *
 * With `symlinks: 'refuse'` the model stops an entry at the first symlink
 * the kernel would follow and reports it: that is what extraction to a real
 * directory does (fsx/extract.ts), because such a write can leave the tree.
 * Not modelled: partial writes, device contents, umask (the chmod that
 * follows every create fixes the mode), the root directory's own metadata
 * unless an entry names it.
 */
import { S_IFMT } from '../cpio/index.ts';
import type { EntryType } from '../cpio/index.ts';
import type { InitrdEntry } from './read.ts';

/** Linux's MAXSYMLINKS: links followed in one path walk. */
const MAX_LINK_HOPS = 40;

/** One inode of the model; `content` is whatever the caller says a file's data is. */
export interface ModelNode<C> {
  readonly id: number;
  type: EntryType;
  perm: number;
  uid: number;
  gid: number;
  mtime: number;
  /** Data size of a regular file. */
  size: number;
  content: C | undefined;
  linkTarget?: string;
  rdev?: [number, number];
  /** Directory entries naming this inode. */
  links: number;
  /** Segment of the last entry that changed this inode (0 for the root). */
  segment: number;
  children?: Map<string, ModelNode<C>>;
  parent?: ModelNode<C>;
}

/** The parts of an initrd entry the kernel looks at. */
export type ModelEntry = Pick<InitrdEntry, 'name' | 'type' | 'header' | 'linkTarget' | 'segment' | 'archive'>;

/** What one entry did. */
export interface ApplyResult<C> {
  /** The regular file the entry's data is written into (set its `content`); undefined when none. */
  data?: ModelNode<C>;
  /** Refuse mode: the path of the symlink the kernel would have followed; the entry stopped there. */
  refused?: string;
  /** Why the kernel created nothing (or not what the entry asked for). */
  skipped?: string;
}

/** Options for RootfsModel. */
export interface RootfsModelOptions {
  /** 'follow' (the kernel, default) or 'refuse' (extraction: stop an entry at the first symlink it would follow). */
  symlinks?: 'follow' | 'refuse';
}

/** Thrown inside a walk that meets a symlink in refuse mode; apply() turns it into `refused`. */
class Refused extends Error {
  readonly path: string;
  constructor(path: string) {
    super(path);
    this.path = path;
  }
}

type Located<C> = { parent: ModelNode<C>; name: string; node: ModelNode<C> | undefined } | { fixed: ModelNode<C> } | { fail: string };

/** Split a name the way the kernel walks it (a C string: it ends at the first NUL). */
function partsOf(name: string): string[] {
  const nul = name.indexOf('\0');
  return (nul < 0 ? name : name.slice(0, nul)).split('/').filter((p) => p !== '' && p !== '.');
}

/** An in-memory rootfs that unpacks initrd entries with the kernel's semantics. */
export class RootfsModel<C> {
  readonly root: ModelNode<C>;
  #ids = 1;
  #refuse: boolean;
  #hash = new Map<string, string>();
  #archive = 0;
  #dirTimes: { name: string; mtime: number }[] = [];
  #rootTouched = false;

  constructor(options: RootfsModelOptions = {}) {
    this.#refuse = options.symlinks === 'refuse';
    this.root = this.#make('dir', 0o755, 0);
    this.root.parent = this.root;
    this.root.links = 1;
  }

  /** Apply one entry; its body (if any) is described afterwards through `data`. */
  apply(e: ModelEntry): ApplyResult<C> {
    if (e.archive !== this.#archive) {
      this.#hash.clear(); // free_hash() ran at the TRAILER!!! that ended the previous archive
      this.#archive = e.archive;
    }
    try {
      if (e.type === 'symlink') return this.#symlink(e);
      if (e.type !== 'file' && e.header.fileSize > 0) return { skipped: 'a non-regular entry with data (do_header skips it)' };
      this.#clean(e.name, e.type);
      if (e.type === 'file') return this.#file(e);
      if (e.type === 'dir') return this.#dir(e);
      if (e.type === undefined) return { skipped: 'unknown file type' };
      return this.#device(e);
    } catch (err) {
      if (err instanceof Refused) return { refused: err.path };
      throw err;
    }
  }

  /** Run dir_utime(); in refuse mode, times whose path crosses a symlink are skipped and returned. */
  finish(): string[] {
    const refused: string[] = [];
    for (let i = this.#dirTimes.length - 1; i >= 0; i--) {
      const { name, mtime } = this.#dirTimes[i] as { name: string; mtime: number };
      try {
        const node = this.#final(this.#locate(name));
        if (node) this.#touch(node, { mtime });
      } catch (err) {
        if (!(err instanceof Refused)) throw err;
        refused.push(name);
      }
    }
    this.#dirTimes = [];
    return refused;
  }

  /** Return the node at `path`, following symlinks in parent components only (undefined when absent). */
  lookup(path: string): ModelNode<C> | undefined {
    try {
      return this.#final(this.#locate(path));
    } catch (err) {
      if (err instanceof Refused) return undefined;
      throw err;
    }
  }

  /** Yield every path and its node, parents first; the root ("." ) only when an entry named it. */
  *paths(): Generator<[string, ModelNode<C>]> {
    if (this.#rootTouched) yield ['.', this.root];
    const walk = function* (dir: ModelNode<C>, prefix: string): Generator<[string, ModelNode<C>]> {
      for (const [name, node] of dir.children ?? []) {
        const path = prefix === '' ? name : `${prefix}/${name}`;
        yield [path, node];
        if (node.type === 'dir') yield* walk(node, path);
      }
    };
    yield* walk(this.root, '');
  }

  #make(type: EntryType, perm: number, segment: number): ModelNode<C> {
    const node: ModelNode<C> = { id: this.#ids++, type, perm, uid: 0, gid: 0, mtime: 0, size: 0, content: undefined, links: 0, segment };
    if (type === 'dir') node.children = new Map();
    return node;
  }

  // ---- path walk (namei) ----

  /** Resolve every component but the last; the last is looked up without following. */
  #locate(name: string): Located<C> {
    const parts = partsOf(name);
    if (parts.length === 0) return { fixed: this.root };
    const last = parts[parts.length - 1] as string;
    const dir = this.#walk(this.root, parts.slice(0, -1), { hops: 0 }, parts);
    if (typeof dir === 'string') return { fail: dir };
    if (last === '..') return { fixed: dir.parent as ModelNode<C> };
    return { parent: dir, name: last, node: dir.children?.get(last) };
  }

  #walk(start: ModelNode<C>, parts: string[], state: { hops: number }, whole: string[]): ModelNode<C> | string {
    let cur = start;
    for (let i = 0; i < parts.length; i++) {
      const part = parts[i] as string;
      if (cur.type !== 'dir') return 'ENOTDIR';
      if (part === '..') {
        cur = cur.parent as ModelNode<C>;
        continue;
      }
      const next = cur.children?.get(part);
      if (next === undefined) return 'ENOENT';
      if (next.type === 'symlink') {
        // Refuse mode never follows a link, so the walk so far is the entry's own prefix.
        if (this.#refuse) throw new Refused(whole.slice(0, i + 1).join('/'));
        const target = this.#follow(cur, next, state);
        if (typeof target === 'string') return target;
        cur = target;
        continue;
      }
      cur = next;
    }
    return cur.type === 'dir' ? cur : 'ENOTDIR';
  }

  /** Follow one symlink found in directory `from` to the node it names (all of its components followed). */
  #follow(from: ModelNode<C>, link: ModelNode<C>, state: { hops: number }): ModelNode<C> | string {
    if (++state.hops > MAX_LINK_HOPS) return 'ELOOP';
    const target = link.linkTarget ?? '';
    const parts = partsOf(target);
    const base = target.startsWith('/') ? this.root : from;
    if (parts.length === 0) return base;
    const dir = this.#walk(base, parts.slice(0, -1), state, parts);
    if (typeof dir === 'string') return dir;
    const last = parts[parts.length - 1] as string;
    const node = last === '..' ? dir.parent : dir.children?.get(last);
    if (node === undefined) return 'ENOENT';
    return node.type === 'symlink' ? this.#follow(dir, node, state) : node;
  }

  #final(at: Located<C>): ModelNode<C> | undefined {
    return 'fixed' in at ? at.fixed : 'fail' in at ? undefined : at.node;
  }

  // ---- the kernel's calls ----

  /** clean_path(): remove what is at `name` when its type differs (undefined type: always). */
  #clean(name: string, type: EntryType | undefined): void {
    const at = this.#locate(name);
    if (!('node' in at) || at.node === undefined || at.node.type === type) return;
    if (at.node.type === 'dir' && (at.node.children?.size ?? 0) > 0) return; // rmdir: ENOTEMPTY
    at.parent.children?.delete(at.name);
    at.node.links--;
  }

  /** init_link(old, name): never follows old's final component; fails on a directory or an existing name. */
  #link(old: string, name: string): boolean {
    const from = this.#final(this.#locate(old));
    if (from === undefined || from.type === 'dir') return false;
    const at = this.#locate(name);
    if (!('node' in at) || at.node !== undefined) return false;
    at.parent.children?.set(at.name, from);
    from.links++;
    return true;
  }

  /** Create `type` at `name` when nothing is there; return what is there afterwards (undefined: no parent). */
  #create(name: string, type: EntryType, e: ModelEntry): ModelNode<C> | undefined {
    const at = this.#locate(name);
    if ('fail' in at) return undefined;
    if ('fixed' in at) return at.fixed;
    if (at.node !== undefined) return at.node;
    const node = this.#make(type, e.header.mode & 0o7777, e.segment);
    if (type === 'dir') node.parent = at.parent;
    at.parent.children?.set(at.name, node);
    node.links = 1;
    return node;
  }

  /** maybe_link(): 0 (first member or not a group), 1 (linked), -1 (link failed). */
  #maybeLink(e: ModelEntry): number {
    if (e.header.nlink < 2) return 0;
    const h = e.header;
    const key = `${h.ino}:${h.devMajor}:${h.devMinor}:${h.mode & S_IFMT}`;
    const old = this.#hash.get(key);
    if (old === undefined) {
      this.#hash.set(key, e.name);
      return 0;
    }
    this.#clean(e.name, undefined);
    return this.#link(old, e.name) ? 1 : -1;
  }

  #file(e: ModelEntry): ApplyResult<C> {
    const ml = this.#maybeLink(e);
    if (ml < 0) return { skipped: 'the hard link to the group\'s first member failed' };
    const opened = ml === 0 ? this.#openTrunc(e) : this.#openLinked(e);
    if (opened === undefined) return { skipped: 'it cannot be opened (a non-empty directory is in the way, or no parent)' };
    this.#touch(opened, { uid: e.header.uid, gid: e.header.gid, perm: e.header.mode & 0o7777, mtime: e.header.mtime, segment: e.segment });
    if (opened.type !== 'file' || (ml === 1 && e.header.fileSize === 0)) return {};
    opened.size = e.header.fileSize;
    opened.content = undefined;
    return { data: opened };
  }

  /** filp_open(O_WRONLY|O_CREAT|O_TRUNC) after clean_path: a file is truncated, a directory fails. */
  #openTrunc(e: ModelEntry): ModelNode<C> | undefined {
    const node = this.#create(e.name, 'file', e);
    if (node === undefined || node.type === 'dir') return undefined;
    if (node.type === 'file') {
      node.size = 0;
      node.content = undefined;
    }
    return node;
  }

  /** filp_open(O_WRONLY|O_CREAT) on a fresh hard link: follows it when the first member became a symlink. */
  #openLinked(e: ModelEntry): ModelNode<C> | undefined {
    const at = this.#locate(e.name);
    let node = this.#final(at);
    if (node?.type === 'symlink' && 'parent' in at) {
      if (this.#refuse) throw new Refused(partsOf(e.name).join('/'));
      const target = this.#follow(at.parent, node, { hops: 0 });
      // O_CREAT through a dangling link would create its target; the model leaves that case out.
      node = typeof target === 'string' ? undefined : target;
    }
    return node?.type === 'dir' ? undefined : node;
  }

  #dir(e: ModelEntry): ApplyResult<C> {
    let node: ModelNode<C> | undefined;
    try {
      node = this.#create(e.name, 'dir', e);
    } finally {
      this.#dirTimes.push({ name: e.name, mtime: e.header.mtime }); // dir_add() runs whatever mkdir did
    }
    if (node === undefined) return { skipped: 'its parent directory does not exist' };
    this.#touch(node, { uid: e.header.uid, gid: e.header.gid, perm: e.header.mode & 0o7777, segment: e.segment });
    return {};
  }

  #symlink(e: ModelEntry): ApplyResult<C> {
    this.#clean(e.name, undefined);
    const raw = e.linkTarget ?? '';
    const linkTarget = raw.includes('\0') ? raw.slice(0, raw.indexOf('\0')) : raw;
    const at = this.#locate(e.name);
    let node = this.#final(at);
    // init_symlink() fails when something is still there (a non-empty directory) or the target is empty (ENOENT).
    const created = node === undefined && linkTarget !== '' && 'parent' in at;
    if (created) {
      node = this.#create(e.name, 'symlink', e) as ModelNode<C>;
      node.linkTarget = linkTarget;
    }
    if (node === undefined) return { skipped: linkTarget === '' ? 'its target is empty' : 'its parent directory does not exist' };
    this.#touch(node, { uid: e.header.uid, gid: e.header.gid, mtime: e.header.mtime, segment: e.segment });
    if (created) node.perm = 0o777;
    return created ? {} : { skipped: 'a non-empty directory is in the way (its owner and time were changed)' };
  }

  #device(e: ModelEntry): ApplyResult<C> {
    const ml = this.#maybeLink(e);
    if (ml !== 0) return ml < 0 ? { skipped: 'the hard link to the group\'s first member failed' } : {};
    const node = this.#create(e.name, e.type as EntryType, e);
    if (node === undefined) return { skipped: 'its parent directory does not exist' };
    if (node.type === e.type && node.rdev === undefined) node.rdev = [e.header.rdevMajor, e.header.rdevMinor];
    this.#touch(node, { uid: e.header.uid, gid: e.header.gid, perm: e.header.mode & 0o7777, mtime: e.header.mtime, segment: e.segment });
    return {};
  }

  #touch(node: ModelNode<C>, change: { uid?: number; gid?: number; perm?: number; mtime?: number; segment?: number }): void {
    if (node === this.root) this.#rootTouched = true;
    if (change.uid !== undefined) node.uid = change.uid;
    if (change.gid !== undefined) node.gid = change.gid;
    if (change.perm !== undefined && node.type !== 'symlink') node.perm = change.perm;
    if (change.mtime !== undefined) node.mtime = change.mtime;
    if (change.segment !== undefined) node.segment = change.segment;
  }
}
