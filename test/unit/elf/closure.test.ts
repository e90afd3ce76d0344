import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { resolveLibraryClosure, type LibraryLookup } from '../../../src/elf/index.ts';
import { isRemasterError } from '../../../src/errors.ts';
import { makeElf, type MakeElfSpec } from './make-elf.ts';

type Node = { elf: MakeElfSpec } | { link: string } | { text: string };

function sysroot(tree: Record<string, Node>): LibraryLookup {
  return async (path) => {
    const node = tree[path];
    if (!node) return { kind: 'missing' };
    if ('link' in node) return { kind: 'symlink', target: node.link };
    const bytes = 'elf' in node ? makeElf(node.elf).bytes : new TextEncoder().encode(node.text);
    return { kind: 'file', bytes: async () => bytes };
  };
}

const INTERP = '/lib64/ld-linux-x86-64.so.2';
const BASE: Record<string, Node> = {
  '/lib64/ld-linux-x86-64.so.2': { link: '/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2' },
  '/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2': { elf: { soname: 'ld-linux-x86-64.so.2' } },
  '/lib/x86_64-linux-gnu/libc.so.6': { elf: { soname: 'libc.so.6', needed: ['ld-linux-x86-64.so.2'], interpreter: INTERP } },
  '/usr/lib/x86_64-linux-gnu/libudev.so.1': { link: 'libudev.so.1.7.5' },
  '/usr/lib/x86_64-linux-gnu/libudev.so.1.7.5': { elf: { soname: 'libudev.so.1', needed: ['libc.so.6', 'ld-linux-x86-64.so.2'] } },
  '/sbin/mdadm': { elf: { type: 3, interpreter: INTERP, needed: ['libudev.so.1', 'libc.so.6'] } },
};

