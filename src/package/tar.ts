/**
 * Tar members (POSIX ustar, GNU and pax extensions) as PackageEntry values,
 * parsed by mafintosh/tar-stream, which bounds long-name and pax headers to
 * 4 MiB. Paths go through toArchivePath, so a member named "../x" or
 * "a/../../x" ends the read with PATH_ESCAPE instead of reaching a caller
 * that might extract it (node-tar CVE-2021-32804 class). Bodies follow the
 * entry contract: valid until the next entry, skipped when left unread.
 */
import { extract, type Header } from 'tar-stream';
import { RemasterError } from '../errors.ts';
import { toArchivePath } from '../tree/index.ts';
import { DEFAULT_MAX_ENTRY_SIZE, type PackageEntry, type PackageEntryType } from './entry.ts';

const TYPES: Partial<Record<Header['type'], PackageEntryType>> = {
  file: 'file',
  'contiguous-file': 'file',
  directory: 'dir',
  symlink: 'symlink',
  link: 'hardlink',
  'character-device': 'char',
  'block-device': 'block',
  fifo: 'fifo',
};

/** Options for readTar. */
export interface ReadTarOptions {
  /** Offset reported in errors (the tar member's position in its container). */
  offset?: number;
  maxEntrySize?: number;
}

/** Read a tar stream entry by entry; throw PACKAGE_BAD (with `offset`) on corrupt input, PATH_ESCAPE on "..". */
export async function* readTar(source: AsyncIterable<Uint8Array>, options: ReadTarOptions = {}): AsyncGenerator<PackageEntry> {
  const ex = extract();
  const feeding = feed(source, ex);
  const iterator = ex[Symbol.asyncIterator]();
  try {
    for (;;) {
      const next = await iterator.next().catch((err: unknown) => {
        throw asPackageError(err, options.offset);
      });
      if (next.done) break;
      const stream = next.value;
      const sourceIterator = (stream as unknown as AsyncIterable<Uint8Array>)[Symbol.asyncIterator]();
      let ended = false;
      const pull = async (): Promise<Uint8Array | undefined> => {
        if (ended) return undefined;
        const r = await sourceIterator.next();
        if (r.done) ended = true;
        return r.done ? undefined : r.value;
      };
      yield toEntry(stream.header, pull, options);
      while ((await pull()) !== undefined);
    }
    await feeding;
  } finally {
    ex.destroy();
  }
}

function feed(source: AsyncIterable<Uint8Array>, ex: ReturnType<typeof extract>): Promise<void> {
  return (async () => {
    try {
      for await (const chunk of source) {
        if (ex.destroyed) return;
        if (!ex.write(chunk)) await drained(ex);
      }
      (ex as unknown as { end(): void }).end();
    } catch (err) {
      ex.destroy(err as Error);
    }
  })();
}

function drained(ex: ReturnType<typeof extract>): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      ex.off('drain', done);
      ex.off('close', done);
      resolve();
    };
    ex.on('drain', done);
    ex.on('close', done);
  });
}

function toEntry(h: Header, pull: () => Promise<Uint8Array | undefined>, options: ReadTarOptions): PackageEntry {
  const type = TYPES[h.type];
  if (type === undefined) throw new RemasterError('PACKAGE_BAD', `tar member has unsupported type "${h.type}"`, { entry: h.name, ...at(options.offset) });
  // tar-stream decodes an empty linkname field as null; a link without a target cannot be represented (symlink("") is ENOENT).
  if ((type === 'symlink' || type === 'hardlink') && !h.linkname) {
    throw new RemasterError('PACKAGE_BAD', `tar ${type === 'symlink' ? 'symbolic' : 'hard'} link has an empty target`, { entry: h.name, ...at(options.offset) });
  }
  const max = options.maxEntrySize ?? DEFAULT_MAX_ENTRY_SIZE;
  if (h.size > max) throw new RemasterError('LIMIT_EXCEEDED', `tar member of ${h.size} bytes exceeds maxEntrySize ${max}`, { entry: h.name, ...at(options.offset) });
  const entry: PackageEntry = {
    path: toArchivePath(h.name),
    type,
    mode: h.mode & 0o7777,
    uid: h.uid,
    gid: h.gid,
    mtime: Math.floor(h.mtime.getTime() / 1000),
    size: type === 'file' ? h.size : 0,
    body: { [Symbol.asyncIterator]: async function* () {
      for (let c = await pull(); c !== undefined; c = await pull()) yield c;
    } },
  };
  if (h.uname) entry.user = h.uname;
  if (h.gname) entry.group = h.gname;
  if (type === 'symlink') entry.linkTarget = h.linkname as string;
  if (type === 'hardlink') entry.linkTarget = toArchivePath(h.linkname as string);
  if (type === 'char' || type === 'block') Object.assign(entry, { devmajor: h.devmajor, devminor: h.devminor });
  return entry;
}

function at(offset: number | undefined): { offset?: number } {
  return offset === undefined ? {} : { offset };
}

function asPackageError(err: unknown, offset: number | undefined): unknown {
  if (err instanceof RemasterError) return err;
  const detail = err instanceof Error ? err.message : String(err);
  return new RemasterError('PACKAGE_BAD', `corrupt tar archive: ${detail}`, at(offset), { cause: err });
}
