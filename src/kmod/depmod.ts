/**
 * depmod in TypeScript: from the module files of one lib/modules/<kver> tree
 * to the files kmod-project/kmod tools/depmod.c (kmod 30) writes there —
 * modules.dep, modules.alias, modules.softdep, modules.symbols,
 * modules.devname and the kmod index v2.1 files modules.dep.bin,
 * modules.alias.bin, modules.symbols.bin, modules.builtin.bin,
 * modules.builtin.alias.bin (plus modules.weakdep, as kmod 33 writes it, on
 * request). Pure: the caller reads the tree and writes the result.
 */
import { parseBuiltinModinfo, parseModulesBuiltin } from './builtin.ts';
import { allDependencies, exportOwners, linkDependencies, orderModules, selectModules, sortTopologically, type DepmodConfig, type ModuleTreeEntry, type ResolvedModule } from './depmod-resolve.ts';
import { encodeKmodIndex, type KmodIndexEntry } from './kmod-index.ts';
import { kmodHashOrder } from './kmod-hash.ts';

/** The input of runDepmod: module files plus the kernel build's lists, when present. */
export interface ModuleTree {
  /** Module files in directory-walk order (the order decides ties, as readdir order does for depmod). */
  modules: ModuleTreeEntry[];
  /** Content of modules.order. */
  modulesOrder?: string;
  /** Content of modules.builtin. */
  modulesBuiltin?: string;
  /** Content of modules.builtin.modinfo. */
  modulesBuiltinModinfo?: Uint8Array;
}

/** Options for runDepmod. */
export interface DepmodOptions extends DepmodConfig {
  /** Also write modules.weakdep (kmod >= 33 does; kmod 30 does not). */
  weakdep?: boolean;
}

/** What runDepmod produced. */
export interface DepmodOutput {
  /** The kernel release the files belong to (they go to lib/modules/<kver>/). */
  kver: string;
  /** File name (relative to lib/modules/<kver>) -> content, in depmod's write order. */
  files: Map<string, Uint8Array>;
  /** The modules that won the search, in depmod's order. */
  modules: ResolvedModule[];
}

/** Encode text one byte per character (depmod writes the module's bytes as they are). */
function text(s: string): Uint8Array {
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
}

/** Normalise an alias as depmod's alias_normalize(): '-' -> '_' outside [...]; undefined on unbalanced brackets. */
export function normalizeAlias(alias: string): string | undefined {
  let out = '';
  for (let i = 0; i < alias.length; i++) {
    const c = alias[i] as string;
    if (c === ']') return undefined;
    if (c === '[') {
      const close = alias.indexOf(']', i);
      if (close < 0) return undefined;
      out += alias.slice(i, close + 1);
      i = close;
    } else out += c === '-' ? '_' : c;
  }
  return out;
}

function depLine(m: ResolvedModule): string {
  return `${m.path}:${allDependencies(m).map((d) => ` ${d.path}`).join('')}`;
}

function modinfoValues(m: ResolvedModule, key: string): string[] {
  return m.info.modinfo.filter(([k]) => k === key).map(([, v]) => v);
}

function devnameLine(m: ResolvedModule): string | undefined {
  let devname: string | undefined;
  let node: string | undefined;
  for (const alias of modinfoValues(m, 'alias')) {
    const dev = /^(char|block)-major-(\d+)-(\d+)/.exec(alias);
    if (alias.startsWith('devname:')) devname = alias.slice(8);
    else if (dev) node = `${dev[1] === 'char' ? 'c' : 'b'}${Number(dev[2])}:${Number(dev[3])}`;
    if (devname !== undefined && node !== undefined) break;
  }
  return devname !== undefined && node !== undefined ? `${m.name} ${devname} ${node}\n` : undefined;
}

/** Render modules.devname; kmod writes its header only above a first entry. */
function renderDevname(modules: readonly ResolvedModule[]): Uint8Array {
  const lines = modules.flatMap((m) => devnameLine(m) ?? []);
  return text(lines.length ? `# Device nodes to trigger on-demand module loading.\n${lines.join('')}` : '');
}

