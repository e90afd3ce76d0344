/** HTTP byte ranges (RFC 9110 §14): one range honoured, the rest the whole file or 416. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { contentTypeOf, parseRange } from '../../../src/web/send-file.ts';

test('parseRange: a-b, a-, -n; clamped to the size; unsatisfiable and ignored forms', () => {
  assert.deepEqual(parseRange('bytes=0-99', 1000), { start: 0, end: 99 });
  assert.deepEqual(parseRange('bytes=900-', 1000), { start: 900, end: 999 });
  assert.deepEqual(parseRange('bytes=-100', 1000), { start: 900, end: 999 });
  assert.deepEqual(parseRange('bytes=-5000', 1000), { start: 0, end: 999 });
  assert.deepEqual(parseRange('bytes=990-5000', 1000), { start: 990, end: 999 });
  assert.equal(parseRange('bytes=1000-', 1000), 'unsatisfiable');
  assert.equal(parseRange('bytes=-0', 1000), 'unsatisfiable');
  assert.equal(parseRange('bytes=50-10', 1000), 'unsatisfiable');
  assert.equal(parseRange(undefined, 1000), undefined);
  assert.equal(parseRange('bytes=0-1,5-6', 1000), undefined, 'several ranges: the whole file');
  assert.equal(parseRange('items=0-1', 1000), undefined);
  assert.equal(parseRange('bytes=-', 1000), undefined);
});

test('contentTypeOf: menus and scripts are text, the rest bytes', () => {
  assert.equal(contentTypeOf('ipxe/mac-525400123456.ipxe'), 'text/plain; charset=utf-8');
  assert.equal(contentTypeOf('pxelinux.cfg/01-52-54-00-12-34-56'), 'text/plain; charset=utf-8');
  assert.equal(contentTypeOf('boot/grub/grub.cfg-01-52-54-00-12-34-56'), 'text/plain; charset=utf-8');
  assert.equal(contentTypeOf('remaster/abc/vmlinuz'), 'application/octet-stream');
});
