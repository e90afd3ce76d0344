/**
 * The `extract` fuzz target (issue 10, item 1): random sequences of
 * directory, file, symlink and hard-link entries over a three-name alphabet,
 * spread over one to three segments (with or without TRAILER!!!, some
 * gzip-compressed; test/helpers/unpack-cases.ts), extracted for real into a
 * jail four directories below a scratch root. Symlink targets aim at decoy
 * `outside` directories on every level above the jail (absolute, or relative
 * with ".." climbing out), into the jail, at each other, or nowhere.
 *
 * Each case checks two properties; a violation is thrown as a plain Error,
 * which the runner records as a finding:
 * 1. ESCAPE: nothing outside the jail changed (content, mode, owner, mtime of
 *    every decoy and of the directories holding them);
 * 2. MISMATCH: the jail equals what the kernel would unpack, computed by
 *    RootfsModel (src/initrd/rootfs-model.ts, init/initramfs.c semantics) in
 *    refuse mode: where the kernel would follow a symlink, extraction must
 *    stop with PATH_THROUGH_SYMLINK at that very entry, and the jail must
 *    equal the model's state just before it (plus the final dir_utime()).
 *    Types, modes (setuid/setgid/sticky included), owners (when root),
 *    mtimes, sizes, data, link targets and hard-link groups are compared.
 *
 * The input is the case as JSON (names, modes, data, targets with @OUTSIDE@
 * and @JAIL@ placeholders), so a saved finding replays on any machine.
 */
import { createHash } from 'node:crypto';
import { rmSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RemasterError, RootfsModel, extractEntries, readInitrd } from '../src/index.ts';
import { makeDecoy, snapshotChanges, snapshotTree, type Snapshot } from '../test/helpers/fs-snapshot.ts';
import { caseBytes, randomCase, type UnpackCase } from '../test/helpers/unpack-cases.ts';
import type { Rng } from './prng.ts';

const enc = new TextEncoder();
const JAIL_DEPTH = 4;
const isRoot = process.getuid?.() === 0;

/** A symlink target for a link in directory `dir` of the case. */
function hostileTarget(rng: Rng, dir: string): string {
  const r = rng.below(100);
  const depth = dir === '' ? 0 : dir.split('/').length;
  const up = (): string => '../'.repeat(depth + rng.between(1, JAIL_DEPTH));
  if (r < 22) return `@OUTSIDE@${rng.pick(['', '/sub', '/host-file', '/new', '/sub/deep'])}`;
  if (r < 38) return `${up()}outside${rng.pick(['', '/sub', '/host-file'])}`;
  // ".." in the middle: through a name of the case (maybe a directory, a file, a link or nothing), or "./".
  if (r < 46) return `${rng.pick(['a/', 'b/c/../', './', 'a/./'])}${rng.pick(['', '../'])}${up()}outside${rng.pick(['', '/sub'])}`;
  if (r < 50) return `@JAIL@/${rng.pick(['a', 'b/c'])}/${up()}outside`;
  if (r < 58) return `@JAIL@/${rng.pick(['a', 'b', 'a/b'])}`;
  return rng.pick(['a', 'b', 'c', 'a/b', 'b/c', '.', '..', '../a', 'zz', 'c/zz', 'a/../b', '../..']);
}

/** Generate one case as JSON bytes: mostly up to 14 entries in up to 3 segments, a fifth longer (24 entries, 6 segments). */
export function generateExtractCase(rng: Rng): Uint8Array {
  const long = rng.chance(0.2);
  return enc.encode(JSON.stringify(randomCase(rng, { targets: hostileTarget, maxEntries: long ? 24 : 14, maxSegments: long ? 6 : 3 })));
}

interface Scratch {
  root: string;
  jail: string;
  outside: string;
  before: Snapshot;
}

let scratch: Scratch | undefined;

/** The scratch root (one per worker): decoys on every level above the jail, snapshotted once. */
async function getScratch(): Promise<Scratch> {
  if (scratch !== undefined) return scratch;
  const root = await mkdtemp(join(tmpdir(), 'remaster-fuzz-extract-'));
  let level = root;
  for (let i = 0; i < JAIL_DEPTH; i++) {
    await makeDecoy(join(level, 'outside'));
    level = join(level, `j${i}`);
    await mkdir(level);
  }
  await makeDecoy(join(level, 'outside'));
  process.once('exit', () => rmSync(root, { recursive: true, force: true }));
  // The jail stays; only its contents go between cases, so its parent's mtime is part of the snapshot too.
  const jail = join(level, 'jail');
  await mkdir(jail);
  scratch = { root, jail, outside: join(root, 'outside'), before: await snapshotTree(root, [jail.slice(root.length + 1)], { content: false }) };
  return scratch;
}

function materialise(c: UnpackCase, s: Scratch): Uint8Array {
  for (const e of c.segments.flatMap((seg) => seg.entries)) {
    if ((e.mode ?? 0) >> 12 === 0o12 && typeof e.data === 'string') e.data = e.data.replace('@OUTSIDE@', s.outside).replace('@JAIL@', s.jail);
  }
  return caseBytes(c);
}

