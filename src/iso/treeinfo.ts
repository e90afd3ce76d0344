/**
 * `.treeinfo` (productmd treeinfo 1.x, and lorax/anaconda's older form) and
 * `.discinfo` (anaconda: timestamp, release, arch, disc numbers), parsed
 * tolerantly: `key = value`, `;`/`#` comments, case-sensitive keys.
 */

/** An INI file as sections of key/value pairs, in file order. */
export type IniSections = Map<string, Map<string, string>>;

/** Parse INI text; keys outside any section go to the "" section. */
export function parseIni(text: string): IniSections {
  const sections: IniSections = new Map([['', new Map()]]);
  let current = sections.get('') as Map<string, string>;
  for (const raw of text.split(/\r?\n/u)) {
    const line = raw.trim();
    if (line === '' || line.startsWith(';') || line.startsWith('#')) continue;
    const header = /^\[(.+)\]$/u.exec(line);
    if (header) {
      const name = (header[1] as string).trim();
      current = sections.get(name) ?? new Map();
      sections.set(name, current);
      continue;
    }
    const eq = line.indexOf('=');
    if (eq > 0) current.set(line.slice(0, eq).trim(), line.slice(eq + 1).trim());
  }
  return sections;
}

/** What `.treeinfo` says about a tree. */
export interface TreeInfo {
  family?: string;
  name?: string;
  version?: string;
  arch?: string;
  /** Paths from every `[images-*]` section, relative to the tree root. */
  kernels: string[];
  initrds: string[];
  efiImage?: string;
  stage2?: string;
  /** True for a productmd treeinfo (has `[header]` or `[release]`). */
  isProductmd: boolean;
}

/** Parse `.treeinfo` text. */
export function parseTreeinfo(text: string): TreeInfo {
  const ini = parseIni(text);
  const get = (section: string, key: string): string | undefined => ini.get(section)?.get(key) || undefined;
  const arch = get('general', 'arch') ?? get('tree', 'arch');
  const info: TreeInfo = { kernels: [], initrds: [], isProductmd: ini.has('header') || ini.has('release') };
  const assign = (key: 'family' | 'name' | 'version' | 'arch' | 'efiImage' | 'stage2', v: string | undefined): void => {
    if (v !== undefined) info[key] = v;
  };
  assign('family', get('release', 'name') ?? get('general', 'family'));
  assign('name', get('general', 'name') ?? get('release', 'name'));
  assign('version', get('release', 'version') ?? get('general', 'version'));
  assign('arch', arch);
  assign('stage2', get('stage2', 'mainimage'));
  const sections = [...ini.keys()].filter((s) => s.startsWith('images-'));
  sections.sort((a, b) => Number(b === `images-${arch}`) - Number(a === `images-${arch}`));
  for (const s of sections) {
    const kernel = get(s, 'kernel');
    const initrd = get(s, 'initrd');
    if (kernel && !info.kernels.includes(kernel)) info.kernels.push(kernel);
    if (initrd && !info.initrds.includes(initrd)) info.initrds.push(initrd);
    if (info.efiImage === undefined) assign('efiImage', get(s, 'efiboot.img'));
  }
  return info;
}

/** What `.discinfo` says: line 1 timestamp, 2 release, 3 arch. */
export function parseDiscinfo(text: string): { release?: string; arch?: string } {
  const lines = text.split(/\r?\n/u).map((l) => l.trim());
  const out: { release?: string; arch?: string } = {};
  if (lines[1]) out.release = lines[1];
  if (lines[2]) out.arch = lines[2];
  return out;
}
