/**
 * Read selected files of the source initrd into memory (the effective copy:
 * a later segment wins, as in the kernel). Used to index the modules an
 * installer already has, and its modules.order / modules.builtin lists.
 */
import { concatBytes, type FileRangeSource } from '../io/index.ts';
import { readInitrd } from '../initrd/index.ts';
import { toArchivePath } from '../tree/index.ts';
import type { WarnOptions } from '../errors.ts';

/** Return path → data for every regular file whose normalised path passes `select`, in archive order. */
export async function readImageFiles(source: FileRangeSource, select: (path: string) => boolean, options: WarnOptions = {}): Promise<Map<string, Uint8Array>> {
  const out = new Map<string, Uint8Array>();
  for await (const e of readInitrd(source.open(), options)) {
    if (e.type !== 'file') continue;
    let path: string;
    try {
      path = toArchivePath(e.name);
    } catch {
      continue;
    }
    if (!select(path)) continue;
    const parts: Uint8Array[] = [];
    for await (const c of e.body) parts.push(c.slice());
    // Hard links carry data on one link only; an empty later link keeps the earlier data.
    if (e.header.fileSize === 0 && e.header.nlink > 1 && out.has(path)) continue;
    out.delete(path);
    out.set(path, concatBytes(parts));
  }
  return out;
}
