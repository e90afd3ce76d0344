/**
 * What a boot-config edit does and the parts shared by the isolinux and GRUB
 * editors: the volume-label rewrite (reference 03 §8: every `LABEL=`,
 * `CDLABEL=` and GRUB `search -l`/`--label` reference must follow a new
 * volume id, udev-escaped on the kernel command line) and the
 * "nothing matched" warning (mkksiso warns and continues).
 */
import { emitWarning, makeWarning, type WarnOptions } from '../errors.ts';
import { udevEscapeLabel, type CmdlineEdit } from './cmdline.ts';

/** A change to apply to a boot configuration file. */
export interface BootConfigEdit {
  /** Kernel arguments to add and remove on every kernel command line. */
  kernelArgs?: CmdlineEdit;
  /** Rewrite references to the volume label `from` so they name `to`. */
  label?: { from: string; to: string };
}

/** Options for the editors. */
export interface EditConfigOptions extends WarnOptions {
  /** Name of the file, for warnings. */
  file?: string;
}

/** Result of an edit: the new text and how many lines changed. */
export interface EditConfigResult {
  text: string;
  changes: number;
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/gu, '\\$&');
}

/** Rewrite label references on one line; return it unchanged when there are none. */
export function rewriteLabel(line: string, label: { from: string; to: string }): string {
  if (label.from === '' || label.from === label.to) return line;
  let out = line;
  for (const [from, to] of [[udevEscapeLabel(label.from), udevEscapeLabel(label.to)], [label.from, label.to]] as const) {
    // LABEL=old / CDLABEL=old on a kernel command line, ending at whitespace, ':' or a quote.
    out = out.replace(new RegExp(`((?:CD)?LABEL=)${escapeRegExp(from)}(?=$|[\\s:"'])`, 'gu'), `$1${to}`);
  }
  if (/^\s*search\b/u.test(out)) {
    // GRUB: search [--no-floppy] --set=root -l 'old' / --label "old" / -l old
    const quoted = new RegExp(`((?:-l|--label)(?:\\s+|=))(['"]?)${escapeRegExp(label.from)}\\2(?=$|\\s)`, 'gu');
    out = out.replace(quoted, (_m, flag: string, q: string) => `${flag}${q}${label.to}${q}`);
  }
  return out;
}

/** Apply `editLine` to every line and count the lines it changed; warn when `matched` stays 0. */
export function editLines(
  text: string,
  editLine: (line: string) => { line: string; isMatch: boolean },
  what: string,
  options: EditConfigOptions,
): EditConfigResult {
  const lines = text.split('\n');
  let changes = 0;
  let matched = 0;
  const out = lines.map((line) => {
    const r = editLine(line);
    if (r.isMatch) matched++;
    if (r.line !== line) changes++;
    return r.line;
  });
  if (matched === 0) {
    emitWarning(options, makeWarning('ENTRY_NOT_FOUND', `no ${what} line to edit; boot config left unchanged`, options.file !== undefined ? { file: options.file } : {}));
  }
  return { text: out.join('\n'), changes };
}
