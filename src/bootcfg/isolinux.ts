/**
 * Editor for ISOLINUX/SYSLINUX/PXELINUX configs (syslinux doc/syslinux.txt;
 * reference 07 §1.3). Kernel arguments go only to entries that load a Linux
 * kernel with an initrd (entries.ts): their `APPEND` line is edited, or one
 * is added after the kernel line (starting from the global APPEND, which an
 * entry's own APPEND replaces). `initrd=` stays where it was because
 * additions go at the end, before any `--`/`---`; `APPEND -` (no options) is
 * edited as empty. `TIMEOUT` is in tenths of a second and 0 means "wait
 * forever", so 0 seconds becomes 1 tenth. Keywords are case-insensitive;
 * indentation is kept.
 */
import { alterCmdline, parseCmdline, renderCmdline, type CmdlineEdit } from './cmdline.ts';
import { finishEdit, isSameKernel, rewriteLabel, type BootConfigEdit, type EditConfigOptions, type EditConfigResult } from './edit.ts';
import { parseMenuEntries, type MenuEntry } from './entries.ts';

const APPEND_LINE = /^(\s*append)(\s+)(.*?)(\s*)$/iu;
const TIMEOUT_LINE = /^(\s*timeout\s+)\S+(.*)$/iu;
const DEFAULT_LINE = /^(\s*default\s+)(\S+)(.*)$/iu;
/** UI modules named by the old `DEFAULT vesamenu.c32` form. */
const MODULE_NAME = /\.c32$/iu;

function editCmdline(rest: string, kernelArgs: CmdlineEdit): string {
  const before = rest.trim();
  const after = renderCmdline(alterCmdline(parseCmdline(before === '-' ? '' : before), kernelArgs));
  if (after === before || (after === '' && before === '-')) return rest;
  return after === '' ? '-' : after;
}

function editAppend(line: string, kernelArgs: CmdlineEdit): string {
  const m = APPEND_LINE.exec(line);
  if (!m) return line;
  const [, keyword, space, rest, trail] = m as unknown as [string, string, string, string, string];
  const after = editCmdline(rest, kernelArgs);
  return after === rest ? line : `${keyword}${space}${after}${trail}`;
}

function indentOf(line: string): string {
  return /^\s*/u.exec(line)?.[0] ?? '';
}

/** Pick the entry `name` designates: label name first, then menu title. */
function findEntry(entries: MenuEntry[], name: string): MenuEntry | undefined {
  return entries.find((e) => e.id === name) ?? entries.find((e) => e.title === name);
}

/** Edit the Linux entries' command lines, the timeout and the default entry of an isolinux config, and rewrite label references. */
export function editIsolinuxConfig(text: string, edit: BootConfigEdit, options: EditConfigOptions = {}): EditConfigResult {
  const lines = text.split('\n');
  const entries = parseMenuEntries(text, 'isolinux');
  const out = edit.label ? lines.map((l) => rewriteLabel(l, edit.label as { from: string; to: string })) : [...lines];
  const inserts = new Map<number, string[]>();
  const removed = new Set<number>();
  const prepend: string[] = [];
  const append: string[] = [];
  const edited: string[] = [];
  if (edit.kernelArgs) {
    const globalAppend = lines.findIndex((l, i) => APPEND_LINE.test(l) && (entries[0] === undefined || i < entries[0].start));
    for (const e of entries.filter((x) => x.isLinux && x.kernelLine !== undefined)) {
      edited.push(e.title);
      if (e.appendLine !== undefined) {
        out[e.appendLine] = editAppend(out[e.appendLine] as string, edit.kernelArgs);
        continue;
      }
      const base = globalAppend >= 0 ? (APPEND_LINE.exec(out[globalAppend] as string)?.[3] ?? '') : '';
      const args = editCmdline(base, edit.kernelArgs);
      if (args.trim() !== base.trim()) inserts.set(e.kernelLine as number, [`${indentOf(lines[e.kernelLine as number] as string)}append ${args}`]);
    }
  }
  if (edit.timeoutSeconds !== undefined) {
    const tenths = String(Math.max(1, Math.round(edit.timeoutSeconds * 10)));
    let seen = false;
    out.forEach((l, i) => {
      const m = TIMEOUT_LINE.exec(l);
      if (!m) return;
      seen = true;
      out[i] = `${m[1]}${tenths}${m[2]}`;
    });
    if (!seen && options.isPrimary) append.push(`timeout ${tenths}`);
  }
  let defaultMatched: boolean | undefined;
  if (edit.defaultEntry !== undefined || edit.defaultKernel !== undefined) {
    const chosen = edit.defaultEntry !== undefined ? findEntry(entries, edit.defaultEntry) : entries.find((e) => e.isLinux && isSameKernel(e.kernel, edit.defaultKernel as string));
    defaultMatched = chosen !== undefined;
    if (chosen) {
      for (const e of entries) for (const i of e.menuDefaultLines) if (e !== chosen) removed.add(i);
      if (chosen.menuDefaultLines.length === 0) inserts.set(chosen.start, [...(inserts.get(chosen.start) ?? []), `${indentOf(lines[chosen.start + 1] ?? '  ')}menu default`]);
      const name = chosen.id ?? chosen.title;
      let hasDefault = false;
      out.forEach((l, i) => {
        const m = DEFAULT_LINE.exec(l);
        if (!m) return;
        hasDefault = true;
        if (MODULE_NAME.test(m[2] as string)) return;
        out[i] = `${m[1]}${name}${m[3]}`;
      });
      if (!hasDefault && options.isPrimary) prepend.push(`default ${name}`);
    }
  }
  return finishEdit({ lines, out, inserts, removed, prepend, append }, { edited, entries, what: 'isolinux', options, wantsArgs: edit.kernelArgs !== undefined, ...(defaultMatched !== undefined ? { defaultMatched } : {}) });
}
