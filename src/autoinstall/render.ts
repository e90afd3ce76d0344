/**
 * renderAutoinstall(): `user-data` and `meta-data` for one host, for
 * cloud-init's NoCloud source (`ds=nocloud-net;s=<url>/` fetches both from
 * that directory). The template's `{{name}}` variables are filled (the
 * kickstart template rules), a plaintext `identity.password` becomes a
 * SHA-512 crypt hash, and scripts are appended to `early-commands` and
 * `late-commands` as the preseed renderer writes them; a late script runs
 * inside the installed system through `curtin in-target` unless
 * `nochroot`. Pure: text and variables in, text out.
 */
import { createHash } from 'node:crypto';
import { isMap, isSeq, parseDocument } from 'yaml';
import { RemasterError } from '../errors.ts';
import { hashPassword, renderTemplate } from '../kickstart/index.ts';
import { scriptCommand, type PreseedScript } from '../preseed/index.ts';

/** Options for renderAutoinstall. */
export interface RenderAutoinstallOptions {
  file?: string;
  /** Replace a plaintext identity.password by a `$6$` hash (default true). */
  hashPasswords?: boolean;
  salt?: string;
  early?: readonly PreseedScript[];
  /** Scripts put ahead of the template's own early-commands (checks that must come before anything else). */
  earlyFirst?: readonly PreseedScript[];
  late?: readonly PreseedScript[];
  /** meta-data instance-id (default: derived from the user-data, so a changed answer is a new instance). */
  instanceId?: string;
}

/** The two NoCloud files. */
export interface AutoinstallFiles {
  userData: string;
  metaData: string;
}

const CRYPT = /^\$(?:1|5|6|y)\$/u;
/** Subiquity mounts the target at /target; curtin runs a command inside it. */
const IN_TARGET = 'curtin in-target --target=/target --';

/** Render user-data and meta-data from a template and variables. */
export function renderAutoinstall(template: string, vars: Readonly<Record<string, string>>, options: RenderAutoinstallOptions = {}): AutoinstallFiles {
  const text = renderTemplate(template, vars, options.file !== undefined ? { file: options.file } : {});
  const doc = parseDocument(text);
  if (doc.errors.length > 0 || !isMap(doc.contents) || !doc.has('autoinstall')) {
    throw new RemasterError('KICKSTART_SYNTAX', 'the template is not a cloud-config mapping with an autoinstall: key', options.file !== undefined ? { file: options.file } : {});
  }
  const password = doc.getIn(['autoinstall', 'identity', 'password']);
  if (options.hashPasswords !== false && typeof password === 'string' && !CRYPT.test(password)) {
    doc.setIn(['autoinstall', 'identity', 'password'], hashPassword(password, options.salt !== undefined ? { salt: options.salt } : {}));
  }
  const first = options.earlyFirst ?? [];
  append(doc, 'early-commands', first.map((s, i) => scriptCommand(s, `/tmp/remaster-early-${i + 1}.sh`, { inTarget: false })), 'first');
  append(doc, 'early-commands', (options.early ?? []).map((s, i) => scriptCommand(s, `/tmp/remaster-early-${first.length + i + 1}.sh`, { inTarget: false })));
  append(doc, 'late-commands', (options.late ?? []).map((s, i) => scriptCommand(s, `/tmp/remaster-late-${i + 1}.sh`, { inTarget: s.nochroot !== true, runner: IN_TARGET })));
  let userData = doc.toString({ lineWidth: 0 });
  if (!userData.startsWith('#cloud-config')) userData = `#cloud-config\n${userData}`;
  const instanceId = options.instanceId ?? `remaster-${createHash('sha256').update(userData).digest('hex').slice(0, 16)}`;
  return { userData, metaData: `instance-id: ${instanceId}\n` };
}

function append(doc: ReturnType<typeof parseDocument>, key: string, commands: readonly string[], where: 'first' | 'last' = 'last'): void {
  if (commands.length === 0) return;
  const path = ['autoinstall', key];
  const list = doc.getIn(path, true);
  if (list === undefined || list === null) doc.setIn(path, doc.createNode([...commands]));
  else if (isSeq(list) && where === 'first') list.items.unshift(...commands.map((c) => doc.createNode(c)));
  else if (isSeq(list)) for (const c of commands) list.add(doc.createNode(c));
  else throw new RemasterError('KICKSTART_SYNTAX', `autoinstall.${key} is not a list`);
}
