/**
 * Every shipped snippet is POSIX sh: `sh -n` under dash and busybox sh, and shellcheck in POSIX
 * mode (-s sh) with no finding at all for each file alone, and for every composed script as a
 * whole (there, unreachable library functions aside).
 * Headers parse; the files and SNIPPET_NAMES agree; and what a pre-stage snippet says it needs in
 * the image exists as a busybox applet.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { composeInstall, parseSnippet, SNIPPET_NAMES, type InstallSpec } from '../../../src/index.ts';
import { ensureFixtures } from '../../helpers/fixtures.ts';
import { SNIPPETS_DIR } from '../../helpers/snippets.ts';
import { requireTool } from '../../helpers/tools.ts';
import { tmpDir } from '../../helpers/tmp-dir.ts';

const files = readdirSync(SNIPPETS_DIR).filter((f) => f.endsWith('.sh')).sort();
const texts = new Map(files.map((f) => [f, readFileSync(join(SNIPPETS_DIR, f), 'utf8')]));

test('snippets/ holds exactly the snippets the composer knows, each with a parsable header', () => {
  assert.deepEqual(files, [...SNIPPET_NAMES].sort());
  for (const [name, text] of texts) {
    const s = parseSnippet(name, text);
    assert.ok(s.summary.length > 10, `${name}: a summary line`);
    assert.ok(s.stages.every((x) => x === 'pre' || x === 'post'), `${name}: Stage is pre and/or post`);
    for (const lib of s.uses) assert.ok(texts.has(lib), `${name} uses ${lib}, a snippet`);
    // Sourcing a snippet must run nothing: with no PATH, any command would fail and print.
    const sourced = spawnSync('/bin/sh', ['-c', `PATH=/nonexistent; . '${join(SNIPPETS_DIR, name)}'; echo sourced`], { encoding: 'utf8' });
    assert.equal(`${sourced.stdout}${sourced.stderr}`, 'sourced\n', `${name}: only function definitions at the top level`);
    if (s.entry !== undefined) assert.match(s.body, new RegExp(`^${s.entry}\\(\\) [({]`, 'mu'), `${name}: defines its entry ${s.entry}`);
  }
});

test('every snippet passes sh -n (dash and busybox) and shellcheck -s sh', async (t) => {
  if (!requireTool(t, 'shellcheck', 'dash')) return;
  const fx = await ensureFixtures(t);
  if (!fx) return;
  const busybox: string = fx.busybox;
  for (const name of files) {
    const path = join(SNIPPETS_DIR, name);
    const dash = spawnSync('dash', ['-n', path], { encoding: 'utf8' });
    assert.equal(dash.status, 0, `dash -n ${name}: ${dash.stderr}`);
    const bb = spawnSync(busybox, ['sh', '-n', path], { encoding: 'utf8' });
    assert.equal(bb.status, 0, `busybox sh -n ${name}: ${bb.stderr}`);
  }
  const sc = spawnSync('shellcheck', ['-s', 'sh', '-f', 'gcc', ...files.map((f) => join(SNIPPETS_DIR, f))], { encoding: 'utf8' });
  assert.equal(sc.status, 0, `shellcheck:\n${sc.stdout}${sc.stderr}`);
});

test('the scripts composed from every snippet pass sh -n and shellcheck -s sh as a whole', async (t) => {
  if (!requireTool(t, 'shellcheck', 'dash')) return;
  const dir = await tmpDir(t);
  const spec = (raid: InstallSpec['raid'], bootstrap: InstallSpec['bootstrap']): InstallSpec => ({
    inventory: true, require: { disks: { count: '>=2', minSize: '100GiB' }, memory: '>=16GiB', controllers: ['hpsa'], dmi: { vendor: 'HPE*' } }, raid, bootstrap,
  });
  const cases: InstallSpec[] = [
    spec({ level: 1, disks: 2, device: 'md0', wipe: false, storage: ['ignoredisk --only-use=@DEVICE@'] }, { facts: { role: "it's" }, salt: { master: 'salt', install: true } }),
    spec({ level: 10, disks: ['1I:1:1', '1I:1:2', '1I:1:3', '1I:1:4'], vendor: 'hpe', device: 'md0', wipe: true }, { puppet: { server: 'puppet', challenge: 's3cret', install: false } }),
    spec({ level: 5, disks: 3, vendor: 'dell', device: 'md0', wipe: false, controller: 1 }, { ansible: { url: 'https://git.example/site.git', install: 'ansible-core git' } }),
  ];
  let n = 0;
  for (const c of cases) {
    for (const s of composeInstall(c, texts, { format: 'kickstart' }).scripts) {
      const path = join(dir, `composed-${n++}.sh`);
      writeFileSync(path, `#!/bin/sh\n${s.body}`);
      assert.equal(spawnSync('dash', ['-n', path]).status, 0, `dash -n on the ${s.stage} script of ${s.origin}`);
      // SC2317 (unreachable command) is left out: a composed script carries whole libraries, not every function of which it calls.
      const sc = spawnSync('shellcheck', ['-s', 'sh', '-f', 'gcc', '-e', 'SC2317', path], { encoding: 'utf8' });
      assert.equal(sc.status, 0, `shellcheck on the ${s.stage} script of ${s.origin}:\n${sc.stdout}`);
    }
  }
  assert.equal(n, 9);
});

test('what a pre-stage snippet needs in the image is a busybox applet', async (t) => {
  const fx = await ensureFixtures(t);
  if (!fx) return;
  const applets = new Set(spawnSync(fx.busybox, ['--list'], { encoding: 'utf8' }).stdout.split('\n'));
  for (const [name, text] of texts) {
    const s = parseSnippet(name, text);
    if (!s.stages.includes('pre')) continue;
    // The applet list is what comes before the first comma or semicolon ("..., and curl or wget").
    const needed = (s.fields.Image ?? '').split(/[,;]/u)[0]?.trim().split(/\s+/u) ?? [];
    assert.ok(needed.length >= 3, `${name}: Image lists the applets it uses`);
    for (const a of needed) assert.ok(applets.has(a), `${name} needs ${a}, which busybox does not have`);
  }
});
