/**
 * Debian binary packages (deb(5)): an ar archive whose members are, in this
 * order, "debian-binary" ("2.0\n"), "control.tar[.gz|.xz|.zst]" and
 * "data.tar[.gz|.xz|.zst|.bz2|.lzma]". The control file (deb-control(5)
 * paragraph) is parsed eagerly and bounded; the data tar is streamed entry by
 * entry through readTar, so memory stays flat for large packages.
 */
import { RemasterError } from '../errors.ts';
import { ByteReader } from '../io/byte-reader.ts';
import { readAr, type ArMember } from './ar.ts';
import { DEFAULT_MAX_HEADER_SIZE, type PackageEntry, type PackageLimits } from './entry.ts';
import { collectBounded, decompressPayload, type PayloadCompression } from './payload.ts';
import { readTar } from './tar.ts';

/** A .deb with its control fields read and its data entries still to stream. */
export interface DebPackage {
  /** Contents of debian-binary without the newline, e.g. "2.0". */
  format: string;
  /** Fields of the control file ("Package", "Version", "Architecture", "Depends", ...); continuation lines joined with "\n". */
  control: Record<string, string>;
  /** Every regular file of control.tar (control, md5sums, postinst, ...), by normalised path. */
  controlFiles: Map<string, Uint8Array>;
  dataCompression: PayloadCompression;
  /** The data.tar members; read once, in order. */
  entries: AsyncGenerator<PackageEntry>;
}

/** Options for readDeb. */
export interface ReadDebOptions {
  limits?: PackageLimits;
}

const SUFFIXES: Record<string, PayloadCompression> = { '': 'none', '.gz': 'gzip', '.xz': 'xz', '.zst': 'zstd', '.bz2': 'bzip2', '.lzma': 'lzma' };

/** Read a .deb: parse debian-binary and the control member, and return the data entries as a stream. */
export async function readDeb(source: AsyncIterable<Uint8Array> | Iterable<Uint8Array>, options: ReadDebOptions = {}): Promise<DebPackage> {
  const maxHeader = options.limits?.maxHeaderSize ?? DEFAULT_MAX_HEADER_SIZE;
  const members = readAr(new ByteReader(source), options.limits?.maxEntrySize === undefined ? {} : { maxEntrySize: options.limits.maxEntrySize });
  const first = await nextMember(members, 'debian-binary', 0);
  const format = new TextDecoder().decode(await collectBounded(first.body, 64, 'debian-binary', first.offset)).trim();
  if (!/^2\.\d+$/.test(format)) throw new RemasterError('PACKAGE_BAD', `debian-binary says "${format}", expected "2.x"`, { offset: first.offset });
  const control = await nextMember(members, 'control.tar', first.offset + first.size);
  const controlFiles = await readControlTar(control, maxHeader);
  const controlText = controlFiles.get('control');
  if (!controlText) throw new RemasterError('PACKAGE_BAD', `control.tar has no "control" file`, { offset: control.offset });
  const data = await nextMember(members, 'data.tar', control.offset + control.size);
  const dataCompression = compressionOf(data);
  const entries = readTar(decompressPayload(data.body, dataCompression, data.offset, data.name), { offset: data.offset, ...maxEntry(options) });
  return { format, control: parseControl(controlText, control.offset), controlFiles, dataCompression, entries: closeAfter(entries, members) };
}

function maxEntry(options: ReadDebOptions): { maxEntrySize?: number } {
  return options.limits?.maxEntrySize === undefined ? {} : { maxEntrySize: options.limits.maxEntrySize };
}

async function nextMember(members: AsyncGenerator<ArMember>, prefix: string, offset: number): Promise<ArMember> {
  const next = await members.next();
  if (next.done) throw new RemasterError('PACKAGE_BAD', `the package ends before its "${prefix}" member`, { offset });
  const m = next.value;
  if (m.name !== prefix && !m.name.startsWith(`${prefix}.`)) {
    throw new RemasterError('PACKAGE_BAD', `member "${m.name}" found where deb(5) requires "${prefix}"`, { offset: m.offset - 60 });
  }
  return m;
}

function compressionOf(m: ArMember): PayloadCompression {
  const base = m.name.startsWith('control.tar') ? 'control.tar' : 'data.tar';
  const c = SUFFIXES[m.name.slice(base.length)];
  if (c === undefined) throw new RemasterError('PACKAGE_BAD', `member "${m.name}" has an unknown compression suffix`, { offset: m.offset - 60 });
  return c;
}

async function readControlTar(m: ArMember, maxHeader: number): Promise<Map<string, Uint8Array>> {
  const bounded = boundStream(decompressPayload(m.body, compressionOf(m), m.offset, m.name), maxHeader, m.offset);
  const files = new Map<string, Uint8Array>();
  for await (const entry of readTar(bounded, { offset: m.offset, maxEntrySize: maxHeader })) {
    if (entry.type === 'file') files.set(entry.path, await collectBounded(entry.body, maxHeader, `control member ${entry.path}`, m.offset));
  }
  return files;
}

/** Pass bytes through, throwing LIMIT_EXCEEDED past `max` (a decompression bomb in control.tar stops here). */
async function* boundStream(source: AsyncIterable<Uint8Array>, max: number, offset: number): AsyncGenerator<Uint8Array> {
  let total = 0;
  for await (const c of source) {
    total += c.length;
    if (total > max) throw new RemasterError('LIMIT_EXCEEDED', `decompressed control.tar exceeds ${max} bytes`, { offset });
    yield c;
  }
}

async function* closeAfter(entries: AsyncGenerator<PackageEntry>, members: AsyncGenerator<ArMember>): AsyncGenerator<PackageEntry> {
  try {
    yield* entries;
  } finally {
    await members.return(undefined);
  }
}

/** Parse one deb-control(5) paragraph: "Field: value" lines, continuation lines start with a space or tab. */
export function parseControl(bytes: Uint8Array, offset = 0): Record<string, string> {
  const fields: Record<string, string> = {};
  let last: string | undefined;
  for (const line of new TextDecoder().decode(bytes).split('\n')) {
    if (line.trim() === '') continue;
    if (line.startsWith(' ') || line.startsWith('\t')) {
      if (last === undefined) throw new RemasterError('PACKAGE_BAD', `control file starts with a continuation line`, { offset });
      fields[last] += `\n${line.slice(1)}`;
      continue;
    }
    const colon = line.indexOf(':');
    if (colon <= 0) throw new RemasterError('PACKAGE_BAD', `control line ${JSON.stringify(line.slice(0, 80))} has no "Field:"`, { offset });
    last = line.slice(0, colon);
    fields[last] = line.slice(colon + 1).trim();
  }
  return fields;
}
