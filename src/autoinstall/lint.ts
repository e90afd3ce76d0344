/**
 * lintAutoinstall(): a Subiquity autoinstall `user-data` file checked the
 * way cloud-init and Subiquity read it: the `#cloud-config` first line
 * (without it cloud-init ignores the file), YAML syntax, an `autoinstall:`
 * mapping, the autoinstall schema (schema.ts, validated by Ajv; AI_SCHEMA
 * findings are exactly the schema's verdict), the storage checks Subiquity
 * makes at run time (storage.ts, AI_STORAGE), shell quoting of string
 * commands, and the crypt form of `identity.password`. YAML is read as
 * YAML 1.1, as cloud-init and Subiquity read it (PyYAML): `yes`/`no`/`on`/
 * `off` are booleans there. Every issue carries the line of the YAML node it
 * is about.
 */
import { Ajv, type ErrorObject } from 'ajv';
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Document } from 'yaml';
import { shellQuotingProblem } from '../preseed/index.ts';
import { AUTOINSTALL_SCHEMA } from './schema.ts';
import { checkAutoinstallStorage } from './storage.ts';

/** One finding (same shape as the kickstart and preseed lints). */
export interface AutoinstallIssue {
  line: number;
  severity: 'error' | 'warning';
  code: string;
  kind: 'syntax' | 'unattended' | 'advice';
  message: string;
}

/** Options for lintAutoinstall. */
export interface LintAutoinstallOptions {
  /** `user-data` (cloud-config with an autoinstall key, the default) or `autoinstall.yaml` (24.04+: the keys at the top, or under autoinstall:). */
  form?: 'user-data' | 'autoinstall.yaml';
  /** Check that the install runs without a person (default true). */
  unattended?: boolean;
}

const CRYPT = /^\$(?:1|5|6|y)\$/u;
let validator: ReturnType<Ajv['compile']> | undefined;

function validate(value: unknown): ErrorObject[] {
  validator ??= new Ajv({ allErrors: true, strict: false }).compile(AUTOINSTALL_SCHEMA);
  if (validator(value)) return [];
  const errors = validator.errors ?? [];
  // A failed oneOf (kernel, network, identity.groups) also lists why each branch failed: report the oneOf alone.
  const oneOfs = errors.filter((e) => e.keyword === 'oneOf').map((e) => `${e.schemaPath}/`);
  return errors.filter((e) => !oneOfs.some((p) => e.schemaPath.startsWith(p)));
}

/** The line of the key (or list item) at `path`: where a reader looks for a mapping that is wrong or incomplete. */
function lineOf(doc: Document, counter: LineCounter, path: readonly (string | number)[]): number {
  for (let n = path.length; n > 0; n--) {
    const parent = n === 1 ? doc.contents : doc.getIn(path.slice(0, n - 1), true);
    const seg = path[n - 1];
    let node: unknown;
    if (isMap(parent)) node = parent.items.find((p) => (isScalar(p.key) ? p.key.value : p.key) === seg)?.key;
    else if (isSeq(parent) && typeof seg === 'number') node = parent.items[seg];
    const range = (node as { range?: [number, number, number] } | undefined)?.range;
    if (range) return counter.linePos(range[0]).line;
  }
  const range = (doc.contents as { range?: [number, number, number] } | null)?.range;
  return range ? counter.linePos(range[0]).line : 1;
}

function describe(e: ErrorObject): string {
  const where = e.instancePath === '' ? 'autoinstall' : `autoinstall${e.instancePath.replaceAll('/', '.')}`;
  if (e.keyword === 'additionalProperties') return `${where}: unknown key "${String(e.params['additionalProperty'])}"`;
  if (e.keyword === 'enum') return `${where} must be one of ${(e.params['allowedValues'] as unknown[]).join(', ')}`;
  if (e.keyword === 'const') return `${where} must be ${JSON.stringify(e.params['allowedValue'])}`;
  if (e.keyword === 'oneOf' && e.instancePath === '/kernel') return `${where}: give exactly one of package, flavor`;
  if (e.keyword === 'oneOf' && e.instancePath === '/network') return `${where} must be netplan version 2 (version: 2 at its top, or under a network: key), in exactly one of those forms`;
  return `${where} ${e.message ?? 'is invalid'}`;
}

