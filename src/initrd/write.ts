/**
 * Write an edited initrd from a plan (see plan-edit.ts).
 *
 * append: the original bytes, NUL padding to a 4-byte boundary (plus 4 NULs
 * after lz4, whose legacy stream has no end marker), then one new segment
 * holding the added entries: time proportional to the overlay.
 * rebuild: kept segments byte for byte, then every other segment merged into
 * one archive in original order with drops and replacements applied and new
 * entries at the end; inodes renumbered from 1 so the output depends only on
 * the inputs.
 */
import { RemasterError, type WarnOptions } from '../errors.ts';
import { writeCpio, modeBitsOf, type CpioWriteEntry, type CpioWriteHeader } from '../cpio/index.ts';
import { getCodec, type CompressOptions } from '../compress/index.ts';
import { readInitrd, type InitrdEntry, type InitrdLimits } from './read.ts';
import type { InitrdIndex } from './scan.ts';
import type { AddSpec, InitrdEditPlan, PlannedAdd } from './plan-edit.ts';

/** A re-readable initrd: write() reads it again after scanning. */
export interface InitrdSource {
  /** Name for messages (the file path). */
  name: string;
  /** Stream bytes [start, end) of the image (whole image by default). */
  open(range?: { start: number; end: number }): AsyncIterable<Uint8Array> | Iterable<Uint8Array>;
}

/** Options for writeInitrd. */
export interface WriteInitrdOptions extends WarnOptions {
  level?: number;
  threads?: number;
  limits?: InitrdLimits;
  signal?: AbortSignal;
}

/** Produce the bytes of the edited image. */
export async function* writeInitrd(
  source: InitrdSource,
  index: InitrdIndex,
  plan: InitrdEditPlan,
  options: WriteInitrdOptions = {},
): AsyncGenerator<Uint8Array> {
  const keepEnd = plan.mode === 'append' || plan.mergeSegments.length === 0 ? index.size : mergeStart(index, plan);
  let written = 0;
  if (keepEnd > 0) {
    for await (const chunk of source.open({ start: 0, end: keepEnd })) {
      written += chunk.length;
      yield chunk;
    }
  }
  if ((plan.mode === 'append' && plan.adds.length === 0) || (plan.mode === 'rebuild' && plan.mergeSegments.length === 0)) return;
  const lastFormat = index.segments.at(-1)?.format;
  let pad = (4 - (written % 4)) % 4;
  if (plan.mode === 'append' && lastFormat === 'lz4') pad += 4;
  if (pad > 0 && written > 0) yield new Uint8Array(pad);
  const entries = plan.mode === 'append' ? overlayEntries(plan.adds) : mergedEntries(source, plan, options);
  const archive = writeCpio(entries);
  if (plan.compression === 'none') {
    yield* archive;
    return;
  }
  const compressOptions: CompressOptions = { ...pickWarn(options) };
  if (options.level !== undefined) compressOptions.level = options.level;
  if (options.threads !== undefined) compressOptions.threads = options.threads;
  if (options.signal) compressOptions.signal = options.signal;
  yield* getCodec(plan.compression).compress(archive, compressOptions);
}

function pickWarn(o: WarnOptions): WarnOptions {
  const out: WarnOptions = {};
  if (o.onWarning) out.onWarning = o.onWarning;
  if (o.strict) out.strict = o.strict;
  return out;
}

function mergeStart(index: InitrdIndex, plan: InitrdEditPlan): number {
  const first = index.segments.find((s) => s.index === plan.mergeSegments[0]);
  if (!first) return index.size;
  return first.offset - first.paddingBefore;
}

/** Turn a planned add into a cpio entry with inode `ino`. */
export function addToCpio(add: PlannedAdd, ino: number): CpioWriteEntry {
  const s: AddSpec = add.spec;
  const dataSize = s.type === 'file' ? (s.size ?? (s.data instanceof Uint8Array ? s.data.length : 0)) : 0;
  const link = s.type === 'symlink' ? new TextEncoder().encode(s.linkTarget ?? '') : undefined;
  const header: CpioWriteHeader = {
    ino, mode: modeBitsOf(s.type) | (s.mode ?? 0), uid: s.uid ?? 0, gid: s.gid ?? 0, nlink: s.type === 'dir' ? 2 : 1,
    mtime: s.mtime ?? 0, fileSize: link ? link.length : dataSize, devMajor: 0, devMinor: 0,
    rdevMajor: s.rdev?.[0] ?? 0, rdevMinor: s.rdev?.[1] ?? 0,
  };
  const entry: CpioWriteEntry = { name: add.path, header };
  if (link) entry.body = link;
  else if (s.type === 'file' && s.data !== undefined) entry.body = s.data instanceof Uint8Array ? s.data : s.data();
  return entry;
}

function* overlayEntries(adds: PlannedAdd[]): Generator<CpioWriteEntry> {
  let ino = 1;
  for (const add of adds) yield addToCpio(add, ino++);
}

async function* mergedEntries(source: InitrdSource, plan: InitrdEditPlan, options: WriteInitrdOptions): AsyncGenerator<CpioWriteEntry> {
  const drop = new Set(plan.dropPositions);
  const merge = new Set(plan.mergeSegments);
  const replacements = new Map(plan.adds.filter((a) => a.action === 'replace').map((a) => [a.path, a]));
  const links = new Map<string, number>();
  const dirUpdates = new Map(plan.dirUpdates.map((u) => [u.position, u]));
  let ino = 0;
  let position = -1;
  const readOptions = { ...pickWarn(options), ...(options.limits ? { limits: options.limits } : {}), ...(options.signal ? { signal: options.signal } : {}) };
  for await (const e of readInitrd(source.open(), readOptions)) {
    position++;
    if (!merge.has(e.segment)) continue;
    const replacement = replacements.get(normal(e.name));
    if (replacement && (drop.has(position) || e.type === 'dir')) {
      replacements.delete(replacement.path);
      yield addToCpio(replacement, ++ino);
      continue;
    }
    if (drop.has(position)) continue;
    const entry = passThrough(e, inodeFor(e, links, () => ++ino));
    const update = dirUpdates.get(position);
    if (update) Object.assign(entry.header, { mode: update.mode, uid: update.uid, gid: update.gid, mtime: update.mtime });
    yield entry;
  }
  for (const add of plan.adds) {
    if (add.action === 'replace' && !replacements.has(add.path)) continue;
    yield addToCpio(add, ++ino);
  }
}

function normal(name: string): string {
  return name.split('/').filter((p) => p !== '' && p !== '.').join('/') || '.';
}

function inodeFor(e: InitrdEntry, links: Map<string, number>, next: () => number): number {
  if (e.header.nlink < 2 || e.type === 'dir') return next();
  const key = `${e.segment}:${e.header.devMajor}:${e.header.devMinor}:${e.header.ino}`;
  let ino = links.get(key);
  if (ino === undefined) {
    ino = next();
    links.set(key, ino);
  }
  return ino;
}

function passThrough(e: InitrdEntry, ino: number): CpioWriteEntry {
  const { magic: _m, nameSize: _n, check: _c, ...rest } = e.header;
  if (e.header.fileSize > 0xffffffff) throw new RemasterError('LIMIT_EXCEEDED', 'entry too large for newc', { entry: e.name });
  return { name: e.name, nameBytes: e.nameBytes, header: { ...rest, ino }, body: e.body };
}
