/**
 * Write UDP datagrams into a classic pcap file (LINKTYPE_RAW: each record is
 * one IPv4 packet) so an independent dissector (tshark) can decode what our
 * encoders produce. UDP checksums are left 0 ("not computed", RFC 768).
 */
export interface PcapDatagram {
  payload: Uint8Array;
  src?: string;
  dst?: string;
  srcPort?: number;
  dstPort?: number;
}

const LINKTYPE_RAW = 101;

function ipv4(address: string): number[] {
  return address.split('.').map(Number);
}

function ipChecksum(header: Uint8Array): number {
  let sum = 0;
  for (let i = 0; i < header.length; i += 2) sum += ((header[i] as number) << 8) | (header[i + 1] as number);
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

function ipUdp(d: PcapDatagram): Uint8Array {
  const total = 20 + 8 + d.payload.length;
  const out = new Uint8Array(total);
  const v = new DataView(out.buffer);
  out[0] = 0x45; // version 4, IHL 5
  v.setUint16(2, total);
  out[8] = 64; // TTL
  out[9] = 17; // UDP
  out.set(ipv4(d.src ?? '0.0.0.0'), 12);
  out.set(ipv4(d.dst ?? '255.255.255.255'), 16);
  v.setUint16(10, ipChecksum(out.subarray(0, 20)));
  v.setUint16(20, d.srcPort ?? 68);
  v.setUint16(22, d.dstPort ?? 67);
  v.setUint16(24, 8 + d.payload.length);
  out.set(d.payload, 28);
  return out;
}

/** Return a pcap file holding one raw-IPv4 record per datagram. */
export function makePcap(datagrams: PcapDatagram[]): Uint8Array {
  const records = datagrams.map(ipUdp);
  const out = new Uint8Array(24 + records.reduce((n, r) => n + 16 + r.length, 0));
  const v = new DataView(out.buffer);
  v.setUint32(0, 0xa1b2c3d4, true); // magic, microsecond timestamps
  v.setUint16(4, 2, true);
  v.setUint16(6, 4, true);
  v.setUint32(16, 65535, true); // snaplen
  v.setUint32(20, LINKTYPE_RAW, true);
  let at = 24;
  records.forEach((r, i) => {
    v.setUint32(at, 1_700_000_000 + i, true);
    v.setUint32(at + 8, r.length, true);
    v.setUint32(at + 12, r.length, true);
    out.set(r, at + 16);
    at += 16 + r.length;
  });
  return out;
}
