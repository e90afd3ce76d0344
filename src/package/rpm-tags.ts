/**
 * RPM header tags used by the reader (rpm's include/rpm/rpmtag.h, LSB Core
 * 4.1 §22.2.3) and the file list they describe: DIRNAMES[DIRINDEXES[i]] +
 * BASENAMES[i] (or the old OLDFILENAMES), with parallel arrays of modes,
 * sizes, owners, times, link targets and flags.
 */
import { RemasterError } from '../errors.ts';
import { toArchivePath } from '../tree/index.ts';
import type { RpmHeader, RpmValue } from './rpm-header.ts';

export const RPMTAG = {
  NAME: 1000,
  VERSION: 1001,
  RELEASE: 1002,
  EPOCH: 1003,
  OS: 1021,
  ARCH: 1022,
  OLDFILENAMES: 1027,
  FILESIZES: 1028,
  FILEMODES: 1030,
  FILEMTIMES: 1034,
  FILELINKTOS: 1036,
  FILEFLAGS: 1037,
  FILEUSERNAME: 1039,
  FILEGROUPNAME: 1040,
  DIRINDEXES: 1116,
  BASENAMES: 1117,
  DIRNAMES: 1118,
  PAYLOADFORMAT: 1124,
  PAYLOADCOMPRESSOR: 1125,
  LONGFILESIZES: 5008,
} as const;

/** RPMFILE_GHOST: owned by the package but not carried in the payload. */
export const RPMFILE_GHOST = 1 << 6;

/** One file as the header lists it. */
export interface RpmFileInfo {
  /** Normalised path, e.g. "usr/sbin/demo-tool". */
  path: string;
  /** Full st_mode including type bits. */
  mode: number;
  size: number;
  user: string;
  group: string;
  mtime: number;
  linkTarget: string;
  flags: number;
}

/** Return a STRING tag's value, or undefined when absent or of another type. */
export function rpmString(h: RpmHeader, tag: number): string | undefined {
  const v = h.values.get(tag);
  return typeof v === 'string' ? v : undefined;
}

function strings(h: RpmHeader, tag: number): string[] {
  const v = h.values.get(tag);
  return Array.isArray(v) && v.every((x: unknown) => typeof x === 'string') ? (v as string[]) : [];
}

function numbers(h: RpmHeader, tag: number): number[] {
  const v: RpmValue | undefined = h.values.get(tag);
  return Array.isArray(v) && v.every((x: unknown) => typeof x === 'number') ? (v as number[]) : [];
}

function names(h: RpmHeader): string[] {
  const base = strings(h, RPMTAG.BASENAMES);
  if (base.length === 0) return strings(h, RPMTAG.OLDFILENAMES);
  const dirs = strings(h, RPMTAG.DIRNAMES);
  const index = numbers(h, RPMTAG.DIRINDEXES);
  return base.map((b, i) => {
    const dir = dirs[index[i] ?? -1];
    if (dir === undefined) throw new RemasterError('RPM_BAD_HEADER', `file ${i} ("${b}") has dir index ${String(index[i])}, outside the ${dirs.length} DIRNAMES`, { offset: h.offset });
    return dir + b;
  });
}

/** Return the header's file list; paths are normalised (a ".." component throws PATH_ESCAPE). */
export function rpmFiles(h: RpmHeader): RpmFileInfo[] {
  const paths = names(h);
  const modes = numbers(h, RPMTAG.FILEMODES);
  const sizes = numbers(h, RPMTAG.LONGFILESIZES).length > 0 ? numbers(h, RPMTAG.LONGFILESIZES) : numbers(h, RPMTAG.FILESIZES);
  const users = strings(h, RPMTAG.FILEUSERNAME);
  const groups = strings(h, RPMTAG.FILEGROUPNAME);
  const mtimes = numbers(h, RPMTAG.FILEMTIMES);
  const links = strings(h, RPMTAG.FILELINKTOS);
  const flags = numbers(h, RPMTAG.FILEFLAGS);
  return paths.map((p, i) => ({
    path: toArchivePath(p),
    mode: modes[i] ?? 0,
    size: sizes[i] ?? 0,
    user: users[i] ?? '',
    group: groups[i] ?? '',
    mtime: mtimes[i] ?? 0,
    linkTarget: links[i] ?? '',
    flags: flags[i] ?? 0,
  }));
}
