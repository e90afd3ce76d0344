/** The lifecycle rules: forward only, failed ends an attempt, stalled revives, only active installs stall. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decideTransition, isCallbackKind, isStalled, LIFECYCLE_ORDER } from '../../../src/index.ts';

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
