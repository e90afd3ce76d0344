/**
 * Boot phases as runQemu reports them (what `boot-test` prints while it
 * waits): a stand-in for qemu-system-x86_64 writes a console transcript in
 * pieces, with ANSI cursor moves inside a banner as SeaBIOS writes them, and
 * the phases must come once each, in order, with growing times; a direct
 * kernel boot (no loader banner) skips the loader phase.
 */
import assert from 'node:assert/strict';
import { chmod, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { runQemu, type BootPhase } from '../../../src/index.ts';
import { tmpDir } from '../../helpers/tmp-dir.ts';

async function fakeQemu(dir: string, lines: string[]): Promise<string> {
  const script = join(dir, 'fake-qemu');
  const body = lines.map((l) => `printf '%s\\n' '${l}'; sleep 0.2`).join('\n');
  await writeFile(script, `#!/bin/sh\n${body}\n`);
  await chmod(script, 0o755);
  return script;
}

async function phasesOf(t: TestContext, lines: string[]): Promise<{ phase: BootPhase; ms: number }[]> {
  const dir = await tmpDir(t);
  const seen: { phase: BootPhase; ms: number }[] = [];
  await runQemu({ kind: 'kernel', kernel: '/k', initrd: '/i', append: '' }, {
    timeoutMs: 20_000, scratch: dir, qemu: await fakeQemu(dir, lines), onPhase: (phase, ms) => seen.push({ phase, ms }),
  });
  return seen;
}

test('phases come in order, once each, with the loader banner found through ANSI cursor moves', async (t) => {
  const esc = '\u001b';
  const seen = await phasesOf(t, ['SeaBIOS (version 1.16.2-debian-1.16.2-1)', `ISOLINUX ${esc}[25;09H${esc}[25;10H6.04 ETCD`, 'boot:', '[    0.000000] Linux version 6.1.0-28-amd64', '[    1.2] Run /init as init process', 'Run /init as init process']);
  assert.deepEqual(seen.map((s) => s.phase), ['firmware', 'loader', 'kernel', 'userspace']);
  assert.ok(seen.every((s, i) => i === 0 || s.ms >= (seen[i - 1] as { ms: number }).ms));
});

test('a direct kernel boot has no loader phase', async (t) => {
  const seen = await phasesOf(t, ['[    0.000000] Linux version 6.1.0-28-amd64', 'REMASTER-PROBE-START nonce=x']);
  assert.deepEqual(seen.map((s) => s.phase), ['firmware', 'kernel', 'userspace']);
});
