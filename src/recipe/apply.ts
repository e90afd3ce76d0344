/**
 * applyPlan(): perform a BuildPlan. Kernel, initrd and manifest are written
 * into a fresh directory that replaces the output directory in one rename,
 * so a failed build leaves the previous output untouched. The manifest
 * records every injected file (source, sha256, mode, size), the outputs'
 * hashes and the recipe's hash; it has no timestamps, so the same inputs give
 * the same bytes everywhere.
 */
import { createHash } from 'node:crypto';
import { join, relative, resolve } from 'node:path';
import type { WarnOptions } from '../errors.ts';
import { replaceDirAtomically } from '../fsx/index.ts';
import { writeFileAtomic } from '../io/index.ts';
import { writeInitrd, type AddSpec, type PlannedAdd } from '../initrd/index.ts';
import type { BuildPlan } from './plan.ts';
import type { PreparedBuild } from './prepare.ts';

/** One injected file in the manifest. */
export interface ManifestFile {
  path: string;
  action: PlannedAdd['action'];
  type: AddSpec['type'];
  mode: string;
  uid: number;
  gid: number;
  size?: number;
  sha256?: string;
  linkTarget?: string;
  source?: string;
}

/** The manifest written next to the outputs. */
export interface BuildManifest {
  name: string;
  recipe: { file: string; sha256: string };
  source: BuildPlan['source'];
  mode: BuildPlan['edit']['mode'];
  compression: BuildPlan['edit']['compression'];
  outputs: Record<string, { size: number; sha256: string }>;
  files: ManifestFile[];
  removed: string[];
  modules: { name: string; path: string; vermagic: string; source: string }[];
  sourceDateEpoch?: number;
}

/** Options for applyPlan. */
export interface ApplyOptions extends WarnOptions {
  signal?: AbortSignal;
  /** Called as each output is written. */
  onProgress?: (event: { output: string; bytes: number }) => void;
  /** Replace an existing output directory that remaster did not write (never one holding an input). */
  force?: boolean;
}

/** Result of a build. */
export interface BuildResult {
  dir: string;
  manifest: BuildManifest;
}

async function* hashing(chunks: AsyncIterable<Uint8Array> | Iterable<Uint8Array>, done: (sha: string, size: number) => void): AsyncGenerator<Uint8Array> {
  const h = createHash('sha256');
  let size = 0;
  for await (const c of chunks) {
    h.update(c);
    size += c.length;
    yield c;
  }
  done(h.digest('hex'), size);
}

function manifestEntry(add: PlannedAdd, baseDir: string): ManifestFile {
  const s = add.spec;
  const m: ManifestFile = { path: add.path, action: add.action, type: s.type, mode: `0${(s.mode ?? 0).toString(8)}`, uid: s.uid ?? 0, gid: s.gid ?? 0 };
  if (s.linkTarget !== undefined) m.linkTarget = s.linkTarget;
  if (s.source !== undefined) m.source = s.source.startsWith('/') ? relative(baseDir, s.source) : s.source;
  return m;
}

/** Wrap every file's data so its sha256 lands in the manifest entry while the initrd is written. */
function instrument(plan: BuildPlan, baseDir: string): { adds: PlannedAdd[]; files: ManifestFile[] } {
  const files: ManifestFile[] = [];
  const adds = plan.edit.adds.map((add) => {
    const entry = manifestEntry(add, baseDir);
    files.push(entry);
    const data = add.spec.data;
    if (add.spec.type !== 'file' || data === undefined) return add;
    const record = (sha: string, size: number) => Object.assign(entry, { sha256: sha, size });
    const wrapped = data instanceof Uint8Array ? () => hashing([data], record) : () => hashing(data(), record);
    return { ...add, spec: { ...add.spec, data: wrapped } };
  });
  return { adds, files };
}

/** Write the outputs of a plan. */
export async function applyPlan(plan: BuildPlan, build: PreparedBuild, options: ApplyOptions = {}): Promise<BuildResult> {
  const dir = resolve(build.baseDir, plan.output.dir);
  const { adds, files } = instrument(plan, build.baseDir);
  const outputs: BuildManifest['outputs'] = {};
  const keep = (name: string) => (sha256: string, size: number) => {
    outputs[name] = { sha256, size };
    options.onProgress?.({ output: name, bytes: size });
  };
  const manifest = await replaceDirAtomically(dir, async (tmp) => {
    const writeOptions = { ...pick(options), ...(plan.output.level !== undefined ? { level: plan.output.level } : {}) };
    const initrd = writeInitrd(build.source.initrd, build.index, { ...plan.edit, adds }, writeOptions);
    await writeFileAtomic(join(tmp, plan.output.initrd), hashing(initrd, keep(plan.output.initrd)));
    if (plan.output.kernel && build.source.kernel) {
      await writeFileAtomic(join(tmp, plan.output.kernel), hashing(build.source.kernel.open(), keep(plan.output.kernel)));
    }
    if (plan.output.kickstart && build.kickstart) {
      const bytes = new TextEncoder().encode(build.kickstart.text);
      await writeFileAtomic(join(tmp, plan.output.kickstart), hashing([bytes], keep(plan.output.kickstart)));
    }
    for (const f of build.answers?.files ?? []) {
      await writeFileAtomic(join(tmp, f.name), hashing([new TextEncoder().encode(f.text)], keep(f.name)));
    }
    const m = makeManifest(plan, build, outputs, files);
    await writeFileAtomic(join(tmp, 'manifest.json'), [new TextEncoder().encode(`${JSON.stringify(m, null, 2)}\n`)]);
    return m;
  }, { inputs: build.inputs, isOwnOutput: isBuildOutput, ...(options.force ? { force: true } : {}) });
  return { dir, manifest };
}

const SHA256_HEX = /^[0-9a-f]{64}$/u;

/** Return true when a directory holds only what applyPlan writes: its manifest and the outputs that manifest lists. */
export function isBuildOutput(names: readonly string[], manifestText: string | undefined): boolean {
  if (manifestText === undefined) return false;
  let m: Partial<BuildManifest>;
  try {
    m = JSON.parse(manifestText) as Partial<BuildManifest>;
  } catch {
    return false;
  }
  const outputs = m.outputs;
  if (typeof m.name !== 'string' || !SHA256_HEX.test(String(m.recipe?.sha256)) || typeof outputs !== 'object' || outputs === null) return false;
  if (!Object.values(outputs).every((o) => SHA256_HEX.test(String(o?.sha256)) && Number.isInteger(o?.size))) return false;
  return names.every((n) => n === 'manifest.json' || Object.hasOwn(outputs, n));
}

function pick(o: ApplyOptions): WarnOptions & { signal?: AbortSignal } {
  const out: WarnOptions & { signal?: AbortSignal } = {};
  if (o.onWarning) out.onWarning = o.onWarning;
  if (o.strict) out.strict = o.strict;
  if (o.signal) out.signal = o.signal;
  return out;
}

function makeManifest(plan: BuildPlan, build: PreparedBuild, outputs: BuildManifest['outputs'], files: ManifestFile[]): BuildManifest {
  const m: BuildManifest = {
    name: plan.name,
    recipe: { file: relative(build.baseDir, resolve(plan.recipeFile)) || plan.recipeFile, sha256: plan.recipeSha256 },
    source: plan.source,
    mode: plan.edit.mode,
    compression: plan.edit.compression,
    outputs,
    files,
    removed: plan.edit.removed,
    modules: build.steps.flatMap((s) => s.modules?.modules ?? []),
  };
  if (build.sourceDateEpoch !== undefined) m.sourceDateEpoch = build.sourceDateEpoch;
  return m;
}
