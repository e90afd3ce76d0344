/**
 * composeInstall(): the recipe's `install:` section to scripts for the installer. The snippets an
 * install needs (and the libraries they use) are concatenated into one script per stage:
 *
 *   pre   variables from the recipe, the snippets' functions, then the calls: inventory (a failure
 *         is logged), require and raid (a failure ends the script with 1; the kickstart's
 *         `%pre --erroronfail` then stops the install before any disk is touched);
 *   post  a `nochroot` script that carries the host record and the inventory into the target,
 *         then a chrooted script with the bootstrap snippets.
 *
 * Every block is fenced by `# remaster: begin <origin>` / `# remaster: end <origin>` comments,
 * which `ks render --explain` reads to say which snippet produced which line. Pure: the snippets'
 * text comes in as a map.
 */
import { RemasterError } from '../errors.ts';
import { requireRules } from './policy.ts';
import type { InstallSpec } from './schema.ts';
import { parseSnippet, SNIPPET_NAMES, type Snippet } from './snippet.ts';

/** The installer an install is composed for. */
export type InstallFormat = 'kickstart' | 'preseed' | 'autoinstall';

/** One composed script. */
export interface InstallScript {
  stage: 'pre' | 'post';
  body: string;
  /** Run in the installer, not in the installed system (post only). */
  nochroot?: boolean;
  erroronfail?: boolean;
  /** Log file (kickstart --log). */
  log?: string;
  /** What produced it, for --explain and plans: `install.require, install.raid`. */
  origin: string;
}

/** A binary a snippet needs from the build. */
export interface InstallNeed {
  /** The snippet, e.g. `raid-mdadm.sh`. */
  snippet: string;
  /** The recipe key that chose it, e.g. `install.raid`. */
  rule: string;
  /** Acceptable names, first preferred: `["storcli64", "storcli", "perccli64", "perccli"]`. */
  names: string[];
  /** The shell variable that carries its path into the snippet. */
  variable: string;
}

/** Options for composeInstall. */
export interface ComposeInstallOptions {
  format: InstallFormat;
  /** Where the installed system is mounted during post (default: /mnt/sysimage for kickstart, /target otherwise). */
  target?: string;
  /** Paths of the binaries, by the name found (`mdadm` → `/sbin/mdadm`); missing names run from PATH. */
  binaries?: Readonly<Record<string, string>>;
}

/** The composed install. */
export interface ComposedInstall {
  scripts: InstallScript[];
  /** Files the kickstart's command section must `%include` (written by the pre script). */
  includes: string[];
  /** Snippet files used, in inclusion order. */
  snippets: string[];
  needs: InstallNeed[];
}

/** Where the pre script puts things; fixed, so serve, the docs and tests agree. */
export const INSTALL_PATHS = {
  inventory: '/tmp/remaster-inventory.json',
  storage: '/tmp/remaster-storage.ks',
  env: '/tmp/remaster.env',
  preLog: '/tmp/remaster-pre.log',
  postLog: '/var/log/remaster-post.log',
} as const;

const VENDOR_SNIPPET = { hpe: 'raid-ssacli.sh', broadcom: 'raid-storcli.sh', dell: 'raid-storcli.sh' } as const;
const CLI_VARIABLE: Readonly<Record<string, string>> = { 'raid-mdadm.sh': 'REMASTER_MDADM', 'raid-ssacli.sh': 'REMASTER_SSACLI', 'raid-storcli.sh': 'REMASTER_STORCLI' };

