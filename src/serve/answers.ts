/**
 * The answer file served to one armed host, with its callbacks (pure: text
 * in, text out). Kickstart (reference 05/06, pykickstart sections):
 * - every shell `%pre`, `%pre-install` and `%post` section of the host's own
 *   kickstart starts with the callback preamble (callbacks.ts), so its
 *   snippets can call `remaster_report`; a `%pre` without `--log` gets
 *   `--log=/tmp/remaster-pre-<n>.log`, whose tail a failure report carries;
 * - a `%pre` before all others reports pre-started, one after all others
 *   pre-done; a `%pre-install` (RHEL 7+) before the others reports
 *   installing; after every `%post`, a `%post --nochroot` reports post-done
 *   and a last one installed (--nochroot: the installer environment has
 *   curl, the installed system may not);
 * - `%onerror` (RHEL 7+; `%traceback` on RHEL 5/6) reports failed with the
 *   tails of /tmp/anaconda.log, program.log, storage.log and the %pre logs.
 * - a `%pre` right after the pre-started one writes /tmp/remaster.env (the
 *   callback URL and the host record) for the install snippets (install/env.ts).
 * Preseed: `preseed/early_command` writes that env file after pre-started and gains pre-started before and pre-done
 * after the host's own command; `preseed/late_command` post-done and
 * installed after it (d-i has no failure hook). Autoinstall: the same in
 * `early-commands` / `late-commands`, and `error-commands` reports failed.
 */
import { isMap, isSeq, parseDocument } from 'yaml';
import { RemasterError } from '../errors.ts';
import { injectScript, parseKickstart, renderKickstart, sectionsFor, type Kickstart, type KickstartDialect, type KickstartSection } from '../kickstart/index.ts';
import { parsePreseed, renderPreseedModel, type PreseedAnswer } from '../preseed/index.ts';
import type { AnswerFormat } from '../answers/index.ts';
import type { PxeDialect } from '../pxe/index.ts';
import { injectInstallEnv, installEnvCommand, type InstallEnv } from '../install/index.ts';
import { callbackCommand, callbackPreamble, failureCommand } from './callbacks.ts';

/** The host record the install snippets read from /tmp/remaster.env (snippets/report.sh). */
export type ServedHost = NonNullable<InstallEnv['host']>;

/** Installer logs whose tails a kickstart failure report carries. */
export const ANACONDA_LOGS = ['/tmp/anaconda.log', '/tmp/program.log', '/tmp/storage.log'] as const;
/** Subiquity's logs for an autoinstall failure report. */
export const SUBIQUITY_LOGS = ['/var/log/installer/subiquity-server-debug.log', '/var/log/installer/curtin-install.log'] as const;

const SHELLS = new Set(['sh', 'bash', 'dash', 'ash', 'ksh', 'busybox']);

/** The kickstart dialect a published tree's dialect means (undefined: a current anaconda). */
export function kickstartDialectOfTree(dialect: PxeDialect | undefined): KickstartDialect | undefined {
  if (dialect === undefined || dialect === 'generic' || dialect === 'debian') return undefined;
  return dialect as KickstartDialect;
}

function interpreterOf(section: KickstartSection): string | undefined {
  const i = section.args.findIndex((a) => a === '--interpreter' || a.startsWith('--interpreter='));
  if (i < 0) return undefined;
  const arg = section.args[i] as string;
  return arg.includes('=') ? arg.slice(arg.indexOf('=') + 1) : section.args[i + 1];
}

function isShellSection(section: KickstartSection): boolean {
  const interpreter = interpreterOf(section);
  return interpreter === undefined || SHELLS.has(interpreter.slice(interpreter.lastIndexOf('/') + 1));
}

function logOf(section: KickstartSection): string | undefined {
  const i = section.args.findIndex((a) => /^--log(?:file)?(?:=|$)/u.test(a));
  if (i < 0) return undefined;
  const arg = section.args[i] as string;
  return arg.includes('=') ? arg.slice(arg.indexOf('=') + 1) : section.args[i + 1];
}

/** Put the preamble after a leading `#!` line, so a shebang stays first. */
function withPreamble(body: string, preamble: string): string {
  const shebang = /^#![^\n]*\n/u.exec(body);
  return shebang ? `${shebang[0]}${preamble}${body.slice(shebang[0].length)}` : `${preamble}${body}`;
}

/** Give the host's own script sections the preamble and a %pre log; return the new model and the %pre logs. */
function prepareSections(ks: Kickstart, preamble: string): { ks: Kickstart; preLogs: string[] } {
  const preLogs: string[] = [];
  let pre = 0;
  const nodes = ks.nodes.map((node) => {
    if (node.kind !== 'section' || !['pre', 'pre-install', 'post'].includes(node.name) || !isShellSection(node)) return node;
    const args = [...node.args];
    if (node.name === 'pre') {
      pre += 1;
      const log = logOf(node) ?? `/tmp/remaster-pre-${pre}.log`;
      if (logOf(node) === undefined) args.push(`--log=${log}`);
      preLogs.push(log);
    }
    const { raw: _raw, ...rest } = node;
    const changed: KickstartSection = { ...rest, args, body: withPreamble(node.body, preamble) };
    // an unchanged header keeps its original text
    return args.length === node.args.length && node.raw !== undefined ? { ...changed, raw: node.raw } : changed;
  });
  return { ks: { ...ks, nodes }, preLogs };
}

