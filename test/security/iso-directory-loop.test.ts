import assert from 'node:assert/strict';
import { test } from 'node:test';
import { bytesSource } from '../../src/io/block-source.ts';
import { readIso } from '../../src/iso/index.ts';
import { encodeLinkEntry } from '../../src/iso/rock-ridge.ts';
import { makeIso } from '../helpers/make-iso.ts';

// A directory record pointing back at the root (or a Rock Ridge CL pointing at an
// ancestor) would make a naive walker recurse forever.
test('a subdirectory whose extent is the root fails with ISO_DIRECTORY_LOOP', { timeout: 5000 }, async () => {
  const probe = makeIso([{ name: 'loop', dir: [] }]);
  const iso = makeIso([{ name: 'loop', dir: [], extent: probe.rootLba }]);
  await assert.rejects(readIso(bytesSource(iso.bytes)), { code: 'ISO_DIRECTORY_LOOP', entry: '/loop' });
});

test('a Rock Ridge CL cycle fails with ISO_DIRECTORY_LOOP', { timeout: 5000 }, async () => {
  const probe = makeIso([{ name: 'a', dir: [{ name: 'b', data: new Uint8Array(0) }] }]);
  const aLba = probe.lba.get('/a') as number;
  const iso = makeIso([{ name: 'a', dir: [{ name: 'b', data: new Uint8Array(0), su: [encodeLinkEntry('CL', aLba)] }] }]);
  await assert.rejects(readIso(bytesSource(iso.bytes)), { code: 'ISO_DIRECTORY_LOOP', entry: '/a/b' });
});

test('two directories sharing one extent cannot explode into a huge tree', { timeout: 5000 }, async () => {
  const probe = makeIso([{ name: 'a', dir: [] }, { name: 'b', dir: [] }]);
  const iso = makeIso([{ name: 'a', dir: [] }, { name: 'b', dir: [], extent: probe.lba.get('/a') as number }]);
  await assert.rejects(readIso(bytesSource(iso.bytes)), { code: 'ISO_DIRECTORY_LOOP' });
});

test('depth and entry limits fail with LIMIT_EXCEEDED', { timeout: 5000 }, async () => {
  const deep = makeIso([{ name: 'a', dir: [{ name: 'b', dir: [{ name: 'c', dir: [] }] }] }]);
  await assert.rejects(readIso(bytesSource(deep.bytes), { limits: { maxDepth: 2 } }), { code: 'LIMIT_EXCEEDED', entry: '/a/b/c' });
  const wide = makeIso(Array.from({ length: 10 }, (_, i) => ({ name: `f${i}`, data: new Uint8Array(1) })));
  await assert.rejects(readIso(bytesSource(wide.bytes), { limits: { maxEntries: 5 } }), { code: 'LIMIT_EXCEEDED' });
});
