/**
 * One extraction run: the kernel's do_name()/do_symlink()/dir_utime() calls
 * (init/initramfs.c; the same sequence as initrd/rootfs-model.ts) done on a
 * real directory with the checks of extract.ts's header. Each method says
 * which kernel call it mirrors and which attack its check stops.
 */
import { constants, type Stats } from 'node:fs';
import { lchown, link, lstat, lutimes, mkdir, open, rmdir, symlink, unlink, chmod, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { RemasterError, emitWarning, makeWarning, withContext, type ErrorContext } from '../errors.ts';
import { S_IFMT } from '../cpio/index.ts';
import { PathGuard, fsCall, ioError, type ParentState } from './path-guard.ts';
import type { ExtractEntry, ExtractOptions, ExtractResult } from './extract.ts';

const { O_WRONLY, O_CREAT, O_TRUNC, O_NOFOLLOW, O_RDONLY, O_DIRECTORY } = constants;

function typeOfStats(st: Stats): string {
  if (st.isFile()) return 'file';
  if (st.isDirectory()) return 'dir';
  if (st.isSymbolicLink()) return 'symlink';
  if (st.isCharacterDevice()) return 'char';
  if (st.isBlockDevice()) return 'block';
  return st.isFIFO() ? 'fifo' : 'socket';
}

function parentReason(state: ParentState): string {
  return state === 'missing' ? 'a parent directory does not exist' : 'a parent is not a directory';
}

function throughSymlink(path: string, what: string): RemasterError {
  return new RemasterError('PATH_THROUGH_SYMLINK', `${what}; refusing to write through it (the kernel would follow it)`, { entry: path });
}

/** State of one extractEntries() call. */
export class Extraction {
  readonly result: ExtractResult = { files: 0, dirs: 0, symlinks: 0, hardlinks: 0, skipped: 0, special: [] };
  readonly #target: string;
  readonly #options: ExtractOptions;
  readonly #owners: boolean;
  readonly #isRoot = process.getuid?.() === 0;
  readonly #guard: PathGuard;
  /** find_link(): first member's name per (ino, major, minor, type), emptied at each TRAILER!!!. */
  readonly #links = new Map<string, string>();
  #archive = 0;
  /** Directory modes by "dev:ino": applied at the end to that same inode only. */
  readonly #dirModes = new Map<string, { path: string; mode: number }>();
  /** dir_add(): every directory entry's time, in entry order. */
  readonly #dirTimes: { path: string; mtime: number }[] = [];
  #entries = 0;
  #lastFile: string | undefined;
  /** The file being written: its path, inode ("dev:ino") and every name of that inode (hard links). */
  #partial: { path: string; inode: string; names: string[] } | undefined;
  /** Names of inodes in hard-link groups, by "dev:ino": a half-written group is removed under all of them. */
  readonly #inodeNames = new Map<string, string[]>();

  constructor(target: string, options: ExtractOptions) {
    this.#target = target;
    this.#options = options;
    this.#owners = options.preserveOwners ?? this.#isRoot;
    this.#guard = new PathGuard(target);
  }

  /** Apply one entry at its normalised path. */
  async apply(e: ExtractEntry, path: string): Promise<void> {
    if ((e.archive ?? 0) !== this.#archive) {
      this.#links.clear(); // free_hash() at the TRAILER!!! that ended the previous archive
      this.#archive = e.archive ?? 0;
    }
    this.#entries++;
    try {
      if (e.type === 'symlink') await this.#symlink(e, path);
      else if (e.type !== 'file' && e.header.fileSize > 0) this.#skip(e, path, 'a non-regular entry with data (the kernel skips it before looking at the name)');
      else if (e.type === 'file') await this.#file(e, path);
      else if (e.type === 'dir') await this.#dir(e, path);
      else await this.#special(e, path);
    } catch (err) {
      throw withContext(err, { entry: path, ...(e.segment !== undefined ? { segment: e.segment } : {}) });
    }
  }

  // ---- regular files: do_name() S_ISREG branch, maybe_link(), do_copy() ----

  async #file(e: ExtractEntry, path: string): Promise<void> {
    const h = e.header;
    const full = join(this.#target, path);
    const parents = await this.#guard.parents(path);
    if (parents === 'ok') await this.#clean(full, 'file');
    let linked = false;
    if (h.nlink >= 2) {
      const key = `${h.ino}:${h.devMajor}:${h.devMinor}:${h.mode & S_IFMT}`;
      const first = this.#links.get(key);
      if (first === undefined) this.#links.set(key, path);
      else {
        if (parents === 'ok') await this.#clean(full, undefined);
        if (!(await this.#link(first, path, parents))) return this.#skip(e, path, `the hard link to ${JSON.stringify(first)} failed (missing, a directory, or something in the way)`);
        linked = true;
      }
    }
    if (parents !== 'ok') return this.#skip(e, path, parentReason(parents));
    const handle = await this.#openFile(full, path, linked);
    if (handle === undefined) return this.#skip(e, path, 'a non-empty directory is in the way (the kernel keeps the directory)');
    let done = false;
    try {
      if (!linked || h.fileSize > 0) await this.#writeBody(handle, e, full, path, linked, h.nlink >= 2);
      // Owner before mode: chown(2) clears setuid/setgid, so the other order loses them as root.
      if (this.#owners) await fsCall('chown', full, () => handle.chown(h.uid, h.gid));
      await fsCall('chmod', full, () => handle.chmod(h.mode & 0o7777));
      await fsCall('utimes', full, () => handle.utimes(h.mtime, h.mtime));
      done = true;
    } finally {
      if (done) await fsCall('close', full, () => handle.close());
      else await handle.close().catch(() => undefined);
    }
    if (linked) this.result.hardlinks++;
    else this.result.files++;
    this.#lastFile = path;
  }

  /**
   * init_link(first, path) for a later member. Attack stopped: a group whose first member's
   * parent, or the first member itself, became a symlink to a host file; linking and then
   * opening would write, chown and chmod that file.
   */
  async #link(first: string, path: string, parents: ParentState): Promise<boolean> {
    const oldParents = await this.#guard.parents(first, path);
    if (oldParents !== 'ok' || parents !== 'ok') return false;
    const from = join(this.#target, first);
    const st = await fsCall('lstat', from, () => lstat(from), 'ENOENT');
    if (st === 'ENOENT' || st.isDirectory()) return false; // link(2) fails: ENOENT, EPERM
    const full = join(this.#target, path);
    if ((await fsCall('link', full, () => link(from, full), 'EEXIST', 'ENOENT')) !== undefined) return false;
    if (st.isSymbolicLink()) throw throughSymlink(path, `the hard-link group's first member ${JSON.stringify(first)} is now a symlink`);
    this.#nameInode(`${st.dev}:${st.ino}`, first);
    this.#nameInode(`${st.dev}:${st.ino}`, path);
    return true;
  }

  /** filp_open(): O_TRUNC for a first member, none for a linked one; O_NOFOLLOW always. */
  async #openFile(full: string, path: string, linked: boolean): Promise<FileHandle | undefined> {
    const flags = O_WRONLY | O_NOFOLLOW | (linked ? 0 : O_CREAT | O_TRUNC);
    let r = await fsCall('open', full, () => open(full, flags, 0o600), 'EISDIR', 'ELOOP', 'EACCES');
    if (r === 'EACCES' && !this.#isRoot) {
      // A read-only file from an earlier entry: the kernel (root) writes it anyway; we own it, so make it writable.
      const st = await fsCall('lstat', full, () => lstat(full));
      if (!st.isFile()) throw throughSymlink(path, `${JSON.stringify(path)} changed while extracting`);
      await fsCall('chmod', full, () => chmod(full, (st.mode & 0o7777) | 0o200));
      r = await fsCall('open', full, () => open(full, flags, 0o600), 'EISDIR', 'ELOOP');
    }
    if (r === 'ELOOP') throw throughSymlink(path, `${JSON.stringify(path)} is a symlink`);
    if (r === 'EACCES') return this.#fail('open', full, r);
    return r === 'EISDIR' ? undefined : r;
  }

  /**
   * Write an entry's data. Until it is complete the file is "partial": a failure removes it under
   * every name it has, because a hard-linked inode rewritten half-way (a later member with data, or
   * a plain file over a linked name) would otherwise stay behind, complete-looking, as the group's
   * first member.
   */
  async #writeBody(handle: FileHandle, e: ExtractEntry, full: string, path: string, linked: boolean, grouped: boolean): Promise<void> {
    const st = await fsCall('stat', full, () => handle.stat());
    const inode = `${st.dev}:${st.ino}`;
    if (grouped || linked) this.#nameInode(inode, path);
    this.#partial = { path, inode, names: st.nlink > 1 ? [...new Set([path, ...(this.#inodeNames.get(inode) ?? [])])] : [path] };
    if (linked) await fsCall('truncate', full, () => handle.truncate(e.header.fileSize));
    for await (const chunk of e.body) {
      let pos = 0;
      while (pos < chunk.length) {
        const n = pos;
        pos += (await fsCall('write', full, () => handle.write(chunk, n, chunk.length - n))).bytesWritten;
      }
    }
    this.#partial = undefined;
  }

  // ---- directories: do_name() S_ISDIR branch, dir_add() ----

  async #dir(e: ExtractEntry, path: string): Promise<void> {
    const h = e.header;
    const full = join(this.#target, path);
    const parents = await this.#guard.parents(path);
    this.#dirTimes.push({ path, mtime: h.mtime }); // dir_add() runs whatever mkdir did
    if (parents !== 'ok') return this.#skip(e, path, parentReason(parents));
    await this.#clean(full, 'dir');
    await fsCall('mkdir', full, () => mkdir(full, { mode: 0o700 }), 'EEXIST');
    const handle = await fsCall('open', full, () => open(full, O_RDONLY | O_DIRECTORY | O_NOFOLLOW), 'ENOTDIR', 'ELOOP');
    if (typeof handle === 'string') throw throughSymlink(path, `${JSON.stringify(path)} changed while extracting`);
    try {
      const st = await fsCall('stat', full, () => handle.stat());
      if (this.#owners) await fsCall('chown', full, () => handle.chown(h.uid, h.gid));
      // The kernel chmods now; without root a directory stays writable (u+rwx) until finish().
      await fsCall('chmod', full, () => handle.chmod((h.mode & 0o7777) | (this.#isRoot ? 0 : 0o700)));
      this.#dirModes.set(`${st.dev}:${st.ino}`, { path, mode: h.mode & 0o7777 });
    } finally {
      await handle.close();
    }
    this.#guard.remember(path);
    this.result.dirs++;
  }

  // ---- symlinks: do_symlink() ----

  async #symlink(e: ExtractEntry, path: string): Promise<void> {
    const h = e.header;
    const full = join(this.#target, path);
    const parents = await this.#guard.parents(path);
    if (parents !== 'ok') return this.#skip(e, path, parentReason(parents));
    await this.#clean(full, undefined);
    const raw = e.linkTarget ?? '';
    const target = raw.includes('\0') ? raw.slice(0, raw.indexOf('\0')) : raw; // the kernel reads a C string
    const made = target !== '' && (await fsCall('symlink', full, () => symlink(target, full), 'EEXIST')) === undefined;
    if (!made && (await fsCall('lstat', full, () => lstat(full), 'ENOENT')) === 'ENOENT') return this.#skip(e, path, 'its target is empty');
    // init_chown(AT_SYMLINK_NOFOLLOW) and do_utime() land on the new link, or on the non-empty directory still there.
    if (this.#owners) await fsCall('lchown', full, () => lchown(full, h.uid, h.gid));
    await fsCall('utimes', full, () => lutimes(full, h.mtime, h.mtime));
    if (!made) return this.#skip(e, path, 'a non-empty directory is in the way (the kernel keeps it, with this entry\'s owner and time)');
    this.result.symlinks++;
  }

  // ---- device nodes, FIFOs, sockets, unknown types: recorded, never created ----

  async #special(e: ExtractEntry, path: string): Promise<void> {
    const h = e.header;
    if ((await this.#guard.parents(path)) === 'ok') await this.#clean(join(this.#target, path), e.type);
    this.result.special.push({ path, type: e.type ?? 'unknown', mode: h.mode, rdev: [h.rdevMajor, h.rdevMinor] });
    emitWarning(this.#options, makeWarning('PATH_INVALID', `${e.type ?? 'unknown type'} recorded, not created`, { entry: path }));
  }

  /**
   * clean_path(): remove what is at `full` when its type differs (undefined: always). A directory
   * goes only by rmdir, so a non-empty one survives (the kernel keeps it) and nothing is deleted
   * recursively; a removed directory empties the guard's memory.
   */
  async #clean(full: string, type: string | undefined): Promise<void> {
    const st = await fsCall('lstat', full, () => lstat(full), 'ENOENT', 'ENOTDIR');
    if (typeof st === 'string' || typeOfStats(st) === type) return;
    if (!st.isDirectory()) {
      await fsCall('unlink', full, () => unlink(full));
      return;
    }
    if ((await fsCall('rmdir', full, () => rmdir(full), 'ENOTEMPTY', 'EEXIST')) === undefined) this.#guard.forgetAll();
  }

  #skip(e: ExtractEntry, path: string, reason: string): void {
    this.result.skipped++;
    const ctx: ErrorContext = { entry: path };
    if (e.segment !== undefined) ctx.segment = e.segment;
    emitWarning(this.#options, makeWarning('ENTRY_SKIPPED', `not created, as the kernel would not: ${reason}`, ctx));
  }

  #fail(op: string, full: string, code: string): never {
    throw ioError(Object.assign(new Error(code), { code }), op, full);
  }

  // ---- the end: dir_utime(), deferred modes ----

  /**
   * Apply the kernel's dir_utime() and the directory modes. Its list is walked newest entry
   * first, each time set on whatever is at the path then without following it, so the first
   * entry for a path wins; a mode goes only to the directory inode it was given to. All of it
   * is re-checked on disk with a fresh guard: a directory replaced by a symlink gets nothing
   * through it (node-tar CVE-2021-32803: deferred chmod through a planted link). Non-directories
   * (a file or symlink that replaced a directory, maybe hard-linked elsewhere) are set in list
   * order; directories afterwards, deepest first, so a read-only parent blocks nothing without root.
   */
  async finish(): Promise<void> {
    const guard = new PathGuard(this.#target);
    const dirs = new Map<string, number>();
    for (let i = this.#dirTimes.length - 1; i >= 0; i--) {
      const { path, mtime } = this.#dirTimes[i] as { path: string; mtime: number };
      const full = join(this.#target, path);
      if (!(await this.#reachable(guard, path))) continue;
      const st = await fsCall('lstat', full, () => lstat(full), 'ENOENT');
      if (st === 'ENOENT') continue;
      if (st.isDirectory()) dirs.set(path, mtime);
      else await fsCall('utimes', full, () => lutimes(full, mtime, mtime));
    }
    const depth = (p: string): number => p.split('/').length;
    for (const path of [...dirs.keys()].sort((a, b) => depth(b) - depth(a))) await this.#finishDir(path, dirs.get(path) as number);
  }

  /** Whether every parent of `path` is a directory; a symlink parent is reported, never followed. */
  async #reachable(guard: PathGuard, path: string): Promise<boolean> {
    try {
      return (await guard.parents(path)) === 'ok';
    } catch (err) {
      if (!(err instanceof RemasterError) || err.code !== 'PATH_THROUGH_SYMLINK') throw err;
      emitWarning(this.#options, makeWarning('PATH_THROUGH_SYMLINK', 'directory time not set: a parent became a symlink (the kernel would follow it)', { entry: path }));
      return false;
    }
  }

  async #finishDir(path: string, mtime: number): Promise<void> {
    const full = join(this.#target, path);
    const handle = await fsCall('open', full, () => open(full, O_RDONLY | O_DIRECTORY | O_NOFOLLOW), 'ENOTDIR', 'ELOOP', 'ENOENT');
    if (typeof handle === 'string') return;
    try {
      const st = await fsCall('stat', full, () => handle.stat());
      await fsCall('utimes', full, () => handle.utimes(mtime, mtime));
      const mode = this.#dirModes.get(`${st.dev}:${st.ino}`);
      if (mode !== undefined) await fsCall('chmod', full, () => handle.chmod(mode.mode));
    } finally {
      await handle.close();
    }
  }

  #nameInode(inode: string, path: string): void {
    const known = this.#inodeNames.get(inode);
    if (known === undefined) this.#inodeNames.set(inode, [path]);
    else if (!known.includes(path)) known.push(path);
  }

  /** Unlink every name of the half-written inode that still is that inode (parents checked, links never followed). */
  async #removePartial(partial: { path: string; inode: string; names: string[] }): Promise<string[]> {
    const removed: string[] = [];
    for (const name of partial.names) {
      const full = join(this.#target, name);
      if ((await this.#guard.parents(name).catch(() => 'notdir')) !== 'ok') continue;
      const st = await lstat(full).catch(() => undefined);
      if (st?.isFile() !== true || `${st.dev}:${st.ino}` !== partial.inode) continue;
      if (await unlink(full).then(() => true, () => false)) removed.push(name);
    }
    return removed;
  }

  /**
   * After a failure: remove the partially written file, still apply directory metadata (the
   * kernel runs dir_utime() after an error too), and return the error with what was done.
   */
  async stop(err: unknown): Promise<unknown> {
    const removed = this.#partial === undefined ? [] : await this.#removePartial(this.#partial);
    await this.finish().catch(() => undefined);
    if (!(err instanceof RemasterError)) return err;
    const last = this.#lastFile;
    const gone = last !== undefined && removed.includes(last) ? ' (removed below: a hard link of the partial file)' : '';
    const done = last !== undefined ? `the last file written completely is ${JSON.stringify(last)}${gone}` : 'no file was written completely';
    const [first, ...others] = removed;
    const also = others.length > 0 ? ` with its hard links ${others.map((p) => JSON.stringify(p)).join(', ')}` : '';
    const cleanup = first !== undefined ? `; the partially written ${JSON.stringify(first)}${also} was removed` : '';
    const ctx: ErrorContext = {};
    for (const key of ['file', 'offset', 'segment', 'innerOffset', 'entry', 'line', 'column'] as const) if (err[key] !== undefined) (ctx as Record<string, unknown>)[key] = err[key];
    return new RemasterError(err.code, `${err.detail}; extraction stopped at entry ${this.#entries}: ${done}${cleanup}`, ctx, { cause: err });
  }
}
