/**
 * The install: section from the command line: `ks render --recipe --explain` attributes every
 * line (template, script file, recipe key, snippet) and prints nothing the plain render does not;
 * `build --dry-run` shows where each snippet binary comes from, or fails naming the missing one.
 */
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { buildImage } from '../helpers/edit.ts';
import { runCli } from '../helpers/run-cli.ts';
import { tmpDir } from '../helpers/tmp-dir.ts';

const TEMPLATE = 'text\ntimezone Etc/UTC\nrootpw --lock\nuser --name=a --groups=wheel --iscrypted --password=$6$x$y\nurl --url=http://repo.invalid/\nreboot\n%packages\n@core\n%end\n';

async function project(t: import('node:test').TestContext, install: string): Promise<string> {
  const dir = await tmpDir(t);
  await writeFile(join(dir, 'ks.tmpl'), TEMPLATE);
  await writeFile(join(dir, 'site.sh'), '#!/bin/sh\necho site\n');
  await writeFile(join(dir, 'initrd.img'), await buildImage([{ path: 'bin/busybox', type: 'file', mode: 0o755, data: new Uint8Array([1]), size: 1 }], 'gzip'));
  await writeFile(join(dir, 'r.yaml'), `name: t\nsource:\n  initrd: initrd.img\nkickstart:\n  template: ks.tmpl\n  dialect: rhel9\n  pre: [site.sh]\ninstall:\n${install}output:\n  dir: out\n`);
  return dir;
}

const RAID = '  inventory: true\n  raid:\n    level: 1\n    disks: 2\n    storage: ["ignoredisk --only-use=@DEVICE@", "autopart"]\n';

test('ks render --recipe --explain: every line with its origin, and the same text as the plain render', async (t) => {
  const dir = await project(t, `${RAID}  present: [mdadm]\n`);
  const plain = await runCli(['ks', 'render', '--recipe', join(dir, 'r.yaml')]);
  assert.equal(plain.code, 0, plain.stderr);
  const explained = await runCli(['ks', 'render', '--recipe', join(dir, 'r.yaml'), '--explain']);
  assert.equal(explained.code, 0, explained.stderr);
  const rows = explained.stdout.trimEnd().split('\n').map((l) => {
    const at = l.indexOf(' | ');
    return [l.slice(0, at).trim(), l.slice(at + 3)] as const;
  });
  assert.equal(rows.map(([, text]) => `${text}\n`).join(''), plain.stdout);
  const origin = (text: string) => rows.find(([, x]) => x === text)?.[0];
  assert.equal(origin('text'), 'ks.tmpl:1');
  assert.equal(origin('%include /tmp/remaster-storage.ks'), 'install.raid');
  assert.equal(origin('%pre --log=/tmp/remaster-pre.log --erroronfail'), 'install.inventory, install.raid');
  assert.equal(origin("REMASTER_RAID_LEVEL='1'"), 'install.raid');
  assert.equal(origin('remaster_raid_mdadm() ('), 'snippets/raid-mdadm.sh');
  assert.equal(origin('remaster_inventory() ('), 'snippets/inventory.sh');
  assert.equal(origin('remaster_raid_mdadm || exit 1'), 'install (run)');
  assert.equal(origin('echo site'), 'site.sh');
  // The install %pre runs before the recipe's own %pre.
  assert.ok(plain.stdout.indexOf('remaster_raid_mdadm || exit 1') < plain.stdout.indexOf('echo site'));
});

test('build --dry-run names where each snippet binary comes from, or fails naming the snippet and the binary', async (t) => {
  const ok = await project(t, `${RAID}  present: [mdadm]\n`);
  const plan = await runCli(['build', join(ok, 'r.yaml'), '--dry-run', '--json']);
  assert.equal(plan.code, 0, plan.stderr);
  const json = JSON.parse(plan.stdout) as { install: { snippets: string[]; scripts: string[]; binaries: unknown[] } };
  assert.deepEqual(json.install.binaries, [{ snippet: 'raid-mdadm.sh', name: 'mdadm', via: 'install.present' }]);
  assert.deepEqual(json.install.scripts, ['pre: install.inventory, install.raid']);
  const missing = await project(t, RAID);
  const r = await runCli(['build', join(missing, 'r.yaml'), '--dry-run']);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /r\.yaml: install\.raid \(snippets\/raid-mdadm\.sh\) needs mdadm, which the build does not provide: add it to install\.tools .* \[INSTALL_MISSING_BINARY\]/u);
});
