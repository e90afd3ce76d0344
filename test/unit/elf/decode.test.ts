import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decodeElf, isElf } from '../../../src/elf/index.ts';
import { isRemasterError } from '../../../src/errors.ts';
import { makeElf } from './make-elf.ts';

function throwsElfBad(fn: () => unknown, offset?: number): void {
  assert.throws(fn, (err: unknown) => isRemasterError(err, 'ELF_BAD') && (offset === undefined || err.offset === offset) && /\[ELF_BAD\]/.test(err.message));
}

describe('decodeElf', () => {
  it('reads interpreter, needed, soname, runpath and rpath of a 64-bit LSB object', () => {
    const { bytes } = makeElf({ interpreter: '/lib64/ld-linux-x86-64.so.2', needed: ['libudev.so.1', 'libc.so.6'], soname: 'libx.so.1', runpath: '$ORIGIN/../lib', rpath: '/opt/x' });
    assert.ok(isElf(bytes));
    assert.deepEqual(decodeElf(bytes), {
      class: 64, endian: 'little', osabi: 0, machine: 62, type: 3,
      interpreter: '/lib64/ld-linux-x86-64.so.2', needed: ['libudev.so.1', 'libc.so.6'], soname: 'libx.so.1', runpath: '$ORIGIN/../lib', rpath: '/opt/x',
    });
  });

  it('reads a 32-bit MSB object', () => {
    const info = decodeElf(makeElf({ class: 32, endian: 'big', machine: 8, type: 2, needed: ['libc.so.6'] }).bytes);
    assert.equal(info.class, 32);
    assert.equal(info.endian, 'big');
    assert.equal(info.machine, 8);
    assert.equal(info.type, 2);
    assert.deepEqual(info.needed, ['libc.so.6']);
    assert.equal(info.interpreter, undefined);
  });

  it('returns no dependencies for an object without program headers (a .ko)', () => {
    const { bytes, phoff } = makeElf({ type: 1 });
    new DataView(bytes.buffer).setUint16(56, 0, true);
    assert.deepEqual(decodeElf(bytes).needed, []);
    assert.ok(phoff > 0);
  });

  it('refuses non-ELF input with the magic seen', () => {
    throwsElfBad(() => decodeElf(new TextEncoder().encode('#!/bin/sh\necho hi\n')), 0);
    throwsElfBad(() => decodeElf(new Uint8Array(3)), 0);
  });

  it('refuses a bad class and a truncated header', () => {
    const { bytes } = makeElf();
    const badClass = bytes.slice();
    badClass[4] = 9;
    throwsElfBad(() => decodeElf(badClass), 4);
    throwsElfBad(() => decodeElf(bytes.slice(0, 40)), 0);
  });

  it('refuses a program header table past the end', () => {
    const { bytes } = makeElf({ needed: ['a'] });
    new DataView(bytes.buffer).setUint16(56, 0xfff0, true);
    throwsElfBad(() => decodeElf(bytes), 64);
  });

  it('refuses a PT_DYNAMIC segment past the end', () => {
    const { bytes, phoff } = makeElf({ needed: ['a'] });
    new DataView(bytes.buffer).setBigUint64(phoff + 56 + 32, 1n << 40n, true);
    throwsElfBad(() => decodeElf(bytes), phoff + 56);
  });

  it('refuses a DT_NEEDED offset outside the string table', () => {
    const { bytes, dynOffset } = makeElf({ needed: ['a'] });
    new DataView(bytes.buffer).setBigUint64(dynOffset + 8, 1n << 20n, true);
    throwsElfBad(() => decodeElf(bytes), dynOffset);
  });

  it('refuses a DT_STRTAB address outside every PT_LOAD', () => {
    const { bytes, dynOffset } = makeElf({ needed: ['a'] });
    new DataView(bytes.buffer).setBigUint64(dynOffset + 16 + 8, 0x10n, true);
    throwsElfBad(() => decodeElf(bytes), dynOffset);
  });

  it('refuses an unterminated PT_INTERP string and bounds long strings', () => {
    const { bytes } = makeElf({ interpreter: '/lib/ld.so' });
    const phoff = 64;
    const view = new DataView(bytes.buffer);
    view.setBigUint64(phoff + 32, 4n, true); // p_filesz cuts the string before its NUL
    throwsElfBad(() => decodeElf(bytes));
    const long = makeElf({ needed: ['x'.repeat(5000)] }).bytes;
    throwsElfBad(() => decodeElf(long));
    assert.equal(decodeElf(long, { maxStringSize: 8192 }).needed[0]?.length, 5000);
  });

  it('maps a 64-bit field past 2^53 to a failed bounds check, not a wrong offset', () => {
    const { bytes } = makeElf({ needed: ['a'] });
    new DataView(bytes.buffer).setBigUint64(32, 0xffff_ffff_ffff_ff00n, true);
    throwsElfBad(() => decodeElf(bytes));
  });
});
