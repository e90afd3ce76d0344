/**
 * Autoinstall user-data: golden lint results with line numbers for broken
 * files (fixtures/autoinstall/<name>.lint.json, UPDATE_GOLDEN=1 to
 * regenerate and review), and rendering: variables, a hashed
 * identity.password, scripts appended to early/late-commands, meta-data.
 */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { test } from 'node:test';
import { parse } from 'yaml';
import { hashPassword, lintAutoinstall, renderAutoinstall } from '../../../src/index.ts';

const DIR = new URL('../../../fixtures/autoinstall/', import.meta.url);
const read = (name: string) => readFileSync(new URL(name, DIR), 'utf8');

for (const name of ['broken-schema', 'broken-form', 'broken-yaml', 'no-autoinstall']) {
  test(`lint of ${name}.user-data matches ${name}.lint.json`, () => {
    const issues = lintAutoinstall(read(`${name}.user-data`));
    const actual = `${JSON.stringify(issues, null, 2)}\n`;
    if (process.env.UPDATE_GOLDEN === '1') writeFileSync(new URL(`${name}.lint.json`, DIR), actual);
    assert.equal(actual, read(`${name}.lint.json`));
    assert.ok(issues.length > 0 && issues.every((i) => i.line >= 1));
  });
}

test('a rendered template lints clean; the password is hashed; scripts join the command lists; meta-data names the instance', () => {
  const r = renderAutoinstall(read('server.user-data.tmpl'), { host: 'web01', password: 'changeme' }, {
    salt: 'saltsaltsaltsalt', early: [{ body: 'echo early\n' }], late: [{ body: 'echo late\n' }],
  });
  assert.deepEqual(lintAutoinstall(r.userData), []);
  const ai = (parse(r.userData) as { autoinstall: Record<string, unknown> }).autoinstall;
  assert.equal((ai['identity'] as Record<string, string>)['password'], hashPassword('changeme', { salt: 'saltsaltsaltsalt' }));
  assert.equal((ai['identity'] as Record<string, string>)['hostname'], 'web01');
  const late = ai['late-commands'] as string[];
  assert.equal(late[0], 'echo done > /target/root/remaster-done');
  assert.match(late[1] as string, /curtin in-target --target=\/target -- \/bin\/sh \/tmp\/remaster-late-1\.sh/u);
  assert.match((ai['early-commands'] as string[])[0] as string, /\/tmp\/remaster-early-1\.sh/u);
  assert.match(r.metaData, /^instance-id: remaster-[0-9a-f]{16}\n$/u);
  assert.ok(r.userData.startsWith('#cloud-config\n'));
});