/** Quote a value for POSIX sh (single quotes; `'` as `'\''`). */
export function shellValue(value: string): string {
  return `'${value.replaceAll("'", `'\\''`)}'`;
}

function raidSnippet(spec: InstallSpec): string | undefined {
  if (spec.raid === undefined) return undefined;
  return spec.raid.vendor === undefined ? 'raid-mdadm.sh' : VENDOR_SNIPPET[spec.raid.vendor];
}

/** The action snippets an install runs, with the recipe key that asks for each. */
function actions(spec: InstallSpec): { name: string; rule: string }[] {
  const out: { name: string; rule: string }[] = [];
  if (spec.inventory) out.push({ name: 'inventory.sh', rule: 'install.inventory' });
  if (spec.require !== undefined) out.push({ name: 'require.sh', rule: 'install.require' });
  const raid = raidSnippet(spec);
  if (raid !== undefined) out.push({ name: raid, rule: 'install.raid' });
  for (const tool of ['salt', 'puppet', 'ansible'] as const) {
    if (spec.bootstrap?.[tool] !== undefined) out.push({ name: `bootstrap-${tool}.sh`, rule: `install.bootstrap.${tool}` });
  }
  return out;
}

/** Parse the snippets by name; throw INSTALL_SNIPPET for a missing one. */
export function parseSnippets(texts: ReadonlyMap<string, string>): Map<string, Snippet> {
  const out = new Map<string, Snippet>();
  for (const name of SNIPPET_NAMES) {
    const text = texts.get(name);
    if (text === undefined) throw new RemasterError('INSTALL_SNIPPET', `snippets/${name} is missing from the snippet library`);
    out.set(name, parseSnippet(name, text));
  }
  return out;
}

/** Return the binaries the install's snippets need from the build. */
export function installNeeds(spec: InstallSpec, snippets: ReadonlyMap<string, Snippet>): InstallNeed[] {
  const needs: InstallNeed[] = [];
  for (const { name, rule } of actions(spec)) {
    const s = snippets.get(name);
    for (const names of s?.binaries ?? []) {
      // Dell's PERC cards come with perccli: prefer it when the recipe names the vendor.
      const ordered = spec.raid?.vendor === 'dell' ? [...names.filter((n) => n.startsWith('perccli')), ...names.filter((n) => !n.startsWith('perccli'))] : names;
      needs.push({ snippet: name, rule, names: ordered, variable: CLI_VARIABLE[name] ?? `REMASTER_${(names[0] as string).toUpperCase()}` });
    }
  }
  return needs;
}

/** Add `name` and the libraries it uses (depth first) to `out`. */
function withLibraries(name: string, snippets: ReadonlyMap<string, Snippet>, out: Set<string>, trail: string[] = []): void {
  if (out.has(name)) return;
  if (trail.includes(name)) throw new RemasterError('INSTALL_SNIPPET', `snippets/${name}: Uses: goes round in a circle (${[...trail, name].join(' -> ')})`);
  const s = snippets.get(name);
  if (s === undefined) throw new RemasterError('INSTALL_SNIPPET', `snippets/${trail.at(-1) ?? name} uses ${name}, which is not a snippet`);
  for (const lib of s.uses) withLibraries(lib, snippets, out, [...trail, name]);
  out.add(name);
}

function block(origin: string, text: string): string {
  return `# remaster: begin ${origin}\n${text.replace(/\n*$/u, '')}\n# remaster: end ${origin}\n`;
}

function assign(vars: [string, string | undefined][]): string {
  return vars.filter((v): v is [string, string] => v[1] !== undefined).map(([k, v]) => `${k}=${shellValue(v)}`).join('\n');
}

function raidVariables(spec: InstallSpec, binaries: Readonly<Record<string, string>>, needs: InstallNeed[]): [string, string | undefined][] {
  const raid = spec.raid;
  if (raid === undefined) return [];
  const need = needs.find((n) => n.rule === 'install.raid');
  const found = need?.names.find((n) => binaries[n] !== undefined);
  const cli = found !== undefined ? binaries[found] : need?.names[0];
  return [
    ['REMASTER_RAID_LEVEL', String(raid.level)],
    ['REMASTER_RAID_DISKS', typeof raid.disks === 'number' ? String(raid.disks) : raid.disks.join(' ')],
    ['REMASTER_RAID_DEVICE', raid.vendor === undefined ? raid.device : undefined],
    ['REMASTER_RAID_METADATA', raid.metadata],
    ['REMASTER_RAID_CONTROLLER', raid.controller !== undefined ? String(raid.controller) : undefined],
    ['REMASTER_RAID_WIPE', raid.wipe ? 'true' : 'false'],
    ['REMASTER_RAID_STORAGE', raid.storage?.join('\n')],
    ['REMASTER_STORAGE_FILE', raid.storage !== undefined ? INSTALL_PATHS.storage : undefined],
    [need?.variable ?? 'REMASTER_RAID_CLI', cli],
  ];
}

function packages(value: boolean | string, usual: string): string | undefined {
  if (value === false) return undefined;
  return value === true ? usual : value;
}

function bootstrapVariables(spec: InstallSpec): [string, string | undefined][] {
  const b = spec.bootstrap;
  if (b === undefined) return [];
  const facts = Object.entries(b.facts ?? {}).map(([k, v]) => `${k}\t${v}`).join('\n');
  return [
    ['REMASTER_FACTS', facts || undefined],
    ['REMASTER_SALT_MASTER', b.salt?.master], ['REMASTER_SALT_ID', b.salt?.id], ['REMASTER_SALT_MASTER_FINGER', b.salt?.masterFinger],
    ['REMASTER_SALT_PACKAGE', b.salt ? packages(b.salt.install, 'salt-minion') : undefined],
    ['REMASTER_PUPPET_SERVER', b.puppet?.server], ['REMASTER_PUPPET_CERTNAME', b.puppet?.certname],
    ['REMASTER_PUPPET_ENVIRONMENT', b.puppet?.environment], ['REMASTER_PUPPET_CHALLENGE', b.puppet?.challenge],
    ['REMASTER_PUPPET_CONFDIR', b.puppet?.confdir], ['REMASTER_PUPPET_FACTSDIR', b.puppet?.factsdir],
    ['REMASTER_PUPPET_PACKAGE', b.puppet ? packages(b.puppet.install, 'puppet-agent') : undefined],
    ['REMASTER_ANSIBLE_URL', b.ansible?.url], ['REMASTER_ANSIBLE_BRANCH', b.ansible?.branch], ['REMASTER_ANSIBLE_PLAYBOOK', b.ansible?.playbook],
    ['REMASTER_ANSIBLE_PACKAGE', b.ansible ? packages(b.ansible.install, 'ansible-core git') : undefined],
  ];
}