function renderPerModule(modules: readonly ResolvedModule[], header: string, line: (m: ResolvedModule) => string[]): Uint8Array {
  return text(header + modules.flatMap(line).join(''));
}

function builtinIndexes(tree: ModuleTree): { builtin: Uint8Array; builtinAlias: Uint8Array } {
  const names = tree.modulesBuiltin === undefined ? undefined : parseModulesBuiltin(tree.modulesBuiltin);
  const builtin = names === undefined ? new Uint8Array(0) : encodeKmodIndex(names.map((key) => ({ key, value: '', priority: 0 })));
  const groups = tree.modulesBuiltinModinfo === undefined ? [] : parseBuiltinModinfo(tree.modulesBuiltinModinfo);
  const firstInfo = new Map<string, Array<[string, string]>>();
  for (const g of groups) if (!firstInfo.has(g.name)) firstInfo.set(g.name, g.modinfo);
  const entries: KmodIndexEntry[] = [];
  for (const g of groups) {
    for (const [k, v] of firstInfo.get(g.name) ?? []) {
      const alias = k === 'alias' ? normalizeAlias(v) : undefined;
      if (alias !== undefined) entries.push({ key: alias, value: g.name, priority: 0 });
    }
  }
  return { builtin, builtinAlias: groups.length ? encodeKmodIndex(entries) : new Uint8Array(0) };
}

/** Compute everything depmod writes into lib/modules/<kver> for `tree`; paths stay relative to that directory. */
export function runDepmod(tree: ModuleTree, kver: string, options: DepmodOptions = {}): DepmodOutput {
  const modules = orderModules(selectModules(tree.modules, options), tree.modulesOrder);
  const owners = exportOwners(modules);
  linkDependencies(modules, owners);
  sortTopologically(modules);
  const symbolOrder = kmodHashOrder(owners.keys(), 2048);
  const aliasEntries = modules.flatMap((m) =>
    modinfoValues(m, 'alias').flatMap((a) => {
      const key = normalizeAlias(a);
      return key === undefined ? [] : [{ key, value: m.name, priority: m.index }];
    }),
  );
  const lines = modules.map(depLine);
  const { builtin, builtinAlias } = builtinIndexes(tree);
  const files = new Map<string, Uint8Array>([
    ['modules.dep', text(lines.map((l) => `${l}\n`).join(''))],
    ['modules.dep.bin', encodeKmodIndex(modules.map((m, i) => ({ key: m.name, value: lines[i] as string, priority: m.index })))],
    ['modules.alias', renderPerModule(modules, '# Aliases extracted from modules themselves.\n', (m) => modinfoValues(m, 'alias').map((a) => `alias ${a} ${m.name}\n`))],
    ['modules.alias.bin', encodeKmodIndex(aliasEntries)],
    ['modules.softdep', renderPerModule(modules, '# Soft dependencies extracted from modules themselves.\n', (m) => modinfoValues(m, 'softdep').map((v) => `softdep ${m.name} ${v}\n`))],
    ['modules.symbols', text('# Aliases for symbols, used by symbol_request().\n' + symbolOrder.map((s) => `alias symbol:${s} ${(owners.get(s) as ResolvedModule).name}\n`).join(''))],
    ['modules.symbols.bin', encodeKmodIndex(symbolOrder.map((s) => ({ key: `symbol:${s}`, value: (owners.get(s) as ResolvedModule).name, priority: (owners.get(s) as ResolvedModule).index })))],
    ['modules.builtin.bin', builtin],
    ['modules.builtin.alias.bin', builtinAlias],
    ['modules.devname', renderDevname(modules)],
  ]);
  if (options.weakdep) {
    files.set('modules.weakdep', renderPerModule(modules, '# Weak dependencies extracted from modules themselves.\n', (m) => modinfoValues(m, 'weakdep').map((v) => `weakdep ${m.name} ${v}\n`)));
  }
  return { kver, files, modules };
}
