/** The files step takes package contents straight from a vendor .deb (or .rpm), at their own paths. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { hostEntries, parseRecipe, planRecipe, prepareBuild } from '../../src/index.ts';
import { buildImage } from '../helpers/edit.ts';
import { ensureFixtures } from '../helpers/fixtures.ts';
import { ensurePackages } from '../helpers/packages.ts';
import { tmpDir } from '../helpers/tmp-dir.ts';

test('files from a .deb land at their packaged paths and modes, selected by glob', async (t) => {
  const fx = await ensureFixtures(t);
  const pk = await ensurePackages(t);
  if (!fx || !pk) return;
  const dir = await tmpDir(t);
  await writeFile(join(dir, 'initrd.img'), await buildImage(await hostEntries(fx.small.root, '/'), 'gzip'));
  const text = `name: pkg
source:
  initrd: initrd.img
steps:
  - files:
      - package: ${relative(dir, pk.mdadm)}
        paths: ["sbin/mdadm", "lib/udev/rules.d/*"]
output:
  dir: out
`;
  const file = join(dir, 'pkg.yaml');
  const build = await prepareBuild(parseRecipe(text, file), file, text);
  const plan = planRecipe(build);
  const mdadm = plan.edit.adds.find((a) => a.path === 'sbin/mdadm');
  assert.equal(mdadm?.spec.mode, 0o755);
  assert.match(mdadm?.spec.source ?? '', /mdadm\.deb:\/sbin\/mdadm$/);
  assert.ok(plan.edit.adds.some((a) => /^lib\/udev\/rules\.d\/63-md-raid-arrays\.rules$/.test(a.path)));
  assert.ok(!plan.edit.adds.some((a) => a.path.startsWith('usr/share/doc')));
  await build.source.close();
});
