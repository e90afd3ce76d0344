import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodeDhcpPacket, encodeDhcpPacket } from '../../../../src/net/dhcp/packet.ts';
import { classifyDhcpClient } from '../../../../src/net/dhcp/pxe.ts';
import { requireTool } from '../../../helpers/tools.ts';
import { tsharkDhcp } from '../../../helpers/tshark.ts';
import { EDK2, IPXE_BIOS, IPXE_EFI } from './captured.ts';

const bytes = (h: string) => Uint8Array.from(Buffer.from(h, 'hex'));
const ZERO_UUID = '00000000-0000-0000-0000-000000000000';

test('SeaBIOS + iPXE ROM: PXE, BIOS (arch 0), iPXE user class, UNDI 2.1', () => {
  const c = classifyDhcpClient(decodeDhcpPacket(bytes(IPXE_BIOS)));
  assert.deepEqual({ ...c, uuidOption: undefined }, {
    mac: '52:54:00:12:34:56', messageType: 1, xid: 0xe037263a, vendorClass: 'PXEClient:Arch:00000:UNDI:002001',
    isPxe: true, isHttpBoot: false, arch: 0, arches: [0], archName: 'bios', isUefi: false,
    userClasses: ['iPXE'], isIpxe: true, uuid: ZERO_UUID, uuidOption: undefined, nii: { type: 1, major: 2, minor: 1 }, anomalies: [],
  });
});

test('OVMF + iPXE EFI driver: x64 UEFI (arch 7) and iPXE', () => {
  const c = classifyDhcpClient(decodeDhcpPacket(bytes(IPXE_EFI)));
  assert.equal(c.archName, 'efi-x64');
  assert.equal(c.isUefi, true);
  assert.equal(c.isIpxe, true);
  assert.equal(c.vendorClass, 'PXEClient:Arch:00007:UNDI:003010');
  assert.deepEqual(c.nii, { type: 1, major: 3, minor: 10 });
});

test('OVMF\'s own PXE stack (EDK2): x64 UEFI, no user class, UNDI 3.0', () => {
  const p = decodeDhcpPacket(bytes(EDK2));
  const c = classifyDhcpClient(p);
  assert.equal(c.isPxe, true);
  assert.equal(c.arch, 7);
  assert.equal(c.archName, 'efi-x64');
  assert.equal(c.isIpxe, false);
  assert.deepEqual(c.userClasses, []);
  assert.equal(c.uuid, ZERO_UUID);
  assert.equal(p.flags, 0x8000, 'EDK2 asks for broadcast replies');
  assert.deepEqual(c.nii, { type: 1, major: 3, minor: 0 });
});

test('the captured packets re-encode to the bytes the firmware sent', () => {
  for (const h of [IPXE_BIOS, IPXE_EFI, EDK2]) {
    const b = bytes(h);
    // all three end exactly at END, and are longer than the 300-byte minimum
    assert.deepEqual(encodeDhcpPacket(decodeDhcpPacket(b), { maxSize: 1500 }), b);
  }
});

test('tshark reads the same architecture, vendor class and user class from the captures', (t) => {
  if (!requireTool(t, 'tshark')) return;
  const seen = tsharkDhcp([IPXE_BIOS, IPXE_EFI, EDK2].map((h) => ({ payload: bytes(h) })));
  const arch = (i: number) => seen[i]!.options.find((o) => o.code === 93)?.hex;
  assert.deepEqual([arch(0), arch(1), arch(2)], ['0000', '0007', '0007']);
  assert.equal(seen[0]!.options.find((o) => o.code === 77)?.hex, Buffer.from('iPXE').toString('hex'));
  assert.equal(seen[2]!.options.some((o) => o.code === 77), false);
});

function withOptions(base: string, set: [number, Uint8Array | undefined][]) {
  const p = decodeDhcpPacket(bytes(base));
  for (const [code, v] of set) {
    if (v === undefined) p.options.delete(code);
    else p.options.set(code, v);
  }
  return p;
}
const text = (s: string) => new TextEncoder().encode(s);

test('architectures by option 93: IA32, x64 in old RFC 4578 numbering (9), ARM64, x64 HTTP boot', () => {
  const cases: [number, string, boolean][] = [[6, 'efi-ia32', true], [9, 'efi-x64', true], [11, 'efi-arm64', true], [16, 'efi-x64-http', true], [0x1234, 'unknown', false]];
  for (const [arch, name, uefi] of cases) {
    const c = classifyDhcpClient(withOptions(EDK2, [[93, Uint8Array.of(arch >> 8, arch & 0xff)]]));
    assert.deepEqual([c.arch, c.archName, c.isUefi], [arch, name, uefi], `arch ${arch}`);
  }
});

test('UEFI HTTP boot: HTTPClient vendor class is not PXE but is an HTTP boot client', () => {
  const c = classifyDhcpClient(withOptions(EDK2, [[60, text('HTTPClient:Arch:00016:UNDI:003000')], [93, Uint8Array.of(0, 16)]]));
  assert.deepEqual([c.isPxe, c.isHttpBoot, c.archName], [false, true, 'efi-x64-http']);
});

test('architecture falls back to option 60 when option 93 is missing', () => {
  const c = classifyDhcpClient(withOptions(EDK2, [[93, undefined]]));
  assert.deepEqual([c.arch, c.archName], [7, 'efi-x64']);
});

test('a non-PXE client (udhcpc-like vendor class) is not PXE', () => {
  const c = classifyDhcpClient(withOptions(EDK2, [[60, text('udhcp 1.35.0')], [93, undefined], [94, undefined], [97, undefined]]));
  assert.deepEqual([c.isPxe, c.isHttpBoot, c.arch, c.archName, c.uuid], [false, false, undefined, 'unknown', undefined]);
});

test('RFC 3004 user classes are split; a UUID is formatted in wire order', () => {
  const uuid = Uint8Array.of(0, 0xb8, 0x94, 0x59, 0x08, 0xd6, 0xa6, 0x41, 0xa9, 0x61, 0x1d, 0x74, 0xa6, 0xab, 0x80, 0xb8, 0x3d);
  const c = classifyDhcpClient(withOptions(EDK2, [[77, Uint8Array.of(4, ...text('iPXE'), 3, ...text('foo'))], [97, uuid]]));
  assert.deepEqual(c.userClasses, ['iPXE', 'foo']);
  assert.equal(c.isIpxe, true);
  assert.equal(c.uuid, 'b8945908-d6a6-41a9-611d-74a6ab80b83d');
});

test('malformed options 93, 94 and 97 are anomalies, not errors', () => {
  const c = classifyDhcpClient(withOptions(EDK2, [[93, Uint8Array.of(7)], [94, Uint8Array.of(1)], [97, Uint8Array.of(1, 2, 3)]]));
  assert.equal(c.isPxe, true);
  assert.deepEqual([c.uuid, c.nii, c.arch], [undefined, undefined, 7]);
  assert.equal(c.anomalies.length, 3);
  assert.match(c.anomalies.join('\n'), /option 93.*1 bytes[\s\S]*option 97 .*3 bytes of type 1[\s\S]*option 94/);
});
