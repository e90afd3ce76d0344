/**
 * The `binaries` step: vendor tools (RAID CLIs and the like) with their
 * shared-library closure (DT_NEEDED, RUNPATH/RPATH with $ORIGIN, PT_INTERP),
 * resolved from a sysroot — a directory or a vendor .rpm/.deb — the way
 * dracut-install does it, without running ldd. Libraries the initrd already
 * has (same soname in a library directory) are reused, not copied; a library
 * found nowhere is an error naming it, who needs it and where it was looked for.
 */
import { resolve } from 'node:path';
import { withContext, type WarnOptions } from '../../errors.ts';
import { resolveLibraryClosure, DEFAULT_LIBRARY_PATHS, type LibraryLookup } from '../../elf/index.ts';
import { sysrootLookup } from '../../fsx/index.ts';
import { resolveParents } from '../../tree/index.ts';
import type { AddSpec, InitrdIndex } from '../../initrd/index.ts';
import { readPackageFiles, type PackageFile } from '../package-source.ts';
import type { BinariesStep } from '../schema.ts';

/** What a binaries step contributes. */
export interface PreparedBinaries {
  adds: AddSpec[];
  files: { path: string; reason: string; source: string }[];
  /** Sonames the initrd already had. */
  reused: string[];
}

interface BuildContext {
  baseDir: string;
  index: InitrdIndex;
  sourceDateEpoch?: number;
}

type Lookup = (path: string) => Promise<{ kind: 'file' | 'symlink' | 'missing'; target?: string; mode?: number; bytes?: () => Promise<Uint8Array> }>;

function packageLookup(files: PackageFile[]): Lookup {
  const byPath = new Map(files.map((f) => [`/${f.path}`, f]));
  return async (path) => {
    const f = byPath.get(path);
    if (!f) return { kind: 'missing' };
    if (f.type === 'symlink') return { kind: 'symlink', target: f.linkTarget ?? '' };
    if (f.type !== 'file' || !f.data) return { kind: 'missing' };
    const data = f.data;
    return { kind: 'file', mode: f.mode, bytes: async () => data };
  };
}

/** Return true when the image has `soname` in one of the library directories (through its own symlinks). */
export function imageHasLibrary(index: InitrdIndex, soname: string): boolean {
  for (const dir of DEFAULT_LIBRARY_PATHS) {
    const path = resolveParents((p) => index.pathInfo(p), `${dir.slice(1)}/${soname}`);
    const e = index.lookup(path);
    if (e && (e.type === 'file' || e.type === 'symlink')) return true;
  }
  return false;
}

/** Look a path up in several packages, the first that has it winning. */
async function packagesLookup(baseDir: string, packages: readonly { package: string }[]): Promise<Lookup> {
  const lookups: Lookup[] = [];
  for (const p of packages) lookups.push(packageLookup(await readPackageFiles(resolve(baseDir, p.package), () => true)));
  return async (path) => {
    for (const lookup of lookups) {
      const found = await lookup(path);
      if (found.kind !== 'missing') return found;
    }
    return { kind: 'missing' };
  };
}

/** Options for prepareBinaries. */
export interface PrepareBinariesOptions extends WarnOptions {
  /** Image prefix for every file (`updates/`: Anaconda copies it into stage 2). */
  prefix?: string;
}

/** Collect the binaries of a step with their libraries. */
export async function prepareBinaries(step: BinariesStep, build: BuildContext, options: PrepareBinariesOptions = {}): Promise<PreparedBinaries> {
  const { sysroot } = step;
  const source = typeof sysroot === 'string' ? sysroot : Array.isArray(sysroot) ? sysroot.map((p) => p.package).join(' + ') : sysroot.package;
  const lookup: Lookup = typeof sysroot === 'string'
    ? sysrootLookup(resolve(build.baseDir, sysroot))
    : await packagesLookup(build.baseDir, Array.isArray(sysroot) ? sysroot : [sysroot]);
  const prefix = options.prefix ?? '';
  const closure = await resolveLibraryClosure({ binaries: step.binaries }, lookup as LibraryLookup, { already: (soname) => imageHasLibrary(build.index, soname) }).catch((err: unknown) => {
    throw withContext(err, { file: source });
  });
  const adds: AddSpec[] = [];
  const files: PreparedBinaries['files'] = [];
  for (const f of closure.files) {
    const found = await lookup(f.path);
    const path = prefix === '' ? f.path : `/${prefix}${f.path.replace(/^\/+/u, '')}`;
    const spec: AddSpec = { path, type: f.kind === 'symlink' ? 'symlink' : 'file', source: `${source}:${f.path}` };
    if (f.kind === 'symlink') spec.linkTarget = f.linkTarget ?? found.target ?? '';
    else {
      const data = await (found.bytes as () => Promise<Uint8Array>)();
      Object.assign(spec, { data, size: data.length, mode: found.mode ?? (f.reason === 'binary' ? 0o755 : 0o644) });
    }
    if (build.sourceDateEpoch !== undefined) spec.mtime = build.sourceDateEpoch;
    adds.push(spec);
    files.push({ path, reason: f.reason, source });
  }
  return { adds, files, reused: closure.reused };
}
