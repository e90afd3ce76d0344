import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { ensureFixtures } from '../helpers/fixtures.ts';
import { ensurePackages } from '../helpers/packages.ts';
import { runCli } from '../helpers/run-cli.ts';
import { tmpDir } from '../helpers/tmp-dir.ts';

test('inject-module adds hpsa to the real installer initrd and regenerates the indexes', async (t) => {
  const fx = await ensureFixtures(t);
  if (!fx) return;
  const dir = await tmpDir(t);
  const out = join(dir, 'out.img');
  const ko = join(fx.dir, 'real/modules', fx.di.kver, 'kernel/drivers/scsi/hpsa.ko');
  const r = await runCli(['inject-module', fx.di.initrdGz, ko, '-o', out, '--quiet']);
  assert.equal(r.code, 0, r.stderr);
  const ls = await runCli(['ls', out, '--segment', '2']);
  assert.match(ls.stdout, new RegExp(`lib/modules/${fx.di.kver}/updates/hpsa\\.ko$`, 'm'));
  assert.match(ls.stdout, new RegExp(`lib/modules/${fx.di.kver}/modules\\.dep\\.bin$`, 'm'));
});

test('inject-module refuses a module built for another kernel, showing both vermagics, and writes nothing', async (t) => {
  const fx = await ensureFixtures(t);
  if (!fx) return;
  const dir = await tmpDir(t);
  const other = join(fx.kernel.modulesDir, 'kernel/drivers/scsi/hpsa.ko');
  const r = await runCli(['inject-module', fx.di.initrdGz, other, '-o', join(dir, 'out.img'), '--quiet']);
  assert.equal(r.code, 1);
  assert.match(r.stderr, new RegExp(`${fx.kernel.kver}.*${fx.di.kver}|${fx.di.kver}.*${fx.kernel.kver}`));
  assert.match(r.stderr, /\[MODULE_VERMAGIC_MISMATCH\]/);
  assert.deepEqual(await readdir(dir), []);
});

test('inject-module names a dependency that is neither in the initrd nor given', async (t) => {
  const fx = await ensureFixtures(t);
  if (!fx) return;
  const dir = await tmpDir(t);
  // megaraid_mbox needs megaraid_mm, which the installer initrd does not have.
  const ko = join(fx.dir, 'real/modules', fx.di.kver, 'kernel/drivers/scsi/megaraid/megaraid_mbox.ko');
  const r = await runCli(['inject-module', fx.di.initrdGz, ko, '-o', join(dir, 'out.img'), '--quiet']);
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.stderr, /megaraid_mbox needs megaraid_mm.*\[MODULE_MISSING_DEPENDENCY\]/);
  const both = await runCli(['inject-module', fx.di.initrdGz, ko, join(fx.dir, 'real/modules', fx.di.kver, 'kernel/drivers/scsi/megaraid/megaraid_mm.ko'), '-o', join(dir, 'out.img'), '--quiet']);
  assert.equal(both.code, 0, both.stderr);
});

test('inject-binary refuses a tool whose library is missing, naming it', async (t) => {
  const fx = await ensureFixtures(t);
  const pk = await ensurePackages(t);
  if (!fx || !pk) return;
  const dir = await tmpDir(t);
  // The busybox test initrd has no libc and no libudev; the bare mdadm package has neither either.
  const { buildImage } = await import('../helpers/edit.ts');
  const { hostEntries } = await import('../../src/index.ts');
  const { writeFile } = await import('node:fs/promises');
  await writeFile(join(dir, 'tiny.img'), await buildImage(await hostEntries(fx.small.root, '/'), 'gzip'));
  const r = await runCli(['inject-binary', join(dir, 'tiny.img'), '/sbin/mdadm', '--sysroot', pk.mdadm, '-o', join(dir, 'out.img'), '--quiet']);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /mdadm\.deb: entry "\/sbin\/mdadm": library \S*(ld-linux-x86-64\.so\.2|libudev\.so\.1) needed by \/sbin\/mdadm not found.*\[LIBRARY_NOT_FOUND\]/);
  const ok = await runCli(['inject-binary', join(dir, 'tiny.img'), '/sbin/mdadm', '--sysroot', pk.sysroot, '-o', join(dir, 'out.img'), '--quiet']);
  assert.equal(ok.code, 0, ok.stderr);
  const ls = await runCli(['ls', join(dir, 'out.img')]);
  assert.match(ls.stdout, /sbin\/mdadm$/m);
  assert.match(ls.stdout, /libudev\.so\.1/);
  assert.match(ls.stdout, /ld-linux-x86-64\.so\.2/);
});
