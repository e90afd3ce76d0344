// Every module of the build loads (node-tar's load-all): a file no test imports still compiles and evaluates.
// cli/main.js and cli/run.js are left out: they run the CLI when loaded, by design.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const DIST = resolve(import.meta.dirname, '../../dist');

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? files(p) : p.endsWith('.js') && !/cli\/(main|run)\.js$/.test(p) ? [p] : [];
  });
}

test('every built module loads without side effects beyond definitions', async () => {
  const all = files(DIST);
  assert.ok(all.length > 150, `only ${all.length} modules in dist/ (run npm run build)`);
  for (const f of all) await import(pathToFileURL(f).href);
  const lib = await import(pathToFileURL(join(DIST, 'index.js')).href);
  for (const name of ['readInitrd', 'writeInitrd', 'readIso', 'rebuildIso', 'loadRecipe', 'publishTree', 'bootTest', 'runDepmod', 'lintKickstart', 'createTftpServer', 'openServedFile']) {
    assert.equal(typeof lib[name], 'function', name);
  }
});
