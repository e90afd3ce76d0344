/** The lifecycle rules: forward only, failed ends an attempt, stalled revives, only active installs stall. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decideTransition, failureReasonOf, FAILURE_REASON_CHARS, isCallbackKind, isStalled, LIFECYCLE_ORDER } from '../../../src/index.ts';

test('every event moves a host forward along the lifecycle, never back', () => {
  for (const [i, from] of LIFECYCLE_ORDER.slice(0, -2).entries()) {
    for (const to of LIFECYCLE_ORDER.slice(1, -1) as ('boot-fetched' | 'installed')[]) {
      const d = decideTransition(from, to);
      const forward = LIFECYCLE_ORDER.indexOf(to) > i;
      assert.deepEqual(d, forward ? { move: true, from, to } : { move: false, reason: 'not-forward' }, `${from} -> ${to}`);
    }
  }
  assert.deepEqual(decideTransition('armed', 'installed'), { move: true, from: 'armed', to: 'installed' }, 'a skipped step is no obstacle');
});

test('failed ends the attempt, disarmed and registered hosts ignore events, stalled revives with any progress', () => {
  assert.deepEqual(decideTransition('pre-started', 'failed'), { move: true, from: 'pre-started', to: 'failed' });
  assert.deepEqual(decideTransition('failed', 'installed'), { move: false, reason: 'ended' });
  assert.deepEqual(decideTransition('installed', 'failed'), { move: false, reason: 'ended' });
  assert.deepEqual(decideTransition('disarmed', 'boot-fetched'), { move: false, reason: 'ended' });
  assert.deepEqual(decideTransition('registered', 'boot-fetched'), { move: false, reason: 'not-armed' });
  assert.deepEqual(decideTransition('stalled', 'kernel-fetched'), { move: true, from: 'stalled', to: 'kernel-fetched' });
  assert.deepEqual(decideTransition('stalled', 'failed'), { move: true, from: 'stalled', to: 'failed' });
});

test('only an install under way stalls, after the stall time', () => {
  assert.equal(isStalled('installing', 0, 30 * 60_000, 30 * 60_000), true);
  assert.equal(isStalled('installing', 1, 30 * 60_000, 30 * 60_000), false);
  for (const state of ['armed', 'installed', 'disarmed', 'failed', 'stalled', 'registered'] as const) assert.equal(isStalled(state, 0, 1e12, 1), false, state);
  assert.deepEqual(['pre-started', 'inventory', 'log', 'failed', 'armed', '../x'].map(isCallbackKind), [true, true, true, true, false, false]);
});

test('a failed report\'s reason: its reason: line, else its first line (the snippets\' message), bounded and one line', () => {
  assert.equal(failureReasonOf("reason: the installer ran %onerror\n==> /tmp/anaconda.log <==\nx\n"), 'the installer ran %onerror');
  // snippets/report.sh remaster_fail posts the message alone
  const policy = 'hardware policy not met (no disk was touched): install.require.disks.count ">=4": measured 3 (vda 64 MiB)';
  assert.equal(failureReasonOf(`${policy}\n`), policy);
  assert.equal(failureReasonOf(`\n  \n${policy}\nmore\n`), policy);
  assert.equal(failureReasonOf(''), 'the installer reported a failure');
  assert.equal(failureReasonOf('reason: \n'), 'the installer reported a failure');
  assert.equal(failureReasonOf('bad\tthing\x1b[31m\r\n'), 'bad thing [31m');
  const long = failureReasonOf('x'.repeat(5000));
  assert.equal(long.length, FAILURE_REASON_CHARS);
  assert.ok(long.endsWith('…'));
});
