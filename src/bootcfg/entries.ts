/**
 * Boot menu entries of an ISOLINUX/SYSLINUX config (doc/syslinux.txt: a
 * `LABEL` starts an entry; `KERNEL`/`LINUX`, `INITRD`, `APPEND` belong to the
 * last label; lines before the first label are global) or a GRUB 2 config
 * (`menuentry … { … }`, possibly inside `submenu … { … }`; lines outside any
 * menuentry form one implicit entry). Each entry records which lines hold its
 * kernel, initrd and command line, and whether it loads a Linux kernel with
 * an initrd: only those get kernel arguments (a `linux16 /memtest86+.bin`
 * or `KERNEL ipxe.krn` entry has no initrd and is left alone).
 */
import { splitQuoted } from './cmdline.ts';

/** One menu entry, by line indexes (0-based) into the config's lines. */
export interface MenuEntry {
  /** ISOLINUX `MENU LABEL` (without `^`) or the label name; GRUB menuentry title. */
  title: string;
  /** ISOLINUX label name; GRUB `--id`. */
  id?: string;
  /** GRUB: titles of the enclosing submenus, outermost first. */
  submenus: string[];
  /** Line of `LABEL`/`menuentry`; -1 for GRUB's implicit top-level entry and ISOLINUX's global section. */
  start: number;
  /** One past the last line. */
  end: number;
  kernelLine?: number;
  /** Kernel path as written (GRUB device prefixes like `($root)` removed). */
  kernel?: string;
  initrds: string[];
  /** ISOLINUX: this entry's own APPEND line. */
  appendLine?: number;
  /** ISOLINUX: `MENU DEFAULT` lines inside the entry. */
  menuDefaultLines: number[];
  /** True when the entry loads a Linux kernel together with an initrd. */
  isLinux: boolean;
}

/** Kinds of config text these parsers read. */
export type MenuKind = 'isolinux' | 'grub';

/** File endings ISOLINUX's KERNEL keyword treats as something other than a Linux kernel (doc/syslinux.txt). */
const NON_LINUX_KERNEL = /\.(c32|cbt|0|bin|bs|bss|com|img)$/iu;

/** Parse the menu entries of a config. */
export function parseMenuEntries(text: string, kind: MenuKind): MenuEntry[] {
  const lines = text.split('\n');
  return kind === 'isolinux' ? parseIsolinux(lines) : parseGrub(lines);
}

function blankEntry(title: string, start: number, end: number): MenuEntry {
  return { title, submenus: [], start, end, initrds: [], menuDefaultLines: [], isLinux: false };
}

function keywordOf(line: string): { keyword: string; rest: string } {
  const m = /^\s*(\S+)(?:\s+(.*?))?\s*$/u.exec(line);
  return { keyword: (m?.[1] ?? '').toLowerCase(), rest: m?.[2] ?? '' };
}

function initrdsFromAppend(rest: string): string[] {
  return splitQuoted(rest).filter((t) => t.startsWith('initrd=')).flatMap((t) => t.slice('initrd='.length).split(',')).filter((p) => p !== '');
}

function parseIsolinux(lines: string[]): MenuEntry[] {
  const global = blankEntry('(global)', -1, 0);
  const entries: MenuEntry[] = [];
  let cur = global;
  let kernelKeyword = '';
  const finish = (e: MenuEntry, keyword: string): void => {
    if (e === global) return;
    const inherited = e.appendLine === undefined && global.appendLine !== undefined ? global.initrds : [];
    if (e.initrds.length === 0) e.initrds = inherited;
    const isLinuxKernel = keyword === 'linux' || (keyword === 'kernel' && e.kernel !== undefined && !NON_LINUX_KERNEL.test(e.kernel));
    e.isLinux = isLinuxKernel && e.initrds.length > 0;
  };
  lines.forEach((line, i) => {
    const { keyword, rest } = keywordOf(line);
    if (keyword === 'label') {
      finish(cur, kernelKeyword);
      cur.end = i;
      cur = blankEntry(rest, i, lines.length);
      cur.id = rest;
      kernelKeyword = '';
      entries.push(cur);
    } else if (keyword === 'kernel' || keyword === 'linux') {
      cur.kernelLine = i;
      cur.kernel = splitQuoted(rest)[0] ?? '';
      kernelKeyword = keyword;
    } else if (keyword === 'initrd') {
      cur.initrds = rest.split(',').map((p) => p.trim()).filter((p) => p !== '');
    } else if (keyword === 'append') {
      cur.appendLine = i;
      const fromAppend = initrdsFromAppend(rest);
      if (fromAppend.length > 0) cur.initrds = fromAppend;
    } else if (keyword === 'menu') {
      const sub = keywordOf(rest);
      if (sub.keyword === 'label' && cur !== global) cur.title = sub.rest.replaceAll('^', '');
      if (sub.keyword === 'default' && cur !== global) cur.menuDefaultLines.push(i);
    }
  });
  finish(cur, kernelKeyword);
  if (entries.length === 0) global.end = lines.length;
  return entries;
}

