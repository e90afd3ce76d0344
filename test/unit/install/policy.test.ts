/** Sizes, comparisons and the rule lines require.sh reads. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { comparisonTest, parseSize, requireRules } from '../../../src/index.ts';

test('sizes: IEC units are powers of 1024, SI units powers of 1000, numbers are bytes', () => {
  assert.equal(parseSize('100GiB'), 100 * 1024 ** 3);
  assert.equal(parseSize('1.5 TiB'), 1.5 * 1024 ** 4);
  assert.equal(parseSize('512MB'), 512e6);
  assert.equal(parseSize('64 MiB'), 64 * 1024 ** 2);
  assert.equal(parseSize(4096), 4096);
  for (const bad of ['100G', '100 gib', '-1GiB', 'GiB', '1e3GiB', '']) assert.equal(parseSize(bad), undefined, bad);
  assert.equal(parseSize(-1), undefined);
});

test('comparisons: counts stay, sizes become bytes', () => {
  assert.equal(comparisonTest('>=2'), '>=2');
  assert.equal(comparisonTest('> 03'), '>3');
  assert.equal(comparisonTest('>=16GiB'), `>=${16 * 1024 ** 3}`);
  assert.equal(comparisonTest('<1TB'), '<1000000000000');
  assert.equal(comparisonTest('=>2'), undefined);
  assert.equal(comparisonTest('2'), undefined);
});

test('rule lines: one per rule, tab-separated test and the text as written; minSize before the count it qualifies', () => {
  const rules = requireRules({ cpus: '>=4', memory: '>=16GiB', disks: { count: '>=2', minSize: '100GiB' }, nics: '>=2', controllers: ['hpsa', '103c:323a'], dmi: { vendor: 'HPE*', product: 'ProLiant DL3?0*' } });
  assert.equal(rules, [
    'cpus\t>=4\t>=4',
    `memory\t>=${16 * 1024 ** 3}\t>=16GiB`,
    `disks.minSize\t${100 * 1024 ** 3}\t100GiB`,
    'disks.count\t>=2\t>=2',
    'nics.count\t>=2\t>=2',
    'controllers\thpsa\thpsa',
    'controllers\t103c:323a\t103c:323a',
    'dmi.vendor\tHPE*\tHPE*',
    'dmi.product\tProLiant DL3?0*\tProLiant DL3?0*',
  ].join('\n'));
  assert.equal(requireRules({ disks: '>=4' }), 'disks.count\t>=4\t>=4');
  assert.equal(requireRules({ disks: { minSize: 1000 } }), 'disks.minSize\t1000\t1000\ndisks.count\t>=1\t>=1');
  assert.equal(requireRules({}), '');
});
