// Attack (issue 10 item 6): entry names, link targets, kernel-version directories and ISO names made
// of terminal controls. Printed raw, ESC [2J clears the screen, ESC ]0;…BEL retitles the terminal, CR
// and BS overwrite what was printed, a newline forges a listing line, and C1 controls (U+009B is an
// 8-bit CSI) act on terminals that honour them. The built CLI must print every one of them as `\ooo`
// (backslash as `\\`) in human output and as JSON escapes with --json, on stdout and stderr alike.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { runCli } from '../helpers/run-cli.ts';
import { makeCpio, type MakeEntry } from '../helpers/make-cpio.ts';
import { makeIso } from '../helpers/make-iso.ts';
import { tmpDir } from '../helpers/tmp-dir.ts';

const CLEAR = 'evil\x1b[2J\x1b]0;pwned\x07';
const FORGED = 'line\n 1 -rw-r--r--   1 0     0              0 2023-11-14 22:13 forged';
const OVERWRITE = 'cr\rbs\b';
const C1 = 'c1\u009b31m';
const BACKSLASH = 'back\\033slash';
const TARGET = '\x1b[31mred';
const KVER = '6.1\x1b[2J-evil';

/** Raw control bytes that must never reach a terminal: C0 except LF, DEL, and C1 (as UTF-8). */
function assertNoControls(text: string, what: string): void {
  const bad = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/u.exec(text);
  assert.equal(bad, null, `${what} has a raw control character U+${bad?.[0].codePointAt(0)?.toString(16).padStart(4, '0')}: ${JSON.stringify(text.slice(Math.max(0, (bad?.index ?? 0) - 20), (bad?.index ?? 0) + 20))}`);
}

const entries = (content: string): MakeEntry[] => [
  { name: 'lib', mode: 0o40755 },
  { name: 'lib/modules', mode: 0o40755 },
  { name: `lib/modules/${KVER}`, mode: 0o40755 },
  { name: CLEAR, data: content },
  { name: FORGED, data: content },
  { name: OVERWRITE, data: content },
  { name: C1, data: content },
  { name: BACKSLASH, data: content },
  { name: 'link', mode: 0o120777, data: TARGET },
];

async function images(dir: string): Promise<{ a: string; b: string }> {
  const a = join(dir, 'a.img');
  const b = join(dir, 'b.img');
  await writeFile(a, gzipSync(makeCpio(entries('one\n'))));
  await writeFile(b, gzipSync(makeCpio([...entries('two\n'), { name: `new-${CLEAR}`, data: 'x' }])));
  return { a, b };
}

