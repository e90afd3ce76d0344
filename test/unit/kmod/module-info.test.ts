/**
 * decodeModuleInfo / readModuleFile on real Debian modules, with modinfo(8)
 * from kmod as the oracle, plus hostile-ELF bounds checks.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { isRemasterError } from '../../../src/errors.ts';
import { decodeModuleInfo, moduleCodec, moduleNameFromPath, readModuleFile } from '../../../src/kmod/index.ts';
import { ensureFixtures } from '../../helpers/fixtures.ts';
import { requireTool, runTool } from '../../helpers/tools.ts';

const SAMPLES = ['kernel/fs/fuse/fuse.ko', 'kernel/drivers/scsi/hpsa.ko', 'kernel/drivers/scsi/megaraid/megaraid_sas.ko', 'kernel/drivers/net/virtio_net.ko', 'kernel/lib/crc-itu-t.ko'];

function modinfoField(file: string, field: string): string[] {
  const out = execFileSync('modinfo', ['-F', field, file], { encoding: 'latin1' });
  return out.split('\n').filter((l) => l !== '');
}

for (const rel of SAMPLES) {
  test(`reads the .modinfo of the real ${moduleNameFromPath(rel)} module as modinfo -F does`, async (t) => {
    if (!requireTool(t, 'modinfo')) return;
    const fx = await ensureFixtures(t);
    if (!fx) return;
    const file = join(fx.kernel.modulesDir, rel);
    const info = decodeModuleInfo(new Uint8Array(await readFile(file)));
    assert.deepEqual([info.vermagic], modinfoField(file, 'vermagic'));
    assert.deepEqual(info.aliases, modinfoField(file, 'alias'));
    assert.deepEqual(info.firmware, modinfoField(file, 'firmware'));
    assert.deepEqual(info.softdeps, modinfoField(file, 'softdep'));
    assert.deepEqual(info.depends, modinfoField(file, 'depends').flatMap((d) => d.split(',')));
    assert.deepEqual([info.name], modinfoField(file, 'name'));
    assert.deepEqual([info.license], modinfoField(file, 'license'));
    assert.equal(info.isIntree, true);
    assert.equal(info.hasThisModule, true);
    assert.equal(info.hasVersions, true);
    assert.equal(info.elf.is64, true);
    assert.equal(info.elf.machine, 62);
    assert.equal(info.signature?.idType, 2, 'Debian signs its modules with PKCS#7');
    const signer = modinfoField(file, 'signer');
    assert.ok(signer.length === 1, `modinfo sees a signature too: ${signer.join()}`);
  });
}

test('lists exported symbols and needed symbols the way depmod resolves them', async (t) => {
  const fx = await ensureFixtures(t);
  if (!fx) return;
  const sas = decodeModuleInfo(new Uint8Array(await readFile(join(fx.kernel.modulesDir, 'kernel/drivers/scsi/scsi_transport_sas.ko'))));
  const hpsa = decodeModuleInfo(new Uint8Array(await readFile(join(fx.kernel.modulesDir, 'kernel/drivers/scsi/hpsa.ko'))));
  assert.ok(sas.exports.includes('sas_attach_transport'));
  assert.ok(hpsa.dependencySymbols.some((s) => s.name === 'sas_attach_transport' && !s.isWeak));
  assert.ok(hpsa.dependencySymbols.some((s) => s.name === 'module_layout'), '__versions entries no undefined symbol matched are kept');
  assert.deepEqual(hpsa.exports, []);
});

test('reads .ko.xz (CRC32, as the kernel build writes) and .ko.zst modules by magic', async (t) => {
  if (!requireTool(t, 'xz', 'zstd')) return;
  const fx = await ensureFixtures(t);
  if (!fx) return;
  const raw = new Uint8Array(await readFile(join(fx.kernel.modulesDir, 'kernel/fs/fuse/fuse.ko')));
  const plain = decodeModuleInfo(raw);
  const xz = runTool('xz', ['--check=crc32', '--lzma2=dict=1MiB', '-c'], raw);
  const zst = runTool('zstd', ['-q', '-c'], raw);
  assert.equal(moduleCodec(xz), 'xz');
  assert.equal(moduleCodec(zst), 'zstd');
  assert.equal(moduleCodec(raw), undefined);
  assert.deepEqual(await readModuleFile(xz, 'fuse.ko.xz'), plain);
  assert.deepEqual(await readModuleFile(zst, 'fuse.ko.zst'), plain);
});

test('normalises module names from file names like kmod', () => {
  assert.equal(moduleNameFromPath('kernel/lib/crc-itu-t.ko'), 'crc_itu_t');
  assert.equal(moduleNameFromPath('updates/hpsa.ko.xz'), 'hpsa');
  assert.equal(moduleNameFromPath('8250_dw.ko.zst'), '8250_dw');
});

function elfHeader64(): Uint8Array {
  const b = new Uint8Array(64);
  b.set([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1]);
  const v = new DataView(b.buffer);
  v.setUint16(16, 1, true);
  v.setUint16(18, 62, true);
  v.setBigUint64(40, 0x1000n, true); // e_shoff far past the end
  v.setUint16(58, 64, true);
  v.setUint16(60, 3, true);
  v.setUint16(62, 2, true);
  return b;
}

test('rejects a section header table past the end of the file with MODULE_BAD_ELF and its offset', () => {
  assert.throws(() => decodeModuleInfo(elfHeader64()), (err) => isRemasterError(err, 'MODULE_BAD_ELF') && err.offset === 40 && /past the end/.test(err.message));
});

test('rejects non-ELF input naming the magic seen', () => {
  assert.throws(() => decodeModuleInfo(new TextEncoder().encode('#!/bin/sh\n')), (err) => isRemasterError(err, 'MODULE_BAD_ELF') && err.offset === 0 && /23 21 2f 62/.test(err.message));
  assert.throws(() => decodeModuleInfo(new Uint8Array(0)), (err) => isRemasterError(err, 'MODULE_BAD_ELF'));
});

test('never fails with anything but MODULE_BAD_ELF on truncated or corrupted real modules', async (t) => {
  const fx = await ensureFixtures(t);
  if (!fx) return;
  const raw = new Uint8Array(await readFile(join(fx.kernel.modulesDir, 'kernel/lib/crc-itu-t.ko')));
  let seed = 12345;
  const rand = (n: number) => ((seed = (seed * 1103515245 + 12345) >>> 0) % n);
  for (let i = 0; i < 400; i++) {
    const copy = raw.slice(0, i % 4 === 0 ? rand(raw.length) : raw.length);
    for (let k = 0; k < 8; k++) if (copy.length) copy[rand(copy.length)] = rand(256);
    try {
      decodeModuleInfo(copy);
    } catch (err) {
      assert.ok(isRemasterError(err, 'MODULE_BAD_ELF'), `iteration ${i}: ${String(err)}`);
      assert.equal(typeof (err as { offset?: number }).offset, 'number');
    }
  }
});
