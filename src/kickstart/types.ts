/**
 * The kickstart model: an ordered list of nodes that keeps every line.
 *
 * Grammar follows pykickstart (parser.py, sections.py): a command section of
 * one command per line with shell-like quoting and `#` comments, then
 * `%name [options]` sections closed by `%end` (or, on old releases and
 * Ubuntu's kickseed, by the next section header). Each parsed node keeps its
 * `raw` text (with line terminators) so an unchanged model renders back to
 * the same bytes; nodes built in code have no `raw` and are formatted.
 */

/** Target installer family and release; decides `%end` handling, sections and command tables. */
export type KickstartDialect = 'rhel5' | 'rhel6' | 'rhel7' | 'rhel8' | 'rhel9' | 'rhel10' | 'fedora' | 'ubuntu';

/** Every dialect, oldest first. */
export const KICKSTART_DIALECTS: readonly KickstartDialect[] = ['rhel5', 'rhel6', 'rhel7', 'rhel8', 'rhel9', 'rhel10', 'fedora', 'ubuntu'];

/** Section names pykickstart knows (sections.py) plus `%certificate` (F42+). */
export const KNOWN_SECTIONS = ['pre', 'pre-install', 'post', 'packages', 'onerror', 'traceback', 'addon', 'anaconda', 'certificate'] as const;

interface NodeBase {
  /** First physical line, counted from 1; 0 for nodes built in code. */
  line: number;
  /** Original text including line terminators; absent when the node must be formatted. */
  raw?: string;
  /** What added a node built in code (a script file, `install.raid`, `serve`), for `ks render --explain`. */
  origin?: string;
}

/** An empty or whitespace-only line in the command section. */
export interface KickstartBlank extends NodeBase {
  kind: 'blank';
}

/** A whole-line `#` comment in the command section (`#platform=`, `#version=` included). */
export interface KickstartComment extends NodeBase {
  kind: 'comment';
  /** The comment text without its line terminator. */
  text: string;
}

/** A command such as `timezone Etc/UTC --utc`; `\`-continued lines form one node. */
export interface KickstartCommand extends NodeBase {
  kind: 'command';
  name: string;
  /** Arguments after shell-like unquoting. */
  args: string[];
  /** Trailing comment including its leading whitespace (`  # why`), if any. */
  comment?: string;
}

/** `%include <path>` or `%ksappend <url>`: noted, never followed (text in, text out). */
export interface KickstartInclude extends NodeBase {
  kind: 'include';
  directive: 'include' | 'ksappend';
  path: string;
}

/** An `%end` outside any section. */
export interface KickstartStrayEnd extends NodeBase {
  kind: 'stray-end';
}

/** A `%name [options]` section with its body and optional `%end`. */
export interface KickstartSection extends NodeBase {
  kind: 'section';
  /** Section name without `%`: `post`, `packages`, `addon`, ... */
  name: string;
  /** Header arguments (`--nochroot`, `--log=/x`, the addon name, ...). */
  args: string[];
  /** Raw body text, every line with its terminator. */
  body: string;
  /** The closing `%end`, absent when the section was closed by the next header or the end of file. */
  end?: { line: number; raw?: string };
}

/** One element of a kickstart file, in file order. */
export type KickstartNode = KickstartBlank | KickstartComment | KickstartCommand | KickstartInclude | KickstartStrayEnd | KickstartSection;

/** A parsed kickstart file. */
export interface Kickstart {
  /** Path as given by the user, for messages. */
  file?: string;
  /** Line terminator used for formatted nodes (`\n`, or `\r\n` when the source used it). */
  eol: string;
  nodes: KickstartNode[];
}

/** Rank of a RHEL dialect (5…10), Fedora as newest (99) and Ubuntu outside the scale (0). */
export function dialectRank(dialect: KickstartDialect): number {
  if (dialect === 'fedora') return 99;
  if (dialect === 'ubuntu') return 0;
  return Number(dialect.slice(4));
}

/** How a dialect treats `%end` (reference 06 §2). */
export type EndPolicy = 'never' | 'optional' | 'always';

/** Return the `%end` policy: rhel5 and kickseed never, rhel6 optional, rhel7+ and Fedora always. */
export function endPolicy(dialect: KickstartDialect): EndPolicy {
  if (dialect === 'rhel5' || dialect === 'ubuntu') return 'never';
  return dialect === 'rhel6' ? 'optional' : 'always';
}

/** Return true when `value` names a dialect. */
export function isKickstartDialect(value: string): value is KickstartDialect {
  return (KICKSTART_DIALECTS as readonly string[]).includes(value);
}
