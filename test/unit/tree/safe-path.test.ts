import { test } from 'node:test';
import assert from 'node:assert/strict';
import { toArchivePath, ancestors, joinInside } from '../../../src/tree/safe-path.ts';
import { resolveParents, type PathInfo } from '../../../src/tree/resolve.ts';

test('strips leading slashes and ./ like the kernel', () => {
  assert.equal(toArchivePath('/etc/passwd'), 'etc/passwd');
  assert.equal(toArchivePath('./usr//lib/./x'), 'usr/lib/x');
  assert.equal(toArchivePath('.'), '.');
  assert.equal(toArchivePath('./'), '.');
});

test('refuses .. components, NUL bytes and empty names', () => {
  assert.throws(() => toArchivePath('a/../../x'), { code: 'PATH_ESCAPE' });
  assert.throws(() => toArchivePath('..'), { code: 'PATH_ESCAPE' });
  assert.throws(() => toArchivePath('a\0b'), { code: 'PATH_INVALID' });
  assert.throws(() => toArchivePath(''), { code: 'PATH_INVALID' });
});

test('lists ancestors outermost first', () => {
  assert.deepEqual(ancestors('usr/lib/modules/x.ko'), ['usr', 'usr/lib', 'usr/lib/modules']);
  assert.deepEqual(ancestors('init'), []);
});

test('joins symlink targets inside the image without climbing above the root', () => {
  assert.equal(joinInside('.', 'usr/lib'), 'usr/lib');
  assert.equal(joinInside('lib', '../usr/lib'), 'usr/lib');
  assert.equal(joinInside('a/b', '/../../etc'), 'etc');
  assert.equal(joinInside('a', '../../../..'), '.');
});

test('resolves new paths through usr-merge symlinks', () => {
  const image = new Map<string, PathInfo>([
    ['lib', { type: 'symlink', linkTarget: 'usr/lib' }],
    ['usr', { type: 'dir' }],
    ['usr/lib', { type: 'dir' }],
    ['loop', { type: 'symlink', linkTarget: 'loop' }],
  ]);
  const lookup = (p: string) => image.get(p);
  assert.equal(resolveParents(lookup, 'lib/modules/6.1/updates/hpsa.ko'), 'usr/lib/modules/6.1/updates/hpsa.ko');
  assert.equal(resolveParents(lookup, 'lib'), 'lib');
  assert.throws(() => resolveParents(lookup, 'loop/x'), { code: 'PATH_ESCAPE' });
});
