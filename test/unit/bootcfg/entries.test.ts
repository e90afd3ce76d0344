/**
 * Menu entries of ISOLINUX and GRUB configs (bootcfg/entries.ts): which
 * entries load a Linux kernel with an initrd, with their paths as written,
 * and choosing the default entry by the kernel it loads.
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { test } from 'node:test';
import { editGrubConfig, editIsolinuxConfig, listLinuxEntries, parseMenuEntries } from '../../../src/index.ts';

const DIR = new URL('../../../fixtures/bootcfg/', import.meta.url);

test('ISOLINUX: Linux entries need a kernel that is not a module and an initrd (INITRD keyword or initrd= on APPEND)', async () => {
  const text = await readFile(new URL('mixed-isolinux.cfg', DIR), 'utf8');
  assert.deepEqual(listLinuxEntries(text, 'isolinux'), [
    { title: 'Install', kernel: '/linux', initrds: ['/initrd.gz'] },
    { title: 'Expert install', kernel: '/linux', initrds: ['/initrd.gz'] },
  ]);
  const all = parseMenuEntries(text, 'isolinux');
  assert.deepEqual(all.map((e) => [e.id, e.isLinux]), [['install', true], ['memtest', false], ['ipxe', false], ['expert', true], ['hd', false]]);
});

test('GRUB: entries inside submenus, device prefixes dropped, linux16 without initrd is not Linux', async () => {
  const text = await readFile(new URL('mixed-grub.cfg', DIR), 'utf8');
  assert.deepEqual(listLinuxEntries(text, 'grub'), [
    { title: 'GNU/Linux', kernel: '/vmlinuz', initrds: ['/initrd.img'] },
    { title: 'GNU/Linux (recovery)', kernel: '/vmlinuz', initrds: ['/initrd.img'] },
  ]);
  const recovery = parseMenuEntries(text, 'grub').find((e) => e.id === 'recovery');
  assert.deepEqual(recovery?.submenus, ['Advanced options']);
});

test('the default entry can be chosen by the kernel it loads (relative ISOLINUX paths included)', () => {
  const iso = 'default vesamenu.c32\nlabel rescue\n  kernel memtest\nlabel install\n  kernel vmlinuz\n  append initrd=initrd.img\n';
  const edited = editIsolinuxConfig(iso, { defaultKernel: '/isolinux/vmlinuz' }, { isPrimary: true });
  assert.equal(edited.defaultMatched, true);
  assert.equal(edited.text, 'default vesamenu.c32\nlabel rescue\n  kernel memtest\nlabel install\n  menu default\n  kernel vmlinuz\n  append initrd=initrd.img\n');
  const grub = "menuentry 'Memtest' {\n linux16 /memtest\n}\nmenuentry 'Install' {\n linux /linux\n initrd /initrd.gz\n}\n";
  const g = editGrubConfig(grub, { defaultKernel: '/linux' });
  assert.equal(g.defaultMatched, true);
  assert.match(g.text, /^set default="Install"$/mu);
  assert.equal(editGrubConfig(grub, { defaultKernel: '/memtest' }).defaultMatched, false, 'memtest is no Linux entry');
});
