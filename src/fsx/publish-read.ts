/**
 * Read side of a published PXE tree: the manifests, the version list, file
 * digests and the facts verify needs from kernels and initrds (the initrd is
 * scanned with scanInitrd, streaming, so a 100 MB installer initrd is never
 * held in memory).
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open, readdir, readFile, readlink } from 'node:fs/promises';
import { join } from 'node:path';
import { RemasterError } from '../errors.ts';
import { readFileChunks } from '../io/index.ts';
import { scanInitrd, type Segment } from '../initrd/index.ts';
import { lstatOrUndefined } from './publish-ops.ts';

/** Return the text of a root-relative file, or undefined when it does not exist (links are followed). */
export async function readPublishedText(root: string, path: string): Promise<string | undefined> {
  return readFile(join(root, path), 'utf8').catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT' || err.code === 'ENOTDIR') return undefined;
    throw err;
  });
}

/** Return the version numbers present under `versionsDir` (complete directories only), ascending. */
export async function listPublishedVersions(root: string, versionsDir: string): Promise<number[]> {
  const names = await readdir(join(root, versionsDir)).catch(() => [] as string[]);
  return names.filter((n) => /^[1-9][0-9]*$/u.test(n)).map(Number).sort((a, b) => a - b);
}

/** Return the target of a symlink, or undefined when `path` is missing or not a symlink. */
export async function readSymlink(path: string): Promise<string | undefined> {
  return readlink(path).catch(() => undefined);
}

/** Return the version the `current` link points at, or undefined before the first publish. */
export async function readCurrentVersion(root: string, currentLink: string): Promise<number | undefined> {
  const target = await readlink(join(root, currentLink)).catch(() => undefined);
  const m = target === undefined ? null : /(?:^|\/)([1-9][0-9]*)$/u.exec(target);
  return m ? Number(m[1]) : undefined;
}

/** Return sha256 and size of a file (links followed); undefined when missing. */
export async function digestFile(path: string): Promise<{ sha256: string; size: number } | undefined> {
  const info = await lstatOrUndefined(path);
  if (info === undefined) return undefined;
  const hash = createHash('sha256');
  let size = 0;
  try {
    for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) {
      hash.update(chunk as Buffer);
      size += (chunk as Buffer).length;
    }
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  return { sha256: hash.digest('hex'), size };
}

/** Hash an input file; throw INPUT_NOT_FOUND naming it when absent. */
export async function digestInput(path: string): Promise<{ sha256: string; size: number }> {
  const d = await digestFile(path);
  if (d === undefined) throw new RemasterError('INPUT_NOT_FOUND', 'no such file', { file: path });
  return d;
}

/** List the regular files under a directory, recursively, as `/`-separated relative paths, sorted. */
export async function listTreeFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch((err: NodeJS.ErrnoException) => {
    throw new RemasterError('INPUT_NOT_FOUND', `cannot list: ${err.message}`, { file: dir });
  });
  return entries
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name).slice(dir.length + 1).split('\\').join('/'))
    .sort();
}

/** Read the first `length` bytes of a file. */
export async function readFileHead(path: string, length: number): Promise<Uint8Array> {
  const handle = await open(path, 'r');
  try {
    const buf = new Uint8Array(length);
    const { bytesRead } = await handle.read(buf, 0, length, 0);
    return buf.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

/** What verify needs to know about an initrd. */
export interface InitrdFacts {
  segments: Segment[];
  kernelVersions: string[];
  size: number;
}

/** Scan an initrd file; parse errors propagate as RemasterError with the file named. */
export async function inspectInitrdFile(path: string): Promise<InitrdFacts> {
  const index = await scanInitrd(readFileChunks(path, { highWaterMark: 1 << 20 }));
  return { segments: index.segments, kernelVersions: index.kernelVersions, size: index.size };
}
