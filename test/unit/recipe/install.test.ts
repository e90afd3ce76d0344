/**
 * The recipe's install: section: schema errors with file:line:column and key path, and the
 * planner's search for the binaries the snippets need (tools, image, present) with the
 * placement each installer wants.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseRecipe, prepareInstall, scanInitrd, type AddSpec } from '../../../src/index.ts';
import { buildImage } from '../../helpers/edit.ts';

const recipe = (install: string, answers = 'kickstart:\n  template: ks.tmpl\n') => `name: t
source:
  initrd: initrd.img
${answers}install:
${install}output:
  dir: out
`;

function schemaError(text: string): { line?: number; column?: number; message: string } {
  try {
    parseRecipe(text, 'r.yaml');
  } catch (err) {
    assert.equal((err as { code?: string }).code, 'RECIPE_SCHEMA');
    return err as Error & { line?: number; column?: number };
  }
  assert.fail('no schema error');
}

test('install: schema errors carry the position and the key path', () => {
  assert.match(schemaError(recipe('  require:\n    memory: ">=16G"\n')).message, /^r\.yaml:8:13: install\.require\.memory: a comparison with a size such as ">=16GiB"/u);
  assert.match(schemaError(recipe('  raid: { level: 5, disks: 2 }\n')).message, /^r\.yaml:7:28: install\.raid\.disks: RAID 5 needs at least 3 disks, got 2 \[RECIPE_SCHEMA\]$/u);
  assert.match(schemaError(recipe('  raid: { level: 3, disks: 2 }\n')).message, /^r\.yaml:7:18: install\.raid\.level: must be one of 0, 1, 5, 6, 10 \[RECIPE_SCHEMA\]$/u);
  assert.match(schemaError(recipe('  require:\n    disks: { count: 2 }\n')).message, /^r\.yaml:8:21: install\.require\.disks\.count must be a string, got a number/u);
  assert.match(schemaError(recipe('  require:\n    gpus: ">=1"\n')).message, /^r\.yaml:8:5: install\.require has unknown key "gpus"/u);
  assert.match(schemaError(recipe('  raid: { level: 1, disks: 2, storage: ["%include /x"] }\n')).message, /^r\.yaml:7:41: install\.raid\.storage\[0\]: a storage line is a kickstart command/u);
  assert.match(schemaError(recipe('  bootstrap:\n    salt: { master: "a b" }\n')).message, /^r\.yaml:8:21: install\.bootstrap\.salt\.master: the master without spaces/u);
  assert.match(schemaError(recipe('  inventory: true\n', '')).message, /^r\.yaml:5:3: install: needs a kickstart: or answers: section to carry its scripts \[RECIPE_SCHEMA\]$/u);
  const ok = parseRecipe(recipe('  inventory: true\n  require: { disks: ">=2", nics: { count: ">=1" } }\n  raid: { level: 1, disks: [sdb, sdc] }\n'), 'r.yaml');
  assert.deepEqual(ok.install?.raid, { level: 1, disks: ['sdb', 'sdc'], device: 'md0', wipe: false });
});

async function index(paths: string[]) {
  const specs: AddSpec[] = paths.map((path) => ({ path, type: 'file', mode: 0o755, data: new Uint8Array([0x7f]), size: 1 }));
  return scanInitrd([await buildImage(specs, 'none')]);
}

const raidRecipe = (dialectKey: string, extra = '') => parseRecipe(recipe(`  raid: { level: 1, disks: 2 }\n${extra}`, dialectKey), 'r.yaml');

test('a snippet binary nobody provides fails the plan, naming the rule, the snippet and the binary', async () => {
  const empty = await index(['bin/busybox']);
  await assert.rejects(prepareInstall(raidRecipe('kickstart:\n  template: ks.tmpl\n'), empty), {
    code: 'INSTALL_MISSING_BINARY',
    message: /^install\.raid \(snippets\/raid-mdadm\.sh\) needs mdadm, which the build does not provide: add it to install\.tools .*Anaconda's stage 2 has it/u,
  });
  // Anaconda runs %pre in stage 2: an mdadm in the initrd root does not count, one under updates/ does.
  await assert.rejects(prepareInstall(raidRecipe('kickstart:\n  template: ks.tmpl\n'), await index(['sbin/mdadm'])), { code: 'INSTALL_MISSING_BINARY' });
  const anaconda = await prepareInstall(raidRecipe('kickstart:\n  template: ks.tmpl\n'), await index(['updates/usr/sbin/mdadm']));
  assert.deepEqual(anaconda?.binaries.map((b) => [b.name, b.path, b.via]), [['mdadm', '/usr/sbin/mdadm', 'image']]);
  // d-i runs its commands in the initrd itself.
  const di = await prepareInstall(raidRecipe('answers:\n  template: p.cfg\n  dialect: debian12\n'), await index(['sbin/mdadm']));
  assert.deepEqual(di?.binaries.map((b) => [b.path, b.via]), [['/sbin/mdadm', 'image']]);
  assert.equal(di?.target.placement, '');
  const present = await prepareInstall(raidRecipe('kickstart:\n  template: ks.tmpl\n', '  present: [mdadm]\n'), empty);
  assert.deepEqual(present?.binaries.map((b) => [b.name, b.path, b.via]), [['mdadm', undefined, 'install.present']]);
  assert.match(present?.composed.scripts[0]?.body ?? '', /^REMASTER_MDADM='mdadm'$/mu);
  const tools = await prepareInstall(raidRecipe('kickstart:\n  template: ks.tmpl\n', '  tools: [{ binaries: [/opt/md/mdadm], sysroot: root }]\n'), empty);
  assert.deepEqual(tools?.binaries.map((b) => [b.path, b.via]), [['/opt/md/mdadm', 'install.tools']]);
  assert.equal(tools?.target.placement, 'updates/');
  assert.match(tools?.composed.scripts[0]?.body ?? '', /^REMASTER_MDADM='\/opt\/md\/mdadm'$/mu);
});

test('vendor CLIs are looked for under every name the snippet accepts; an autoinstall cannot take tools', async () => {
  const dell = parseRecipe(recipe('  raid: { vendor: dell, level: 1, disks: 2 }\n'), 'r.yaml');
  const found = await prepareInstall(dell, await index(['updates/opt/MegaRAID/storcli/storcli64']));
  assert.deepEqual(found?.binaries.map((b) => [b.name, b.path]), [['storcli64', '/opt/MegaRAID/storcli/storcli64']]);
  await assert.rejects(prepareInstall(dell, await index([])), { message: /needs perccli64 or perccli or storcli64 or storcli/u });
  const auto = parseRecipe(recipe('  raid: { level: 1, disks: 2 }\n  tools: [{ binaries: [/sbin/mdadm], sysroot: root }]\n', 'answers:\n  template: user-data\n  dialect: ubuntu24.04\n'), 'r.yaml');
  await assert.rejects(prepareInstall(auto, await index([])), { code: 'INSTALL_UNSUPPORTED', message: /live system/u });
  // Without an image (ks render --recipe) nothing is checked: the binary runs from PATH.
  const unchecked = await prepareInstall(dell);
  assert.deepEqual(unchecked?.binaries.map((b) => [b.name, b.via]), [['perccli64', 'unchecked']]);
});