test('ls, inspect and diff print hostile names escaped (ls -b style), one line per entry', async (t) => {
  const dir = await tmpDir(t);
  const { a, b } = await images(dir);
  const ls = await runCli(['ls', a]);
  assert.equal(ls.code, 0, ls.stderr);
  assertNoControls(ls.stdout, 'ls');
  assert.equal(ls.stdout.trimEnd().split('\n').length, entries('').length, 'no forged lines');
  for (const escaped of ['evil\\033[2J\\033]0;pwned\\007', 'line\\012 1 -rw-r--r--', 'cr\\015bs\\010', 'c1\\23331m', 'back\\\\033slash', 'link -> \\033[31mred', '6.1\\033[2J-evil']) {
    assert.ok(ls.stdout.includes(escaped), `ls shows ${escaped}`);
  }
  const inspect = await runCli(['inspect', a]);
  assert.equal(inspect.code, 0, inspect.stderr);
  assertNoControls(inspect.stdout, 'inspect');
  assert.match(inspect.stdout, /kernel versions: 6\.1\\033\[2J-evil/);
  const diff = await runCli(['diff', a, b]);
  assert.equal(diff.code, 0, diff.stderr);
  assertNoControls(diff.stdout + diff.stderr, 'diff');
  assert.ok(diff.stdout.includes('~ evil\\033[2J\\033]0;pwned\\007: content'), diff.stdout);
  assert.ok(diff.stdout.includes('+ file    0644 0:0                1 new-evil\\033[2J'), diff.stdout);
  assert.equal(diff.stdout.trimEnd().split('\n').length, 6, 'five changed files and one added, no forged lines');
});

test('--json escapes C1 controls too and round-trips every name', async (t) => {
  const dir = await tmpDir(t);
  const { a, b } = await images(dir);
  for (const args of [['ls', '--json', a], ['inspect', '--json', a], ['diff', '--json', a, b]]) {
    const r = await runCli(args);
    assert.equal(r.code, 0, r.stderr);
    assertNoControls(r.stdout, args.join(' '));
  }
  const names = (await runCli(['ls', '--json', a])).stdout.trimEnd().split('\n').map((l) => (JSON.parse(l) as { name: string }).name);
  for (const n of [CLEAR, FORGED, OVERWRITE, C1, BACKSLASH]) assert.ok(names.includes(n), `JSON keeps ${JSON.stringify(n)}`);
  const inspect = JSON.parse((await runCli(['inspect', '--json', a])).stdout) as { kernelVersions: string[] };
  assert.deepEqual(inspect.kernelVersions, [KVER]);
});

test('warnings and errors that quote a hostile entry name are escaped on stderr', async (t) => {
  const dir = await tmpDir(t);
  // A directory that carries data: the reader warns and names the entry.
  const warned = join(dir, 'warned.img');
  await writeFile(warned, makeCpio([{ name: `d${C1}${CLEAR}`, mode: 0o40755, data: 'x' }]));
  const ls = await runCli(['ls', warned]);
  assert.equal(ls.code, 0, ls.stderr);
  assert.match(ls.stderr, /warning: .*entry "d.*non-regular entry carries 1 data bytes/);
  assertNoControls(ls.stderr, 'warning');
  // An entry climbing out of the target: extract refuses it and names it.
  const escaping = join(dir, 'escaping.img');
  await writeFile(escaping, makeCpio([{ name: `../${C1}${CLEAR}`, data: 'x' }]));
  const ex = await runCli(['extract', escaping, join(dir, 'out')]);
  assert.notEqual(ex.code, 0);
  assert.match(ex.stderr, /\[PATH_ESCAPE\]/);
  assertNoControls(ex.stderr, 'error');
  // A failing progress step: the step lines quote the image's name, the error the entry's.
  const host = join(dir, 'host');
  await writeFile(host, 'x');
  const file = join(dir, `file${CLEAR}.img`);
  await writeFile(file, makeCpio([{ name: `f${C1}${CLEAR}`, data: 'x' }]));
  const add = await runCli(['add', file, `${host}:/f${C1}${CLEAR}/below`, '-o', join(dir, 'out.img')]);
  assert.equal(add.code, 1, add.stderr);
  assert.match(add.stderr, /Scanned .*file.*\\033\[2J.*: done/);
  assert.match(add.stderr, /: failed\n.*\[EDIT_CONFLICT\]/);
  assertNoControls(add.stderr, 'failed step');
});

test('iso ls prints hostile Rock Ridge names and link targets escaped', async (t) => {
  const dir = await tmpDir(t);
  const iso = join(dir, 'evil.iso');
  await writeFile(iso, makeIso([{ name: CLEAR, data: new TextEncoder().encode('x') }, { name: C1, linkTarget: TARGET }, { name: 'ok', data: new Uint8Array(1) }]).bytes);
  const r = await runCli(['iso', 'ls', iso]);
  assert.equal(r.code, 0, r.stderr);
  assertNoControls(r.stdout + r.stderr, 'iso ls');
  assert.ok(r.stdout.includes('/evil\\033[2J\\033]0;pwned\\007'), r.stdout);
  assert.ok(r.stdout.includes('/c1\\23331m -> \\033[31mred'), r.stdout);
  const json = await runCli(['iso', 'ls', '--json', iso]);
  assertNoControls(json.stdout, 'iso ls --json');
  assert.ok(json.stdout.trimEnd().split('\n').some((l) => (JSON.parse(l) as { path: string }).path === `/${C1}`));
});
