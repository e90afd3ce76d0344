/** Kernel command line model: split, alter, join (mkksiso's SplitCmdline/AlterKernelArgs/JoinKernelArgs). */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { alterCmdline, parseCmdline, renderCmdline, escapeGrubWord, splitGrubWords, unescapeGrubWord, udevEscapeLabel, rewriteLabel } from '../../../src/index.ts';

test('splits on whitespace outside double quotes and keeps raw tokens', () => {
  const args = parseCmdline('  initrd=initrd.img  foo="a b"  quiet -- single ');
  assert.deepEqual(args.map((a) => [a.key, a.value, a.raw]), [
    ['initrd', 'initrd.img', 'initrd=initrd.img'], ['foo', 'a b', 'foo="a b"'], ['quiet', undefined, 'quiet'], ['--', undefined, '--'], ['single', undefined, 'single'],
  ]);
  assert.equal(renderCmdline(args), 'initrd=initrd.img foo="a b" quiet -- single');
});

test('removing inst.ks also removes the legacy ks= and the reverse', () => {
  const line = 'initrd=i inst.ks=http://a/ks ks=cdrom:/x quiet';
  assert.equal(renderCmdline(alterCmdline(parseCmdline(line), { remove: ['inst.ks'] })), 'initrd=i quiet');
  assert.equal(renderCmdline(alterCmdline(parseCmdline(line), { remove: ['ks'] })), 'initrd=i quiet');
});

test('an added key replaces earlier values of the same key and goes before the --- separator', () => {
  const args = alterCmdline(parseCmdline('vga=788 ks=old --- quiet'), { add: ['inst.ks=hd:LABEL=X:/ks.cfg', 'vga=normal'] });
  assert.equal(renderCmdline(args), 'inst.ks=hd:LABEL=X:/ks.cfg vga=normal --- quiet');
});

test('adding an argument already present verbatim keeps it once, in place', () => {
  const args = alterCmdline(parseCmdline('a=1 console=ttyS0 b'), { add: ['console=ttyS0'], remove: ['console'] });
  assert.equal(renderCmdline(args), 'a=1 console=ttyS0 b');
});

test('a value with spaces is quoted for the kernel', () => {
  assert.equal(renderCmdline(alterCmdline([], { add: ['x=a b'] })), 'x="a b"');
});

test('GRUB words keep escapes and quotes; added arguments are escaped for GRUB', () => {
  assert.deepEqual(splitGrubWords(`/k ds=nocloud\\;s=/c/ 'a b' "c d"`), ['/k', 'ds=nocloud\\;s=/c/', "'a b'", '"c d"']);
  assert.equal(unescapeGrubWord('ds=nocloud\\;s=/c/'), 'ds=nocloud;s=/c/');
  assert.equal(unescapeGrubWord(`'a b'`), 'a b');
  assert.equal(escapeGrubWord('ds=nocloud;s=http://x/'), 'ds=nocloud\\;s=http://x/');
  assert.equal(escapeGrubWord('x="a b"'), 'x=\\"a\\ b\\"');
});

test('labels are udev-escaped on the command line and rewritten in GRUB search lines', () => {
  assert.equal(udevEscapeLabel('Debian 12 n'), 'Debian\\x2012\\x20n');
  const label = { from: 'Debian 12 n', to: 'My Disk' };
  assert.equal(rewriteLabel('append inst.stage2=hd:LABEL=Debian\\x2012\\x20n:/x', label), 'append inst.stage2=hd:LABEL=My\\x20Disk:/x');
  assert.equal(rewriteLabel(`search --set=root --label "Debian 12 n"`, label), 'search --set=root --label "My Disk"');
  assert.equal(rewriteLabel('append root=live:CDLABEL=OLD rd.live.image', { from: 'OLD', to: 'NEW' }), 'append root=live:CDLABEL=NEW rd.live.image');
  assert.equal(rewriteLabel('append LABEL=OLDER', { from: 'OLD', to: 'NEW' }), 'append LABEL=OLDER', 'a longer label is not a match');
});
