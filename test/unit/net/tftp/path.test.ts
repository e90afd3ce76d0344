import { test } from 'node:test';
import assert from 'node:assert/strict';
import { normalizeTftpPath } from '../../../../src/net/tftp/index.ts';
import { RemasterError } from '../../../../src/errors.ts';

test('makes the names real clients send root-relative, keeping case', () => {
  const cases: [string, string][] = [
    ['pxelinux.0', 'pxelinux.0'],
    ['/grub/x86_64-efi/normal.mod', 'grub/x86_64-efi/normal.mod'], // GRUB: leading "/"
    ['//boot//grub.cfg', 'boot/grub.cfg'], // doubled separators
    ['boot\\x64\\wdsnbp.com', 'boot/x64/wdsnbp.com'], // Windows separators
    ['\\pxelinux.cfg\\default', 'pxelinux.cfg/default'],
    ['pxelinux.cfg/01-52-54-00-12-34-56', 'pxelinux.cfg/01-52-54-00-12-34-56'], // pxelinux, relative to its directory
    ['./remaster/./current/ks.cfg', 'remaster/current/ks.cfg'],
    ['pxelinux.cfg/C0A8010A', 'pxelinux.cfg/C0A8010A'], // case as sent
    ['EFI/BOOT/BOOTX64.EFI', 'EFI/BOOT/BOOTX64.EFI'],
    ['caf\u00c3\u00a9.cfg', 'café.cfg'], // UTF-8 octets
    ['...', '...'], // a name, not a parent reference
    ['a..b', 'a..b'],
  ];
  for (const [sent, path] of cases) assert.equal(normalizeTftpPath(sent), path, sent);
});

test('refuses ".." anywhere, even when it would stay inside the root', () => {
  for (const name of ['../etc/passwd', '/../etc/passwd', 'a/../b', 'a/..', '..', '..\\..\\windows\\win.ini', 'a\\..\\..\\b']) {
    assert.throws(() => normalizeTftpPath(name), (err: unknown) => err instanceof RemasterError && err.code === 'PATH_ESCAPE', name);
  }
});

test('refuses empty names, control characters and names that are not UTF-8', () => {
  for (const name of ['', '/', '//', '.', './', '\\', 'a\u0001b', 'x\u007f', 'line\nbreak', 'bad\u00ff\u00fe']) {
    assert.throws(() => normalizeTftpPath(name), (err: unknown) => err instanceof RemasterError && err.code === 'PATH_INVALID', JSON.stringify(name));
  }
});
