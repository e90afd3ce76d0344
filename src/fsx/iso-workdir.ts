/**
 * The scratch directory of an ISO rebuild (reference 03 §10: xorriso reads
 * edited files and writes the new image from disk). It is created next to
 * the output, so the finished image is published with a same-filesystem
 * rename and a failed run never leaves a half-written ISO under the final
 * name; remove() deletes everything, including a partial output.
 */
import { constants } from 'node:fs';
import { mkdtemp, open, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { RemasterError } from '../errors.ts';
import { toIoError } from '../io/index.ts';

/** A private temporary directory with the few file operations a rebuild needs. */
export interface IsoWorkdir {
  /** Absolute path of the directory. */
  readonly path: string;
  /** Write a new file inside the directory (name without slashes) and return its path. */
  writeFile(name: string, data: string | Uint8Array | AsyncIterable<Uint8Array>): Promise<string>;
  /** Rename a finished file from the directory to `target`, replacing what is there. */
  publish(from: string, target: string): Promise<void>;
  /** Delete the directory and everything in it. */
  remove(): Promise<void>;
}

/** Create a work directory in the directory of `near` (the output path). */
export async function createIsoWorkdir(options: { near: string }): Promise<IsoWorkdir> {
  let path: string;
  try {
    path = await mkdtemp(join(dirname(options.near), `.${basename(options.near)}.remaster-`));
  } catch (err) {
    throw toIoError(err, 'create a work directory next to the output', options.near);
  }
  return {
    path,
    async writeFile(name, data) {
      // A name with a slash could climb out of the work directory.
      if (name.includes('/') || name === '' || name === '.' || name === '..') throw new RemasterError('PATH_INVALID', `bad work file name ${JSON.stringify(name)}`);
      const full = join(path, name);
      // a disk error names the output being made: the work file is gone with the work directory
      try {
        const handle = await open(full, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o644);
        try {
          const chunks = typeof data === 'string' ? [new TextEncoder().encode(data)] : data instanceof Uint8Array ? [data] : data;
          for await (const chunk of chunks) {
            let pos = 0;
            while (pos < chunk.length) pos += (await handle.write(chunk, pos, chunk.length - pos)).bytesWritten;
          }
        } finally {
          await handle.close();
        }
      } catch (err) {
        throw toIoError(err, `write work file ${name}`, options.near);
      }
      return full;
    },
    async publish(from, target) {
      await rename(from, target).catch((err: unknown) => {
        throw toIoError(err, 'rename into place', target);
      });
    },
    async remove() {
      await rm(path, { recursive: true, force: true });
    },
  };
}
