/**
 * QEMU clients in a NetLab, each with a local disk that prints a marker
 * (local-disks.ts), booted a few at a time and judged one by one: an
 * "install" case must reach the published initrd with the tree's nonce; a
 * "disk" case must reach its own disk's marker and never start a kernel.
 * Every case is reported (name, verdict, time) before the first failure is
 * asserted. REMASTER_LAB_LOGS=<dir> keeps each console log there;
 * REMASTER_LAB_ONLY=<regexp> boots only the cases whose name matches (for
 * iterating on one loader; a filtered run is reported as such).
 */
import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { INSTALLS, inPool, NO_KERNEL, sharedDir } from './lab-servers.ts';
import { makeBiosMarkerDisk, makeEfiMarkerDisk, type SignedDiskChain } from './local-disks.ts';
import type { LabClient, NetLab } from './netlab.ts';
import { makeNonce, type BootResult } from './qemu.ts';

/** One client boot and what it must end in. */
export interface LabCase {
  name: string;
  client: Pick<LabClient, 'firmware' | 'mac' | 'nic'>;
  outcome: 'install' | 'disk';
  /** More the console must show. */
  also?: RegExp[];
  /** Longer than the default BOOT_MS, for a client known to be slow. */
  timeoutMs?: number;
}

const BOOT_MS = 240_000;
/** QEMU boots at a time: the machine has two cores. */
const PARALLEL = 2;
const TAIL_LINES = 30;

/** What a failed case's message shows: the missing expectations, the loader's lines and the console's end. */
function failure(c: LabCase, r: BootResult): string {
  const lines = r.log.split('\n').filter((l) => l.trim() !== '');
  const head = lines.filter((l) => !/^\[\s*\d+\.\d+\]/u.test(l)).slice(0, TAIL_LINES);
  return `${c.name}: ${r.timedOut ? 'timed out, ' : ''}missing ${r.missing.join(', ')}\n--- firmware and loader lines:\n${head.join('\n')}\n--- console tail:\n${lines.slice(-TAIL_LINES).join('\n')}`;
}

async function bootCase(t: TestContext, lab: NetLab, treeNonce: string, c: LabCase, signed?: SignedDiskChain): Promise<BootResult> {
  const diskNonce = makeNonce();
  const dir = await sharedDir(t, 'remaster-disk-');
  const marker = `REMASTER-LOCAL-DISK ${diskNonce}`;
  const disk = c.client.firmware === 'bios' ? await makeBiosMarkerDisk(dir, marker) : await makeEfiMarkerDisk(dir, marker, c.client.firmware === 'uefi-secure' ? signed : undefined);
  const expect = [c.outcome === 'install' ? INSTALLS : /REMASTER-LOCAL-DISK NONCE/, ...(c.also ?? [])];
  const r = await lab.boot({ ...c.client, name: c.name, disk, expect, nonce: c.outcome === 'install' ? treeNonce : diskNonce, timeoutMs: c.timeoutMs ?? BOOT_MS });
  const keep = process.env.REMASTER_LAB_LOGS;
  if (keep !== undefined && keep !== '') {
    await mkdir(keep, { recursive: true });
    await writeFile(join(keep, `${c.name.replace(/[^a-z0-9]+/giu, '-')}.log`), r.log);
  }
  return r;
}

/** Boot every case once (PARALLEL at a time) and assert each outcome; a Secure Boot disk needs `signed`. */
export async function bootLabCases(t: TestContext, lab: NetLab, treeNonce: string, cases: LabCase[], signed?: SignedDiskChain): Promise<void> {
  const only = process.env.REMASTER_LAB_ONLY;
  const chosen = only === undefined || only === '' ? cases : cases.filter((c) => new RegExp(only, 'u').test(c.name));
  if (chosen.length < cases.length) t.diagnostic(`REMASTER_LAB_ONLY=${only}: ${chosen.length} of ${cases.length} cases`);
  const results = await inPool(PARALLEL, chosen.map((c) => async (): Promise<[LabCase, BootResult]> => [c, await bootCase(t, lab, treeNonce, c, signed)]));
  const failures: string[] = [];
  for (const [c, r] of results) {
    const startedKernel = c.outcome === 'disk' && NO_KERNEL.test(r.log);
    const passed = r.passed && !startedKernel;
    t.diagnostic(`${c.name}: ${passed ? 'passed' : 'FAILED'} in ${r.durationMs} ms`);
    if (!r.passed) failures.push(failure(c, r));
    if (startedKernel) failures.push(`${c.name}: the installer kernel must never start\n${failure(c, r)}`);
  }
  assert.equal(failures.length, 0, failures.join('\n\n'));
}
