/**
 * tshark (Wireshark's dissector) as an independent DHCP decoder: datagrams
 * are written to a pcap (test/helpers/pcap.ts) and read back as JSON, one
 * summary per packet with the header fields and the options in wire order.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makePcap, type PcapDatagram } from './pcap.ts';

/** What tshark saw in one DHCP message. */
export interface TsharkDhcp {
  op: number;
  xid: number;
  flags: number;
  ciaddr: string;
  yiaddr: string;
  siaddr: string;
  giaddr: string;
  mac: string;
  /** Header file/sname fields as tshark shows them ('' when not shown). */
  file: string;
  sname: string;
  /** Options in wire order: code and value as lowercase hex (no separators); END excluded. */
  options: { code: number; hex: string }[];
  /** The whole dissection, for field-specific checks. */
  layer: Record<string, unknown>;
}

function list<T>(v: T | T[] | undefined): T[] {
  return v === undefined ? [] : Array.isArray(v) ? v : [v];
}

/** Decode datagrams with tshark; throws when tshark fails. */
export function tsharkDhcp(datagrams: PcapDatagram[]): TsharkDhcp[] {
  const dir = mkdtempSync(join(tmpdir(), 'remaster-tshark-'));
  try {
    const file = join(dir, 'dhcp.pcap');
    writeFileSync(file, makePcap(datagrams));
    const r = spawnSync('tshark', ['-r', file, '-T', 'json', '--no-duplicate-keys', '-d', 'udp.port==4011,dhcp'], { encoding: 'utf8', maxBuffer: 64 << 20 });
    if (r.status !== 0) throw new Error(`tshark failed (${r.status}): ${r.stderr}`);
    const frames = JSON.parse(r.stdout) as { _source: { layers: Record<string, unknown> } }[];
    return frames.map((f) => summarise(f._source.layers.dhcp as Record<string, unknown>));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function summarise(d: Record<string, unknown>): TsharkDhcp {
  const codes = list(d['dhcp.option.type'] as string | string[]).map(Number);
  const trees = list(d['dhcp.option.type_tree'] as Record<string, unknown> | Record<string, unknown>[]);
  const options: { code: number; hex: string }[] = [];
  codes.forEach((code, i) => {
    const t = trees[i] ?? {};
    // tshark 4.0 lists END with type 0 and a tree holding dhcp.option.end; a pad has no length
    if (t['dhcp.option.end'] !== undefined || t['dhcp.option.length'] === undefined) return;
    options.push({ code, hex: String(t['dhcp.option.value'] ?? '').replaceAll(':', '') });
  });
  return {
    op: Number(d['dhcp.type']),
    xid: Number(d['dhcp.id']),
    flags: Number(d['dhcp.flags']),
    ciaddr: String(d['dhcp.ip.client']),
    yiaddr: String(d['dhcp.ip.your']),
    siaddr: String(d['dhcp.ip.server']),
    giaddr: String(d['dhcp.ip.relay']),
    mac: String(d['dhcp.hw.mac_addr']),
    file: String(d['dhcp.file'] ?? ''),
    sname: String(d['dhcp.server'] ?? ''),
    options,
    layer: d,
  };
}
