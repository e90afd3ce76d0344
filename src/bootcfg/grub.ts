/**
 * Editor for GRUB 2 configs (GRUB manual §6 "Shell-like scripting", §16
 * `linux`; reference 07 §2.3): every `linux`, `linuxefi` and `linux16` line
 * keeps its kernel path and has its remaining words edited as a kernel
 * command line. GRUB words are split with GRUB's own lexer rules (single
 * quotes, double quotes, backslash escapes) and keep their raw text, so
 * Ubuntu's `ds=nocloud\;s=/cdrom/` survives; added arguments are escaped for
 * GRUB (`;` becomes `\;`, quotes and spaces are backslash-escaped).
 */
import { alterCmdline, parseArg, type KernelArg } from './cmdline.ts';
import { editLines, rewriteLabel, type BootConfigEdit, type EditConfigOptions, type EditConfigResult } from './edit.ts';

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

function editLinux(line: string, edit: BootConfigEdit): { line: string; isMatch: boolean } {
  const labelled = edit.label ? rewriteLabel(line, edit.label) : line;
  const m = LINUX_LINE.exec(labelled);
  if (!m) return { line: labelled, isMatch: false };
  const [, head, rest, trail] = m as unknown as [string, string, string, string];
  const [kernel, ...words] = splitGrubWords(rest);
  if (kernel === undefined || !edit.kernelArgs) return { line: labelled, isMatch: true };
  const args = alterCmdline(words.map(grubArg), edit.kernelArgs).map((a) => (words.includes(a.raw) ? a : { ...a, raw: escapeGrubWord(a.raw) }));
  const after = args.map((a) => a.raw);
  if (after.join(' ') === words.join(' ')) return { line: labelled, isMatch: true };
  return { line: `${head}${[kernel, ...after].join(' ')}${trail}`, isMatch: true };
}

/** Edit every `linux`/`linuxefi`/`linux16` line of a GRUB config and rewrite label references. */
export function editGrubConfig(text: string, edit: BootConfigEdit, options: EditConfigOptions = {}): EditConfigResult {
  return editLines(text, (line) => editLinux(line, edit), 'linux/linuxefi', options);
}
