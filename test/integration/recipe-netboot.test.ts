/**
 * A Debian netboot.tar.gz as the recipe source: the tarball is laid out like
 * debian-installer's (debian-installer/amd64/linux and initrd.gz, plus the
 * pxelinux files), made with GNU tar from the real installer kernel and initrd.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { copyFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { applyPlan, parseRecipe, planRecipe, prepareBuild } from '../../src/index.ts';
import { ensureFixtures } from '../helpers/fixtures.ts';
import { requireTool } from '../helpers/tools.ts';
import { tmpDir } from '../helpers/tmp-dir.ts';

test('builds from a Debian netboot.tar.gz: kernel and initrd found by layout, overlay appended', async (t) => {
  if (!requireTool(t, 'tar')) return;
  const fx = await ensureFixtures(t);
  if (!fx) return;
  const dir = await tmpDir(t);
  const tree = join(dir, 'tree/debian-installer/amd64');
  await mkdir(join(tree, 'boot-screens'), { recursive: true });
  await copyFile(fx.di.linux, join(tree, 'linux'));
  await copyFile(fx.di.initrdGz, join(tree, 'initrd.gz'));
  await writeFile(join(tree, 'boot-screens/syslinux.cfg'), 'default install\n');
  execFileSync('tar', ['-czf', join(dir, 'netboot.tar.gz'), '-C', join(dir, 'tree'), '.']);
  await writeFile(join(dir, 'preseed.cfg'), 'd-i debian-installer/locale string en_US.UTF-8\n');
  const text = `name: netboot
source:
  netboot: netboot.tar.gz
steps:
  - files:
      - from: preseed.cfg
        to: /preseed.cfg
output:
  dir: out
`;
  const file = join(dir, 'netboot.yaml');
  await writeFile(file, text);
  const build = await prepareBuild(parseRecipe(text, file), file, text);
  const plan = planRecipe(build);
  assert.equal(plan.source.initrd, 'netboot.tar.gz:debian-installer/amd64/initrd.gz');
  const result = await applyPlan(plan, build);
  const original = await readFile(fx.di.initrdGz);
  const out = await readFile(join(result.dir, 'initrd.img'));
  assert.equal(Buffer.compare(out.subarray(0, original.length), original), 0);
  assert.equal(Buffer.compare(await readFile(join(result.dir, 'vmlinuz')), await readFile(fx.di.linux)), 0);
  assert.ok(result.manifest.files.some((f) => f.path === 'preseed.cfg'));
});

test('a netboot tarball without an installer layout names what is missing', async (t) => {
  if (!requireTool(t, 'tar')) return;
  const dir = await tmpDir(t);
  await mkdir(join(dir, 'tree'));
  await writeFile(join(dir, 'tree/readme'), 'x');
  execFileSync('tar', ['-czf', join(dir, 'nb.tar.gz'), '-C', join(dir, 'tree'), '.']);
  const text = 'name: x\nsource:\n  netboot: nb.tar.gz\noutput:\n  dir: out\n';
  const file = join(dir, 'x.yaml');
  await assert.rejects(prepareBuild(parseRecipe(text, file), file, text), /nb\.tar\.gz: no kernel in the netboot tarball.*\[INPUT_NOT_FOUND\]/);
});
