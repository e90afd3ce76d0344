/**
 * The rough edges a new user trips on (#16 item 7), on the built binary with
 * output that is not a terminal: plain progress lines without listr2 glyphs,
 * the build output directory made with the caller's umask, `iso extract`
 * leaving directories the owner can delete, singular wording, examples in
 * `--help`, and `publish --http-root` without `--http-url` refused before
 * anything is written.
 */
import assert from 'node:assert/strict';
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { copyFile, mkdir, readdir, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { ensureFixtures } from '../helpers/fixtures.ts';
import { ensureIsoFixtures } from '../helpers/make-iso.ts';
import { CLI, runCli } from '../helpers/run-cli.ts';
import { tmpDir } from '../helpers/tmp-dir.ts';
import { requireTool } from '../helpers/tools.ts';

const GLYPHS = /[❯✔✖⚠↓→◼]/u;

/** A recipe directory around the small busybox initrd: one file added. */
async function smallRecipe(t: TestContext): Promise<string | undefined> {
  const fx = await ensureFixtures(t);
  if (!fx) return undefined;
  const dir = await tmpDir(t);
  await copyFile(fx.small.tinyGzip, join(dir, 'initrd.img'));
  await copyFile(fx.kernel.vmlinuz, join(dir, 'vmlinuz'));
  await writeFile(join(dir, 'motd'), 'hello\n');
  await writeFile(join(dir, 'r.yaml'), ['name: r', 'source:', '  kernel: vmlinuz', '  initrd: initrd.img', 'steps:', '  - files:', '      - from: motd', '        to: /etc/motd', 'output:', '  dir: out', ''].join('\n'));
  return dir;
}

test('progress on a pipe is plain lines: each step when it starts and when it is done, no glyphs', async (t) => {
  if (!requireTool(t, 'xorriso', 'mtype', 'mcopy', 'mdir')) return;
  const dir = await tmpDir(t);
  const r = await runCli(['iso', 'rebuild', join(await ensureIsoFixtures(), 'rhel9.iso'), '-o', join(dir, 'out.iso'), '--kernel-arg', 'console=ttyS0']);
  assert.equal(r.code, 0, r.stderr);
  assert.doesNotMatch(r.stderr + r.stdout, GLYPHS);
  assert.match(r.stderr, /^rebuild .*rhel9\.iso -> .*out\.iso \.\.\.$/mu);
  assert.match(r.stderr, /^rebuild .*rhel9\.iso -> .*out\.iso: done \(\d+\.\d s\)$/mu);
  const recipe = await smallRecipe(t);
  if (!recipe) return;
  const b = await runCli(['build', join(recipe, 'r.yaml')]);
  assert.equal(b.code, 0, b.stderr);
  assert.doesNotMatch(b.stderr, GLYPHS);
  assert.match(b.stderr, /: 1 segment, \d+ entries, kernel/u, 'one segment is "1 segment"');
  const quiet = await runCli(['--quiet', 'build', join(recipe, 'r.yaml')]);
  assert.equal(quiet.stderr, '');
});

test('build creates its output directory with the umask, as mkdir does', async (t) => {
  const recipe = await smallRecipe(t);
  if (!recipe) return;
  for (const [umask, mode] of [['022', 0o755], ['027', 0o750], ['077', 0o700]] as const) {
    const r: SpawnSyncReturns<string> = spawnSync('sh', ['-c', `umask ${umask} && exec "$0" "$@"`, process.execPath, CLI, '--quiet', 'build', join(recipe, 'r.yaml'), '--out', join(recipe, `out-${umask}`)], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    assert.equal((await stat(join(recipe, `out-${umask}`))).mode & 0o777, mode, `umask ${umask}`);
  }
});

test('the plan says what it adds in words: "1 file to add"', async (t) => {
  const recipe = await smallRecipe(t);
  if (!recipe) return;
  const r = await runCli(['build', '--dry-run', join(recipe, 'r.yaml')]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /Files \(step 1\): 1 file to add\b/u);
});

test('iso extract gives read-only directories write permission for their owner, so the tree can be deleted', async (t) => {
  if (!requireTool(t, 'xorriso')) return;
  const dir = await tmpDir(t);
  const root = join(dir, 'root');
  await mkdir(join(root, 'ro/sub'), { recursive: true });
  await writeFile(join(root, 'ro/sub/file'), 'x\n');
  const iso = join(dir, 'ro.iso');
  const made = spawnSync('xorriso', ['-outdev', iso, '-map', root, '/', '-chmod_r', 'a-w', '/ro', '--', '-commit'], { encoding: 'utf8' });
  assert.equal(made.status, 0, made.stderr);
  const out = join(dir, 'out');
  const r = await runCli(['iso', 'extract', iso, out]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal((await stat(join(out, 'ro'))).mode & 0o777, 0o755, 'r-xr-xr-x on the ISO, owner write added');
  assert.equal((await stat(join(out, 'ro/sub'))).mode & 0o777, 0o755);
  assert.equal((await stat(join(out, 'ro/sub/file'))).mode & 0o777, 0o444, 'files keep their mode');
});

test('--help of the main commands ends with examples', async () => {
  for (const args of [['inspect'], ['ls'], ['extract'], ['diff'], ['add'], ['build'], ['publish'], ['boot-test'], ['iso', 'inspect'], ['iso', 'rebuild'], ['iso', 'diff'], ['iso', 'extract']]) {
    const r = await runCli([...args, '--help']);
    assert.equal(r.code, 0, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stdout, new RegExp(`\\nExamples:\\n {2}remaster ${args.join(' ')} `, 'u'), args.join(' '));
  }
});

test('publish --http-root without --http-url is refused and writes nothing', async (t) => {
  const recipe = await smallRecipe(t);
  if (!recipe) return;
  const build = await runCli(['--quiet', 'build', join(recipe, 'r.yaml')]);
  assert.equal(build.code, 0, build.stderr);
  const http = join(recipe, 'www');
  await mkdir(http);
  const r = await runCli(['publish', join(recipe, 'out'), '--tftp-root', join(recipe, 'tftp'), '--http-root', http, '--no-ipxe']);
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, /an HTTP root needs the URL it is served at \(--http-url/u);
  assert.deepEqual(await readdir(http), []);
  assert.equal(await stat(join(recipe, 'tftp')).then(() => true, () => false), false, 'no TFTP tree either');
});
