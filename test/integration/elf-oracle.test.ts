/**
 * decodeElf and resolveLibraryClosure against binutils and glibc as oracles:
 * `readelf -h -l -d` for the decoded fields of real objects, and `ldd` (or the
 * sysroot's own ld.so --list) for the closure of real binaries, by soname.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { lstat, readFile, readlink } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { describe, it, type TestContext } from 'node:test';
import { decodeElf, resolveLibraryClosure, type ClosureResult, type LibraryLookup } from '../../src/elf/index.ts';
import { ensurePackages } from '../helpers/packages.ts';
import { requireTool, runTool } from '../helpers/tools.ts';

const TYPES: Record<string, number> = { REL: 1, EXEC: 2, DYN: 3, CORE: 4 };

/** Parse readelf -h -l -d into the shape decodeElf returns (machine omitted: readelf prints a name). */
function readelfFacts(path: string): Record<string, unknown> {
  const text = new TextDecoder().decode(runTool('readelf', ['-W', '-h', '-l', '-d', path]));
  const field = (re: RegExp): string | undefined => re.exec(text)?.[1];
  const all = (re: RegExp): string[] => [...text.matchAll(re)].map((m) => m[1] as string);
  const facts: Record<string, unknown> = {
    class: field(/Class:\s+ELF(\d+)/) === '64' ? 64 : 32,
    endian: /Data:.*little endian/.test(text) ? 'little' : 'big',
    type: TYPES[field(/Type:\s+(\w+)/) ?? ''],
    needed: all(/\(NEEDED\)\s+Shared library: \[(.*)\]/g),
  };
  const opt = { interpreter: /Requesting program interpreter: (.*)\]/, soname: /\(SONAME\)\s+Library soname: \[(.*)\]/, runpath: /\(RUNPATH\)\s+Library runpath: \[(.*)\]/, rpath: /\(RPATH\)\s+Library rpath: \[(.*)\]/ };
  for (const [k, re] of Object.entries(opt)) {
    const v = field(re);
    if (v !== undefined) facts[k] = v;
  }
  return facts;
}

function ourFacts(bytes: Uint8Array): Record<string, unknown> {
  const { machine: _m, osabi: _o, ...rest } = decodeElf(bytes);
  return rest;
}

/** A lookup over a directory used as sysroot (lstat: the last component's own type). */
function dirLookup(root: string): LibraryLookup {
  return async (path) => {
    const real = join(root, path);
    const st = await lstat(real).catch(() => undefined);
    if (!st) return { kind: 'missing' };
    if (st.isSymbolicLink()) return { kind: 'symlink', target: await readlink(real) };
    return { kind: 'file', bytes: async () => new Uint8Array(await readFile(real)) };
  };
}

/** Sonames ldd prints (left column basenames), without the vDSO. */
function lddSonames(output: string): string[] {
  return output
    .split('\n')
    .map((l) => l.trim().split(/\s+/)[0] ?? '')
    .filter((n) => n !== '' && !n.startsWith('linux-vdso') && n !== 'statically')
    .map((n) => basename(n))
    .sort();
}

function closureSonames(r: ClosureResult): string[] {
  const names = r.files.filter((f) => f.reason !== 'binary' && f.reason !== 'symlink').map((f) => f.soname ?? basename(f.path));
  return [...new Set(names)].sort();
}

const HOST_OBJECTS = ['/usr/bin/ls', '/usr/bin/busctl', '/usr/bin/expr', '/lib/x86_64-linux-gnu/libc.so.6', '/lib/x86_64-linux-gnu/libselinux.so.1'];

function have(t: TestContext, path: string): boolean {
  if (existsSync(path)) return true;
  t.skip(`${path} not on this host`);
  return false;
}

describe('decodeElf matches readelf', () => {
  for (const path of HOST_OBJECTS) {
    it(`decodes ${path} like readelf -h -l -d`, async (t) => {
      if (!requireTool(t, 'readelf') || !have(t, path)) return;
      assert.deepEqual(ourFacts(new Uint8Array(await readFile(path))), readelfFacts(path));
    });
  }

  it('decodes mdadm, libudev and libc from the Debian packages like readelf', async (t) => {
    if (!requireTool(t, 'readelf')) return;
    const pkgs = await ensurePackages(t);
    if (!pkgs) return;
    for (const rel of ['sbin/mdadm', 'usr/lib/x86_64-linux-gnu/libudev.so.1.7.5', 'lib/x86_64-linux-gnu/libc.so.6']) {
      const path = join(pkgs.sysroot, rel);
      assert.deepEqual(ourFacts(new Uint8Array(await readFile(path))), readelfFacts(path), rel);
    }
    const mdadm = decodeElf(new Uint8Array(await readFile(join(pkgs.sysroot, 'sbin/mdadm'))));
    assert.equal(mdadm.machine, 62);
    assert.deepEqual(mdadm.needed, ['libudev.so.1', 'libc.so.6']);
  });
});

describe('resolveLibraryClosure matches ldd', () => {
  it('resolves mdadm inside the unpacked packages like the sysroot ld.so --list', async (t) => {
    const pkgs = await ensurePackages(t);
    if (!pkgs) return;
    const root = pkgs.sysroot;
    const r = await resolveLibraryClosure({ binaries: ['/sbin/mdadm'] }, dirLookup(root));
    const ldso = join(root, 'lib/x86_64-linux-gnu/ld-linux-x86-64.so.2');
    const out = new TextDecoder().decode(runTool(ldso, ['--library-path', `${root}/lib/x86_64-linux-gnu:${root}/usr/lib/x86_64-linux-gnu`, '--list', join(root, 'sbin/mdadm')]));
    assert.deepEqual(closureSonames(r), lddSonames(out));
    const paths = r.files.map((f) => f.path);
    for (const m of out.matchAll(/^\s*(\S+) => (\S+)/gm)) {
      if (!m[1]?.startsWith('/')) assert.ok(paths.includes((m[2] as string).slice(root.length)), `${m[1]} at ${m[2]}`);
    }
    assert.ok(paths.includes('/usr/lib/x86_64-linux-gnu/libudev.so.1.7.5'), 'symlink target of libudev.so.1');
    assert.ok(paths.includes('/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2'), 'symlink target of the interpreter');
    assert.deepEqual(r.missing, []);
  });

  for (const bin of ['/usr/bin/ls', '/usr/bin/busctl']) {
    it(`resolves host ${bin} (host / as sysroot) to the sonames ldd lists`, async (t) => {
      if (!requireTool(t, 'ldd') || !have(t, bin)) return;
      const r = await resolveLibraryClosure({ binaries: [bin] }, dirLookup('/'));
      assert.deepEqual(closureSonames(r), lddSonames(new TextDecoder().decode(runTool('ldd', [bin]))));
    });
  }

  it('fails with LIBRARY_NOT_FOUND when the sysroot lacks libudev', async (t) => {
    const pkgs = await ensurePackages(t);
    if (!pkgs) return;
    const base = dirLookup(pkgs.sysroot);
    const without: LibraryLookup = async (p) => (p.includes('libudev') ? { kind: 'missing' } : base(p));
    await assert.rejects(resolveLibraryClosure({ binaries: ['/sbin/mdadm'] }, without), /library libudev\.so\.1 needed by \/sbin\/mdadm not found; searched \/lib64\/libudev\.so\.1, .*\[LIBRARY_NOT_FOUND\]/);
  });
});
