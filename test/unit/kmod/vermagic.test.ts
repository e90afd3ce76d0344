/**
 * Vermagic checks against real modules of two Debian kernel ABIs, and the
 * kernel release read from the real vmlinuz bzImage header.
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { isRemasterError } from '../../../src/errors.ts';
import { checkVermagic, decodeModuleInfo, kernelReleaseFromBzImage, kernelVersionFromBzImage, vermagicRelease } from '../../../src/kmod/index.ts';
import { ensureFixtures } from '../../helpers/fixtures.ts';

test('accepts a module built for the kernel release and refuses one for another, showing both vermagics', async (t) => {
  const fx = await ensureFixtures(t);
  if (!fx?.di.modulesDir) return;
  const ours = decodeModuleInfo(new Uint8Array(await readFile(join(fx.kernel.modulesDir, 'kernel/fs/fuse/fuse.ko'))));
  const other = decodeModuleInfo(new Uint8Array(await readFile(join(fx.di.modulesDir, 'kernel/fs/fuse/fuse.ko'))));
  checkVermagic(ours, { release: fx.kernel.kver });
  checkVermagic(ours, { release: fx.kernel.kver, vermagic: ours.vermagic as string });
  assert.throws(
    () => checkVermagic(other, { release: fx.kernel.kver, vermagic: ours.vermagic as string }),
    (err) =>
      isRemasterError(err, 'MODULE_VERMAGIC_MISMATCH') &&
      err.message.includes(`"${other.vermagic}"`) &&
      err.message.includes(`"${ours.vermagic}"`) &&
      err.message.includes(fx.di.kver),
  );
  assert.throws(() => checkVermagic(other, { release: fx.kernel.kver }), (err) => isRemasterError(err, 'MODULE_VERMAGIC_MISMATCH') && err.message.includes(fx.kernel.kver));
});

test('refuses a module without vermagic', () => {
  assert.throws(() => checkVermagic({ vermagic: undefined }, { release: '6.1.0-56-amd64' }), (err) => isRemasterError(err, 'MODULE_VERMAGIC_MISMATCH') && /no vermagic/.test(err.message));
  assert.equal(vermagicRelease('6.1.0-56-amd64 SMP preempt mod_unload modversions '), '6.1.0-56-amd64');
});

test('reads the kernel release from the real bzImage header', async (t) => {
  const fx = await ensureFixtures(t);
  if (!fx) return;
  const image = new Uint8Array(await readFile(fx.kernel.vmlinuz));
  assert.equal(kernelReleaseFromBzImage(image), fx.kernel.kver);
  // the release comes from the package fetched at test time: derive it, never pin it
  assert.ok(kernelVersionFromBzImage(image).startsWith(`${fx.kernel.kver} (`), kernelVersionFromBzImage(image));
  assert.match(kernelVersionFromBzImage(image), /^\S+ \(.*\) #1 SMP/u);
  const di = new Uint8Array(await readFile(fx.di.linux));
  assert.equal(kernelReleaseFromBzImage(di), fx.di.kver);
});

test('refuses input that is not a bzImage', () => {
  assert.throws(() => kernelReleaseFromBzImage(new Uint8Array(1024)), (err) => isRemasterError(err) && err.offset === 0x1fe);
  const fake = new Uint8Array(1024);
  fake.set([0x55, 0xaa], 0x1fe);
  assert.throws(() => kernelReleaseFromBzImage(fake), (err) => isRemasterError(err) && /HdrS/.test(err.message));
  fake.set([0x48, 0x64, 0x72, 0x53], 0x202);
  fake.set([0xff, 0x7f], 0x20e);
  assert.throws(() => kernelReleaseFromBzImage(fake), (err) => isRemasterError(err) && /unterminated/.test(err.message));
});
