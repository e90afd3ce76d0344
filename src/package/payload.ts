/**
 * Decompression of package payloads through the engine's codec table
 * (src/compress): the codec is taken from the magic bytes, which must agree
 * with what the package declares (a .deb member suffix, an rpm
 * PAYLOADCOMPRESSOR tag), so a mislabelled payload is reported, not guessed.
 */
import { detectCodec, getCodec, type CodecId } from '../compress/index.ts';
import { concatBytes } from '../io/align.ts';
import { RemasterError } from '../errors.ts';
import { ByteReader } from '../io/byte-reader.ts';

/** Payload compression as a package declares it: a codec, or none. */
export type PayloadCompression = CodecId | 'none';

/** Decompress `source` (starting at absolute `offset`) declared as `declared`; check it against the magic bytes. */
export async function* decompressPayload(source: AsyncIterable<Uint8Array>, declared: PayloadCompression, offset: number, what: string): AsyncGenerator<Uint8Array> {
  const reader = new ByteReader(source, offset);
  const head = await reader.peek(8);
  const seen = detectCodec(head);
  if (declared === 'none') {
    yield* reader.rest();
    return;
  }
  if (seen !== declared) {
    const hex = [...head].map((b) => b.toString(16).padStart(2, '0')).join('');
    throw new RemasterError('PACKAGE_BAD', `${what} is declared ${declared} but starts with ${hex || '(nothing)'} (${seen ?? 'no known codec'})`, { offset });
  }
  yield* getCodec(declared).decompress(reader);
}

/** Collect an async byte stream into one array, refusing more than `max` bytes. */
export async function collectBounded(source: AsyncIterable<Uint8Array>, max: number, what: string, offset: number): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  let total = 0;
  for await (const c of source) {
    total += c.length;
    if (total > max) throw new RemasterError('LIMIT_EXCEEDED', `${what} exceeds ${max} bytes`, { offset });
    chunks.push(c.slice());
  }
  return concatBytes(chunks);
}
