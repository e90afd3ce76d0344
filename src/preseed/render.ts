/**
 * renderPreseed(): a preseed for one host from a template — `{{name}}`
 * variables filled (the kickstart template rules: an unknown name is an
 * error with its line), plaintext passwords replaced by SHA-512 crypt
 * hashes (`passwd/root-password-crypted`, `passwd/user-password-crypted`),
 * and scripts carried into `preseed/early_command`, `partman/early_command`
 * (right before partitioning, once disks are detected) and
 * `preseed/late_command` the way a kickstart carries `%pre` and `%post`.
 * Pure: text and variables in, text out, so a server can call it per host.
 *
 * A script becomes one shell command line (d-i reads one line per answer
 * and runs it with `sh -c`): `printf '%s\n'` writes the script's lines,
 * each single-quoted, to a file under /tmp, then the interpreter runs it.
 * A late script runs inside the installed system (`in-target`, like a
 * chrooted %post) unless `nochroot`; a failing script is ignored unless
 * `erroronfail`, because d-i stops at a failing command.
 */
import { hashPassword, renderTemplate } from '../kickstart/index.ts';
import { parsePreseed, renderPreseedModel } from './parse.ts';
import { shellQuote, splitBackslashN } from './shell.ts';
import type { Preseed, PreseedAnswer, PreseedNode } from './types.ts';

/** A script to run early (before partitioning) or late (before the reboot). */
export interface PreseedScript {
  body: string;
  /** Absolute interpreter path (default /bin/sh); a `#!` line in `body` also sets it. */
  interpreter?: string;
  /** Late scripts: run in the installer instead of the installed system (`/target` holds it). */
  nochroot?: boolean;
  /** Stop the install when the script fails (default: the failure is ignored). */
  erroronfail?: boolean;
}

/** Options for renderPreseed. */
export interface RenderPreseedOptions {
  /** Template path for messages. */
  file?: string;
  /** Replace plaintext root and user passwords by `$6$` hashes (default true). */
  hashPasswords?: boolean;
  /** Crypt salt (reproducible builds); random when absent. */
  salt?: string;
  early?: readonly PreseedScript[];
  /** Scripts run right before partitioning, after the disks are detected (`partman/early_command`). */
  partman?: readonly PreseedScript[];
  late?: readonly PreseedScript[];
}

function answer(question: string, type: string, value: string): PreseedAnswer {
  return { kind: 'answer', line: 0, owner: 'd-i', question, type, value };
}

/** Replace `passwd/<who>-password` (+ `-again`) by `passwd/<who>-password-crypted`. */
export function hashPreseedPasswords(model: Preseed, options: { salt?: string } = {}): Preseed {
  const nodes: PreseedNode[] = [];
  for (const node of model.nodes) {
    const m = node.kind === 'answer' ? /^passwd\/(root|user)-password(-again)?$/u.exec(node.question) : null;
    if (node.kind !== 'answer' || m === null) {
      nodes.push(node);
      continue;
    }
    if (m[2] !== undefined || node.value === '') continue;
    const hash = hashPassword(node.value, options.salt !== undefined ? { salt: options.salt } : {});
    nodes.push({ ...answer(`passwd/${m[1] as string}-password-crypted`, 'password', hash), owner: node.owner, line: node.line });
  }
  return { ...model, nodes };
}

/** Split a `#!` line off a script: the interpreter it names (unless one is given) and the rest. */
export function splitShebang(body: string, interpreter?: string): { body: string; interpreter?: string } {
  const shebang = /^#!\s*(\S+)[^\n]*\n/u.exec(body);
  if (!shebang) return interpreter !== undefined ? { body, interpreter } : { body };
  return { body: body.slice(shebang[0].length), interpreter: interpreter ?? (shebang[1] as string) };
}

/** Turn a script into one shell command line that writes it to `path` and runs it (in /target through `runner`, default d-i's `in-target`). */
export function scriptCommand(script: PreseedScript, path: string, options: { inTarget: boolean; runner?: string }): string {
  const { body, interpreter } = splitShebang(script.body, script.interpreter);
  // No `\n` anywhere in the command (see splitBackslashN): printf's octal \012 is the line break.
  const lines = body.replace(/\n$/u, '').split('\n').map((l) => splitBackslashN(shellQuote(l))).join(' ');
  const run = `${shellQuote(interpreter ?? '/bin/sh')} ${shellQuote(path)}`;
  const file = options.inTarget ? `/target${path}` : path;
  const write = `printf '%s\\012' ${lines} > ${shellQuote(file)}`;
  const exec = options.inTarget ? `${options.runner ?? 'in-target'} ${run}` : run;
  return script.erroronfail ? `${write} && ${exec}` : `{ ${write} && ${exec}; } || true`;
}

function withCommand(model: Preseed, question: string, commands: readonly string[]): Preseed {
  if (commands.length === 0) return model;
  const nodes = [...model.nodes];
  const at = nodes.findLastIndex((n) => n.kind === 'answer' && n.question === question);
  if (at >= 0) {
    const { raw: _raw, ...old } = nodes[at] as PreseedAnswer;
    nodes[at] = { ...old, value: [old.value.trim(), ...commands].filter((c) => c !== '').join('; ') };
  } else {
    nodes.push(answer(question, 'string', commands.join('; ')));
  }
  return { ...model, nodes };
}

/** Render a preseed from a template and variables; see the module comment. */
export function renderPreseed(template: string, vars: Readonly<Record<string, string>>, options: RenderPreseedOptions = {}): string {
  const text = renderTemplate(template, vars, options.file !== undefined ? { file: options.file } : {});
  let model = parsePreseed(text, options.file !== undefined ? { file: options.file } : {});
  if (options.hashPasswords !== false) model = hashPreseedPasswords(model, options.salt !== undefined ? { salt: options.salt } : {});
  const early = (options.early ?? []).map((s, i) => scriptCommand(s, `/tmp/remaster-early-${i + 1}.sh`, { inTarget: false }));
  const late = (options.late ?? []).map((s, i) => scriptCommand(s, `/tmp/remaster-late-${i + 1}.sh`, { inTarget: s.nochroot !== true }));
  const partman = (options.partman ?? []).map((s, i) => scriptCommand(s, `/tmp/remaster-partman-${i + 1}.sh`, { inTarget: false }));
  model = withCommand(model, 'preseed/early_command', early);
  model = withCommand(model, 'partman/early_command', partman);
  model = withCommand(model, 'preseed/late_command', late);
  return renderPreseedModel(model);
}


