import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  decodeVolumeDescriptor, encodeBootRecordDescriptor, encodePrimaryVolumeDescriptor, encodeTerminatorDescriptor,
} from '../../../src/iso/volume-descriptor.ts';
import { decodeDecDateTime, encodeDecDateTime } from '../../../src/iso/both-endian.ts';
import { encodeUcs2 } from '../../../src/iso/joliet.ts';

test('decodes a Primary Volume Descriptor and its root record', () => {
  const bytes = encodePrimaryVolumeDescriptor({ volumeId: 'RHEL-9-4-0-BaseOS-x86_64', volumeSpaceSize: 2048, rootExtent: 20, rootSize: 2048, created: 1_700_000_000 });
  // Field checks at their ECMA-119 §8.4 offsets.
  assert.deepEqual([...bytes.subarray(0, 7)], [1, 0x43, 0x44, 0x30, 0x30, 0x31, 1]);
  assert.deepEqual([...bytes.subarray(80, 88)], [0, 8, 0, 0, 0, 0, 8, 0]);
  assert.equal(new TextDecoder().decode(bytes.subarray(813, 830 - 1)), '2023111422132000');
  const d = decodeVolumeDescriptor(bytes, 0);
  assert.equal(d.kind, 'primary');
  if (d.kind !== 'primary') return;
  assert.equal(d.volumeId, 'RHEL-9-4-0-BaseOS-x86_64');
  assert.equal(d.systemId, 'LINUX');
  assert.equal(d.volumeSpaceSize, 2048);
  assert.equal(d.logicalBlockSize, 2048);
  assert.equal(d.root.extent, 20);
  assert.equal(d.root.dataLength, 2048);
  assert.equal(d.created, 1_700_000_000);
  assert.equal(d.jolietLevel, 0);
  assert.deepEqual(d.mismatches, []);
});

test('recognises a Joliet Supplementary Volume Descriptor by its escape sequence and UCS-2 label', () => {
  const bytes = encodePrimaryVolumeDescriptor({ volumeId: '', volumeSpaceSize: 100, rootExtent: 30, rootSize: 2048 });
  bytes[0] = 2;
  bytes.set([0x25, 0x2f, 0x45], 88); // "%/E": UCS-2 level 3
  bytes.fill(0, 40, 72);
  bytes.set(encodeUcs2('Rocky-9-4'), 40);
  const d = decodeVolumeDescriptor(bytes, 0);
  assert.equal(d.kind, 'supplementary');
  if (d.kind !== 'supplementary') return;
  assert.equal(d.jolietLevel, 3);
  assert.equal(d.volumeId, 'Rocky-9-4');
});

test('decodes the El Torito boot record and the terminator', () => {
  assert.deepEqual(decodeVolumeDescriptor(encodeBootRecordDescriptor(62), 0), { kind: 'boot', systemId: 'EL TORITO SPECIFICATION', catalogLba: 62 });
  assert.deepEqual(decodeVolumeDescriptor(encodeTerminatorDescriptor(), 0), { kind: 'terminator' });
});

test('rejects a descriptor without CD001 with ISO_BAD_DESCRIPTOR', () => {
  assert.throws(() => decodeVolumeDescriptor(new Uint8Array(2048), 0, 0x8000), { code: 'ISO_BAD_DESCRIPTOR', offset: 0x8000 });
});

test('round-trips a dec-datetime and honours its GMT offset', () => {
  const b = new Uint8Array(17);
  encodeDecDateTime(b, 0, 1_700_000_000);
  assert.equal(decodeDecDateTime(b, 0), 1_700_000_000);
  b[16] = 0xf8; // GMT-2h
  assert.equal(decodeDecDateTime(b, 0), 1_700_000_000 + 7200);
  assert.equal(decodeDecDateTime(new Uint8Array(17).fill(0x30), 0), undefined);
});
