/**
 * kmod index v2.1: golden bytes written by kmod 30's depmod, decode/encode
 * round trips, and bounds on hostile input.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isRemasterError } from '../../../src/errors.ts';
import { decodeKmodIndex, encodeKmodIndex } from '../../../src/kmod/index.ts';

const hex = (s: string) => Uint8Array.from(Buffer.from(s, 'hex'));

// `depmod -b` (kmod 30) over a tree holding only kernel/fuse.ko and
// kernel/crc-itu-t.ko (modules.dep.bin), and over a modules.builtin naming
// kernel/fs/fuse.ko (modules.builtin.bin).
const DEP_BIN_GOLDEN = hex(
  'b007f457000200012000004e72635f6974755f740000000001000000016b65726e656c2f6372632d6974752d742e6b6f3a00' +
    '7573650000000001000000006b65726e656c2f667573652e6b6f3a006366c000000c0000000000000000c0000032',
);
const BUILTIN_BIN_GOLDEN = hex('b007f4570002000120000019757365000000000100000000006666c000000c');

test('writes the bytes kmod 30 depmod writes for a two-module modules.dep.bin', () => {
  const bytes = encodeKmodIndex([
    { key: 'fuse', value: 'kernel/fuse.ko:', priority: 0 },
    { key: 'crc_itu_t', value: 'kernel/crc-itu-t.ko:', priority: 1 },
  ]);
  assert.deepEqual(bytes, DEP_BIN_GOLDEN);
});

test('writes the bytes kmod 30 depmod writes for modules.builtin.bin (empty values)', () => {
  assert.deepEqual(encodeKmodIndex([{ key: 'fuse', value: '', priority: 0 }]), BUILTIN_BIN_GOLDEN);
});

test('decodes golden files back to their keys and values', () => {
  assert.deepEqual(
    [...decodeKmodIndex(DEP_BIN_GOLDEN)],
    [
      ['crc_itu_t', [{ value: 'kernel/crc-itu-t.ko:', priority: 1 }]],
      ['fuse', [{ value: 'kernel/fuse.ko:', priority: 0 }]],
    ],
  );
});

test('writes an empty index as a 12-byte header whose root is an empty node', () => {
  assert.deepEqual(encodeKmodIndex([]), hex('b007f457000200010000000c'));
  assert.equal(decodeKmodIndex(encodeKmodIndex([])).size, 0);
});

test('splits prefixes where keys diverge and keeps keys that are prefixes of others', () => {
  const entries = ['on', 'once', 'one', 'ask', 'ate', 'a'].map((key, i) => ({ key, value: key.toUpperCase(), priority: i }));
  const decoded = decodeKmodIndex(encodeKmodIndex(entries));
  assert.deepEqual([...decoded.keys()], ['a', 'ask', 'ate', 'on', 'once', 'one']);
  for (const e of entries) assert.deepEqual(decoded.get(e.key), [{ value: e.value, priority: e.priority }]);
});

test('orders values by priority, a newer value before older ones of equal priority, keeping duplicates', () => {
  const bytes = encodeKmodIndex([
    { key: 'pci:v*', value: 'late', priority: 9 },
    { key: 'pci:v*', value: 'first', priority: 1 },
    { key: 'pci:v*', value: 'second', priority: 1 },
    { key: 'pci:v*', value: 'second', priority: 1 },
  ]);
  assert.deepEqual(decodeKmodIndex(bytes).get('pci:v*')?.map((v) => v.value), ['second', 'second', 'first', 'late']);
});

test('refuses keys outside 7-bit ASCII as depmod does', () => {
  assert.throws(() => encodeKmodIndex([{ key: 'caf\u00e9', value: 'x', priority: 0 }]), (err) => isRemasterError(err, 'LIMIT_EXCEEDED'));
});

test('rejects a bad magic, a truncated node and a node cycle with offsets', () => {
  assert.throws(() => decodeKmodIndex(hex('b007fa57000200010000000c')), (err) => isRemasterError(err, 'MODULE_BAD_ELF') && err.offset === 0);
  assert.throws(() => decodeKmodIndex(DEP_BIN_GOLDEN.subarray(0, 40)), (err) => isRemasterError(err, 'MODULE_BAD_ELF') && typeof err.offset === 'number');
  // Root: CHILDS node at 12 whose only child points back at itself.
  const loop = hex('b007f457' + '00020001' + '2000000c' + '6161' + '2000000c');
  assert.throws(() => decodeKmodIndex(loop), (err) => isRemasterError(err, 'MODULE_BAD_ELF') && /reached twice/.test(err.message));
});

test('never fails with anything but MODULE_BAD_ELF on corrupted indexes', () => {
  let seed = 7;
  const rand = (n: number) => ((seed = (seed * 1103515245 + 12345) >>> 0) % n);
  for (let i = 0; i < 500; i++) {
    const copy = DEP_BIN_GOLDEN.slice(0, 12 + rand(DEP_BIN_GOLDEN.length - 11));
    for (let k = 0; k < 3; k++) copy[12 + rand(copy.length - 12 || 1)] = rand(256);
    try {
      decodeKmodIndex(copy);
    } catch (err) {
      assert.ok(isRemasterError(err, 'MODULE_BAD_ELF'), `iteration ${i}: ${String(err)}`);
    }
  }
});
