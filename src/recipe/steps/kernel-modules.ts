/**
 * The `kernelModules` step (reference 02): read each new module's .modinfo,
 * refuse one whose vermagic does not match the initrd's kernel, place it
 * under lib/modules/<kver>/<placement>/ (through the image's own symlinks),
 * compressed like the modules already there (xz with CRC32, zstd, or plain),
 * and regenerate every depmod output over the merged tree with the
 * byte-compatible depmod of src/kmod, because modprobe reads only the .bin
 * indexes. Dependencies that neither the image nor the step provides are an
 * error naming them.
 */
import { basename, resolve } from 'node:path';
import { RemasterError, type WarnOptions } from '../../errors.ts';
import { getCodec } from '../../compress/index.ts';
import { concatBytes, readFileChunks } from '../../io/index.ts';
import { checkVermagic, decompressModule, isModulePath, moduleNameFromPath, readModuleFile, runDepmod, type ModuleInfo, type ModuleTree } from '../../kmod/index.ts';
import { resolveParents } from '../../tree/index.ts';
import { scanInitrd, type AddSpec, type InitrdIndex } from '../../initrd/index.ts';
import type { FileRangeSource } from '../../io/index.ts';
import { pathSelector, readPackageFiles } from '../package-source.ts';
import type { KernelModulesStep } from '../schema.ts';

/** What a kernelModules step contributes. */
export interface PreparedModules {
  adds: AddSpec[];
  kernelRelease: string;
  modules: { name: string; path: string; vermagic: string; source: string }[];
}

interface BuildContext {
  baseDir: string;
  index: InitrdIndex;
  source: { initrd: FileRangeSource };
  sourceDateEpoch?: number;
  /** Image paths earlier steps remove (or whose parent directories they remove). */
  excluded?: Set<string>;
  /** The image's modules and module lists, gathered during the scan (collectModuleFiles); read from the image when absent. */
  moduleFiles?: Map<string, ExistingModuleFile>;
}

/** A module of the image, decoded as it streamed past (bytes are not kept), or a module list's bytes. */
export interface ExistingModuleFile {
  /** A module list's bytes. */
  bytes?: Uint8Array;
  /** A module's decoded .modinfo and symbols. */
  info?: ModuleInfo;
  /** A module that did not decode: thrown only if a step needs it. */
  error?: unknown;
}

interface NewModule {
  fileName: string;
  bytes: Uint8Array;
  info: ModuleInfo;
  source: string;
}

const LISTS = ['modules.order', 'modules.builtin', 'modules.builtin.modinfo'];
const MODULES_DIR = /^(?:usr\/)?lib\/modules\/[^/]+\/(.+)$/;

/**
 * A scanInitrd fileData consumer for everything prepareModules reads: modules (decoded to their
 * ModuleInfo as they pass, so their bytes are not kept) and the module lists, under
 * (usr/)lib/modules/<release>/ of any release. One pass over the image then serves both.
 */
export function collectModuleFiles(): { files: Map<string, ExistingModuleFile>; select(path: string): boolean; take(path: string, data: Uint8Array): Promise<void> } {
  const files = new Map<string, ExistingModuleFile>();
  return {
    files,
    select(path) {
      const rest = MODULES_DIR.exec(path)?.[1];
      return rest !== undefined && (isModulePath(path) || LISTS.includes(rest));
    },
    async take(path, data) {
      let fact: ExistingModuleFile;
      if (!isModulePath(path)) fact = { bytes: data };
      else fact = await readModuleFile(data, path).then((info) => ({ info }), (error: unknown) => ({ error }));
      files.delete(path); // archive order of the winning entries
      files.set(path, fact);
    },
  };
}

