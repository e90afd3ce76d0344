import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RemasterError } from '../../../../src/errors.ts';
import { decodeDhcpPacket, encodeDhcpPacket, type DhcpPacket } from '../../../../src/net/dhcp/packet.ts';
import { requireTool } from '../../../helpers/tools.ts';
import { tsharkDhcp } from '../../../helpers/tshark.ts';

/** Hex with spaces, newlines and `# comments` allowed, to bytes. */
function hex(...parts: string[]): Uint8Array {
  const clean = parts.join('').replace(/#[^\n]*/g, '').replace(/\s+/g, '');
  return Uint8Array.from(clean.match(/../g) ?? [], (h) => Number.parseInt(h, 16));
}
const zeros = (n: number) => '00'.repeat(n);
const ascii = (s: string) => [...s].map((c) => c.charCodeAt(0).toString(16).padStart(2, '0')).join('');

// A PXE DHCPDISCOVER as a BIOS UNDI ROM sends it: 310 bytes, no trailing padding needed.
const DISCOVER = hex(
  '01 01 06 00', // op BOOTREQUEST, htype Ethernet, hlen 6, hops 0
  '12345678', // xid
  '0004 8000', // secs 4, flags broadcast
  '00000000 00000000 00000000 00000000', // ciaddr, yiaddr, siaddr, giaddr
  '525400123456', zeros(10), // chaddr: MAC + 10 bytes of padding
  zeros(64), // sname
  zeros(128), // file
  '63825363', // magic cookie
  '35 01 01', // 53 message type: DHCPDISCOVER
  '39 02 05c0', // 57 max message size 1472
  '5d 02 0000', // 93 client architecture: 0 (BIOS)
  '5e 03 010201', // 94 network interface: UNDI 2.1
  '3c 20', ascii('PXEClient:Arch:00000:UNDI:002001'), // 60 vendor class (32 bytes)
  '61 11 00 b8945908d6a641a9611d74a6ab80b83d', // 97 client UUID, type 0
  'ff', // END
);

const MAC = Uint8Array.from([0x52, 0x54, 0x00, 0x12, 0x34, 0x56, ...new Uint8Array(10)]);

test('decodes every field of a PXE DHCPDISCOVER and re-encodes the same bytes', () => {
  assert.equal(DISCOVER.length, 310);
  const p = decodeDhcpPacket(DISCOVER);
  assert.deepEqual({ ...p, options: undefined }, {
    op: 1, htype: 1, hlen: 6, hops: 0, xid: 0x12345678, secs: 4, flags: 0x8000,
    ciaddr: '0.0.0.0', yiaddr: '0.0.0.0', siaddr: '0.0.0.0', giaddr: '0.0.0.0', chaddr: MAC, sname: '', file: '', options: undefined,
  });
  assert.deepEqual([...p.options.keys()], [53, 57, 93, 94, 60, 97]);
  assert.deepEqual(p.options.get(53), Uint8Array.of(1));
  assert.equal(new TextDecoder().decode(p.options.get(60)), 'PXEClient:Arch:00000:UNDI:002001');
  assert.deepEqual(encodeDhcpPacket(p), DISCOVER);
});

// The ProxyDHCP offer remaster sends to a BIOS client: padded to 300 bytes.
const OFFER = hex(
  '02 01 06 00', // op BOOTREPLY, Ethernet, hlen 6, hops 0
  '12345678', // xid echoed
  '0000 8000', // secs, flags broadcast
  '00000000 00000000 0a000001 00000000', // ciaddr, yiaddr 0.0.0.0 (no address offered), siaddr 10.0.0.1, giaddr
  '525400123456', zeros(10), // chaddr
  ascii('10.0.0.1'), zeros(56), // sname
  ascii('pxelinux.0'), zeros(118), // file
  '63825363', // magic cookie
  '35 01 02', // 53 DHCPOFFER
  '36 04 0a000001', // 54 server identifier
  '3c 09', ascii('PXEClient'), // 60 vendor class
  '2b 04 06 01 08 ff', // 43 PXE vendor options: discovery control = 8, END
  'ff', // END
  zeros(33), // padding to 300 bytes
);

test('encodes a ProxyDHCP offer field by field, padded to 300 bytes', () => {
  const p: DhcpPacket = {
    op: 2, htype: 1, hlen: 6, hops: 0, xid: 0x12345678, secs: 0, flags: 0x8000,
    ciaddr: '0.0.0.0', yiaddr: '0.0.0.0', siaddr: '10.0.0.1', giaddr: '0.0.0.0', chaddr: MAC, sname: '10.0.0.1', file: 'pxelinux.0',
    options: new Map([[53, Uint8Array.of(2)], [54, Uint8Array.of(10, 0, 0, 1)], [60, new TextEncoder().encode('PXEClient')], [43, Uint8Array.of(6, 1, 8, 0xff)]]),
  };
  const bytes = encodeDhcpPacket(p);
  assert.equal(bytes.length, 300);
  assert.deepEqual(bytes, OFFER);
  assert.deepEqual(decodeDhcpPacket(bytes), p);
});

test('splits an option longer than 255 bytes into consecutive instances and joins them on decode (RFC 3396)', () => {
  const long = Uint8Array.from({ length: 300 }, (_, i) => i & 0xff);
  const p = decodeDhcpPacket(OFFER);
  p.options.set(77, long);
  const bytes = encodeDhcpPacket(p);
  const at = 240 + 3 + 6 + 11 + 6; // after options 53, 54, 60, 43
  assert.deepEqual([bytes[at], bytes[at + 1]], [77, 255]);
  assert.deepEqual([bytes[at + 257], bytes[at + 258]], [77, 45]);
  assert.deepEqual(decodeDhcpPacket(bytes).options.get(77), long);
});

test('joins repeated instances in options-field, file, sname order when option 52 overloads both fields', () => {
  const bytes = hex(
    '02 01 06 00 00000001 0000 0000', zeros(16), '525400123456', zeros(10),
    '0c 03', ascii('sna'), 'ff', zeros(58), // sname: option 12 "sna", END, padding
    '0c 03', ascii('fil'), '43 01 09', 'ff', zeros(119), // file: option 12 "fil", option 67 "\t", END
    '63825363',
    '35 01 05', '34 01 03', '0c 03', ascii('opt'), 'ff', // 53 ACK, 52 overload both, 12 "opt"
  );
  const p = decodeDhcpPacket(bytes);
  assert.equal(p.file, '');
  assert.equal(p.sname, '');
  assert.equal(new TextDecoder().decode(p.options.get(12)), 'optfilsna');
  assert.deepEqual(p.options.get(67), Uint8Array.of(9));
  assert.equal(p.options.has(52), false, 'option 52 is consumed');
});

test('reads file and sname as strings when option 52 is absent, options after END are ignored', () => {
  const bytes = OFFER.slice();
  bytes[240 + 3 + 6 + 11 + 6 + 1] = 0x35; // junk after END
  const p = decodeDhcpPacket(bytes);
  assert.equal(p.file, 'pxelinux.0');
  assert.equal(p.sname, '10.0.0.1');
  assert.equal(p.options.size, 4);
});

function rejects(bytes: Uint8Array, offset: number, pattern: RegExp): void {
  assert.throws(() => decodeDhcpPacket(bytes), (err: unknown) => {
    assert.ok(err instanceof RemasterError, String(err));
    assert.equal(err.code, 'DHCP_MALFORMED');
    assert.equal(err.offset, offset);
    assert.match(err.message, pattern);
    return true;
  });
}

test('rejects a message shorter than header + cookie', () => {
  rejects(DISCOVER.subarray(0, 239), 239, /239 bytes, shorter than the 240-byte header/);
});

test('rejects a wrong magic cookie (plain BOOTP) naming the value', () => {
  const b = DISCOVER.slice();
  b[236] = 0;
  rejects(b, 236, /bad DHCP magic cookie 0x00825363, expected 0x63825363/);
});

test('rejects an option whose length runs past the end, at the option offset', () => {
  rejects(DISCOVER.subarray(0, 250), 247, /option 93 is 2 bytes long but only 1 bytes are left in the field/);
  rejects(DISCOVER.subarray(0, 244), 243, /option 57 has no length byte/);
});

test('rejects hlen above 16, a bad overload value and overload inside an overloaded field', () => {
  const h = DISCOVER.slice();
  h[2] = 17;
  rejects(h, 2, /hardware address length 17/);
  const o = hex('01 01 06 00', zeros(232), '63825363', '34 01 04', 'ff');
  rejects(o, 240, /option 52 \(overload\) must be one byte 1, 2 or 3/);
  const nested = hex('01 01 06 00', zeros(104), '34 01 01 ff', zeros(124), '63825363', '34 01 01', 'ff');
  rejects(nested, 108, /inside an overloaded field/);
});

test('refuses to encode what the wire cannot carry', () => {
  const p = decodeDhcpPacket(OFFER);
  assert.throws(() => encodeDhcpPacket({ ...p, file: 'x'.repeat(128) }), { code: 'LIMIT_EXCEEDED' });
  assert.throws(() => encodeDhcpPacket({ ...p, siaddr: '10.0.0.256' }), /siaddr "10\.0\.0\.256" is not a dotted IPv4 address/);
  assert.throws(() => encodeDhcpPacket({ ...p, options: new Map([[52, Uint8Array.of(1)]]) }), { code: 'DHCP_MALFORMED' });
  assert.throws(() => encodeDhcpPacket({ ...p, options: new Map([[77, new Uint8Array(400)]]) }), { code: 'LIMIT_EXCEEDED' });
});

test('tshark decodes the encoded offer and discover to the same fields and options', (t) => {
  if (!requireTool(t, 'tshark')) return;
  const long = decodeDhcpPacket(OFFER);
  long.options.set(77, new Uint8Array(270).fill(0x41));
  const packets = [decodeDhcpPacket(DISCOVER), decodeDhcpPacket(OFFER), long];
  const seen = tsharkDhcp(packets.map((p) => ({ payload: encodeDhcpPacket(p), srcPort: p.op === 1 ? 68 : 67, dstPort: p.op === 1 ? 67 : 68 })));
  assert.equal(seen.length, 3);
  packets.forEach((p, i) => {
    const s = seen[i]!;
    assert.deepEqual(
      { op: s.op, xid: s.xid, flags: s.flags, ciaddr: s.ciaddr, yiaddr: s.yiaddr, siaddr: s.siaddr, giaddr: s.giaddr, mac: s.mac, file: s.file, sname: s.sname },
      { op: p.op, xid: p.xid, flags: p.flags, ciaddr: p.ciaddr, yiaddr: p.yiaddr, siaddr: p.siaddr, giaddr: p.giaddr, mac: '52:54:00:12:34:56', file: p.file, sname: p.sname },
    );
    // tshark shows RFC 3396 instances separately: join consecutive ones of the same code
    const joined: { code: number; hex: string }[] = [];
    for (const o of s.options) {
      const last = joined.at(-1);
      if (last?.code === o.code) last.hex += o.hex;
      else joined.push({ ...o });
    }
    assert.deepEqual(joined, [...p.options].map(([code, v]) => ({ code, hex: Buffer.from(v).toString('hex') })));
  });
  assert.equal(seen[0]!.layer['dhcp.option.type_tree'] !== undefined, true);
  assert.equal(seen[2]!.options.filter((o) => o.code === 77).length, 2, 'tshark sees two instances of option 77');
});
