/**
 * The kernel command line as an ordered multimap (the kernel's
 * Documentation/admin-guide/kernel-parameters.rst; mkksiso's SplitCmdline,
 * AlterKernelArgs and JoinKernelArgs). Tokens are split on whitespace outside
 * double quotes, as the kernel's next_arg() does; each keeps its raw text so
 * untouched arguments render byte for byte. `--` (end of kernel options,
 * the rest goes to init) and Debian's `---` (what follows is copied to the
 * installed system's bootloader) are kept as separators, and added
 * arguments go before the first of them.
 */

/** One command-line token. */
export interface KernelArg {
  /** Name before the first `=`, quotes removed; the whole token for bare flags. */
  key: string;
  /** Value after the first `=`, outer quotes removed; undefined for bare flags. */
  value?: string;
  /** Token as written (quotes included). */
  raw: string;
  /** True for `--` and `---`. */
  isSeparator?: boolean;
}

/** What to change on a command line. */
export interface CmdlineEdit {
  /** Arguments to add (`key=value` or bare flags); each replaces earlier args with the same key or an alias. */
  add?: string[];
  /** Keys to remove (`inst.ks` also removes its legacy alias `ks`). */
  remove?: string[];
}

/**
 * Legacy spellings removed along with the modern key (anaconda dropped the
 * un-prefixed forms in RHEL 9; mkksiso removes both, reference 05 §1).
 */
export const KERNEL_ARG_ALIASES: Readonly<Record<string, readonly string[]>> = {
  'inst.ks': ['ks'],
  'inst.stage2': ['stage2'],
  'inst.repo': ['repo', 'method'],
  'inst.updates': ['updates'],
  'inst.text': ['text'],
  'inst.sshd': ['sshd'],
  'inst.ks.sendmac': ['kssendmac'],
  'inst.ks.sendsn': ['kssendsn'],
};

/** Split raw text into tokens on whitespace outside double quotes. */
export function splitQuoted(text: string): string[] {
  const out: string[] = [];
  let cur = '';
  let inQuote = false;
  for (const ch of text) {
    if (ch === '"') inQuote = !inQuote;
    if (!inQuote && /\s/u.test(ch)) {
      if (cur !== '') out.push(cur);
      cur = '';
    } else {
      cur += ch;
    }
  }
  if (cur !== '') out.push(cur);
  return out;
}

function unquote(s: string): string {
  return s.replaceAll('"', '');
}

/** Decode one raw token. */
export function parseArg(raw: string): KernelArg {
  if (raw === '--' || raw === '---') return { key: raw, raw, isSeparator: true };
  const eq = raw.indexOf('=');
  if (eq < 0) return { key: unquote(raw), raw };
  return { key: unquote(raw.slice(0, eq)), value: unquote(raw.slice(eq + 1)), raw };
}

/** Parse a kernel command line into its ordered arguments. */
export function parseCmdline(text: string): KernelArg[] {
  return splitQuoted(text).map(parseArg);
}

/** Render arguments back to a command line, single-space separated. */
export function renderCmdline(args: readonly KernelArg[]): string {
  return args.map((a) => a.raw).join(' ');
}

/** Return `key` and its aliases (both directions of the alias table). */
export function keyFamily(key: string, aliases: Readonly<Record<string, readonly string[]>> = KERNEL_ARG_ALIASES): Set<string> {
  const family = new Set([key]);
  for (const [modern, legacy] of Object.entries(aliases)) {
    if (modern === key || legacy.includes(key)) {
      family.add(modern);
      for (const l of legacy) family.add(l);
    }
  }
  return family;
}

/** Quote a `key=value` whose value holds whitespace, as the kernel expects (`key="a b"`). */
export function quoteArg(arg: string): string {
  if (!/\s/u.test(arg) || arg.includes('"')) return arg;
  const eq = arg.indexOf('=');
  return eq < 0 ? `"${arg}"` : `${arg.slice(0, eq + 1)}"${arg.slice(eq + 1)}"`;
}

/**
 * Apply removals, then additions. An added `key=value` replaces every earlier
 * argument with the same key or an alias (so a kickstart location is never
 * given twice); an argument already present verbatim is left where it is.
 * New arguments go before the first `--`/`---` separator.
 */
export function alterCmdline(args: readonly KernelArg[], edit: CmdlineEdit, aliases = KERNEL_ARG_ALIASES): KernelArg[] {
  const removeKeys = new Set((edit.remove ?? []).flatMap((k) => [...keyFamily(k, aliases)]));
  // An argument that is also added verbatim stays where it is, so editing twice is a no-op.
  const addRaws = new Set((edit.add ?? []).map(quoteArg));
  let out = args.filter((a) => a.isSeparator || !removeKeys.has(a.key) || addRaws.has(a.raw));
  for (const text of edit.add ?? []) {
    const arg = parseArg(quoteArg(text));
    const family = keyFamily(arg.key, aliases);
    let isKept = false;
    out = out.filter((a) => {
      if (a.isSeparator || !family.has(a.key)) return true;
      const keep = !isKept && a.raw === arg.raw;
      isKept ||= keep;
      return keep;
    });
    if (isKept) continue;
    const sep = out.findIndex((a) => a.isSeparator);
    if (sep < 0) out.push(arg);
    else out.splice(sep, 0, arg);
  }
  return out;
}

/** Return true when the edit would change nothing for any command line. */
export function isEmptyEdit(edit: CmdlineEdit): boolean {
  return (edit.add ?? []).length === 0 && (edit.remove ?? []).length === 0;
}

/** Escape a volume label as udev does in /dev/disk/by-label names (`My Disk` → `My\x20Disk`). */
export function udevEscapeLabel(label: string): string {
  return label.replace(/[^a-zA-Z0-9#+.:=@_-]/gu, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}