describe('resolveLibraryClosure', () => {
  it('collects interpreter, needed libraries and both ends of symlink chains', async () => {
    const r = await resolveLibraryClosure({ binaries: ['/sbin/mdadm'] }, sysroot(BASE));
    assert.deepEqual(
      r.files.map((f) => [f.path, f.reason, f.kind]),
      [
        ['/sbin/mdadm', 'binary', 'file'],
        ['/lib64/ld-linux-x86-64.so.2', 'interpreter', 'symlink'],
        ['/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2', 'symlink', 'file'],
        ['/usr/lib/x86_64-linux-gnu/libudev.so.1', 'needed-by /sbin/mdadm', 'symlink'],
        ['/usr/lib/x86_64-linux-gnu/libudev.so.1.7.5', 'symlink', 'file'],
        ['/lib/x86_64-linux-gnu/libc.so.6', 'needed-by /sbin/mdadm', 'file'],
      ],
    );
    assert.equal(r.files[3]?.linkTarget, 'libudev.so.1.7.5');
    assert.equal(r.files[3]?.soname, 'libudev.so.1');
    assert.deepEqual(r.missing, []);
  });

  it('reuses libraries the image already has and does not descend into them', async () => {
    const r = await resolveLibraryClosure({ binaries: ['/sbin/mdadm'] }, sysroot(BASE), { already: (s) => s === 'libc.so.6' || s === 'ld-linux-x86-64.so.2' });
    assert.deepEqual(r.files.map((f) => f.path), ['/sbin/mdadm', '/usr/lib/x86_64-linux-gnu/libudev.so.1', '/usr/lib/x86_64-linux-gnu/libudev.so.1.7.5']);
    assert.deepEqual(r.reused.sort(), ['ld-linux-x86-64.so.2', 'libc.so.6']);
  });

  it('searches RUNPATH with $ORIGIN before the default directories', async () => {
    const tree: Record<string, Node> = {
      ...BASE,
      '/opt/vendor/bin/tool': { elf: { interpreter: INTERP, needed: ['libvendor.so.2'], runpath: '$ORIGIN/../lib:/nonexistent' } },
      '/opt/vendor/lib/libvendor.so.2': { elf: { soname: 'libvendor.so.2', needed: ['libc.so.6'] } },
      '/usr/lib/libvendor.so.2': { elf: { soname: 'libvendor.so.2' } },
    };
    const r = await resolveLibraryClosure({ binaries: ['/opt/vendor/bin/tool'] }, sysroot(tree));
    assert.ok(r.files.some((f) => f.path === '/opt/vendor/lib/libvendor.so.2'));
    assert.ok(!r.files.some((f) => f.path === '/usr/lib/libvendor.so.2'));
  });

  it("applies the executable's RPATH to libraries without RUNPATH but not RUNPATH transitively", async () => {
    const tree: Record<string, Node> = {
      ...BASE,
      '/opt/a/bin/rp': { elf: { needed: ['libone.so'], rpath: '/opt/a/lib' } },
      '/opt/a/lib/libone.so': { elf: { needed: ['libtwo.so'] } },
      '/opt/a/lib/libtwo.so': { elf: {} },
      '/opt/b/bin/run': { elf: { needed: ['libone.so'], runpath: '/opt/a/lib' } },
    };
    const rp = await resolveLibraryClosure({ binaries: ['/opt/a/bin/rp'] }, sysroot(tree));
    assert.ok(rp.files.some((f) => f.path === '/opt/a/lib/libtwo.so'));
    await assert.rejects(resolveLibraryClosure({ binaries: ['/opt/b/bin/run'] }, sysroot(tree)), (err: unknown) => isRemasterError(err, 'LIBRARY_NOT_FOUND') && /libtwo\.so needed by \/opt\/a\/lib\/libone\.so/.test(err.message));
  });

  it('skips a candidate of another class or a linker script and keeps searching', async () => {
    const tree: Record<string, Node> = {
      ...BASE,
      '/bin/x': { elf: { needed: ['libz.so.1'] } },
      '/lib64/libz.so.1': { text: '/* GNU ld script */' },
      '/lib/x86_64-linux-gnu/libz.so.1': { elf: { class: 32, machine: 3 } },
      '/usr/lib/x86_64-linux-gnu/libz.so.1': { elf: { soname: 'libz.so.1' } },
    };
    const r = await resolveLibraryClosure({ binaries: ['/bin/x'] }, sysroot(tree));
    assert.deepEqual(r.files.map((f) => f.path), ['/bin/x', '/usr/lib/x86_64-linux-gnu/libz.so.1']);
  });

  it('names the library, who needs it and every path searched when one is missing', async () => {
    const tree: Record<string, Node> = { ...BASE, '/bin/y': { elf: { needed: ['libgone.so.3'] } } };
    await assert.rejects(resolveLibraryClosure({ binaries: ['/bin/y'] }, sysroot(tree), { searchPaths: ['/lib', '/usr/lib'] }), (err: unknown) => {
      assert.ok(isRemasterError(err, 'LIBRARY_NOT_FOUND'));
      assert.match(err.message, /library libgone\.so\.3 needed by \/bin\/y not found; searched \/lib\/libgone\.so\.3, \/usr\/lib\/libgone\.so\.3/);
      return true;
    });
    const r = await resolveLibraryClosure({ binaries: ['/bin/y'] }, sysroot(tree), { allowMissing: true, searchPaths: ['/lib'] });
    assert.deepEqual(r.missing, [{ soname: 'libgone.so.3', neededBy: '/bin/y', searched: ['/lib/libgone.so.3'] }]);
  });

  it('stops a symlink loop and a missing binary with clear errors', async () => {
    const tree: Record<string, Node> = { '/bin/z': { elf: { needed: ['libloop.so'] } }, '/lib/libloop.so': { link: 'libloop.so' } };
    await assert.rejects(resolveLibraryClosure({ binaries: ['/bin/z'] }, sysroot(tree)), (err: unknown) => isRemasterError(err, 'ELF_BAD') && /symlinks/.test(err.message));
    await assert.rejects(resolveLibraryClosure({ binaries: ['/bin/none'] }, sysroot(tree)), (err: unknown) => isRemasterError(err, 'LIBRARY_NOT_FOUND'));
  });

  it('records a shell script binary without dependencies', async () => {
    const r = await resolveLibraryClosure({ binaries: ['/bin/s'] }, sysroot({ '/bin/s': { text: '#!/bin/sh\n' } }));
    assert.deepEqual(r.files, [{ path: '/bin/s', reason: 'binary', kind: 'file' }]);
  });
});