/** Facts compared between disk and model, keyed by path. */
type Facts = Map<string, string>;

function groupsOf(pairs: [string, number][]): Map<string, string> {
  const byId = new Map<number, string[]>();
  for (const [path, id] of pairs) byId.set(id, [...(byId.get(id) ?? []), path]);
  const out = new Map<string, string>();
  for (const paths of byId.values()) for (const p of paths) out.set(p, [...paths].sort()[0] as string);
  return out;
}

async function diskFacts(jail: string): Promise<Facts> {
  const snap = await snapshotTree(jail);
  snap.delete('.');
  const groups = groupsOf([...snap].filter(([, s]) => s.type === 'file').map(([p, s]) => [p, s.ino]));
  const out: Facts = new Map();
  for (const [path, s] of snap) {
    const owner = isRoot ? ` ${s.uid}:${s.gid}` : '';
    const data = s.type === 'file' ? ` ${s.size} ${s.sha256} ${groups.get(path)}` : s.type === 'symlink' ? ` -> ${s.linkTarget}` : '';
    out.set(path, `${s.type} ${s.mode.toString(8)}${owner} ${s.mtimeMs / 1000}${data}`);
  }
  return out;
}

function modelFacts(model: RootfsModel<string>): Facts {
  const paths = [...model.paths()].filter(([p]) => p !== '.');
  const groups = groupsOf(paths.filter(([, n]) => n.type === 'file').map(([p, n]) => [p, n.id]));
  const out: Facts = new Map();
  for (const [path, n] of paths) {
    const owner = isRoot ? ` ${n.uid}:${n.gid}` : '';
    const data = n.type === 'file' ? ` ${n.size} ${n.content ?? EMPTY} ${groups.get(path)}` : n.type === 'symlink' ? ` -> ${n.linkTarget}` : '';
    out.set(path, `${n.type} ${n.perm.toString(8)}${owner} ${n.mtime}${data}`);
  }
  return out;
}

const EMPTY = createHash('sha256').digest('hex');

/** Run the model in refuse mode; return it and the first refused entry (its name), if any. */
async function runModel(image: Uint8Array): Promise<{ model: RootfsModel<string>; refusedAt: string | undefined }> {
  const model = new RootfsModel<string>({ symlinks: 'refuse' });
  let refusedAt: string | undefined;
  for await (const e of readInitrd([image])) {
    const r = model.apply(e);
    if (r.refused !== undefined) {
      refusedAt = e.name;
      break;
    }
    if (r.data === undefined) continue;
    const hash = createHash('sha256');
    for await (const chunk of e.body) hash.update(chunk);
    r.data.content = hash.digest('hex');
  }
  model.finish();
  return { model, refusedAt };
}

/** Extract one case and check both properties; rethrow the expected refusal so the runner counts it. */
export async function runExtractCase(bytes: Uint8Array): Promise<void> {
  const s = await getScratch();
  const c = JSON.parse(new TextDecoder().decode(bytes)) as UnpackCase;
  const image = materialise(c, s);
  for (const name of await readdir(s.jail)) await rm(join(s.jail, name), { recursive: true, force: true });
  let error: unknown;
  try {
    await extractEntries(readInitrd([image]), s.jail, { onWarning: () => {} });
  } catch (err) {
    error = err;
  }
  const escaped = snapshotChanges(s.before, await snapshotTree(s.root, [relativeJail(s)], { content: false }));
  if (escaped.length > 0) {
    scratch = undefined; // the decoys are spoilt: the next case starts from a new root
    throw new Error(`ESCAPE: ${escaped.slice(0, 5).join('; ')}`);
  }
  const { model, refusedAt } = await runModel(image);
  if (refusedAt !== undefined) {
    if (!(error instanceof RemasterError) || error.code !== 'PATH_THROUGH_SYMLINK' || error.entry !== refusedAt) {
      throw new Error(`MISMATCH: the kernel would follow a symlink at "${refusedAt}"; extraction ended with ${String(error ?? 'success')}`);
    }
  } else if (error !== undefined) {
    throw new Error(`MISMATCH: extraction failed where the kernel unpacks without following a symlink: ${String(error)}`);
  }
  const disk = await diskFacts(s.jail);
  const want = modelFacts(model);
  const diffs = [...new Set([...disk.keys(), ...want.keys()])].filter((p) => disk.get(p) !== want.get(p)).map((p) => `${p}: disk ${disk.get(p) ?? 'absent'} / model ${want.get(p) ?? 'absent'}`);
  if (diffs.length > 0) throw new Error(`MISMATCH: ${diffs.slice(0, 4).join('; ')}`);
  if (error !== undefined) throw error;
}

function relativeJail(s: Scratch): string {
  return s.jail.slice(s.root.length + 1);
}
