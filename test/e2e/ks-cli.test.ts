/**
 * `remaster ks lint|render` as users run it: the built CLI (dist/cli/main.js)
 * as a child process on fixtures/kickstart; stdout, stderr and exit codes
 * (0 clean or warnings only, 1 lint errors or RemasterError, 2 usage).
 */
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { test } from 'node:test';
import { runCli } from '../helpers/run-cli.ts';
import { tmpDir } from '../helpers/tmp-dir.ts';

const FIX = resolve(import.meta.dirname, '../../fixtures/kickstart');
const LINE = /^[^:]+:\d+: (?:error|warning): .+ \[KS_[A-Z_]+\]$/u;

test('ks lint prints file:line: severity: message [CODE] and exits 1 on errors', async () => {
  const file = join(FIX, 'rhel9-mistakes.ks');
  const r = await runCli(['ks', 'lint', '--dialect', 'rhel9', file]);
  assert.equal(r.code, 1, r.stderr);
  const lines = r.stdout.trimEnd().split('\n');
  for (const line of lines) assert.match(line, LINE);
  assert.ok(lines.includes(`${file}:5: error: unknown command "timzone" (did you mean "timezone"?) [KS_UNKNOWN_COMMAND]`));
  assert.ok(lines.includes(`${file}:23: error: section %post does not end with %end (fatal on rhel9) [KS_MISSING_END]`));
  assert.match(r.stderr, /rhel9-mistakes\.ks: 9 errors \(2 would stall an unattended install\), 7 warnings for rhel9 \[KICKSTART_SYNTAX\]/u);
});

test('ks lint exits 0 when there are only warnings, and takes the dialect from #version=', async () => {
  const r = await runCli(['ks', 'lint', join(FIX, 'rhel8.ks')]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /rhel8\.ks:38: warning: .*\[KS_INTERPRETER_MISSING\]\n$/u);
  const clean = await runCli(['ks', 'lint', '--dialect', 'rhel5', join(FIX, 'rhel5.ks')]);
  assert.equal(clean.code, 0, clean.stderr);
  assert.equal(clean.stdout, `${join(FIX, 'rhel5.ks')}:15: warning: zerombr takes no options any more; remove them [KS_DEPRECATED_OPTION]\n`);
});

test('ks lint --json prints the issues; a RHEL kickstart linted for ubuntu fails on %end', async () => {
  const r = await runCli(['ks', 'lint', '--json', '--dialect', 'ubuntu', join(FIX, 'rhel7.ks')]);
  assert.equal(r.code, 1);
  const json = JSON.parse(r.stdout) as { dialect: string; issues: { line: number; code: string; severity: string }[] };
  assert.equal(json.dialect, 'ubuntu');
  assert.ok(json.issues.some((i) => i.code === 'KS_END_NOT_SUPPORTED' && i.line === 31 && i.severity === 'error'));
});

test('ks lint: --strict makes a plaintext rootpw an error; usage and input errors exit 2 and 1', async (t) => {
  const dir = await tmpDir(t);
  const file = join(dir, 'plain.ks');
  await writeFile(file, (await readFile(join(FIX, 'rhel9.ks'), 'utf8')).replace(/^rootpw .*$/mu, 'rootpw --plaintext secret'));
  assert.equal((await runCli(['ks', 'lint', file])).code, 0);
  const strict = await runCli(['--strict', 'ks', 'lint', file]);
  assert.equal(strict.code, 1);
  assert.match(strict.stdout, /plain\.ks:9: error: rootpw has a plaintext password/u);
  assert.equal((await runCli(['ks', 'lint', '--dialect', 'rhel4', file])).code, 2);
  const missing = await runCli(['ks', 'lint', join(dir, 'nope.ks')]);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /nope\.ks: no such file \[INPUT_NOT_FOUND\]/u);
  await writeFile(file, 'lang en_US\nbootloader --append="quiet\n');
  const syntax = await runCli(['ks', 'lint', file]);
  assert.equal(syntax.code, 1);
  assert.match(syntax.stdout, /plain\.ks:2: error: unterminated double quote \[KS_SYNTAX\]/u);
});

test('ks lint takes several files like ksvalidator, reads %ksappend relative to the working directory, and names the failing files', async (t) => {
  const dir = await tmpDir(t);
  await writeFile(join(dir, 'common.ks'), 'timezone Etc/UTC --utc\n');
  await writeFile(join(dir, 'a.ks'), 'lang en_US.UTF-8\n%ksappend common.ks\n');
  await writeFile(join(dir, 'b.ks'), 'lang en_US.UTF-8\n%ksappend missing.ks\nautopart --hibernation\n');
  const r = await runCli(['ks', 'lint', '--dialect', 'rhel9', '--no-unattended', 'a.ks', 'b.ks'], { cwd: dir });
  assert.equal(r.code, 1);
  assert.equal(r.stdout, [
    'b.ks:2: error: %ksappend missing.ks cannot be read [KS_KSAPPEND]',
    'b.ks:3: error: autopart: unrecognized arguments: --hibernation (autopart --hibernation exists in rhel10, fedora) [KS_UNKNOWN_OPTION]',
    '',
  ].join('\n'));
  assert.match(r.stderr, /1 of 2 files have errors:\n {2}b\.ks: 2 errors, 0 warnings for rhel9/u);
});

test('ks render fills variables, injects a %post with its #! interpreter, hashes passwords and lints clean', async (t) => {
  const dir = await tmpDir(t);
  const out = join(dir, 'web01.ks');
  const r = await runCli([
    'ks', 'render', join(FIX, 'host.ks.tmpl'), '--var', 'host=web01.example.com', '--var', 'repo=10.0.0.5', '--var', 'rootpw=s3cret',
    '--dialect', 'rhel9', '--post', join(FIX, 'post-register.sh'), '--hash-passwords', '-o', out,
  ]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, '');
  assert.match(r.stderr, /warning: .*host\.ks\.tmpl:7: rootpw: plaintext password replaced by a SHA-512 crypt hash/u);
  const text = await readFile(out, 'utf8');
  assert.match(text, /^network .*--hostname=web01\.example\.com$/mu);
  assert.match(text, /^rootpw --iscrypted '\$6\$[./0-9A-Za-z]{16}\$[./0-9A-Za-z]{86}'$/mu);
  assert.match(text, /\n%post --interpreter=\/usr\/bin\/bash\n#!\/usr\/bin\/bash\n(?:.*\n){2}%end\n$/u);
  const lint = await runCli(['ks', 'lint', '--strict', out]);
  assert.equal(lint.code, 0, lint.stdout);
});

test('ks render to stdout for ubuntu has no %end; an unknown variable exits 1 with its line', async () => {
  const r = await runCli(['ks', 'render', join(FIX, 'rhel6.ks'), '--dialect', 'ubuntu', '--post', join(FIX, 'post-register.sh')]);
  assert.equal(r.code, 0, r.stderr);
  assert.doesNotMatch(r.stdout, /%end/u);
  const bad = await runCli(['ks', 'render', join(FIX, 'host.ks.tmpl'), '--var', 'host=x']);
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /host\.ks\.tmpl:7:20: unknown template variable "rootpw"/u);
  assert.equal((await runCli(['ks', 'render', join(FIX, 'host.ks.tmpl'), '--var', 'novalue'])).code, 2);
});
