/**
 * Unix ar archives as used by .deb packages (ar(5), deb(5)): the global
 * magic "!<arch>\n", then members of a 60-byte header (name 16, mtime 12,
 * uid 6, gid 6, mode 8 octal, size 10 decimal, "`\n") and data padded to an
 * even offset. GNU "/" name tables are not needed for .deb (member names are
 * short) and are refused rather than guessed. Sizes are bounded before any
 * read; a size past the end of input is reported at the member's header.
 */
import { RemasterError } from '../errors.ts';
import type { ByteReader } from '../io/byte-reader.ts';
import { DEFAULT_MAX_ENTRY_SIZE } from './entry.ts';

export const AR_MAGIC = '!<arch>\n';
export const AR_HEADER_SIZE = 60;

/** A decoded member header. */
export interface ArHeader {
  name: string;
  mtime: number;
  uid: number;
  gid: number;
  mode: number;
  size: number;
}

/** One member; `body` is readable until the next member is requested, and skipped when unread. */
export interface ArMember extends ArHeader {
  /** Offset of the member's data (after its header). */
  offset: number;
  body: AsyncIterable<Uint8Array>;
}

const latin1 = new TextDecoder('latin1');

function field(bytes: Uint8Array, start: number, width: number, radix: number, what: string, offset: number): number {
  const text = latin1.decode(bytes.subarray(start, start + width)).trim();
  const re = radix === 8 ? /^[0-7]+$/ : /^[0-9]+$/;
  if (text === '' && what !== 'size') return 0;
  if (!re.test(text)) throw new RemasterError('PACKAGE_BAD', `ar member ${what} field ${JSON.stringify(text)} is not a ${radix === 8 ? 'octal' : 'decimal'} number`, { offset: offset + start });
  return parseInt(text, radix);
}

/** Decode a 60-byte ar member header at `offset` of `bytes` (the offset is only reported in errors). */
export function decodeArHeader(bytes: Uint8Array, offset = 0): ArHeader {
  if (bytes.length < AR_HEADER_SIZE || bytes[58] !== 0x60 || bytes[59] !== 0x0a) {
    throw new RemasterError('PACKAGE_BAD', `bad ar member header: terminator ${JSON.stringify(latin1.decode(bytes.subarray(58, 60)))}, expected "\`\\n"`, { offset });
  }
  const rawName = latin1.decode(bytes.subarray(0, 16)).trimEnd();
  if (rawName.startsWith('/')) throw new RemasterError('PACKAGE_BAD', `ar symbol or long-name table "${rawName}" is not used by .deb and not supported`, { offset });
  return {
    name: rawName.endsWith('/') ? rawName.slice(0, -1) : rawName,
    mtime: field(bytes, 16, 12, 10, 'mtime', offset),
    uid: field(bytes, 28, 6, 10, 'uid', offset),
    gid: field(bytes, 34, 6, 10, 'gid', offset),
    mode: field(bytes, 40, 8, 8, 'mode', offset),
    size: field(bytes, 48, 10, 10, 'size', offset),
  };
}

/** Read the members of an ar archive; `reader` must be at the "!<arch>\n" magic. */
export async function* readAr(reader: ByteReader, options: { maxEntrySize?: number } = {}): AsyncGenerator<ArMember> {
  const max = options.maxEntrySize ?? DEFAULT_MAX_ENTRY_SIZE;
  const magicAt = reader.offset;
  const magic = latin1.decode(await reader.peek(8));
  if (magic !== AR_MAGIC) throw new RemasterError('PACKAGE_BAD', `not an ar archive: magic ${JSON.stringify(magic)}, expected "!<arch>\\n"`, { offset: magicAt });
  await reader.skip(8);
  while (!(await reader.atEnd())) {
    const at = reader.offset;
    const header = decodeArHeader(await reader.readExact(AR_HEADER_SIZE, 'ar member header', 'PACKAGE_BAD'), at);
    if (header.size > max) throw new RemasterError('LIMIT_EXCEEDED', `ar member "${header.name}" of ${header.size} bytes exceeds maxEntrySize ${max}`, { offset: at });
    let remaining = header.size;
    const pull = async (): Promise<Uint8Array | undefined> => {
      if (remaining === 0) return undefined;
      const chunk = await reader.readSome(remaining);
      if (chunk.length === 0) throw new RemasterError('PACKAGE_BAD', `ar member "${header.name}" declares ${header.size} bytes but the input ends ${remaining} bytes short`, { offset: at });
      remaining -= chunk.length;
      return chunk;
    };
    const body = { [Symbol.asyncIterator]: async function* () {
      for (let c = await pull(); c !== undefined; c = await pull()) yield c;
    } };
    yield { ...header, offset: at + AR_HEADER_SIZE, body };
    while ((await pull()) !== undefined);
    // ar(5): data is padded with "\n" to an even offset; a missing final pad byte is tolerated.
    if (header.size % 2 === 1) await reader.skip(1);
  }
}
