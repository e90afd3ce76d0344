// Attack (or plain carelessness): a recipe's output.dir, or --out, names a
// directory that is not a build output: the recipe's own directory, a parent
// of it, the home directory, `/`, a directory holding the source initrd
// (directly or through a symlink). `remaster build` used to replace it with
// the build and delete everything that was there. It must refuse and leave
// the directory exactly as it was (content, mode, owner, mtime).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmod, mkdir, readdir, readFile, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { hostEntries } from '../../src/index.ts';
import { buildImage } from '../helpers/edit.ts';
import { runCli } from '../helpers/run-cli.ts';
import { tmpDir } from '../helpers/tmp-dir.ts';
import { snapshotTree } from '../helpers/tree-snapshot.ts';

const OVERLAY = new URL('../../overlays/demo/files', import.meta.url).pathname;

/** A work area: recipes/ with a recipe and its initrd, a decoy home with .ssh, a foreign directory. */
async function workArea(t: import('node:test').TestContext) {
  const base = await tmpDir(t, 'remaster-outdir-');
  const recipes = join(base, 'project', 'recipes');
  await mkdir(recipes, { recursive: true });
  await writeFile(join(recipes, 'initrd.img'), await buildImage(await hostEntries(OVERLAY, '/'), 'gzip'));
  const home = join(base, 'home');
  await mkdir(join(home, '.ssh'), { recursive: true });
  await writeFile(join(home, '.ssh', 'id_ed25519'), 'PRIVATE KEY\n');
  await chmod(join(home, '.ssh', 'id_ed25519'), 0o600);
  const foreign = join(base, 'photos');
  await mkdir(foreign);
  await writeFile(join(foreign, 'holiday.jpg'), 'not really a jpeg\n');
  // the CLI's compile cache (XDG_CACHE_HOME, else ~/.cache) lives outside the snapshotted area
  const cache = await tmpDir(t, 'remaster-outdir-cache-');
  return { base, recipes, home, foreign, cache };
}

function recipe(out: string, initrd = 'initrd.img'): string {
  return `name: outdir\nsource:\n  initrd: ${initrd}\nsteps: []\noutput:\n  dir: ${JSON.stringify(out)}\n`;
}

async function build(area: { base: string; home: string; cache: string }, recipeFile: string, extra: string[] = [], cwd = area.base) {
  return runCli(['build', recipeFile, '--quiet', ...extra], { cwd, env: { HOME: area.home, XDG_CACHE_HOME: area.cache } });
}

test('output.dir "." (the recipe\'s own directory) is refused and the recipe survives', async (t) => {
  const area = await workArea(t);
  const file = join(area.recipes, 'r.yaml');
  await writeFile(file, recipe('.'));
  const before = snapshotTree(area.base);
  const r = await build(area, file);
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.stderr, /recipes: output directory contains the input .*r\.yaml.* \[OUTPUT_HOLDS_INPUT\]/u);
  assert.deepEqual(snapshotTree(area.base), before);
});

test('an output directory that is a parent of the recipe is refused', async (t) => {
  const area = await workArea(t);
  const file = join(area.recipes, 'r.yaml');
  await writeFile(file, recipe('..'));
  const before = snapshotTree(area.base);
  const r = await build(area, file);
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.stderr, /\[OUTPUT_HOLDS_INPUT\]/u);
  assert.deepEqual(snapshotTree(area.base), before);
});

test('--out naming the home directory is refused and ~/.ssh is untouched', async (t) => {
  const area = await workArea(t);
  const file = join(area.recipes, 'r.yaml');
  await writeFile(file, recipe('build'));
  const before = snapshotTree(area.base);
  for (const extra of [[], ['--force']]) {
    const r = await build(area, file, ['--out', area.home, ...extra]);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /home: output directory is or contains your home directory/u);
  }
  assert.deepEqual(snapshotTree(area.base), before);
});

test('--out / is refused before anything is written (no /.new-* or /.old-* left)', async (t) => {
  const area = await workArea(t);
  const file = join(area.recipes, 'r.yaml');
  await writeFile(file, recipe('build'));
  const rootBefore = await readdir('/');
  const r = await build(area, file, ['--out', '/']);
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.stderr, /\[OUTPUT_HOLDS_INPUT\]/u);
  assert.deepEqual(await readdir('/'), rootBefore);
});

