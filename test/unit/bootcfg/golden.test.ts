/**
 * Golden pairs for the boot-config editors (mkksiso's data/*.cfg.result
 * convention): fixtures/bootcfg/<name>.cfg edited as the table says must
 * equal <name>.cfg.result. Regenerate with UPDATE_GOLDEN=1 and review the diff.
 */
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { test } from 'node:test';
import { editGrubConfig, editIsolinuxConfig, type BootConfigEdit, type Warning } from '../../../src/index.ts';

const DIR = new URL('../../../fixtures/bootcfg/', import.meta.url);
const RHEL_LABEL = { from: 'RHEL-9-4-0-BaseOS-x86_64', to: 'RHEL-9-KS' };
const RHEL_EDIT: BootConfigEdit = {
  kernelArgs: { add: ['inst.ks=hd:LABEL=RHEL-9-KS:/ks.cfg', 'console=ttyS0'], remove: ['inst.ks', 'rd.live.check'] },
  label: RHEL_LABEL,
};

const CASES: { name: string; kind: 'isolinux' | 'grub'; edit: BootConfigEdit; changes: number; warns?: boolean; isPrimary?: boolean }[] = [
  { name: 'rhel9-isolinux.cfg', kind: 'isolinux', edit: RHEL_EDIT, changes: 3 },
  { name: 'rhel9-grub.cfg', kind: 'grub', edit: RHEL_EDIT, changes: 4 },
  { name: 'ubuntu-grub.cfg', kind: 'grub', edit: { kernelArgs: { add: ['autoinstall', 'ds=nocloud;s=/cdrom/server/'] } }, changes: 2 },
  { name: 'debian-txt.cfg', kind: 'isolinux', edit: { kernelArgs: { add: ['auto=true', 'url=http://10.0.2.2/preseed.cfg', 'console=ttyS0,115200'], remove: ['vga'] } }, changes: 2 },
  { name: 'no-append.cfg', kind: 'isolinux', edit: { kernelArgs: { add: ['inst.ks=cdrom'] } }, changes: 0, warns: true },
  // Linux entries only (memtest, iPXE, chainload and localboot untouched), timeout and default entry
  { name: 'mixed-grub.cfg', kind: 'grub', edit: { kernelArgs: { add: ['console=ttyS0'] }, timeoutSeconds: 1, defaultEntry: 'recovery' }, changes: 4 },
  { name: 'mixed-isolinux.cfg', kind: 'isolinux', edit: { kernelArgs: { add: ['auto=true'] }, timeoutSeconds: 1, defaultEntry: 'expert' }, changes: 5, isPrimary: true },
  { name: 'no-timeout-isolinux.cfg', kind: 'isolinux', edit: { kernelArgs: { add: ['a=b'] }, timeoutSeconds: 2, defaultEntry: 'linux' }, changes: 4, isPrimary: true },
];

for (const c of CASES) {
  test(`edits ${c.name} into ${c.name}.result`, async () => {
    const input = await readFile(new URL(c.name, DIR), 'utf8');
    const warnings: Warning[] = [];
    const edit = c.kind === 'grub' ? editGrubConfig : editIsolinuxConfig;
    const result = edit(input, c.edit, { file: c.name, onWarning: (w) => warnings.push(w), ...(c.isPrimary ? { isPrimary: true } : {}) });
    if (process.env.UPDATE_GOLDEN === '1') await writeFile(new URL(`${c.name}.result`, DIR), result.text);
    assert.equal(result.text, await readFile(new URL(`${c.name}.result`, DIR), 'utf8'));
    assert.equal(result.changes, c.changes);
    assert.equal(warnings.length, c.warns ? 1 : 0, warnings.map((w) => w.message).join('\n'));
    if (c.warns) assert.match(warnings[0]?.message ?? '', /^no-append\.cfg: no isolinux entry loads a Linux kernel with an initrd.*\[ENTRY_NOT_FOUND\]$/u);
  });

  test(`editing ${c.name} twice changes nothing the second time`, async () => {
    const edit = c.kind === 'grub' ? editGrubConfig : editIsolinuxConfig;
    const primary = c.isPrimary ? { isPrimary: true } : {};
    const once = edit(await readFile(new URL(c.name, DIR), 'utf8'), c.edit, { onWarning: () => {}, ...primary });
    const again = edit(once.text, { ...c.edit, ...(c.edit.label ? { label: { from: c.edit.label.to, to: c.edit.label.to } } : {}) }, { onWarning: () => {}, ...primary });
    assert.equal(again.text, once.text);
    assert.equal(again.changes, 0);
  });
}

test('strict mode turns the nothing-matched warning into an error', () => {
  assert.throws(() => editGrubConfig('set timeout=5\n', { kernelArgs: { add: ['a=b'] } }, { strict: true }), { code: 'ENTRY_NOT_FOUND' });
});
