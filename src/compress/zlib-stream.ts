/**
 * Drive a node:zlib transform (inflateRaw, zstd, gzip) from a pull loop.
 *
 * The feed writes one chunk at a time and learns how many input bytes the
 * engine consumed (`bytesWritten`), which is how a decoder finds the exact end
 * of a deflate stream inside a larger input. Output is pulled with the
 * transform's async iterator, so zlib's own backpressure bounds memory even
 * for a decompression bomb.
 */
import { once } from 'node:events';
import type { Transform } from 'node:stream';
import { RemasterError } from '../errors.ts';

/** A zlib transform that counts consumed input. */
export type ZlibHandle = Transform & { bytesWritten: number };

/** Where a feed writes compressed or plain input. */
export interface ZlibSink {
  /** Write one chunk and return how many of its bytes the engine consumed (fewer: the stream ended). */
  write(chunk: Uint8Array): Promise<number>;
}

function makeSink(handle: ZlibHandle, closed: Promise<unknown>): ZlibSink {
  return {
    async write(chunk) {
      if (handle.destroyed || handle.writableEnded) return 0;
      const before = handle.bytesWritten;
      const written = new Promise<void>((resolve, reject) => {
        handle.write(chunk, (err) => (err ? reject(err) : resolve()));
      });
      await Promise.race([written, closed]);
      return handle.bytesWritten - before;
    },
  };
}

/** Describe a zlib error the way decoders report it: truncation vs corruption. */
export function zlibFailure(err: unknown, what: string, offset: number): RemasterError {
  if (err instanceof RemasterError) return err;
  const message = (err as Error).message;
  const truncated = /unexpected end|incomplete|truncated/i.test(message);
  return new RemasterError(truncated ? 'CODEC_TRUNCATED' : 'CODEC_CORRUPT', `${what}: ${message}`, { offset }, { cause: err });
}

/** Run `feed` into `handle` (which is ended after it) and yield the handle's output. */
export async function* runZlib(
  handle: ZlibHandle,
  feed: (sink: ZlibSink) => Promise<void>,
  signal?: AbortSignal,
): AsyncGenerator<Uint8Array> {
  const closed = once(handle, 'close').catch(() => undefined);
  let feedError: unknown;
  const pump = feed(makeSink(handle, closed)).then(
    () => void handle.end(),
    (err: unknown) => {
      feedError = err;
      handle.destroy();
    },
  );
  const onAbort = (): void => void handle.destroy();
  signal?.addEventListener('abort', onAbort, { once: true });
  try {
    try {
      for await (const chunk of handle) yield chunk as Buffer;
    } catch (err) {
      if (feedError === undefined && !signal?.aborted) throw err;
    }
    await pump;
    if (feedError !== undefined) throw feedError;
    if (signal?.aborted) throw new RemasterError('ABORTED', 'operation aborted');
  } finally {
    signal?.removeEventListener('abort', onAbort);
    if (!handle.destroyed) handle.destroy();
    await pump;
  }
}
