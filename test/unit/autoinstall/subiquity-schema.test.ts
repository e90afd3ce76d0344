/**
 * remaster's autoinstall schema verdict (AI_SCHEMA findings of
 * lintAutoinstall) agrees with Subiquity's published autoinstall-schema.json
 * (a copy kept as data in fixtures/autoinstall/subiquity/, SOURCE.md there)
 * validated by an independent JSON Schema implementation
 * (@cfworker/json-schema, draft 2020-12: the schema names no draft and
 * Subiquity's python-jsonschema then takes the newest), on every example of
 * Subiquity's documentation and repository examples and on broken variants
 * of a valid config. The oracle reads YAML as YAML 1.1, as PyYAML does for
 * cloud-init and Subiquity. Broken variants also check the line of the
 * finding against the line of the text they broke. A last test runs every
 * case through what Subiquity itself uses (PyYAML and python-jsonschema).
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { test } from 'node:test';
import { Validator } from '@cfworker/json-schema';
import { parse, stringify } from 'yaml';
import { spawnSync } from 'node:child_process';
import { lintAutoinstall, type AutoinstallIssue } from '../../../src/index.ts';

const DIR = new URL('../../../fixtures/autoinstall/subiquity/', import.meta.url);
const oracle = new Validator(JSON.parse(readFileSync(new URL('autoinstall-schema.json', DIR), 'utf8')) as object, '2020-12', false);
type Form = 'user-data' | 'autoinstall.yaml';

/** Subiquity's verdict: the autoinstall mapping (or, for autoinstall.yaml, the whole file) against its schema. */
function subiquityAccepts(text: string, form: Form): boolean {
  const root = parse(text, { version: '1.1' }) as Record<string, unknown> | null;
  const value = form === 'user-data' || (root !== null && typeof root === 'object' && 'autoinstall' in root) ? root?.['autoinstall'] : root;
  return oracle.validate(value).valid;
}

function remasterLint(text: string, form: Form): { accepts: boolean; schema: AutoinstallIssue[]; all: AutoinstallIssue[] } {
  const all = lintAutoinstall(text, { form });
  assert.deepEqual(all.filter((i) => i.code === 'AI_YAML' || i.code === 'AI_NO_AUTOINSTALL' || i.code === 'AI_NO_CLOUD_CONFIG'), [], 'the case must reach the schema check');
  const schema = all.filter((i) => i.code === 'AI_SCHEMA');
  return { accepts: schema.length === 0, schema, all };
}

const files = (sub: string, ext: string) => readdirSync(new URL(sub, DIR)).filter((f) => f.endsWith(ext)).sort().map((f) => `${sub}${f}`);
const EXAMPLES = [...files('doc/', '.user-data').map((f) => [f, 'user-data'] as const), ...files('examples/', '.yaml').map((f) => [f, 'autoinstall.yaml'] as const)];

test('every autoinstall example of Subiquity\'s documentation and repository gets the same verdict from remaster and from Subiquity\'s schema', (t) => {
  const cases = EXAMPLES;
  assert.ok(cases.length >= 80, `expected the extracted examples, found ${cases.length}`);
  const disagree: string[] = [];
  let rejected = 0;
  for (const [file, form] of cases) {
    const text = readFileSync(new URL(file, DIR), 'utf8');
    const expected = subiquityAccepts(text, form);
    const got = remasterLint(text, form);
    if (!expected) rejected++;
    if (got.accepts !== expected) disagree.push(`${file}: Subiquity's schema ${expected ? 'accepts' : 'rejects'}, remaster ${got.accepts ? 'accepts' : `rejects: ${got.schema.map((i) => `${i.line}: ${i.message}`).join('; ')}`}`);
  }
  t.diagnostic(`${cases.length} examples, ${rejected} rejected by Subiquity's schema`);
  assert.deepEqual(disagree, []);
});

const BASE = {
  version: 1,
  identity: { realname: 'Ops', hostname: 'web01', username: 'ops', password: '$6$rounds=4096$salt$hashhashhash' },
  keyboard: { layout: 'us' },
  'late-commands': ['echo done > /target/root/marker'],
};

interface Variant {
  name: string;
  /** Change a copy of BASE, or give the whole user-data text. */
  edit: ((ai: Record<string, unknown>) => void) | string;
  valid: boolean;
  /** For an invalid variant: a string on the line the finding must name (first occurrence). */
  at?: string;
}

