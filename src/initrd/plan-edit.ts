/**
 * Plan an initrd edit (pure): resolve every new path through the image's own
 * symlinks, decide which parent directories must be emitted, which entries a
 * rebuild drops, and which compression the new segment uses. The plan is
 * plain data, so `--dry-run` can print it and tests can assert it.
 *
 * Kernel rules applied (reference 01 §3, §4, §10): parents before children;
 * never a directory entry over an existing symlink; nlink = 1 and unique
 * inodes for everything added; removal is impossible in append mode (later
 * segments can only add or overwrite).
 */
import { RemasterError, emitWarning, makeWarning, type WarnOptions } from '../errors.ts';
import { ancestors, hashPath, PathSlots, resolveParents, toArchivePath } from '../tree/index.ts';
import type { EntryType } from '../cpio/index.ts';
import type { CodecId } from '../compress/index.ts';
import type { InitrdIndex } from './scan.ts';

/** One entry to add or replace. Data is produced lazily at write time. */
export interface AddSpec {
  /** Path inside the image. */
  path: string;
  type: Exclude<EntryType, 'socket'>;
  /** Permission bits (default 0644 files, 0755 dirs, 0777 symlinks, 0600 devices). */
  mode?: number;
  uid?: number;
  gid?: number;
  /** Seconds since the epoch (default: SOURCE_DATE_EPOCH, else 0). Clamped to SOURCE_DATE_EPOCH. */
  mtime?: number;
  /** Data size in bytes (files). */
  size?: number;
  /** File data, or a function that streams it. */
  data?: Uint8Array | (() => AsyncIterable<Uint8Array>);
  linkTarget?: string;
  rdev?: [major: number, minor: number];
  /** Where the data came from (for plans and manifests). */
  source?: string;
  /** A directory that only needs to exist: an existing one keeps its metadata (overlay trees set this). */
  keepExisting?: boolean;
}

/** What to change. */
export interface InitrdEdits {
  add?: AddSpec[];
  /** Paths to remove (a directory removes its subtree). Rebuild mode only. */
  remove?: string[];
}

export type EditMode = 'append' | 'rebuild';
export type Compression = CodecId | 'none';

/** Options for planInitrdEdit. */
export interface PlanInitrdEditOptions extends WarnOptions {
  mode: EditMode;
  /** Compression of the new segment (default: the format of the segment being edited). */
  compression?: Compression;
  /** SOURCE_DATE_EPOCH: clamps new mtimes; default mtime for synthesised directories. */
  sourceDateEpoch?: number;
}

/** A planned entry: an added file, a synthesised parent, or a replacement. */
export interface PlannedAdd {
  /** Final path after symlink resolution. */
  path: string;
  /** Path as the user asked for it. */
  requested: string;
  action: 'add' | 'replace' | 'parent';
  spec: AddSpec;
}

/** The whole decision, as plain data. */
export interface InitrdEditPlan {
  mode: EditMode;
  compression: Compression;
  /** Rebuild: segments copied byte for byte (leading ones untouched by the edit); append: every segment. */
  keepSegments: number[];
  /** Rebuild: segments decoded and merged into one new segment. */
  mergeSegments: number[];
  adds: PlannedAdd[];
  /** Positions (IndexedEntry.position) a rebuild leaves out. */
  dropPositions: number[];
  /** Paths removed (for display). */
  removed: string[];
  /** Rebuild: a directory listed several times is written once, at its first position, with its last metadata. */
  dirUpdates: { position: number; mode: number; uid: number; gid: number; mtime: number }[];
  sourceDateEpoch?: number;
}

const DEFAULT_PERMS: Record<AddSpec['type'], number> = { file: 0o644, dir: 0o755, symlink: 0o777, char: 0o600, block: 0o600, fifo: 0o644 };

