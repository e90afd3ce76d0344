/**
 * Editor for GRUB 2 configs (GRUB manual §6 "Shell-like scripting", §16
 * `linux`; reference 07 §2.3): the `linux`, `linuxefi` or `linux16` line of
 * every entry that also loads an initrd keeps its kernel path and has its
 * remaining words edited as a kernel command line (`linux16 /memtest86+.bin`
 * alone is not Linux and stays as it is). `set timeout=`/`set default=` are
 * rewritten in place, or added at the end of a config with menu entries
 * (GRUB shows the menu after running the whole file, so the last value wins). GRUB words are split with GRUB's own lexer rules (single
 * quotes, double quotes, backslash escapes) and keep their raw text, so
 * Ubuntu's `ds=nocloud\;s=/cdrom/` survives; added arguments are escaped for
 * GRUB (`;` becomes `\;`, quotes and spaces are backslash-escaped).
 */
import { alterCmdline, parseArg, type CmdlineEdit, type KernelArg } from './cmdline.ts';
import { finishEdit, isSameKernel, rewriteLabel, type BootConfigEdit, type EditConfigOptions, type EditConfigResult } from './edit.ts';
import { parseMenuEntries, type MenuEntry } from './entries.ts';

const LINUX_LINE = /^(\s*linux(?:efi|16)?\s+)(.*?)(\s*)$/u;

/** Split GRUB words, keeping each word's raw text. */
export function splitGrubWords(text: string): string[] {
  const words: string[] = [];
  let cur = '';
  let quote: '' | "'" | '"' = '';
  for (let i = 0; i < text.length; i++) {
    const ch = text[i] as string;
    if (quote === '' && ch === '\\' && i + 1 < text.length) {
      cur += ch + (text[++i] as string);
    } else if (quote === '' && /\s/u.test(ch)) {
      if (cur !== '') words.push(cur);
      cur = '';
    } else {
      if (quote === '' && (ch === "'" || ch === '"')) quote = ch;
      else if (ch === quote) quote = '';
      cur += ch;
    }
  }
  if (cur !== '') words.push(cur);
  return words;
}

/** Return what GRUB passes on for a word: quotes removed, escapes resolved. */
export function unescapeGrubWord(word: string): string {
  let out = '';
  let quote = '';
  for (let i = 0; i < word.length; i++) {
    const ch = word[i] as string;
    if (quote === '' && ch === '\\' && i + 1 < word.length) out += word[++i] as string;
    else if (quote === '' && (ch === "'" || ch === '"')) quote = ch;
    else if (ch === quote) quote = '';
    else out += ch;
  }
  return out;
}

/** Escape a kernel argument so GRUB's lexer passes it through unchanged. */
export function escapeGrubWord(arg: string): string {
  return arg.replace(/[\s;&|<>$"'\\{}]/gu, (c) => `\\${c}`);
}

function grubArg(raw: string): KernelArg {
  return { ...parseArg(unescapeGrubWord(raw)), raw };
}

function editLinux(line: string, kernelArgs: CmdlineEdit): string {
  const m = LINUX_LINE.exec(line);
  if (!m) return line;
  const [, head, rest, trail] = m as unknown as [string, string, string, string];
  const [kernel, ...words] = splitGrubWords(rest);
  if (kernel === undefined) return line;
  const args = alterCmdline(words.map(grubArg), kernelArgs).map((a) => (words.includes(a.raw) ? a : { ...a, raw: escapeGrubWord(a.raw) }));
  const after = args.map((a) => a.raw);
  if (after.join(' ') === words.join(' ')) return line;
  return `${head}${[kernel, ...after].join(' ')}${trail}`;
}


/** GRUB's name for an entry as `set default=` takes it: `--id`, else the title, prefixed by its submenus. */
function defaultName(entry: MenuEntry, wanted: string): string {
  if (entry.id === wanted) return wanted;
  return [...entry.submenus, entry.title].join('>');
}

/** Replace `set key=` values; add one at the end of a config with entries when there was none. */
function setVariable(out: string[], name: 'timeout' | 'default', value: string, addTo: string[] | undefined): void {
  const pattern = new RegExp(`^(\\s*set\\s+${name}\\s*=\\s*)("[^"]*"|'[^']*'|\\S*)(.*)$`, 'u');
  let seen = false;
  out.forEach((l, i) => {
    const m = pattern.exec(l);
    if (!m) return;
    seen = true;
    out[i] = `${m[1]}${value}${m[3]}`;
  });
  if (!seen && addTo) addTo.push(`set ${name}=${value}`);
}

/** Edit the Linux entries' `linux` lines, the timeout and the default entry of a GRUB config, and rewrite label references. */
export function editGrubConfig(text: string, edit: BootConfigEdit, options: EditConfigOptions = {}): EditConfigResult {
  const lines = text.split('\n');
  const entries = parseMenuEntries(text, 'grub');
  const out = edit.label ? lines.map((l) => rewriteLabel(l, edit.label as { from: string; to: string })) : [...lines];
  const append: string[] = [];
  const edited: string[] = [];
  if (edit.kernelArgs) {
    for (const e of entries.filter((x) => x.isLinux && x.kernelLine !== undefined)) {
      edited.push(e.title);
      out[e.kernelLine as number] = editLinux(out[e.kernelLine as number] as string, edit.kernelArgs);
    }
  }
  const hasMenu = entries.some((e) => e.start >= 0);
  if (edit.timeoutSeconds !== undefined) setVariable(out, 'timeout', String(Math.max(0, Math.round(edit.timeoutSeconds))), hasMenu ? append : undefined);
  let defaultMatched: boolean | undefined;
  if (edit.defaultEntry !== undefined || edit.defaultKernel !== undefined) {
    const wanted = edit.defaultEntry ?? '';
    const menu = entries.filter((e) => e.start >= 0);
    const chosen = edit.defaultEntry === undefined ? menu.find((e) => e.isLinux && isSameKernel(e.kernel, edit.defaultKernel as string))
      : /^\d+$/u.test(wanted) ? menu.filter((e) => e.submenus.length === 0)[Number(wanted)] : menu.find((e) => e.id === wanted || e.title === wanted || defaultName(e, wanted) === wanted);
    defaultMatched = chosen !== undefined;
    if (chosen) setVariable(out, 'default', /^\d+$/u.test(wanted) ? wanted : `"${defaultName(chosen, wanted).replace(/["\\$]/gu, (c) => `\\${c}`)}"`, append);
  }
  return finishEdit({ lines, out, inserts: new Map(), removed: new Set(), prepend: [], append }, {
    edited, entries, what: 'GRUB', options, wantsArgs: edit.kernelArgs !== undefined, ...(defaultMatched !== undefined ? { defaultMatched } : {}),
  });
}
