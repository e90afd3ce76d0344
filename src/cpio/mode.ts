/**
 * File type bits of st_mode as stored in cpio c_mode (POSIX <sys/stat.h>,
 * identical on every Linux architecture).
 */

export const S_IFMT = 0o170000;
export const S_IFSOCK = 0o140000;
export const S_IFLNK = 0o120000;
export const S_IFREG = 0o100000;
export const S_IFBLK = 0o060000;
export const S_IFDIR = 0o040000;
export const S_IFCHR = 0o020000;
export const S_IFIFO = 0o010000;

/** Archive-neutral entry type. */
export type EntryType = 'file' | 'dir' | 'symlink' | 'char' | 'block' | 'fifo' | 'socket';

const TYPE_BY_BITS = new Map<number, EntryType>([
  [S_IFREG, 'file'],
  [S_IFDIR, 'dir'],
  [S_IFLNK, 'symlink'],
  [S_IFCHR, 'char'],
  [S_IFBLK, 'block'],
  [S_IFIFO, 'fifo'],
  [S_IFSOCK, 'socket'],
]);

const BITS_BY_TYPE = new Map<EntryType, number>([...TYPE_BY_BITS].map(([bits, type]) => [type, bits]));

/** Return the entry type for a mode, or undefined for an unknown type. */
export function typeOfMode(mode: number): EntryType | undefined {
  return TYPE_BY_BITS.get(mode & S_IFMT);
}

/** Return the S_IF* bits for a type. */
export function modeBitsOf(type: EntryType): number {
  return BITS_BY_TYPE.get(type) as number;
}

/** Render a mode like `ls -l` (drwxr-xr-x, -rwsr-xr-x, crw-------). */
export function formatMode(mode: number): string {
  const typeChar: Record<EntryType, string> = { file: '-', dir: 'd', symlink: 'l', char: 'c', block: 'b', fifo: 'p', socket: 's' };
  const t = typeOfMode(mode);
  let out = t ? typeChar[t] : '?';
  const rwx = 'rwxrwxrwx';
  for (let i = 0; i < 9; i++) out += mode & (1 << (8 - i)) ? (rwx[i] as string) : '-';
  const chars = out.split('');
  if (mode & 0o4000) chars[3] = mode & 0o100 ? 's' : 'S';
  if (mode & 0o2000) chars[6] = mode & 0o010 ? 's' : 'S';
  if (mode & 0o1000) chars[9] = mode & 0o001 ? 't' : 'T';
  return chars.join('');
}
