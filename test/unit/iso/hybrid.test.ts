import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodeGptEntries, decodeGptHeader, decodeGuid, decodeMbr, readHybrid } from '../../../src/iso/hybrid.ts';
import { bytesSource } from '../../../src/io/block-source.ts';

function mbr(parts: [status: number, type: number, start: number, sectors: number][]): Uint8Array {
  const s = new Uint8Array(512);
  const v = new DataView(s.buffer);
  parts.forEach(([status, type, start, sectors], i) => {
    const at = 446 + i * 16;
    s[at] = status;
    s[at + 4] = type;
    v.setUint32(at + 8, start, true);
    v.setUint32(at + 12, sectors, true);
  });
  s[510] = 0x55;
  s[511] = 0xaa;
  return s;
}

test('decodes an isohybrid MBR with the ISO and EFI partitions', () => {
  const parts = decodeMbr(mbr([[0x80, 0x00, 0, 8192], [0, 0xef, 252, 4096]]));
  assert.deepEqual(parts, [
    { index: 1, status: 0x80, type: 0, start: 0, sectors: 8192 },
    { index: 2, status: 0, type: 0xef, start: 252, sectors: 4096 },
  ]);
  assert.equal(decodeMbr(new Uint8Array(512)), undefined);
});

test('formats GUIDs with the first three fields little-endian', () => {
  const b = Uint8Array.from([0x28, 0x73, 0x2a, 0xc1, 0x1f, 0xf8, 0xd2, 0x11, 0xba, 0x4b, 0x00, 0xa0, 0xc9, 0x3e, 0xc9, 0x3b]);
  assert.equal(decodeGuid(b, 0), 'c12a7328-f81f-11d2-ba4b-00a0c93ec93b');
});

test('decodes a GPT header and an EFI system partition entry, and finds appended partitions', async () => {
  const image = new Uint8Array(64 * 1024);
  image.set(mbr([[0, 0xee, 1, 127]]), 0);
  const h = image.subarray(512, 1024);
  h.set(new TextEncoder().encode('EFI PART'));
  const v = new DataView(image.buffer);
  v.setUint32(512 + 72, 2, true); // entries at LBA 2
  v.setUint32(512 + 80, 4, true); // 4 entries
  v.setUint32(512 + 84, 128, true); // of 128 bytes
  const e = 1024;
  image.set([0x28, 0x73, 0x2a, 0xc1, 0x1f, 0xf8, 0xd2, 0x11, 0xba, 0x4b, 0x00, 0xa0, 0xc9, 0x3e, 0xc9, 0x3b], e);
  v.setUint32(e + 32, 100, true);
  v.setUint32(e + 40, 119, true);
  image.set([0x45, 0, 0x53, 0, 0x50, 0], e + 56); // "ESP"
  assert.deepEqual(decodeGptHeader(h), { entriesLba: 2, entryCount: 4, entrySize: 128 });
  const entries = decodeGptEntries(image.subarray(e, e + 512), 4, 128);
  assert.equal(entries.length, 1);
  assert.equal(entries[0]?.isEfiSystem, true);
  assert.equal(entries[0]?.name, 'ESP');
  const info = await readHybrid(bytesSource(image), 40 * 512);
  assert.equal(info.kind, 'gpt');
  assert.deepEqual(info.appendedPartitions, [{ source: 'gpt', index: 1, start: 100, sectors: 20 }]);
});
