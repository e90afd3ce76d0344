import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parseRecipe, recipeJsonSchema, globToRegExp } from '../../../src/index.ts';

const good = `name: t
source:
  initrd: initrd.img
steps:
  - files:
      - from: a
        to: /a
output:
  dir: out
`;

test('parses a valid recipe and fills defaults', () => {
  const r = parseRecipe(good, 'r.yaml');
  assert.equal(r.output.mode, 'append');
  assert.deepEqual(r.steps[0], { files: [{ from: 'a', to: '/a' }] });
});

test('names file:line:column and the key path of a schema error', () => {
  const bad = good.replace('  - files:\n      - from: a\n        to: /a\n', '  - files:\n      - from: a\n        to: /a\n  - kernelModules: hpsa.ko\n');
  assert.throws(() => parseRecipe(bad, 'recipes/raid.yaml'), (err: Error & { code?: string; line?: number; column?: number }) => {
    assert.equal(err.code, 'RECIPE_SCHEMA');
    assert.equal(err.line, 8);
    assert.match(err.message, /^recipes\/raid\.yaml:8:20: steps\[1\]\.kernelModules must be a list, got a string \[RECIPE_SCHEMA\]$/);
    return true;
  });
});

test('reports an unknown key at its own line', () => {
  const bad = good.replace('  dir: out\n', '  dir: out\n  compresion: xz\n');
  assert.throws(() => parseRecipe(bad, 'r.yaml'), (err: Error & { line?: number }) => {
    assert.equal(err.line, 10);
    assert.match(err.message, /output has unknown key "compresion" \[RECIPE_SCHEMA\]/);
    return true;
  });
});

test('reports a wrong type with what was expected and what was found', () => {
  const bad = good.replace('  dir: out\n', '  dir: out\n  level: high\n');
  assert.throws(() => parseRecipe(bad, 'r.yaml'), /r\.yaml:10:10: output\.level must be a number, got a string \[RECIPE_SCHEMA\]/);
});

test('reports YAML syntax errors with their position', () => {
  assert.throws(() => parseRecipe('name: [unclosed\n', 'r.yaml'), (err: Error & { code?: string; line?: number }) => {
    assert.equal(err.code, 'RECIPE_SYNTAX');
    assert.equal(typeof err.line, 'number');
    return true;
  });
});

test('the published JSON Schema is the one the code enforces', () => {
  const committed = JSON.parse(readFileSync(new URL('../../../schema/recipe.schema.json', import.meta.url), 'utf8'));
  const { $id: _i, title: _t, ...rest } = committed;
  assert.deepEqual(rest, recipeJsonSchema());
});

test('globs match within a component with * and across components with **', () => {
  assert.ok(globToRegExp('/usr/share/doc/**').test('usr/share/doc/a/b'));
  assert.ok(globToRegExp('lib/modules/*/kernel/**/*.ko').test('lib/modules/6.1/kernel/drivers/scsi/hpsa.ko'));
  assert.ok(!globToRegExp('etc/*.conf').test('etc/a/b.conf'));
  assert.ok(globToRegExp('etc/*.conf').test('etc/b.conf'));
});