/** Return the single kernel release the initrd holds modules for. */
export function initrdKernel(index: InitrdIndex): string {
  const [only, ...more] = index.kernelVersions;
  if (only === undefined) throw new RemasterError('MODULE_VERMAGIC_MISMATCH', 'the initrd has no lib/modules/<kernel release> directory, so modules cannot be placed');
  if (more.length > 0) throw new RemasterError('MODULE_VERMAGIC_MISMATCH', `the initrd holds modules for several kernels (${index.kernelVersions.join(', ')}); remaster cannot tell which one boots`);
  return only;
}

/** Read the image once more for its modules (when the build's own scan did not gather them). */
async function gatherModuleFiles(initrd: FileRangeSource, options: WarnOptions): Promise<Map<string, ExistingModuleFile>> {
  const collector = collectModuleFiles();
  await scanInitrd(initrd.open(), { ...options, fileData: collector });
  return collector.files;
}

/** Collect the new modules of a step, their placement and the regenerated indexes. */
export async function prepareModules(step: KernelModulesStep, build: BuildContext, options: WarnOptions): Promise<PreparedModules> {
  const kver = initrdKernel(build.index);
  const dir = resolveParents((p) => build.index.pathInfo(p), `lib/modules/${kver}/x`).replace(/\/x$/, '');
  const gone = (p: string) => [...(build.excluded ?? [])].some((x) => p === x || p.startsWith(`${x}/`));
  const wanted = (p: string): boolean => p.startsWith(`${dir}/`) && (isModulePath(p) || LISTS.includes(p.slice(dir.length + 1))) && !gone(p);
  const all = build.moduleFiles ?? (await gatherModuleFiles(build.source.initrd, options));
  const existing = new Map([...all].filter(([p]) => wanted(p)));
  const suffix = moduleSuffixConvention([...existing.keys()]);
  const fresh = await loadNewModules(step, build.baseDir);
  const adds: AddSpec[] = [];
  const placed: PreparedModules['modules'] = [];
  const tree: ModuleTree = { modules: [] };
  const newPaths = new Map<string, NewModule>();
  for (const m of fresh) {
    checkVermagic(m.info, { release: kver });
    const fileName = `${basename(m.fileName).replace(/\.ko(\.xz|\.zst|\.gz)?$/, '.ko')}${suffix}`;
    const relPath = `${step.placement}/${fileName}`;
    newPaths.set(relPath, m);
    const data = await encodeModule(m.bytes, suffix, options);
    adds.push(file(`${dir}/${relPath}`, data, 0o644, m.source, build.sourceDateEpoch));
    placed.push({ name: moduleNameFromPath(fileName), path: `${dir}/${relPath}`, vermagic: m.info.vermagic ?? '', source: m.source });
  }
  for (const [path, fact] of existing) {
    const rel = path.slice(dir.length + 1);
    const bytes = fact.bytes ?? new Uint8Array(0);
    if (rel === 'modules.order') tree.modulesOrder = latin1(bytes);
    else if (rel === 'modules.builtin') tree.modulesBuiltin = latin1(bytes);
    else if (rel === 'modules.builtin.modinfo') tree.modulesBuiltinModinfo = bytes;
    else if (!newPaths.has(rel)) {
      if (fact.info === undefined) throw fact.error;
      tree.modules.push({ path: rel, info: fact.info });
    }
  }
  for (const [rel, m] of newPaths) tree.modules.push({ path: rel, info: m.info });
  checkDependencies(tree, fresh);
  const depmod = runDepmod(tree, kver);
  for (const [name, data] of depmod.files) adds.push(file(`${dir}/${name}`, data, 0o644, 'regenerated by remaster (depmod)', build.sourceDateEpoch));
  if (step.rundepmod) adds.push(file('.rundepmod', new Uint8Array(0), 0o644, 'anaconda: rerun depmod', build.sourceDateEpoch));
  if (step.load?.length) {
    const text = new TextEncoder().encode(`# written by remaster: load at boot\n${step.load.join('\n')}\n`);
    adds.push(file('etc/modules-load.d/remaster.conf', text, 0o644, 'recipe load list', build.sourceDateEpoch));
  }
  return { adds, kernelRelease: kver, modules: placed };
}

