/**
 * Vendor packages as sources: the files of an .rpm (lead, signature,
 * header, compressed cpio payload) or a .deb (ar + data.tar) selected by
 * path or glob, read into memory (vendor driver and tool packages are small;
 * each selected file is bounded by the package limits).
 */
import { resolve } from 'node:path';
import { RemasterError } from '../errors.ts';
import { concatBytes, readFileChunks, openFileSource } from '../io/index.ts';
import { readDeb, readRpm, type PackageEntry } from '../package/index.ts';
import { globToRegExp } from './glob.ts';

/** A file taken out of a package. */
export interface PackageFile {
  path: string;
  type: PackageEntry['type'];
  mode: number;
  linkTarget?: string;
  data?: Uint8Array;
}

const RPM_MAGIC = [0xed, 0xab, 0xee, 0xdb];
const AR_MAGIC = '!<arch>\n';

/** Read the selected entries of a package (`select` gets normalised paths without a leading slash). */
export async function readPackageFiles(file: string, select: (path: string) => boolean): Promise<PackageFile[]> {
  const block = await openFileSource(file);
  let head: Uint8Array;
  try {
    head = await block.read(0, Math.min(8, block.size));
  } finally {
    await block.close();
  }
  const isRpm = RPM_MAGIC.every((b, i) => head[i] === b);
  const isDeb = Buffer.from(head).toString('latin1') === AR_MAGIC;
  if (!isRpm && !isDeb) throw new RemasterError('PACKAGE_BAD', 'not an .rpm or .deb package (unknown magic)', { file });
  const pkg = isRpm ? await readRpm(readFileChunks(file)) : await readDeb(readFileChunks(file));
  const out: PackageFile[] = [];
  try {
    for await (const e of pkg.entries) {
      if (!select(e.path)) continue;
      const f: PackageFile = { path: e.path, type: e.type, mode: e.mode };
      if (e.linkTarget !== undefined) f.linkTarget = e.linkTarget;
      if (e.type === 'file') {
        const parts: Uint8Array[] = [];
        for await (const c of e.body) parts.push(c.slice());
        f.data = concatBytes(parts);
      }
      out.push(f);
    }
  } catch (err) {
    throw err instanceof RemasterError && err.file === undefined ? Object.assign(err, { file }) : err;
  }
  return out;
}

/** Build a path selector from globs (all paths when none are given). */
export function pathSelector(globs: string[] | undefined, fallback: (path: string) => boolean): (path: string) => boolean {
  if (!globs || globs.length === 0) return fallback;
  const res = globs.map(globToRegExp);
  return (p) => res.some((re) => re.test(p));
}

/** Resolve a host path named in a recipe. */
export function hostPath(baseDir: string, path: string): string {
  return resolve(baseDir, path);
}