const set = (path: string, value: unknown) => (ai: Record<string, unknown>) => {
  const keys = path.split('.');
  let o = ai;
  for (const k of keys.slice(0, -1)) o = (o[k] ??= {}) as Record<string, unknown>;
  const last = keys.at(-1) as string;
  if (value === undefined) delete o[last];
  else o[last] = value;
};

const VARIANTS: Variant[] = [
  { name: 'missing version', edit: set('version', undefined), valid: false, at: 'autoinstall:' },
  { name: 'version 2', edit: set('version', 2), valid: false, at: 'version: 2' },
  { name: 'version as a string', edit: set('version', '1'), valid: false, at: 'version: "1"' },
  { name: 'version 1.0 (a whole number)', edit: '#cloud-config\nautoinstall:\n  version: 1.0\n', valid: true },
  { name: 'autoinstall is a list', edit: '#cloud-config\nautoinstall:\n  - version: 1\n', valid: false, at: 'autoinstall:' },
  { name: 'unknown key in keyboard', edit: set('keyboard.model', 'pc105'), valid: false, at: 'model:' },
  { name: 'keyboard without layout', edit: set('keyboard', { variant: 'intl' }), valid: false, at: 'keyboard:' },
  { name: 'keyboard toggle as a number', edit: set('keyboard.toggle', 5), valid: false, at: 'toggle:' },
  { name: 'identity without password', edit: set('identity.password', undefined), valid: false, at: 'identity:' },
  { name: 'unknown key in identity', edit: set('identity.shell', '/bin/zsh'), valid: false, at: 'shell:' },
  { name: 'identity groups as a string', edit: set('identity.groups', 'sudo'), valid: false, at: 'groups:' },
  { name: 'identity groups as append/override', edit: set('identity.groups', { append: ['docker'] }), valid: true },
  { name: 'early-commands as a string', edit: set('early-commands', 'echo hi'), valid: false, at: 'early-commands:' },
  { name: 'a late command that is a number', edit: set('late-commands', ['echo a', 4242]), valid: false, at: '4242' },
  { name: 'an argv command with a number', edit: set('error-commands', [['sh', 4343]]), valid: false, at: '4343' },
  { name: 'packages as a string', edit: set('packages', 'vim'), valid: false, at: 'packages:' },
  { name: 'unknown key in refresh-installer', edit: set('refresh-installer', { update: true, force: true }), valid: false, at: 'force:' },
  { name: 'kernel with package and flavor', edit: set('kernel', { package: 'linux-generic', flavor: 'hwe' }), valid: false, at: 'kernel:' },
  { name: 'kernel with neither', edit: set('kernel', {}), valid: false, at: 'kernel:' },
  { name: 'kernel with an extra key', edit: set('kernel', { package: 'linux-generic', hold: true }), valid: true },
  { name: 'kernel-crash-dumps enabled as a string', edit: set('kernel-crash-dumps', { enabled: 'maybe' }), valid: false, at: 'enabled:' },
  { name: 'kernel-crash-dumps enabled null', edit: set('kernel-crash-dumps', { enabled: null }), valid: true },
  { name: 'network without version', edit: set('network', { ethernets: { eth0: { dhcp4: true } } }), valid: false, at: 'network:' },
  { name: 'network version 1', edit: set('network', { version: 1, config: [] }), valid: false, at: 'network:' },
  { name: 'network under a second network key', edit: set('network', { network: { version: 2, ethernets: {} } }), valid: true },
  { name: 'network in both forms at once', edit: set('network', { version: 2, network: { version: 2 } }), valid: false, at: 'network:' },
  { name: 'unknown key in a netplan match', edit: set('network', { version: 2, ethernets: { match: { vendor: 'x' } } }), valid: false, at: 'network:' },
  { name: 'ubuntu-pro token not base58', edit: set('ubuntu-pro', { token: 'C0OIl0000000000000000000000' }), valid: false, at: 'C0OIl' },
  { name: 'ubuntu-advantage token too short', edit: set('ubuntu-advantage', { token: 'Cshort' }), valid: false, at: 'Cshort' },
  { name: 'apt fallback not a known policy', edit: set('apt', { fallback: 'retry' }), valid: false, at: 'fallback:' },
  { name: 'apt disable_components unknown', edit: set('apt', { disable_components: ['bogus-component'] }), valid: false, at: 'bogus-component' },
  { name: 'apt preference without pin-priority', edit: set('apt', { preferences: [{ package: 'vim-pinned', pin: 'origin x' }] }), valid: false, at: 'vim-pinned' },
  { name: 'apt mirror-selection primary with a bare name', edit: set('apt', { 'mirror-selection': { primary: ['my-country-mirror'] } }), valid: false, at: 'my-country-mirror' },
  { name: 'apt with a key the schema does not list', edit: set('apt', { conf: 'APT::Get::Assume-Yes "true";' }), valid: true },
  { name: 'storage as a string', edit: set('storage', 'lvm'), valid: false, at: 'storage:' },
  { name: 'storage with layout and config', edit: set('storage', { layout: { name: 'lvm' }, config: [{ type: 'disk', id: 'd0' }] }), valid: true },
  { name: 'storage layout name unknown', edit: set('storage', { layout: { name: 'raid' } }), valid: true },
  { name: 'storage layout without a name', edit: set('storage', { layout: { mode: 'use_gap' } }), valid: true },
  { name: 'ssh install-server as a string', edit: set('ssh', { 'install-server': 'true' }), valid: false, at: 'install-server:' },
  { name: 'ssh install-server: yes (YAML 1.1 boolean)', edit: '#cloud-config\nautoinstall:\n  version: 1\n  ssh:\n    install-server: yes\n    allow-pw: no\n', valid: true },
  { name: 'ssh with an extra key', edit: set('ssh', { 'install-server': true, 'authorized-principals': [] }), valid: true },
  { name: 'snap with an unknown key', edit: set('snaps', [{ name: 'etcd', revision: 12 }]), valid: false, at: 'revision:' },
  { name: 'snap without a name', edit: set('snaps', [{ channel: 'edge-only' }]), valid: false, at: 'edge-only' },
  { name: 'unknown key in active-directory', edit: set('active-directory', { 'admin-name': 'a', 'admin-password': 'x' }), valid: false, at: 'admin-password:' },
  { name: 'oem without install', edit: set('oem', {}), valid: false, at: 'oem:' },
  { name: 'oem install neither boolean nor auto', edit: set('oem', { install: 'sometimes' }), valid: false, at: 'sometimes' },
  { name: 'updates not security or all', edit: set('updates', 'everything'), valid: false, at: 'updates:' },
  { name: 'shutdown halt', edit: set('shutdown', 'halt'), valid: false, at: 'shutdown:' },
  { name: 'reporting entry without type', edit: set('reporting', { central: { destination: '@10.0.0.1' } }), valid: false, at: 'central:' },
  { name: 'user-data as a string', edit: set('user-data', 'users: []'), valid: false, at: 'user-data:' },
  { name: 'user-data empty (null)', edit: '#cloud-config\nautoinstall:\n  version: 1\n  user-data:\n', valid: false, at: 'user-data:' },
  { name: 'zdevs as a string', edit: set('zdevs', '0.0.1507'), valid: false, at: 'zdevs:' },
  { name: 'zdev enabled as a string', edit: set('zdevs', [{ id: '0.0.1507', enabled: 'on-boot' }]), valid: false, at: 'on-boot' },
  { name: 'proxy as a number', edit: set('proxy', 3128), valid: false, at: 'proxy:' },
  { name: 'proxy null', edit: set('proxy', null), valid: true },
  { name: 'interactive-sections as a string', edit: set('interactive-sections', 'network'), valid: false, at: 'interactive-sections:' },
  { name: 'debconf-selections as a list', edit: set('debconf-selections', ['a b c d']), valid: false, at: 'debconf-selections:' },
  { name: 'locale as a number', edit: set('locale', 1), valid: false, at: 'locale:' },
  { name: 'timezone as a list', edit: set('timezone', ['UTC']), valid: false, at: 'timezone:' },
  { name: 'source search_drivers as a string', edit: set('source', { search_drivers: 'maybe' }), valid: false, at: 'search_drivers:' },
  { name: 'an unknown top-level section', edit: set('frobnicate', { level: 3 }), valid: true },
];

