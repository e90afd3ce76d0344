/**
 * `remaster answers lint|render` as users run it: the dialect picks the
 * format; findings print as `file:line: severity: message [CODE]`; exit 1 on
 * errors, 0 on a rendered template that lints clean.
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { test } from 'node:test';
import { runCli } from '../helpers/run-cli.ts';
import { tmpDir } from '../helpers/tmp-dir.ts';

const FIX = resolve(import.meta.dirname, '../../fixtures');

test('answers lint: preseed and user-data findings with line numbers, exit 1; kickstart as ks lint', async () => {
  const pre = await runCli(['answers', 'lint', '--dialect', 'debian12', join(FIX, 'preseed', 'broken-syntax.cfg')]);
  assert.equal(pre.code, 1);
  assert.ok(pre.stdout.includes(`${join(FIX, 'preseed', 'broken-syntax.cfg')}:9: error: preseed/late_command: the single quote at column 17 is never closed (d-i runs it with sh -c) [PS_COMMAND_QUOTING]\n`));
  const ai = await runCli(['answers', 'lint', '--dialect', 'ubuntu24.04', join(FIX, 'autoinstall', 'broken-schema.user-data')]);
  assert.equal(ai.code, 1);
  assert.ok(ai.stdout.includes(`${join(FIX, 'autoinstall', 'broken-schema.user-data')}:6: error: autoinstall.keyboard: unknown key "model" [AI_SCHEMA]\n`));
  assert.ok(ai.stdout.includes(`${join(FIX, 'autoinstall', 'broken-schema.user-data')}:13: warning: storage.layout.name "raid" is not one of direct, lvm, zfs, hybrid, dd: Subiquity installs the direct layout [AI_STORAGE]\n`));
  const ks = await runCli(['answers', 'lint', '--dialect', 'rhel8', join(FIX, 'kickstart', 'rhel8.ks')]);
  assert.equal(ks.code, 0, ks.stderr);
  assert.equal((await runCli(['answers', 'lint', '--dialect', 'solaris', join(FIX, 'kickstart', 'rhel8.ks')])).code, 2);
});

test('answers render: a preseed to stdout, autoinstall user-data and meta-data into a directory; both lint clean', async (t) => {
  const dir = await tmpDir(t);
  const vars = ['--var', 'host=web01', '--var', 'domain=example.com', '--var', 'mirror=deb.debian.org', '--var', 'rootpw=changeme'];
  const pre = await runCli(['answers', 'render', '--dialect', 'debian', join(FIX, 'preseed', 'debian12.cfg.tmpl'), ...vars]);
  assert.equal(pre.code, 0, pre.stderr);
  assert.match(pre.stdout, /^d-i passwd\/root-password-crypted password \$6\$/mu);
  const ai = await runCli(['answers', 'render', '--dialect', 'ubuntu', join(FIX, 'autoinstall', 'server.user-data.tmpl'), '--var', 'host=web01', '--var', 'password=x', '-o', dir]);
  assert.equal(ai.code, 0, ai.stderr);
  assert.match(await readFile(join(dir, 'meta-data'), 'utf8'), /^instance-id: /u);
  const lint = await runCli(['answers', 'lint', '--dialect', 'ubuntu', join(dir, 'user-data')]);
  assert.equal(lint.code, 0, lint.stdout);
  assert.equal(lint.stdout, '');
});
