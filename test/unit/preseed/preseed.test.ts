/**
 * Preseed parse, lint, render: golden lint results for the fixtures
 * (fixtures/preseed/<name>.lint.json, UPDATE_GOLDEN=1 to regenerate and
 * review), the byte-for-byte round trip, password hashing against the
 * kickstart $6$ implementation, and scripts carried into early/late
 * commands checked by running the generated command line in a real sh.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { hashPassword, lintPreseed, parsePreseed, renderPreseed, renderPreseedModel, scriptCommand, shellQuotingProblem } from '../../../src/index.ts';

const DIR = new URL('../../../fixtures/preseed/', import.meta.url);
const read = (name: string) => readFileSync(new URL(name, DIR), 'utf8');
const VARS = { host: 'web01', domain: 'example.com', mirror: 'deb.debian.org', rootpw: 'changeme' };

for (const name of ['broken-syntax', 'broken-unattended']) {
  test(`lint of ${name}.cfg matches ${name}.lint.json`, () => {
    const issues = lintPreseed(parsePreseed(read(`${name}.cfg`)));
    const actual = `${JSON.stringify(issues, null, 2)}\n`;
    if (process.env.UPDATE_GOLDEN === '1') writeFileSync(new URL(`${name}.lint.json`, DIR), actual);
    assert.equal(actual, read(`${name}.lint.json`));
  });
}

test('parse keeps every byte; continuation lines join with one space', () => {
  const text = read('debian12.cfg.tmpl');
  const model = parsePreseed(text);
  assert.equal(renderPreseedModel(model), text);
  const pkgsel = model.nodes.find((n) => n.kind === 'answer' && n.question === 'pkgsel/include');
  assert.equal(pkgsel?.kind === 'answer' ? pkgsel.value : '', 'openssh-server curl');
  assert.equal(pkgsel?.line, 28);
});

test('a rendered template lints clean: variables filled, passwords hashed as passwd/root-password-crypted', () => {
  const text = renderPreseed(read('debian12.cfg.tmpl'), VARS, { salt: 'saltsaltsaltsalt' });
  assert.deepEqual(lintPreseed(parsePreseed(text)), []);
  assert.match(text, /^d-i netcfg\/get_hostname string web01$/mu);
  assert.ok(text.includes(`d-i passwd/root-password-crypted password ${hashPassword('changeme', { salt: 'saltsaltsaltsalt' })}\n`));
  assert.doesNotMatch(text, /changeme|root-password-again/u);
  assert.throws(() => renderPreseed(read('debian12.cfg.tmpl'), { host: 'x' }), /unknown template variable "domain"/u);
});

test('scripts become one sh command line that writes and runs them (checked in a real sh)', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'remaster-preseed-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const body = `#!/bin/sh\necho "it's $((1+1))" > ${dir}/out\nprintf '%s\\n' 'a\\b %d' >> ${dir}/out\n`;
  const cmd = scriptCommand({ body }, `${dir}/s.sh`, { inTarget: false });
  assert.equal(shellQuotingProblem(cmd), undefined);
  assert.doesNotMatch(cmd, /\n/u);
  const r = spawnSync('sh', ['-c', cmd]);
  assert.equal(r.status, 0, r.stderr.toString());
  assert.equal(readFileSync(join(dir, 'out'), 'utf8'), "it's 2\na\\b %d\n");
  assert.equal(spawnSync('sh', ['-c', scriptCommand({ body: 'exit 3\n' }, `${dir}/f.sh`, { inTarget: false })]).status, 0, 'failures are ignored');
  assert.equal(spawnSync('sh', ['-c', scriptCommand({ body: 'exit 3\n', erroronfail: true }, `${dir}/g.sh`, { inTarget: false })]).status, 3);
});

test('early and late scripts are added to (or appended after) the template commands; chrooted late scripts use in-target', () => {
  const template = 'd-i preseed/late_command string echo first\n';
  const text = renderPreseed(template, {}, { early: [{ body: 'echo early\n' }], late: [{ body: 'echo late\n' }, { body: 'echo outside\n', nochroot: true }] });
  const model = parsePreseed(text);
  const value = (q: string) => model.nodes.flatMap((n) => (n.kind === 'answer' && n.question === q ? [n.value] : []));
  assert.equal(value('preseed/late_command').length, 1);
  assert.match(value('preseed/late_command')[0] as string, /^echo first; \{ printf .*> \/target\/tmp\/remaster-late-1\.sh && in-target \/bin\/sh \/tmp\/remaster-late-1\.sh; \} \|\| true; \{ printf .* \/tmp\/remaster-late-2\.sh && \/bin\/sh \/tmp\/remaster-late-2\.sh; \} \|\| true$/u);
  assert.match(value('preseed/early_command')[0] as string, /remaster-early-1\.sh/u);
  assert.deepEqual(lintPreseed(model, { unattended: false }), []);
});