/** Decide what an edit writes, without touching any data. */
export function planInitrdEdit(index: InitrdIndex, edits: InitrdEdits, options: PlanInitrdEditOptions): InitrdEditPlan {
  const removals = edits.remove ?? [];
  if (options.mode === 'append' && removals.length > 0) {
    throw new RemasterError('EDIT_CONFLICT', `removing ${JSON.stringify(removals[0])} needs rebuild mode: an appended segment can add or overwrite files but never delete them`);
  }
  const adds = planAdds(index, edits.add ?? [], options);
  const { drop, removed, touched } = planDrops(index, adds, removals, options);
  const mergeFrom = options.mode === 'rebuild' ? firstMergedSegment(index, touched) : index.segments.length + 1;
  const keepSegments = index.segments.filter((s) => s.index < mergeFrom).map((s) => s.index);
  const mergeSegments = index.segments.filter((s) => s.index >= mergeFrom).map((s) => s.index);
  const dirUpdates = options.mode === 'rebuild' ? planDuplicates(index, new Set(mergeSegments), drop) : [];
  const plan: InitrdEditPlan = {
    mode: options.mode,
    compression: options.compression ?? defaultCompression(index, options.mode, mergeSegments),
    keepSegments,
    mergeSegments,
    adds,
    dropPositions: [...drop].sort((a, b) => a - b),
    removed,
    dirUpdates,
  };
  if (options.sourceDateEpoch !== undefined) plan.sourceDateEpoch = options.sourceDateEpoch;
  return keepIfUnchanged(index, plan);
}

/** A rebuild that would re-encode one segment into the same format without any change keeps its bytes instead. */
function keepIfUnchanged(index: InitrdIndex, plan: InitrdEditPlan): InitrdEditPlan {
  if (plan.mode !== 'rebuild' || plan.adds.length > 0 || plan.dropPositions.length > 0 || plan.dirUpdates.length > 0) return plan;
  if (plan.mergeSegments.length !== 1) return plan;
  const seg = index.segments.find((s) => s.index === plan.mergeSegments[0]);
  const format = seg?.format === 'cpio' ? 'none' : seg?.format;
  if (format !== plan.compression || !seg?.hasTrailer) return plan;
  return { ...plan, keepSegments: [...plan.keepSegments, seg.index], mergeSegments: [] };
}