function file(path: string, data: Uint8Array, mode: number, source: string, mtime: number | undefined): AddSpec {
  const spec: AddSpec = { path, type: 'file', mode, size: data.length, data, source };
  if (mtime !== undefined) spec.mtime = mtime;
  return spec;
}

function latin1(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('latin1');
}

function suffixOf(name: string): string {
  return /\.ko(\.xz|\.zst|\.gz)$/.exec(name)?.[1] ?? '';
}

/** The compression most modules of the image use ('' for plain .ko). */
export function moduleSuffixConvention(paths: string[]): '' | '.xz' | '.zst' {
  const count = { '': 0, '.xz': 0, '.zst': 0 } as Record<string, number>;
  for (const p of paths) if (isModulePath(p)) count[suffixOf(p)] = (count[suffixOf(p)] ?? 0) + 1;
  if ((count['.xz'] ?? 0) > (count[''] ?? 0) && (count['.xz'] ?? 0) >= (count['.zst'] ?? 0)) return '.xz';
  if ((count['.zst'] ?? 0) > (count[''] ?? 0)) return '.zst';
  return '';
}

async function encodeModule(bytes: Uint8Array, suffix: string, options: WarnOptions): Promise<Uint8Array> {
  const plain = await decompressModule(bytes);
  if (suffix === '') return plain;
  // Kernel rule: xz-compressed modules use CRC32 (scripts/Makefile.modinst); the codec's default.
  const parts: Uint8Array[] = [];
  for await (const c of getCodec(suffix === '.xz' ? 'xz' : 'zstd').compress((async function* () { yield plain; })(), options)) parts.push(c);
  return concatBytes(parts);
}

async function loadNewModules(step: KernelModulesStep, baseDir: string): Promise<NewModule[]> {
  const out: NewModule[] = [];
  for (const item of step.kernelModules) {
    if (typeof item === 'string') {
      const host = resolve(baseDir, item);
      const parts: Uint8Array[] = [];
      for await (const c of readFileChunks(host)) parts.push(c.slice());
      const bytes = concatBytes(parts);
      out.push({ fileName: basename(host), bytes, info: await readModuleFile(bytes, host), source: item });
      continue;
    }
    const select = pathSelector(item.paths, (p) => /(^|\/)lib\/modules\/[^/]+\/.*\.ko(\.xz|\.zst|\.gz)?$/.test(p));
    const files = await readPackageFiles(resolve(baseDir, item.package), select);
    const modules = files.filter((f) => f.type === 'file' && f.data && isModulePath(f.path));
    if (modules.length === 0) throw new RemasterError('MODULE_BAD_ELF', `no kernel module found in the package${item.paths ? ` matching ${item.paths.join(', ')}` : ''}`, { file: item.package });
    for (const f of modules) out.push({ fileName: basename(f.path), bytes: f.data as Uint8Array, info: await readModuleFile(f.data as Uint8Array, f.path), source: `${item.package}:/${f.path}` });
  }
  return out;
}

/** Every `depends=` of a new module must be a module of the merged tree or built into the kernel. */
function checkDependencies(tree: ModuleTree, fresh: NewModule[]): void {
  const names = new Set(tree.modules.map((m) => moduleNameFromPath(m.path)));
  for (const line of (tree.modulesBuiltin ?? '').split('\n')) if (line) names.add(moduleNameFromPath(line));
  for (const m of fresh) {
    for (const dep of m.info.depends) {
      if (!names.has(dep.replaceAll('-', '_'))) {
        throw new RemasterError('MODULE_MISSING_DEPENDENCY', `module ${moduleNameFromPath(m.fileName)} needs ${dep}, which is neither in the initrd nor among the injected modules; add it to the step`, { file: m.source });
      }
    }
  }
}