/** Return the GRUB words of a menuentry line's title and `--id`. */
function grubTitle(rest: string): { title: string; id?: string } {
  const m = /^\s*(?:'([^']*)'|"((?:[^"\\]|\\.)*)"|(\S+))(.*)$/u.exec(rest);
  const title = m?.[1] ?? m?.[2]?.replace(/\\(.)/gu, '$1') ?? m?.[3] ?? '';
  const id = /--id(?:=|\s+)['"]?([^'"\s{]+)/u.exec(m?.[4] ?? '')?.[1];
  return { title, ...(id !== undefined ? { id } : {}) };
}

/** Drop a GRUB device prefix (`($root)/x`, `(hd0,1)/x`) from a path. */
function grubPath(word: string): string {
  return word.replace(/^['"]|['"]$/gu, '').replace(/^\([^)]*\)/u, '');
}

function braceDelta(line: string): number {
  let depth = 0;
  let quote = '';
  for (const ch of line.replace(/(^|\s)#.*$/u, '$1')) {
    if (quote !== '') {
      if (ch === quote) quote = '';
    } else if (ch === "'" || ch === '"') quote = ch;
    else if (ch === '{') depth++;
    else if (ch === '}') depth--;
  }
  return depth;
}

function parseGrub(lines: string[]): MenuEntry[] {
  const top = blankEntry('(top level)', -1, lines.length);
  const entries: MenuEntry[] = [];
  const stack: { entry?: MenuEntry; title: string; depth: number }[] = [];
  let depth = 0;
  lines.forEach((line, i) => {
    const { keyword, rest } = keywordOf(line);
    const inner = [...stack].reverse().find((s) => s.entry !== undefined)?.entry ?? top;
    if (keyword === 'menuentry' || keyword === 'submenu') {
      const { title, id } = grubTitle(rest);
      const opened = { title, depth, ...(keyword === 'menuentry' ? { entry: { ...blankEntry(title, i, lines.length), submenus: stack.map((s) => s.title), ...(id !== undefined ? { id } : {}) } } : {}) };
      if (opened.entry) entries.push(opened.entry);
      stack.push(opened);
    } else if (/^linux(efi|16)?$/u.test(keyword)) {
      inner.kernelLine = i;
      inner.kernel = grubPath(splitQuoted(rest)[0] ?? '');
    } else if (/^initrd(efi|16)?$/u.test(keyword)) {
      inner.initrds = splitQuoted(rest).map(grubPath);
    }
    depth += braceDelta(line);
    while (stack.length > 0 && depth <= (stack.at(-1)?.depth ?? 0) && braceDelta(line) < 0) {
      const closed = stack.pop();
      if (closed?.entry) closed.entry.end = i + 1;
    }
  });
  for (const e of [top, ...entries]) e.isLinux = e.kernelLine !== undefined && e.initrds.length > 0;
  return top.kernelLine !== undefined ? [top, ...entries] : entries;
}

/** Kernel and initrd paths of the entries that load a Linux kernel with an initrd. */
export function listLinuxEntries(text: string, kind: MenuKind): { title: string; kernel: string; initrds: string[] }[] {
  return parseMenuEntries(text, kind)
    .filter((e) => e.isLinux && e.kernel !== undefined)
    .map((e) => ({ title: e.title, kernel: e.kernel as string, initrds: e.initrds }));
}