function libraryBlocks(names: Set<string>, snippets: ReadonlyMap<string, Snippet>): string {
  return [...names].map((n) => block(`snippets/${n}`, (snippets.get(n) as Snippet).body)).join('');
}

function preScript(spec: InstallSpec, snippets: ReadonlyMap<string, Snippet>, options: ComposeInstallOptions, needs: InstallNeed[]): InstallScript | undefined {
  const runs = actions(spec).filter((a) => snippets.get(a.name)?.stages.includes('pre'));
  if (runs.length === 0) return undefined;
  const names = new Set<string>();
  for (const r of runs) withLibraries(r.name, snippets, names);
  const vars: string[] = [];
  if (spec.inventory) vars.push(block('install.inventory', assign([['REMASTER_INVENTORY', INSTALL_PATHS.inventory]])));
  if (spec.require !== undefined) vars.push(block('install.require', assign([['REMASTER_REQUIRE', requireRules(spec.require)]])));
  if (spec.raid !== undefined) vars.push(block('install.raid', assign(raidVariables(spec, options.binaries ?? {}, needs))));
  const calls = runs.map((r) => {
    const entry = (snippets.get(r.name) as Snippet).entry as string;
    return r.name === 'inventory.sh' ? `${entry} || remaster_log "inventory failed; the install goes on"` : `${entry} || exit 1`;
  });
  const body = `${vars.join('')}${libraryBlocks(names, snippets)}${block('install (run)', calls.join('\n'))}`;
  return { stage: 'pre', body, erroronfail: true, log: INSTALL_PATHS.preLog, origin: runs.map((r) => r.rule).join(', ') };
}

function postScripts(spec: InstallSpec, snippets: ReadonlyMap<string, Snippet>, options: ComposeInstallOptions): InstallScript[] {
  const runs = actions(spec).filter((a) => snippets.get(a.name)?.stages.includes('post'));
  if (runs.length === 0) return [];
  const target = options.target ?? (options.format === 'kickstart' ? '/mnt/sysimage' : '/target');
  const carryNames = new Set<string>();
  withLibraries('carry.sh', snippets, carryNames);
  const carry = `${block('install.bootstrap', assign([['REMASTER_TARGET', target], ['REMASTER_INVENTORY', spec.inventory ? INSTALL_PATHS.inventory : undefined]]))}`
    + `${libraryBlocks(carryNames, snippets)}${block('install (run)', 'remaster_carry')}`;
  const names = new Set<string>();
  for (const r of runs) withLibraries(r.name, snippets, names);
  names.add('carry.sh');
  const calls = runs.map((r) => `${(snippets.get(r.name) as Snippet).entry as string} || status=1`);
  const body = `${block('install.bootstrap', assign(bootstrapVariables(spec)))}${libraryBlocks(names, snippets)}`
    + block('install (run)', ['status=0', ...calls, 'remaster_forget', 'exit "$status"'].join('\n'));
  const origin = runs.map((r) => r.rule).join(', ');
  return [
    { stage: 'post', body: carry, nochroot: true, origin: `${origin} (carry)` },
    { stage: 'post', body, log: INSTALL_PATHS.postLog, origin },
  ];
}

/** Compose the scripts of an install; throw INSTALL_UNSUPPORTED when the installer cannot do what the section asks. */
export function composeInstall(spec: InstallSpec, texts: ReadonlyMap<string, string>, options: ComposeInstallOptions): ComposedInstall {
  const snippets = parseSnippets(texts);
  if (spec.raid?.storage !== undefined && options.format !== 'kickstart') {
    throw new RemasterError('INSTALL_UNSUPPORTED', `install.raid.storage writes kickstart storage commands, but this recipe's installer reads ${options.format === 'preseed' ? 'a preseed (partition with partman-auto answers)' : 'autoinstall (use its storage: key)'}`);
  }
  const needs = installNeeds(spec, snippets);
  const pre = preScript(spec, snippets, options, needs);
  const scripts = [...(pre ? [pre] : []), ...postScripts(spec, snippets, options)];
  const used = new Set<string>();
  for (const s of scripts) for (const m of s.body.matchAll(/^# remaster: begin snippets\/(\S+)$/gmu)) used.add(m[1] as string);
  return { scripts, includes: spec.raid?.storage !== undefined ? [INSTALL_PATHS.storage] : [], snippets: [...used], needs };
}