test('an output directory that contains the source initrd through a symlink is refused', async (t) => {
  const area = await workArea(t);
  const store = join(area.base, 'store');
  await mkdir(join(store, 'isos'), { recursive: true });
  await writeFile(join(store, 'isos', 'initrd.img'), await readFile(join(area.recipes, 'initrd.img')));
  await symlink(join(store, 'isos'), join(area.recipes, 'media'));
  await symlink(store, join(area.base, 'out-link'));
  const file = join(area.recipes, 'r.yaml');
  await writeFile(file, recipe(store, 'media/initrd.img'));
  const before = snapshotTree(area.base);
  for (const extra of [[], ['--force']]) {
    const r = await build(area, file, extra);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /store: output directory contains the input .*media\/initrd\.img/u);
  }
  // and the other way round: the output named through a symlink to a directory holding the input
  const r = await build(area, file, ['--out', join(area.base, 'out-link', 'isos')]);
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.stderr, /\[OUTPUT_HOLDS_INPUT\]/u);
  assert.deepEqual(snapshotTree(area.base), before);
});

test('an output directory holding an overlay the recipe injects is refused', async (t) => {
  const area = await workArea(t);
  await mkdir(join(area.recipes, 'overlay', 'etc'), { recursive: true });
  await writeFile(join(area.recipes, 'overlay', 'etc', 'motd'), 'hello\n');
  const file = join(area.recipes, 'r.yaml');
  await writeFile(file, `${recipe('overlay').replace('steps: []\n', 'steps:\n  - files:\n      - from: overlay\n        to: /\n')}`);
  const before = snapshotTree(area.base);
  const r = await build(area, file, ['--force']);
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.stderr, /overlay: output directory contains the input \S*recipes\/overlay; replacing it would delete it.* \[OUTPUT_HOLDS_INPUT\]/u);
  assert.deepEqual(snapshotTree(area.base), before);
});

test('a foreign non-empty directory is refused, and replaced only with --force', async (t) => {
  const area = await workArea(t);
  const file = join(area.recipes, 'r.yaml');
  await writeFile(file, recipe(area.foreign));
  const before = snapshotTree(area.base);
  const r = await build(area, file);
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.stderr, /photos: output directory is not empty and was not written by remaster build \(it holds holiday\.jpg\).*pass --force to replace it \[OUTPUT_EXISTS\]/u);
  assert.deepEqual(snapshotTree(area.base), before);
  const forced = await build(area, file, ['--force']);
  assert.equal(forced.code, 0, forced.stderr);
  assert.deepEqual((await readdir(area.foreign)).sort(), ['initrd.img', 'manifest.json']);
});

test('an empty directory and a previous build output are replaced; an extra file in an output makes it foreign', async (t) => {
  const area = await workArea(t);
  const out = join(area.base, 'out');
  await mkdir(out);
  const file = join(area.recipes, 'r.yaml');
  await writeFile(file, recipe(out));
  assert.equal((await build(area, file)).code, 0);
  const again = await build(area, file);
  assert.equal(again.code, 0, again.stderr);
  assert.deepEqual((await readdir(out)).sort(), ['initrd.img', 'manifest.json']);
  await writeFile(join(out, 'notes.txt'), 'mine\n');
  const r = await build(area, file);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /\[OUTPUT_EXISTS\]/u);
  assert.equal(await readFile(join(out, 'notes.txt'), 'utf8'), 'mine\n');
  assert.deepEqual((await readdir(area.base)).filter((n) => n.startsWith('.')), []);
});

test('a build whose source is the previous output of the same directory is refused', async (t) => {
  const area = await workArea(t);
  const out = join(area.base, 'out');
  const file = join(area.recipes, 'r.yaml');
  await writeFile(file, recipe(out));
  assert.equal((await build(area, file)).code, 0);
  const chained = join(area.recipes, 'chained.yaml');
  await writeFile(chained, recipe(out, join(out, 'initrd.img')));
  const before = snapshotTree(area.base);
  const r = await build(area, chained);
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.stderr, /out: output directory contains the input \S*out\/initrd\.img; .* \[OUTPUT_HOLDS_INPUT\]/u);
  assert.deepEqual(snapshotTree(area.base), before);
});
