/**
 * Errors from the operating system (errno codes such as ENOSPC, EIO, EROFS,
 * EACCES) are facts about the user's machine, not bugs: they become a
 * RemasterError naming the path and the operation (`out/initrd.img: write:
 * no space left on device [DISK_FULL]`), exit status 1, instead of an
 * "internal error" with a stack trace. A write to a FileHandle reports no
 * path of its own, so writers wrap their work with the path they write.
 */
import { RemasterError, type ErrorCode } from '../errors.ts';

/** errno codes that mean "the disk (or quota) is full". */
const FULL = new Set(['ENOSPC', 'EDQUOT']);

/** Human text for the errno codes users meet, as strerror(3) words them. */
const TEXT: Record<string, string> = {
  ENOSPC: 'no space left on device',
  EDQUOT: 'disk quota exceeded',
  EIO: 'input/output error',
  EROFS: 'read-only file system',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EFBIG: 'file too large',
  EMFILE: 'too many open files',
  ENFILE: 'too many open files in system',
  ENAMETOOLONG: 'file name too long',
  ELOOP: 'too many levels of symbolic links',
  ENOTDIR: 'not a directory',
  EISDIR: 'is a directory',
  EXDEV: 'crosses file systems',
  EBUSY: 'device or resource busy',
  ENOENT: 'no such file or directory',
  EEXIST: 'file exists',
  ENOTEMPTY: 'directory not empty',
  ETXTBSY: 'text file busy',
};

/** Return true when `err` is an errno error from a system call (has a string `code` like `ENOSPC`). */
export function isErrnoError(err: unknown): err is NodeJS.ErrnoException {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  return err instanceof Error && !(err instanceof RemasterError) && typeof code === 'string' && /^E[A-Z0-9]+$/u.test(code);
}

/** Return the RemasterError code for an errno code: DISK_FULL for ENOSPC/EDQUOT, IO_ERROR otherwise. */
export function ioErrorCode(errno: string): ErrorCode {
  return FULL.has(errno) ? 'DISK_FULL' : 'IO_ERROR';
}

/**
 * Turn an errno error into a RemasterError naming `path` and `operation`
 * (`write`, `create directory`, `rename`…); any other value is returned
 * unchanged. Without `path`, the error's own path is named (open, mkdir and
 * rename report one).
 */
export function toIoError(err: unknown, operation: string, path?: string): unknown {
  if (!isErrnoError(err)) return err;
  const errno = err.code as string;
  // the caller's path is the name the user knows (a temporary name in err.path is gone by now)
  const file = path ?? err.path;
  const op = operation || err.syscall || 'I/O';
  const hint = FULL.has(errno) ? '; free some space and run the command again' : '';
  return new RemasterError(ioErrorCode(errno), `${op}: ${TEXT[errno] ?? err.message} (${errno})${hint}`, file !== undefined ? { file } : {}, { cause: err });
}

/** Run `work`; rethrow an errno error as a RemasterError naming `path` and `operation`. */
export async function withIoContext<T>(operation: string, path: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    throw toIoError(err, operation, path);
  }
}

/** Name `to` instead of the temporary directory `from` (gone by now) in a RemasterError about a path inside it; return the error. */
export function renameErrorPath(err: unknown, from: string, to: string): unknown {
  if (err instanceof RemasterError && err.file !== undefined && (err.file === from || err.file.startsWith(`${from}/`))) err.file = to + err.file.slice(from.length);
  return err;
}
