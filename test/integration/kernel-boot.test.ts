/**
 * The kernel is the judge: a real Debian kernel under QEMU (TCG) unpacks
 * initrds written by remaster and its busybox /init prints a marker for every
 * file under /etc/remaster. Each configuration boots once:
 *  1. append mode, every codec that can be followed: our gzip base + appended
 *     xz + zstd + lz4 + lzma segments (the kernel reads all of them in one boot);
 *  2. rebuild of that image to bzip2, with one file replaced and one removed;
 *  3. early uncompressed microcode + uncompressed main, repacked to xz with an add.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { hostEntries, scanInitrd, type AddSpec, type Compression } from '../../src/index.ts';
import { buildImage, editBytes } from '../helpers/edit.ts';
import { ensureFixtures } from '../helpers/fixtures.ts';
import { bootKernel } from '../helpers/qemu.ts';
import { requireTool } from '../helpers/tools.ts';
import { tmpDir } from '../helpers/tmp-dir.ts';
import { makeCpio } from '../helpers/make-cpio.ts';

const enc = new TextEncoder();
const marker = (name: string, text: string): AddSpec => ({ path: `/etc/remaster/${name}`, type: 'file', data: enc.encode(`${text}\n`), size: text.length + 1 });

async function boot(t: import('node:test').TestContext, kernel: string, image: Uint8Array, expect: RegExp[], reject: RegExp[] = []) {
  const dir = await tmpDir(t);
  const path = join(dir, 'initrd.img');
  await writeFile(path, image);
  const r = await bootKernel({ kernel, initrd: path, expect: [/REMASTER-MARKER init=main nonce=NONCE/, ...expect], timeoutMs: 90_000 });
  assert.ok(r.passed, `missing ${r.missing.join(', ')}; console tail:\n${r.log.split('\n').slice(-25).join('\n')}`);
  for (const re of reject) assert.doesNotMatch(r.log, re);
  assert.doesNotMatch(r.log, /Initramfs unpacking failed/);
}

async function base(root: string, compression: Compression): Promise<Uint8Array> {
  return buildImage(await hostEntries(root, '/'), compression);
}

async function append(image: Uint8Array, add: AddSpec[], compression: Compression): Promise<Uint8Array> {
  return (await editBytes(image, { add }, { mode: 'append', compression })).bytes;
}

test('the kernel reads our gzip base and appended xz, zstd, lz4 and lzma segments in one boot', async (t) => {
  if (!requireTool(t, 'qemu-system-x86_64', 'xz', 'zstd', 'lz4')) return;
  const fx = await ensureFixtures(t);
  if (!fx) return;
  let image = await base(fx.small.root, 'gzip');
  for (const codec of ['xz', 'zstd', 'lz4', 'lzma'] as const) image = await append(image, [marker(`from-${codec}`, `segment ${codec}`)], codec);
  const index = await scanInitrd([image]);
  assert.deepEqual(index.segments.map((s) => s.format), ['gzip', 'xz', 'zstd', 'lz4', 'lzma']);
  assert.ok(index.segments.every((s) => s.params?.kernelSafe !== false));
  await boot(t, fx.kernel.vmlinuz, image, ['xz', 'zstd', 'lz4', 'lzma'].map((c) => new RegExp(`REMASTER-OVERLAY /etc/remaster/from-${c}: segment ${c}`)));
});

test('the kernel boots a bzip2 rebuild with a replaced and a removed file', async (t) => {
  if (!requireTool(t, 'qemu-system-x86_64', 'xz', 'bzip2')) return;
  const fx = await ensureFixtures(t);
  if (!fx) return;
  let image = await base(fx.small.root, 'gzip');
  image = await append(image, [marker('keep', 'old'), marker('gone', 'should be removed')], 'xz');
  const { bytes } = await editBytes(image, { add: [marker('keep', 'replaced by rebuild')], remove: ['/etc/remaster/gone'] }, { mode: 'rebuild', compression: 'bzip2', sourceDateEpoch: 1700000000 });
  assert.deepEqual((await scanInitrd([bytes])).segments.map((s) => s.format), ['bzip2']);
  await boot(t, fx.kernel.vmlinuz, bytes, [/REMASTER-OVERLAY \/etc\/remaster\/keep: replaced by rebuild/], [/remaster\/gone/]);
});

test('the kernel boots early microcode + uncompressed main repacked to xz, microcode kept first', async (t) => {
  if (!requireTool(t, 'qemu-system-x86_64', 'xz')) return;
  const fx = await ensureFixtures(t);
  if (!fx) return;
  const early = makeCpio([{ name: 'kernel', mode: 0o40755 }, { name: 'kernel/x86', mode: 0o40755 }, { name: 'kernel/x86/microcode', mode: 0o40755 }, { name: 'kernel/x86/microcode/GenuineIntel.bin', data: 'not real microcode' }]);
  const main = await base(fx.small.root, 'none');
  const image = new Uint8Array([...early, ...main]);
  const { bytes } = await editBytes(image, { add: [marker('rebuilt', 'xz rebuild')] }, { mode: 'rebuild', compression: 'xz' });
  const index = await scanInitrd([bytes]);
  assert.deepEqual(index.segments.map((s) => s.format), ['cpio', 'xz']);
  assert.deepEqual(bytes.subarray(0, early.length), early);
  await boot(t, fx.kernel.vmlinuz, bytes, [/REMASTER-OVERLAY \/etc\/remaster\/rebuilt: xz rebuild/]);
});