/** Render a host's kickstart with callbacks for `callbackUrl` (`<base>/cb/<mac>/<secret>`). */
export function renderServedKickstart(text: string, callbackUrl: string, dialect?: KickstartDialect, file?: string, host?: ServedHost): string {
  const lines = callbackPreamble(callbackUrl);
  const preamble = `${lines.join('\n')}\n`;
  const report = (kind: string, extra: string[] = []) => [...lines, ...extra, `remaster_report ${kind} </dev/null`].join('\n');
  const prepared = prepareSections(parseKickstart(text, file !== undefined ? { file } : {}), preamble);
  const has = (section: string) => dialect === undefined || sectionsFor(dialect).includes(section);
  const d = dialect !== undefined ? { dialect } : {};
  // the snippets' env file (callback URL and host record) before the host's own %pre, after pre-started
  let ks = injectInstallEnv(prepared.ks, { callbackUrl, ...(host !== undefined ? { host } : {}) }, d);
  ks = injectScript(ks, { section: 'pre', body: report('pre-started'), position: 'first', ...d });
  ks = injectScript(ks, { section: 'pre', body: report('pre-done'), ...d });
  if (has('pre-install')) ks = injectScript(ks, { section: 'pre-install', body: report('installing'), position: 'first', ...d });
  ks = injectScript(ks, { section: 'post', nochroot: true, body: report('post-done'), ...d });
  ks = injectScript(ks, { section: 'post', nochroot: true, body: report('installed'), ...d });
  const logs = [...ANACONDA_LOGS, ...prepared.preLogs];
  const onError = has('onerror') ? 'onerror' : has('traceback') ? 'traceback' : undefined;
  if (onError !== undefined) {
    const collect = [
      `{ echo 'reason: the installer ran %${onError}'; for f in ${logs.map((l) => `'${l.replaceAll("'", "'\\''")}'`).join(' ')}; do [ -r "$f" ] || continue; echo "==> $f <=="; tail -c 16384 "$f"; done; } > /tmp/remaster-failed.txt 2>&1`,
      'remaster_report failed /tmp/remaster-failed.txt',
    ];
    ks = injectScript(ks, { section: onError as 'onerror', body: [...lines, ...collect].join('\n'), ...d });
  }
  return renderKickstart(ks, d);
}

/** Render a host's preseed with callbacks in preseed/early_command and preseed/late_command. */
export function renderServedPreseed(text: string, callbackUrl: string, file?: string, host?: ServedHost): string {
  const model = parsePreseed(text, file !== undefined ? { file } : {});
  const say = (kind: string) => callbackCommand(callbackUrl, kind);
  const nodes = [...model.nodes];
  const edit = (question: string, value: (own: string | undefined) => string) => {
    const at = nodes.findLastIndex((n) => n.kind === 'answer' && n.question === question);
    const own = at >= 0 ? (nodes[at] as PreseedAnswer).value.trim() : undefined;
    const answer: PreseedAnswer = { kind: 'answer', line: 0, owner: 'd-i', question, type: 'string', value: value(own === '' ? undefined : own) };
    if (at >= 0) nodes[at] = answer;
    else nodes.push(answer);
  };
  const env = installEnvCommand({ callbackUrl, ...(host !== undefined ? { host } : {}) });
  edit('preseed/early_command', (own) => [say('pre-started'), env, ...(own !== undefined ? [own] : []), say('pre-done')].join('; '));
  edit('preseed/late_command', (own) => [...(own !== undefined ? [own] : []), say('post-done'), say('installed')].join('; '));
  return renderPreseedModel({ ...model, nodes });
}

/** Render a host's autoinstall user-data with callbacks in early-, late- and error-commands. */
export function renderServedAutoinstall(text: string, callbackUrl: string, file?: string, host?: ServedHost): string {
  const doc = parseDocument(text);
  if (doc.errors.length > 0 || !isMap(doc.contents) || !doc.has('autoinstall')) {
    throw new RemasterError('KICKSTART_SYNTAX', 'the user-data is not a cloud-config mapping with an autoinstall: key', file !== undefined ? { file } : {});
  }
  const list = (key: string) => {
    const path = ['autoinstall', key];
    const found = doc.getIn(path, true);
    if (found === undefined || found === null) {
      doc.setIn(path, doc.createNode([]));
      return doc.getIn(path, true);
    }
    if (!isSeq(found)) throw new RemasterError('KICKSTART_SYNTAX', `autoinstall.${key} is not a list`, file !== undefined ? { file } : {});
    return found;
  };
  const early = list('early-commands');
  if (!isSeq(early)) throw new RemasterError('KICKSTART_SYNTAX', 'autoinstall.early-commands is not a list');
  early.items.unshift(doc.createNode(installEnvCommand({ callbackUrl, ...(host !== undefined ? { host } : {}) })));
  early.items.unshift(doc.createNode(callbackCommand(callbackUrl, 'pre-started')));
  early.add(doc.createNode(callbackCommand(callbackUrl, 'pre-done')));
  const late = list('late-commands');
  if (isSeq(late)) for (const kind of ['post-done', 'installed']) late.add(doc.createNode(callbackCommand(callbackUrl, kind)));
  const errors = list('error-commands');
  if (isSeq(errors)) errors.add(doc.createNode(failureCommand(callbackUrl, SUBIQUITY_LOGS, 'subiquity ran error-commands')));
  const out = doc.toString({ lineWidth: 0 });
  return out.startsWith('#cloud-config') ? out : `#cloud-config\n${out}`;
}

/** Render the answers of one host in its format. */
export function renderServedAnswers(format: AnswerFormat, text: string, callbackUrl: string, dialect?: PxeDialect, file?: string, host?: ServedHost): string {
  if (format === 'preseed') return renderServedPreseed(text, callbackUrl, file, host);
  if (format === 'autoinstall') return renderServedAutoinstall(text, callbackUrl, file, host);
  return renderServedKickstart(text, callbackUrl, kickstartDialectOfTree(dialect), file, host);
}