function render(v: Variant): string {
  if (typeof v.edit === 'string') return v.edit;
  const ai = structuredClone(BASE) as Record<string, unknown>;
  v.edit(ai);
  // Written as YAML 1.1 so that strings such as "on-boot" or "yes" stay strings for both readers.
  return `#cloud-config\n${stringify({ autoinstall: ai }, { version: '1.1' })}`;
}

test('the base config of the broken variants is valid for both', () => {
  const text = render({ name: 'base', edit: () => undefined, valid: true });
  assert.equal(subiquityAccepts(text, 'user-data'), true);
  assert.deepEqual(remasterLint(text, 'user-data').all, []);
});

for (const v of VARIANTS) {
  test(`${v.valid ? 'accepted' : 'rejected'} by both: ${v.name}`, () => {
    const text = render(v);
    assert.equal(subiquityAccepts(text, 'user-data'), v.valid, `the variant itself: Subiquity's schema should ${v.valid ? 'accept' : 'reject'}\n${text}`);
    const got = remasterLint(text, 'user-data');
    assert.equal(got.accepts, v.valid, `remaster disagrees: ${JSON.stringify(got.schema)}\n${text}`);
    if (v.at === undefined) return;
    const line = text.split('\n').findIndex((l) => l.includes(v.at as string)) + 1;
    assert.ok(line > 0, `"${v.at}" not in the text`);
    assert.deepEqual(got.schema.map((i) => i.line), got.schema.map(() => line), `findings at the wrong line (want ${line}): ${JSON.stringify(got.schema)}\n${text}`);
  });
}