function planAdds(index: InitrdIndex, specs: AddSpec[], options: PlanInitrdEditOptions): PlannedAdd[] {
  const byPath = new Map<string, PlannedAdd>();
  const lookup = (p: string) => byPath.get(p)?.spec ?? index.pathInfo(p);
  for (const spec of specs) {
    const requested = toArchivePath(spec.path);
    const path = resolveParents((p) => lookupInfo(byPath, index, p), requested);
    for (const dir of ancestors(path)) {
      const existing = lookup(dir);
      if (existing === undefined) {
        byPath.set(dir, { path: dir, requested: dir, action: 'parent', spec: { path: dir, type: 'dir', mode: 0o755, mtime: options.sourceDateEpoch ?? 0 } });
      } else if (existing.type !== 'dir') {
        throw new RemasterError('EDIT_CONFLICT', `cannot add ${JSON.stringify(requested)}: ${JSON.stringify(dir)} is a ${existing.type} in the image, not a directory`, { entry: requested });
      }
    }
    const current = index.lookup(path);
    if (spec.type === 'dir' && spec.keepExisting && (current?.type === 'dir' || byPath.get(path)?.spec.type === 'dir')) continue;
    const action = current !== undefined && byPath.get(path)?.action !== 'parent' ? 'replace' : 'add';
    if (byPath.has(path) && byPath.get(path)?.action !== 'parent') {
      emitWarning(options, makeWarning('EDIT_CONFLICT', `${JSON.stringify(path)} is added twice; the last one wins`, { entry: path }));
    }
    byPath.set(path, { path, requested, action: current?.type === 'dir' && spec.type === 'dir' ? 'replace' : action, spec: normaliseSpec(spec, options) });
  }
  return [...byPath.values()].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

function lookupInfo(byPath: Map<string, PlannedAdd>, index: InitrdIndex, p: string) {
  const planned = byPath.get(p)?.spec;
  if (planned) return planned.linkTarget !== undefined ? { type: planned.type, linkTarget: planned.linkTarget } : { type: planned.type };
  return index.pathInfo(p);
}

function normaliseSpec(spec: AddSpec, options: PlanInitrdEditOptions): AddSpec {
  const sde = options.sourceDateEpoch;
  let mtime = spec.mtime ?? sde ?? 0;
  if (sde !== undefined && mtime > sde) mtime = sde;
  const out: AddSpec = { ...spec, mode: (spec.mode ?? DEFAULT_PERMS[spec.type]) & 0o7777, uid: spec.uid ?? 0, gid: spec.gid ?? 0, mtime };
  if (spec.type === 'symlink' && !spec.linkTarget) {
    throw new RemasterError('EDIT_CONFLICT', `symlink ${JSON.stringify(spec.path)} needs a target`, { entry: spec.path });
  }
  return out;
}

function planDrops(index: InitrdIndex, adds: PlannedAdd[], removals: string[], options: PlanInitrdEditOptions) {
  const drop = new Set<number>();
  const touched = new Set<number>();
  const removed: string[] = [];
  const table = index.entries;
  for (const raw of removals) {
    const path = resolveParents((p) => index.pathInfo(p), toArchivePath(raw));
    let hits = 0;
    for (let i = 0; i < table.length; i++) {
      const p = table.pathAt(i);
      if (p === undefined || (p !== path && !p.startsWith(`${path}/`))) continue;
      drop.add(i);
      touched.add(table.segmentAt(i));
      hits++;
    }
    if (hits === 0) emitWarning(options, makeWarning('ENTRY_NOT_FOUND', `nothing to remove at ${JSON.stringify(raw)}`, { entry: raw }));
    else removed.push(path);
  }
  if (options.mode === 'rebuild') {
    // Every copy of a replaced path goes (a directory replaced by a directory stays, for its children).
    const replaced = new Map(adds.filter((a) => a.action === 'replace').map((a) => [a.path, a]));
    const hashes = new Set([...replaced.keys()].map(hashPath));
    for (let i = 0; hashes.size > 0 && i < table.length; i++) {
      if (!hashes.has(table.hashAt(i))) continue;
      const add = replaced.get(table.pathAt(i) as string);
      if (add === undefined) continue;
      touched.add(table.segmentAt(i));
      if (!(table.typeAt(i) === 'dir' && add.spec.type === 'dir')) drop.add(i);
    }
  }
  return { drop, removed, touched };
}

/**
 * Inside the merged segments, keep only the effective copy of each path.
 * Directories keep their first position (their children follow it), take the
 * last mode and owner, as the kernel's repeated chmod/chown would, and keep
 * the first mtime: the kernel's dir_utime() walks its list newest entry
 * first, so the first entry's time is the one left (checked under QEMU in
 * test/integration/kernel-unpack-order.test.ts, case dir-twice). Two hash
 * tables of positions (tree/compact.ts) do it without an object per entry.
 */
function planDuplicates(index: InitrdIndex, merged: Set<number>, drop: Set<number>): InitrdEditPlan['dirUpdates'] {
  const table = index.entries;
  const same = (a: number, b: number): boolean => table.samePath(a, b);
  let start = 0;
  while (start < table.length && !merged.has(table.segmentAt(start))) start++; // merged segments are the image's tail
  const candidates = (fn: (i: number) => void): void => {
    for (let i = start; i < table.length; i++) if (table.pathAt(i) !== undefined && !drop.has(i)) fn(i);
  };
  const last = new PathSlots((i) => table.hashAt(i));
  candidates((i) => void last.put(i, same));
  const lastOf = (i: number): number => last.find(table.hashAt(i), (q) => same(q, i));
  const first = new PathSlots((i) => table.hashAt(i));
  const updates: InitrdEditPlan['dirUpdates'] = [];
  candidates((i) => {
    const final = lastOf(i);
    const isDir = table.typeAt(i) === 'dir';
    const finalIsDir = table.typeAt(final) === 'dir';
    if (final !== i && !isDir && !finalIsDir) drop.add(i);
    if (isDir && finalIsDir && first.find(table.hashAt(i), (q) => same(q, i)) >= 0) drop.add(i);
    else if (isDir && finalIsDir) {
      first.put(i, same);
      if (final !== i) updates.push({ position: i, ...table.metaAt(final), mtime: table.metaAt(i).mtime });
    }
  });
  return updates;
}

/** Leading uncompressed segments the edit does not touch stay byte-identical (early microcode must stay first). */
function firstMergedSegment(index: InitrdIndex, touched: Set<number>): number {
  for (const s of index.segments) {
    if (s.format !== 'cpio' || touched.has(s.index)) return s.index;
  }
  return index.segments.length > 0 ? (index.segments[index.segments.length - 1] as { index: number }).index : 1;
}

function defaultCompression(index: InitrdIndex, mode: EditMode, merged: number[]): Compression {
  const pool = mode === 'append' ? index.segments : index.segments.filter((s) => merged.includes(s.index));
  for (let i = pool.length - 1; i >= 0; i--) {
    const f = (pool[i] as { format: string }).format;
    if (f !== 'cpio') return f as CodecId;
  }
  return 'none';
}
