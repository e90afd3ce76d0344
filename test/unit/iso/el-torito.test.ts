import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodeBootCatalog, encodeBootEntry, encodeSectionHeader, encodeValidationEntry } from '../../../src/iso/el-torito.ts';

// The Fedora/RHEL catalog from reference 03 §5: BIOS default entry + one UEFI section.
const GOLDEN = new Uint8Array([
  0x01, 0x00, 0, 0, ...new Array(24).fill(0), 0xaa, 0x55, 0x55, 0xaa, //   validation: BIOS, checksum AA55, key 55AA
  0x88, 0x00, 0, 0, 0x00, 0x00, 0x04, 0x00, 0xc9, 0x05, 0, 0, ...new Array(20).fill(0), // bootable, no-emul, 4 sectors, LBA 0x5C9
  0x91, 0xef, 0x01, 0x00, ...new Array(28).fill(0), //                       final section header, UEFI, 1 entry
  0x88, 0x00, 0, 0, 0x00, 0x00, 0x80, 0x16, 0x29, 0, 0, 0, ...new Array(20).fill(0), // 5760 sectors at LBA 0x29
]);

test('decodes the validation, default and section entries of a BIOS+UEFI catalog', () => {
  const c = decodeBootCatalog(GOLDEN, 60);
  assert.deepEqual(c.validation, { platformId: 0, idString: '', isChecksumValid: true });
  assert.equal(c.entries.length, 2);
  const [bios, efi] = c.entries;
  assert.deepEqual(bios, { index: 1, platformId: 0, platform: 'bios', isBootable: true, mediaType: 0, loadSegment: 0, systemType: 0, sectorCount: 4, lba: 0x5c9, selectionCriteriaType: 0 });
  assert.equal(efi?.platform, 'efi');
  assert.equal(efi?.sectorCount, 5760);
  assert.equal(efi?.lba, 0x29);
});

test('re-encodes the golden catalog from its parts', () => {
  const bytes = new Uint8Array([
    ...encodeValidationEntry(0), ...encodeBootEntry({ sectorCount: 4, lba: 0x5c9 }),
    ...encodeSectionHeader(0xef, 1, true), ...encodeBootEntry({ sectorCount: 5760, lba: 0x29 }),
  ]);
  assert.deepEqual(bytes, GOLDEN);
});

test('flags a bad checksum and rejects a missing 55AA key', () => {
  const bad = GOLDEN.slice();
  bad[28] = 0;
  assert.equal(decodeBootCatalog(bad, 60).validation.isChecksumValid, false);
  const noKey = GOLDEN.slice();
  noKey[31] = 0;
  assert.throws(() => decodeBootCatalog(noKey, 60, 60 * 2048), { code: 'ELTORITO_BAD_VALIDATION_ENTRY', offset: 60 * 2048 });
});

test('walks several section headers and skips extension entries', () => {
  const ext = new Uint8Array(32);
  ext[0] = 0x44;
  const bytes = new Uint8Array([
    ...encodeValidationEntry(0), ...encodeBootEntry({ sectorCount: 4, lba: 30 }),
    ...encodeSectionHeader(0, 1, false, 'second'), ...encodeBootEntry({ sectorCount: 4, lba: 31, mediaType: 0x20 }), ...ext,
    ...encodeSectionHeader(0xef, 1, true), ...encodeBootEntry({ sectorCount: 1, lba: 32 }), ...new Uint8Array(64),
  ]);
  const c = decodeBootCatalog(bytes, 20);
  assert.deepEqual(c.entries.map((e) => [e.index, e.platform, e.lba, e.sectionId]), [[1, 'bios', 30, undefined], [2, 'bios', 31, 'second'], [3, 'efi', 32, undefined]]);
});
