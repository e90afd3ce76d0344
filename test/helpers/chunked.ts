/**
 * Re-chunk bytes to hostile sizes so header boundaries fall mid-chunk
 * (tar-stream's chunked-* tests, node-tar's one-byte ByteStream).
 */

import { concatBytes } from '../../src/io/align.ts';

/** Chunk sizes every reader test runs with; 0 means "the whole buffer at once". */
export const CHUNK_SIZES = [1, 3, 110, 321, 2048, 0] as const;

/** Yield `bytes` in pieces of `size` (0 = one piece), each a fresh copy. */
export async function* chunked(bytes: Uint8Array, size: number): AsyncGenerator<Uint8Array> {
  if (size <= 0 || size >= bytes.length) {
    yield bytes.slice();
    return;
  }
  for (let i = 0; i < bytes.length; i += size) yield bytes.slice(i, i + size);
}

/** Collect an async iterable of chunks into one array. */
export async function collect(chunks: AsyncIterable<Uint8Array> | Iterable<Uint8Array>): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  for await (const c of chunks) parts.push(c.slice());
  return concatBytes(parts);
}
