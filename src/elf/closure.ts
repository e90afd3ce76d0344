/**
 * Shared-library closure of binaries, the ELF-only walk of dracut-ng's
 * dracut-install (reference 02 §8), never running `ldd`: PT_INTERP, then each
 * DT_NEEDED soname searched in the requiring object's DT_RUNPATH (or DT_RPATH
 * when it has no DT_RUNPATH, followed by the executable's DT_RPATH, as ld.so
 * does), with $ORIGIN / $LIB expanded, then the default directories.
 * Candidates whose ELF class, byte order or machine differ from the requirer
 * are skipped, as ld.so skips them. Symlink chains (libfoo.so.1 ->
 * libfoo.so.1.2.3) are recorded link by link so both names can be installed.
 *
 * Paths are absolute paths inside the sysroot the caller's lookup serves;
 * nothing here touches a real filesystem.
 */
import { RemasterError } from '../errors.ts';
import { decodeElf, isElf, type ElfInfo } from './decode.ts';

/** What the sysroot holds at an absolute path. */
export interface LookupResult {
  kind: 'file' | 'symlink' | 'missing';
  /** Symlink target as stored (relative to the link's directory, or absolute inside the sysroot). */
  target?: string;
  /** Read a file's bytes (called only for files the walk decodes). */
  bytes?: () => Promise<Uint8Array>;
}

/** Lookup of absolute sysroot paths; must report the last component's own type (lstat, not stat). */
export type LibraryLookup = (path: string) => Promise<LookupResult>;

/** One file to install, with why. */
export interface ClosureFile {
  path: string;
  reason: 'binary' | 'interpreter' | 'symlink' | `needed-by ${string}`;
  kind: 'file' | 'symlink';
  /** For symlinks: the stored target. */
  linkTarget?: string;
  /** The DT_NEEDED name that led here, for libraries. */
  soname?: string;
}

/** A library no search directory held. */
export interface MissingLibrary {
  soname: string;
  neededBy: string;
  searched: string[];
}

/** Options for resolveLibraryClosure. */
export interface ClosureOptions {
  /** Directories searched after RUNPATH/RPATH (default DEFAULT_LIBRARY_PATHS). */
  searchPaths?: readonly string[];
  /** Return true when the target image already has this soname: reuse it, do not add or descend. */
  already?: (soname: string) => boolean;
  /** Collect missing libraries in the result instead of throwing LIBRARY_NOT_FOUND. */
  allowMissing?: boolean;
  /** Most objects decoded in one walk (default 4096), a bound against hostile loops. */
  maxObjects?: number;
}

/** The closure: files in discovery order (binaries first), libraries reused from the image, and missing ones. */
export interface ClosureResult {
  files: ClosureFile[];
  reused: string[];
  missing: MissingLibrary[];
}

/** The ld.so defaults plus Debian's multiarch directories (from ld.so.conf.d/x86_64-linux-gnu.conf). */
export const DEFAULT_LIBRARY_PATHS: readonly string[] = ['/lib64', '/usr/lib64', '/lib/x86_64-linux-gnu', '/usr/lib/x86_64-linux-gnu', '/lib', '/usr/lib'];
const MAX_SYMLINK_HOPS = 40; // Linux MAXSYMLINKS

interface Loaded {
  path: string;
  info: ElfInfo;
  /** The binary whose closure brought this object in (its DT_RPATH applies). */
  exec?: Loaded;
}

/** Where follow() ended: the file path, its ELF facts when new and ELF, and whether it was new. */
interface Followed {
  path: string;
  info?: ElfInfo;
}

/** Resolve the files `root.binaries` need at run time (interpreter and DT_NEEDED closure); throw LIBRARY_NOT_FOUND unless allowMissing. */
export async function resolveLibraryClosure(root: { binaries: readonly string[] }, lookup: LibraryLookup, options: ClosureOptions = {}): Promise<ClosureResult> {
  const walk = new Walk(lookup, options);
  const queue: Loaded[] = [];
  for (const bin of root.binaries) {
    const found = await walk.follow(bin, 'binary');
    if (!found) throw new RemasterError('LIBRARY_NOT_FOUND', `binary ${bin} does not exist in the sysroot`, { entry: bin });
    if (found.info) queue.push({ path: found.path, info: found.info });
  }
  for (let i = 0; i < queue.length; i++) {
    const obj = queue[i] as Loaded;
    const exec = obj.exec ?? obj;
    const interp = obj.info.interpreter;
    if (interp !== undefined && !walk.sonames.has(interp) && !walk.reuse(basename(interp))) {
      const found = await walk.follow(interp, 'interpreter');
      if (!found) walk.missingLib(interp, obj.path, [interp]);
      else walk.sonames.set(interp, found.path);
      if (found?.info) queue.push({ path: found.path, info: found.info, exec });
    }
    for (const soname of obj.info.needed) {
      const found = await walk.findLibrary(soname, obj, exec);
      if (found?.info) queue.push({ path: found.path, info: found.info, exec });
    }
  }
  return walk.result;
}

class Walk {
  readonly result: ClosureResult = { files: [], reused: [], missing: [] };
  /** soname (or interpreter path) -> path it resolved to; a found soname satisfies later requirers too (§8 step 6). */
  readonly sonames = new Map<string, string>();
  readonly #seen = new Set<string>();
  readonly #lookup: LibraryLookup;
  readonly #options: ClosureOptions;
  #decoded = 0;

  constructor(lookup: LibraryLookup, options: ClosureOptions) {
    this.#lookup = lookup;
    this.#options = options;
  }

