/**
 * Proves the boot harness itself: the real Debian kernel boots the GNU-built
 * control initrd (small/tiny-gzip.img) and its /init prints the marker with
 * this run's nonce, then powers the guest off.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ensureFixtures } from '../helpers/fixtures.ts';
import { bootKernel } from '../helpers/qemu.ts';
import { requireTool } from '../helpers/tools.ts';

test('the real Debian kernel boots the GNU cpio+gzip control initrd and prints the nonce marker', async (t) => {
  if (!requireTool(t, 'qemu-system-x86_64')) return;
  const fx = await ensureFixtures(t);
  if (fx === undefined) return;
  const result = await bootKernel({
    kernel: fx.kernel.vmlinuz,
    initrd: fx.small.tinyGzip,
    expect: [/REMASTER-MARKER init=main nonce=NONCE /, new RegExp(`kernel=${fx.kernel.kver}`)],
    timeoutMs: 120_000,
  });
  t.diagnostic(`boot took ${result.durationMs} ms, qemu exit ${result.exitCode}`);
  const tail = result.log.split('\n').slice(-25).join('\n');
  assert.ok(result.passed, `missing ${result.missing.join(', ')}; console tail:\n${tail}`);
  assert.equal(result.timedOut, false);
  assert.equal(result.exitCode, 0, 'the guest powers off by itself, so QEMU exits 0');
});

test('a marker carrying another nonce does not satisfy the expectation', async (t) => {
  if (!requireTool(t, 'qemu-system-x86_64')) return;
  const fx = await ensureFixtures(t);
  if (fx === undefined) return;
  // the guest prints the nonce it was given; expecting a different one must fail
  const result = await bootKernel({
    kernel: fx.kernel.vmlinuz,
    initrd: fx.small.tinyGzip,
    expect: /REMASTER-MARKER init=main nonce=not-this-run-NONCE/,
    timeoutMs: 120_000,
  });
  assert.equal(result.passed, false);
  assert.match(result.log, /REMASTER-MARKER init=main nonce=[0-9a-f]{16} /);
});
