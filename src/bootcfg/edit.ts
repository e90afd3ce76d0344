/**
 * What a boot-config edit does and the parts shared by the isolinux and GRUB
 * editors: the volume-label rewrite (reference 03 §8: every `LABEL=`,
 * `CDLABEL=` and GRUB `search -l`/`--label` reference must follow a new
 * volume id, udev-escaped on the kernel command line) and the
 * "nothing matched" warning (mkksiso warns and continues).
 */
import { emitWarning, makeWarning, type WarnOptions } from '../errors.ts';
import { udevEscapeLabel, type CmdlineEdit } from './cmdline.ts';
import type { MenuEntry } from './entries.ts';

/** A change to apply to a boot configuration file. */
export interface BootConfigEdit {
  /** Kernel arguments to add and remove on every kernel command line. */
  kernelArgs?: CmdlineEdit;
  /** Rewrite references to the volume label `from` so they name `to`. */
  label?: { from: string; to: string };
  /** Menu timeout in seconds: existing timeout lines are changed; the primary config gets one if it has none. */
  timeoutSeconds?: number;
  /** Entry to boot by default: an ISOLINUX label name or menu label, a GRUB title, `--id` or index. */
  defaultEntry?: string;
  /** Without `defaultEntry`: boot by default the first Linux entry that loads this kernel (a path on the medium). */
  defaultKernel?: string;
}

/** Return true when a kernel path as a menu writes it (absolute, or relative to the loader's directory) names `path`. */
export function isSameKernel(written: string | undefined, path: string): boolean {
  if (written === undefined || written === '') return false;
  const a = written.replace(/^\/+/u, '');
  const b = path.replace(/^\/+/u, '');
  return a === b || (!written.startsWith('/') && b.endsWith(`/${a}`));
}

/** Options for the editors. */
export interface EditConfigOptions extends WarnOptions {
  /** Name of the file, for warnings. */
  file?: string;
  /** The config the boot loader reads first (ISOLINUX's search order): missing timeout/default lines are added here. */
  isPrimary?: boolean;
}

/** Result of an edit: the new text and how many lines changed. */
export interface EditConfigResult {
  text: string;
  changes: number;
  /** Titles of the entries whose kernel command line was edited. */
  edited?: string[];
  /** Titles of entries with a kernel line left alone: not a Linux kernel with an initrd. */
  skipped?: string[];
  /** With `defaultEntry`: whether this config has that entry. */
  defaultMatched?: boolean;
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

/** Lines of an edit: `out` replaces `lines` one for one; the rest is inserted or dropped. */
export interface LineEdits {
  lines: string[];
  out: string[];
  /** Lines to insert after line i. */
  inserts: Map<number, string[]>;
  removed: Set<number>;
  prepend: string[];
  /** Lines to add at the end (before a final newline). */
  append: string[];
}

/** Assemble the edited text, count changed lines, and warn when kernel arguments found no Linux entry. */
export function finishEdit(
  edits: LineEdits,
  info: { edited: string[]; entries: MenuEntry[]; what: string; options: EditConfigOptions; wantsArgs: boolean; defaultMatched?: boolean },
): EditConfigResult {
  const { lines, out, inserts, removed, prepend, append } = edits;
  const hasFinalNewline = lines.length > 1 && lines.at(-1) === '';
  const body: string[] = [...prepend];
  let changes = prepend.length + append.length + removed.size;
  out.forEach((line, i) => {
    if (hasFinalNewline && i === out.length - 1) return;
    if (!removed.has(i)) {
      body.push(line);
      if (line !== lines[i]) changes++;
    }
    const extra = inserts.get(i) ?? [];
    body.push(...extra);
    changes += extra.length;
  });
  body.push(...append);
  if (hasFinalNewline) body.push('');
  const skipped = info.entries.filter((e) => !e.isLinux && e.kernelLine !== undefined).map((e) => e.title);
  if (info.wantsArgs && info.edited.length === 0) {
    emitWarning(info.options, makeWarning('ENTRY_NOT_FOUND', `no ${info.what} entry loads a Linux kernel with an initrd; kernel arguments not added`, info.options.file !== undefined ? { file: info.options.file } : {}));
  }
  return { text: body.join('\n'), changes, edited: info.edited, skipped, ...(info.defaultMatched !== undefined ? { defaultMatched: info.defaultMatched } : {}) };
}