test('Subiquity\'s run-time storage checks are reported apart from the schema, with their lines', () => {
  const text = '#cloud-config\nautoinstall:\n  version: 1\n  storage:\n    layout:\n      name: raid\n      sizing-policy: most\n    config:\n      - {type: disk, id: d0}\n';
  assert.equal(subiquityAccepts(text, 'user-data'), true);
  const storage = lintAutoinstall(text).filter((i) => i.code === 'AI_STORAGE').map((i) => [i.line, i.severity]);
  assert.deepEqual(storage, [[6, 'warning'], [8, 'warning']]);
  const lvm = lintAutoinstall(text.replace('name: raid', 'name: lvm')).filter((i) => i.code === 'AI_STORAGE').map((i) => [i.line, i.severity]);
  assert.deepEqual(lvm, [[7, 'error'], [8, 'warning']]);
  const noName = lintAutoinstall('#cloud-config\nautoinstall:\n  version: 1\n  storage:\n    layout: {mode: reformat_disk}\n').filter((i) => i.code === 'AI_STORAGE');
  assert.deepEqual(noName.map((i) => [i.line, i.severity]), [[5, 'error']]);
});

/**
 * What Subiquity itself does with the schema (scripts/validate-autoinstall-user-data.py --legacy):
 * PyYAML's safe_load, then python-jsonschema's validate(); run here over every case above.
 */
const PY_ORACLE = `
import json, sys, yaml, jsonschema
schema = json.load(open(sys.argv[1]))
# What jsonschema.validate() does, with the schema checked and the validator made once.
cls = jsonschema.validators.validator_for(schema)
cls.check_schema(schema)
validator = cls(schema)
out = []
for case in json.load(sys.stdin):
    data = yaml.safe_load(case["text"])
    if case["form"] == "user-data" or (isinstance(data, dict) and "autoinstall" in data):
        data = data["autoinstall"]
    out.append(validator.is_valid(data))
print(json.dumps(out))
`;

test('Subiquity\'s own reader and validator (PyYAML, python-jsonschema) give remaster\'s verdict on every case', (t) => {
  const probe = spawnSync('python3', ['-c', 'import yaml, jsonschema'], { stdio: 'ignore' });
  if (probe.status !== 0) {
    const msg = 'needs python3 with the yaml and jsonschema modules (python3-yaml, python3-jsonschema)';
    if (process.env.CI === 'true') throw new Error(`${msg}; CI must install them`);
    t.skip(msg);
    return;
  }
  const cases = [
    ...EXAMPLES.map(([file, form]) => ({ name: file, form, text: readFileSync(new URL(file, DIR), 'utf8') })),
    ...VARIANTS.map((v) => ({ name: v.name, form: 'user-data' as Form, text: render(v) })),
  ];
  const r = spawnSync('python3', ['-c', PY_ORACLE, new URL('autoinstall-schema.json', DIR).pathname], { input: JSON.stringify(cases), encoding: 'utf8', timeout: 60_000 });
  assert.equal(r.status, 0, r.stderr);
  const verdicts = JSON.parse(r.stdout) as boolean[];
  assert.equal(verdicts.length, cases.length);
  const disagree = cases.flatMap((c, i) => (remasterLint(c.text, c.form).accepts === verdicts[i] ? [] : [`${c.name}: python-jsonschema ${verdicts[i] ? 'accepts' : 'rejects'}`]));
  assert.deepEqual(disagree, []);
  t.diagnostic(`${cases.length} cases, ${verdicts.filter((v) => !v).length} rejected by python-jsonschema`);
});