/** Lint user-data text; issues ordered by line. */
export function lintAutoinstall(text: string, options: LintAutoinstallOptions = {}): AutoinstallIssue[] {
  const issues: AutoinstallIssue[] = [];
  const form = options.form ?? 'user-data';
  if (form === 'user-data' && !/^#cloud-config[ \t]*\r?$/mu.test(text.split('\n')[0] ?? '')) {
    issues.push({ line: 1, severity: 'error', code: 'AI_NO_CLOUD_CONFIG', kind: 'syntax', message: 'user-data must start with a "#cloud-config" line, or cloud-init ignores it' });
  }
  const counter = new LineCounter();
  const doc = parseDocument(text, { lineCounter: counter, uniqueKeys: true, version: '1.1' });
  for (const e of [...doc.errors, ...doc.warnings]) {
    issues.push({ line: e.linePos?.[0]?.line ?? 1, severity: doc.errors.includes(e) ? 'error' : 'warning', code: 'AI_YAML', kind: 'syntax', message: e.message.split('\n')[0] ?? e.message });
  }
  if (doc.errors.length > 0) return sorted(issues);
  const root = doc.toJS() as Record<string, unknown> | null;
  const nested = isMap(doc.contents) && doc.has('autoinstall');
  if (!nested && form === 'user-data') {
    issues.push({ line: 1, severity: 'error', code: 'AI_NO_AUTOINSTALL', kind: 'syntax', message: 'user-data has no autoinstall: key; Subiquity finds nothing to do' });
    return sorted(issues);
  }
  const prefix = nested ? ['autoinstall'] : [];
  const value = nested ? root?.['autoinstall'] : root;
  for (const e of validate(value)) {
    const path = e.instancePath.split('/').slice(1).map((p) => (/^\d+$/u.test(p) ? Number(p) : p));
    const extra = e.keyword === 'additionalProperties' ? [String(e.params['additionalProperty'])] : e.keyword === 'required' ? [] : [];
    issues.push({ line: lineOf(doc, counter, [...prefix, ...path, ...extra]), severity: 'error', code: 'AI_SCHEMA', kind: 'syntax', message: describe(e) });
  }
  for (const f of checkAutoinstallStorage((value as Record<string, unknown> | null)?.['storage'])) {
    issues.push({ line: lineOf(doc, counter, [...prefix, ...f.path]), severity: f.severity, code: 'AI_STORAGE', kind: 'syntax', message: f.message });
  }
  issues.push(...commandChecks(doc, counter, prefix, value), ...identityChecks(doc, counter, prefix, value, options.unattended !== false));
  return sorted(issues);
}

function commandChecks(doc: Document, counter: LineCounter, prefix: string[], value: unknown): AutoinstallIssue[] {
  const issues: AutoinstallIssue[] = [];
  if (value === null || typeof value !== 'object') return issues;
  for (const key of ['early-commands', 'late-commands', 'error-commands']) {
    const list = (value as Record<string, unknown>)[key];
    if (!Array.isArray(list)) continue;
    list.forEach((cmd, i) => {
      const problem = typeof cmd === 'string' ? shellQuotingProblem(cmd) : undefined;
      if (problem !== undefined) issues.push({ line: lineOf(doc, counter, [...prefix, key, i]), severity: 'error', code: 'AI_COMMAND_QUOTING', kind: 'syntax', message: `${key}[${i}]: ${problem} (Subiquity runs it with sh -c)` });
    });
  }
  return issues;
}

function identityChecks(doc: Document, counter: LineCounter, prefix: string[], value: unknown, unattended: boolean): AutoinstallIssue[] {
  if (value === null || typeof value !== 'object') return [];
  const v = value as Record<string, unknown>;
  const identity = v['identity'] as Record<string, unknown> | undefined;
  const issues: AutoinstallIssue[] = [];
  const password = identity?.['password'];
  if (typeof password === 'string' && !CRYPT.test(password)) {
    issues.push({ line: lineOf(doc, counter, [...prefix, 'identity', 'password']), severity: 'error', code: 'AI_BAD_CRYPT', kind: 'advice', message: 'identity.password must be a crypt(5) hash ($6$...), not the password itself' });
  }
  if (!unattended) return issues;
  if (identity === undefined && v['user-data'] === undefined) {
    issues.push({ line: lineOf(doc, counter, prefix), severity: 'error', code: 'AI_NO_IDENTITY', kind: 'unattended', message: 'stall: no identity (or user-data): the installer asks for a user' });
  }
  if (Array.isArray(v['interactive-sections']) && v['interactive-sections'].length > 0) {
    issues.push({ line: lineOf(doc, counter, [...prefix, 'interactive-sections']), severity: 'warning', code: 'AI_INTERACTIVE', kind: 'unattended', message: 'stall: interactive-sections makes the installer stop on those screens' });
  }
  return issues;
}

function sorted(issues: AutoinstallIssue[]): AutoinstallIssue[] {
  return issues.sort((a, b) => a.line - b.line || (a.severity === 'error' ? 0 : 1) - (b.severity === 'error' ? 0 : 1));
}
