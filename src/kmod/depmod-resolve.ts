/**
 * depmod's module graph, reproduced step by step from kmod-project/kmod
 * tools/depmod.c (kmod 30) so that every output matches depmod's bytes:
 *
 * 1. search: modules in directory-walk order; a second file with the same
 *    module name replaces the first only when its depmod.d `search`
 *    directory ranks higher (default "updates" before everything else);
 * 2. order: modules in kmod hash order, then a stable sort putting the
 *    modules listed in modules.order first, in that file's order;
 * 3. symbols: each module's exports, a later module taking over a symbol;
 * 4. dependencies: each needed symbol's owner, in symbol-table order;
 * 5. a topological sort (depmod's stack-based Kahn walk) numbers modules so
 *    that every module's full dependency list can be sorted users-first.
 */
import { RemasterError } from '../errors.ts';
import { kmodHashOrder } from './kmod-hash.ts';
import { moduleNameFromPath } from './module-file.ts';
import type { ModuleInfo } from './module-info.ts';

/** One module file of a lib/modules/<kver> tree. */
export interface ModuleTreeEntry {
  /** Path relative to lib/modules/<kver>, e.g. "kernel/drivers/scsi/hpsa.ko" or "updates/hpsa.ko.xz". */
  path: string;
  info: ModuleInfo;
}

/** A module that won the search and takes part in the outputs. */
export interface ResolvedModule {
  name: string;
  path: string;
  info: ModuleInfo;
  /** Position in depmod's module array (the priority stored in the .bin indexes). */
  index: number;
  /** Direct dependencies resolved by symbols, in discovery order. */
  deps: ResolvedModule[];
  /** Topological number: users before the modules they use. */
  depSortIndex: number;
  users: number;
}

/** Search order and overrides, as depmod.d would set them. */
export interface DepmodConfig {
  /** depmod.d `search` entries, highest priority first; "built-in" stands for every other directory. Default ["updates"] (kmod's default). */
  search?: string[];
  /** depmod.d `override <module> <kver> <subdir>` lines (kver already matched). */
  overrides?: Array<{ module: string; subdir: string }>;
}

function overrideStem(rel: string, name: string): string {
  return rel.slice(0, rel.lastIndexOf('/') + 1 + name.length);
}

function isUnder(rel: string, dir: string): boolean {
  return rel.length > dir.length && rel[dir.length] === '/' && rel.startsWith(dir);
}

/** Return true when depmod keeps the module found first and ignores `newPath` (depmod_module_is_higher_priority). */
export function keepsExisting(oldPath: string, newPath: string, name: string, config: DepmodConfig = {}): boolean {
  for (const o of config.overrides ?? []) {
    if (overrideStem(newPath, name) === `${o.subdir}/${o.module}`) return false;
    if (overrideStem(oldPath, name) === `${o.subdir}/${o.module}`) return true;
  }
  // kmod prepends each search word to its list, so later list positions
  // (earlier words) rank higher; the else-if chain is depmod's own.
  const list = [...(config.search ?? ['updates'])].reverse();
  let builtin = -1;
  let newPrio = -1;
  let oldPrio = -1;
  list.forEach((se, i) => {
    if (se === 'built-in') builtin = i;
    else if (isUnder(newPath, se)) newPrio = i;
    else if (isUnder(oldPath, se)) oldPrio = i;
  });
  return (newPrio < 0 ? builtin : newPrio) <= (oldPrio < 0 ? builtin : oldPrio);
}

/** Pick one file per module name, in discovery order (depmod_modules_search). */
export function selectModules(entries: readonly ModuleTreeEntry[], config: DepmodConfig = {}): Map<string, ModuleTreeEntry> {
  const byName = new Map<string, ModuleTreeEntry>();
  for (const e of entries) {
    const name = moduleNameFromPath(e.path);
    const old = byName.get(name);
    if (old && keepsExisting(old.path, e.path, name, config)) continue;
    byName.delete(name);
    byName.set(name, e);
  }
  return byName;
}

/** Return the uncompressed relative path depmod matches against modules.order. */
function uncompressedPath(path: string, name: string): string {
  return path.slice(0, path.lastIndexOf('/') + 1 + name.length + 3);
}

/** Order the selected modules as depmod_modules_build_array + depmod_modules_sort do. */
export function orderModules(selected: Map<string, ModuleTreeEntry>, modulesOrder: string | undefined): ResolvedModule[] {
  const sortIdx = new Map<string, number>();
  if (modulesOrder !== undefined && (modulesOrder === '' || modulesOrder.endsWith('\n'))) {
    const lines = modulesOrder.split('\n').slice(0, -1);
    const total = lines.length + 1;
    const byUnc = new Map<string, string>();
    for (const [name, e] of selected) byUnc.set(uncompressedPath(e.path, name), name);
    lines.forEach((line, i) => {
      const name = byUnc.get(line);
      if (name !== undefined) sortIdx.set(name, i + 1 - total);
    });
  }
  const names = kmodHashOrder(selected.keys(), 512);
  // Array.prototype.sort is stable, like glibc's merge-sort qsort used by depmod.
  names.sort((a, b) => (sortIdx.get(a) ?? 1) - (sortIdx.get(b) ?? 1));
  return names.map((name, index) => {
    const e = selected.get(name) as ModuleTreeEntry;
    return { name, path: e.path, info: e.info, index, deps: [], depSortIndex: 0, users: 0 };
  });
}

/** Build the symbol owner table in depmod's load order; later exporters win. */
export function exportOwners(modules: readonly ResolvedModule[]): Map<string, ResolvedModule> {
  const owners = new Map<string, ResolvedModule>();
  for (const m of modules) for (const sym of m.info.exports) owners.set(sym, m);
  return owners;
}

/** Resolve each module's needed symbols to their owners (depmod_load_dependencies). */
export function linkDependencies(modules: readonly ResolvedModule[], owners: Map<string, ResolvedModule>): void {
  for (const m of modules) {
    for (const ref of m.info.dependencySymbols) {
      const owner = owners.get(ref.name.startsWith('.') ? ref.name.slice(1) : ref.name);
      if (!owner || m.deps.includes(owner)) continue;
      m.deps.push(owner);
      owner.users++;
    }
  }
}

/** Number modules topologically exactly as depmod_calculate_dependencies does; throw on cycles. */
export function sortTopologically(modules: readonly ResolvedModule[]): void {
  const users = modules.map((m) => m.users);
  const roots: number[] = [];
  users.forEach((u, i) => u === 0 && roots.push(i));
  let sorted = 0;
  while (roots.length) {
    const src = modules[roots.pop() as number] as ResolvedModule;
    src.depSortIndex = sorted++;
    for (const dst of src.deps) if (--(users[dst.index] as number) === 0) roots.push(dst.index);
  }
  if (sorted < modules.length) {
    const looped = modules.filter((m) => (users[m.index] as number) > 0).map((m) => m.name);
    throw new RemasterError('MODULE_DEPENDENCY_CYCLE', `${looped.length} modules are in dependency cycles: ${looped.join(', ')}`);
  }
}

/** Return every module `m` needs, directly or not, users before the modules they use. */
export function allDependencies(m: ResolvedModule): ResolvedModule[] {
  const seen = new Set<ResolvedModule>();
  const walk = (x: ResolvedModule) => {
    for (const d of x.deps) {
      if (seen.has(d)) continue;
      seen.add(d);
      walk(d);
    }
  };
  walk(m);
  return [...seen].sort((a, b) => a.depSortIndex - b.depSortIndex);
}