  /** Search for one DT_NEEDED soname of `obj`; return the object when it is new. */
  async findLibrary(soname: string, obj: Loaded, exec: Loaded): Promise<Followed | undefined> {
    if (this.sonames.has(soname) || (!soname.includes('/') && this.reuse(soname))) return undefined;
    const candidates = soname.includes('/') ? [expand(soname, obj)] : searchDirs(obj, exec, this.#options).map((d) => `${d}/${soname}`);
    for (const candidate of candidates) {
      const found = await this.follow(candidate, `needed-by ${obj.path}`, soname, obj.info);
      if (found === undefined) continue;
      this.sonames.set(soname, found.path);
      return found;
    }
    this.missingLib(soname, obj.path, candidates);
    return undefined;
  }

  /** Return true (and note it once) when the target image already has `soname`. */
  reuse(soname: string): boolean {
    if (this.result.reused.includes(soname)) return true;
    if (!this.#options.already?.(soname)) return false;
    this.result.reused.push(soname);
    return true;
  }

  missingLib(soname: string, neededBy: string, searched: string[]): void {
    if (!this.#options.allowMissing) {
      throw new RemasterError('LIBRARY_NOT_FOUND', `library ${soname} needed by ${neededBy} not found; searched ${searched.join(', ')}`, { entry: neededBy });
    }
    this.result.missing.push({ soname, neededBy, searched });
  }

  /**
   * Follow `path` through symlinks to a file and record every link and the file. Return
   * undefined when it does not exist, or (with `like`) is not an ELF object matching `like`;
   * `info` is set only for an ELF object seen for the first time.
   */
  async follow(path: string, reason: ClosureFile['reason'], soname?: string, like?: ElfInfo): Promise<Followed | undefined> {
    const links: ClosureFile[] = [];
    let current = normalise(path);
    for (let hop = 0; ; hop++) {
      if (hop > MAX_SYMLINK_HOPS) throw new RemasterError('ELF_BAD', `too many levels of symlinks resolving ${path}`, { entry: path });
      const r = await this.#lookup(current);
      if (r.kind === 'missing') return undefined;
      if (r.kind === 'symlink') {
        const target = r.target ?? '';
        links.push({ path: current, reason: links.length === 0 ? reason : 'symlink', kind: 'symlink', linkTarget: target, ...(soname ? { soname } : {}) });
        current = normalise(target.startsWith('/') ? target : `${dirname(current)}/${target}`);
        continue;
      }
      const seen = this.#seen.has(current);
      const info = seen ? undefined : await this.#decode(current, r);
      // A library candidate must be ELF of the requirer's kind (ld.so skips a 32-bit lib or a linker script).
      if (like && !seen && (info === undefined || !compatible(info, like))) return undefined;
      for (const l of links) this.#add(l);
      this.#add({ path: current, reason: links.length === 0 ? reason : 'symlink', kind: 'file', ...(soname ? { soname } : {}) });
      return info ? { path: current, info } : { path: current };
    }
  }

  async #decode(path: string, r: LookupResult): Promise<ElfInfo | undefined> {
    if (++this.#decoded > (this.#options.maxObjects ?? 4096)) throw new RemasterError('LIMIT_EXCEEDED', `library closure exceeds maxObjects ${this.#options.maxObjects ?? 4096}`, { entry: path });
    const bytes = r.bytes ? await r.bytes() : new Uint8Array(0);
    if (!isElf(bytes)) return undefined;
    try {
      return decodeElf(bytes);
    } catch (err) {
      if (err instanceof RemasterError && err.entry === undefined) (err as { entry?: string }).entry = path;
      throw err;
    }
  }

  #add(file: ClosureFile): void {
    if (this.#seen.has(file.path)) return;
    this.#seen.add(file.path);
    this.result.files.push(file);
  }
}

/** ld.so accepts a library only with the requirer's class, byte order and machine (reference 02 §8 step 5). */
function compatible(a: ElfInfo, b: ElfInfo): boolean {
  return a.class === b.class && a.endian === b.endian && a.machine === b.machine;
}

function searchDirs(obj: Loaded, exec: Loaded, options: ClosureOptions): string[] {
  const dirs: string[] = [];
  const own = obj.info.runpath ?? obj.info.rpath;
  if (own) dirs.push(...splitPath(own, obj));
  // DT_RPATH of the executable applies to every object without DT_RUNPATH (ld.so(8) search order).
  if (obj.info.runpath === undefined && exec !== obj && exec.info.runpath === undefined && exec.info.rpath) dirs.push(...splitPath(exec.info.rpath, exec));
  dirs.push(...(options.searchPaths ?? DEFAULT_LIBRARY_PATHS));
  return [...new Set(dirs.map(normalise))];
}

function splitPath(list: string, obj: Loaded): string[] {
  return list.split(':').filter((d) => d !== '').map((d) => expand(d, obj));
}

/** Expand $ORIGIN / ${ORIGIN} (the object's directory) and $LIB / ${LIB} (lib64 or lib by class). */
function expand(value: string, obj: Loaded): string {
  const lib = obj.info.class === 64 ? 'lib64' : 'lib';
  const out = value.replace(/\$(?:\{ORIGIN\}|ORIGIN)/g, dirname(obj.path)).replace(/\$(?:\{LIB\}|LIB)/g, lib);
  return out.startsWith('/') ? out : `/${out}`;
}

function basename(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

function dirname(path: string): string {
  const i = path.lastIndexOf('/');
  return i <= 0 ? '/' : path.slice(0, i);
}

/** Collapse "//", "." and ".." in an absolute path; ".." at the root stays at the root. */
function normalise(path: string): string {
  const parts: string[] = [];
  for (const p of path.split('/')) {
    if (p === '' || p === '.') continue;
    if (p === '..') parts.pop();
    else parts.push(p);
  }
  return `/${parts.join('/')}`;
}
