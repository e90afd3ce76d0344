/**
 * TFTP fuzz targets.
 *
 * tftp-packet: decodeTftpPacket on mutated datagrams; a packet that decodes must re-encode to
 * the same bytes, its file name goes through normalizeTftpPath and its options through
 * negotiateTftpOptions, whose results must stay inside the RFC ranges.
 *
 * tftp-server: a live server on 127.0.0.1 (one per worker, kept across cases, short timeouts)
 * fed a sequence of datagrams per case from two client ports, to the listening port or to the
 * transfer port of the last reply. A case ends once the server has had a turn for every
 * datagram; the server must never report an unexpected error (onError), never run more than
 * maxTransfers transfers, and free every transfer (checked each 1000 cases).
 */
import { createSocket, type Socket } from 'node:dgram';
import { RemasterError } from '../src/errors.ts';
import { bytesSource } from '../src/io/index.ts';
import { createTftpServer, decodeTftpPacket, encodeTftpPacket, negotiateTftpOptions, normalizeTftpPath, TFTP_MAX_BLKSIZE, type TftpServer } from '../src/net/tftp/index.ts';
import type { Rng } from './prng.ts';
import { GENERIC_MUTATORS, mutate, type Mutator } from './mutate.ts';

const enc = (s: string): number[] => [...Buffer.from(s, 'latin1')];
const z = (...parts: string[]): number[] => parts.flatMap((p) => [...enc(p), 0]);
const packet = (...parts: (number | number[])[]): Uint8Array => Uint8Array.from(parts.flat());

/** Requests as the real clients send them (see test/unit/net/tftp/clients.test.ts), and the other packets. */
export function tftpPacketSeeds(): Uint8Array[] {
  return [
    packet(0, 1, z('pxelinux.cfg/01-52-54-00-12-34-56', 'octet', 'tsize', '0', 'blksize', '1408')), // pxelinux
    packet(0, 1, z('shimx64.efi', 'octet', 'tsize', '0', 'blksize', '1468', 'windowsize', '4')), // EDK2 probe
    packet(0, 1, z('/grub/x86_64-efi/normal.mod', 'octet', 'blksize', '1024', 'tsize', '0')), // GRUB
    packet(0, 1, z('vmlinuz', 'octet', 'blksize', '1432', 'tsize', '0', 'multicast', '')), // iPXE
    packet(0, 1, z('boot\\x64\\wdsnbp.com', 'octet', 'tsize', '0', 'blksize', '512', 'timeout', '6')), // curl-like
    packet(0, 1, z('f5000', 'netascii'), 0, 0, 0), // tftp-hpa default mode, padded
    packet(0, 2, z('upload.bin', 'octet', 'tsize', '12')),
    packet(0, 3, 0, 1, enc('x'.repeat(512))),
    packet(0, 3, 0xff, 0xff),
    packet(0, 4, 0, 0),
    packet(0, 5, 0, 8, z('User aborted the transfer')),
    packet(0, 6, z('tsize', '40810276', 'blksize', '1468', 'windowsize', '4')),
  ];
}

const NUMBERS = ['0', '1', '7', '8', '512', '1468', '65464', '65465', '65535', '65536', '99999999999', '-1', '', '1e3', '0x10', ' 1', '255', '256'];
const NAMES = ['blksize', 'BLKSIZE', 'tsize', 'timeout', 'windowsize', 'WindowSize', 'utimeout', 'rollover', 'multicast', ''];

/** Rewrite one NUL-terminated field (a name, mode, option name or value) with a TFTP-shaped value. */
const tftpField: Mutator = (input, rng) => {
  const starts = [2];
  for (let i = 2; i < input.length; i++) if (input[i] === 0) starts.push(i + 1);
  const at = rng.pick(starts);
  let end = input.indexOf(0, at);
  if (end < 0) end = input.length;
  const value = rng.chance(0.5) ? rng.pick(NUMBERS) : rng.chance(0.5) ? rng.pick(NAMES) : rng.pick(['../../etc/passwd', '/', '\\', '.', '..', 'a/../b', 'octet', 'NETASCII', 'mail', '\u00ff\u00fe', '\u0001']);
  return Uint8Array.from([...input.subarray(0, at), ...enc(value), ...input.subarray(end)]);
};

/** Opcode set to any of 0–8 or a random value. */
const tftpOpcode: Mutator = (input, rng) => {
  const out = input.length >= 2 ? input.slice() : new Uint8Array(2);
  const op = rng.chance(0.8) ? rng.below(9) : rng.next() & 0xffff;
  out[0] = op >> 8;
  out[1] = op & 0xff;
  return out;
};

/** Repeat one option pair many times (option floods, duplicates). */
const tftpRepeat: Mutator = (input, rng) => {
  const pair = Uint8Array.from(z(rng.pick(NAMES) || 'x', rng.pick(NUMBERS)));
  const times = rng.pick([2, 3, 64, 65, 500]);
  const out = new Uint8Array(input.length + pair.length * times);
  out.set(input);
  for (let i = 0; i < times; i++) out.set(pair, input.length + i * pair.length);
  return out;
};

export const TFTP_MUTATORS: readonly Mutator[] = [...GENERIC_MUTATORS, tftpField, tftpField, tftpField, tftpOpcode, tftpRepeat];

/** Decode; round-trip what decodes; normalise names and negotiate options within the RFC ranges. */
export async function runTftpPacket(bytes: Uint8Array): Promise<void> {
  const p = decodeTftpPacket(bytes);
  const again = encodeTftpPacket(p);
  if (Buffer.compare(again, bytes) !== 0) throw new Error(`${p.op} does not re-encode to the same ${bytes.length} bytes`);
  if (p.op !== 'RRQ' && p.op !== 'WRQ' && p.op !== 'OACK') return;
  const n = negotiateTftpOptions(p.options, bytes.length % 3 === 0 ? 0 : bytes.length * 1000, { maxBlksize: bytes.length % 2 ? 1468 : TFTP_MAX_BLKSIZE });
  if (n.blksize < 8 || n.blksize > TFTP_MAX_BLKSIZE || n.windowsize < 1 || n.windowsize > 65535) throw new Error(`negotiated blksize ${n.blksize}, windowsize ${n.windowsize}`);
  const asked = new Set(p.options.map((o) => o.name));
  if (n.accepted.some((o) => !asked.has(o.name))) throw new Error('OACK names an option the client did not send');
  if (p.op !== 'OACK') {
    try {
      normalizeTftpPath(p.filename);
    } catch (err) {
      if (!(err instanceof RemasterError)) throw err;
    }
  }
}

// ---- live server -------------------------------------------------------------

/** A case for the server: records of [destination, length (16 bits), datagram]. */
function frame(records: { dest: number; bytes: Uint8Array }[]): Uint8Array {
  const out: number[] = [];
  for (const r of records) out.push(r.dest & 0xff, (r.bytes.length >> 8) & 0xff, r.bytes.length & 0xff, ...r.bytes);
  return Uint8Array.from(out);
}

/** Split a case into records; a truncated last record takes what is left. */
export function unframe(bytes: Uint8Array): { dest: number; bytes: Uint8Array }[] {
  const out: { dest: number; bytes: Uint8Array }[] = [];
  for (let at = 0; at < bytes.length && out.length < 64;) {
    const dest = bytes[at] as number;
    const len = ((bytes[at + 1] ?? 0) << 8) | (bytes[at + 2] ?? 0);
    out.push({ dest, bytes: bytes.subarray(at + 3, at + 3 + len) });
    at += 3 + len;
  }
  return out;
}

const ack = (n: number): Uint8Array => packet(0, 4, n >> 8, n & 0xff);
/** dest bit 0: 0 = listening port, 1 = transfer port of the last reply; bit 1: client A or B. */
const TO_SERVER = 0;
const TO_TRANSFER = 1;

/** Whole exchanges as seeds: a served file, a probe, a window, a rollover-sized block count, refusals. */
export function tftpServerSeeds(): Uint8Array[] {
  const rrq = (name: string, ...opts: string[]): Uint8Array => packet(0, 1, z(name, 'octet', ...opts));
  return [
    frame([{ dest: TO_SERVER, bytes: rrq('f700') }, { dest: TO_TRANSFER, bytes: ack(1) }, { dest: TO_TRANSFER, bytes: ack(2) }]),
    frame([{ dest: TO_SERVER, bytes: rrq('f5000', 'tsize', '0', 'blksize', '1468', 'windowsize', '4') }, { dest: TO_TRANSFER, bytes: packet(0, 5, 0, 8, z('User aborted the transfer')) }]),
    frame([{ dest: TO_SERVER, bytes: rrq('/f5000', 'blksize', '512', 'windowsize', '4') }, { dest: TO_TRANSFER, bytes: ack(0) }, { dest: TO_TRANSFER, bytes: ack(4) }, { dest: TO_TRANSFER, bytes: ack(2) }, { dest: TO_TRANSFER, bytes: ack(10) }]),
    frame([{ dest: TO_SERVER, bytes: rrq('f70000', 'blksize', '8', 'windowsize', '64') }, { dest: TO_TRANSFER, bytes: ack(0) }, { dest: TO_TRANSFER, bytes: ack(64) }, { dest: TO_TRANSFER, bytes: ack(65535) }]),
    frame([{ dest: TO_SERVER, bytes: rrq('empty', 'tsize', '0') }, { dest: TO_TRANSFER, bytes: ack(0) }, { dest: TO_TRANSFER, bytes: ack(1) }]),
    frame([{ dest: TO_SERVER, bytes: rrq('../f700') }, { dest: TO_SERVER, bytes: packet(0, 2, z('f700', 'octet')) }, { dest: TO_SERVER, bytes: rrq('missing') }, { dest: 2, bytes: rrq('f700') }, { dest: 2, bytes: rrq('f700') }]),
    frame([{ dest: TO_SERVER, bytes: rrq('f700', 'timeout', '1') }, { dest: TO_TRANSFER, bytes: packet(0, 3, 0, 1, 1, 2, 3) }, { dest: TO_TRANSFER, bytes: ack(0) }, { dest: 3, bytes: ack(1) }]),
  ];
}

/** Mutate one record (packet mutators), or insert, drop or redirect records; sometimes the framing itself. */
export function tftpServerCase(rng: Rng, seeds: readonly Uint8Array[], packets: readonly Uint8Array[]): Uint8Array {
  const base = rng.pick(seeds);
  if (rng.chance(0.1)) return mutate(base, rng, seeds, GENERIC_MUTATORS);
  const records = unframe(base);
  const rounds = rng.between(1, 3);
  for (let r = 0; r < rounds; r++) {
    const i = rng.below(records.length);
    const choice = rng.below(6);
    if (choice <= 2 && records[i]) records[i] = { dest: records[i].dest, bytes: mutate(records[i].bytes, rng, packets, TFTP_MUTATORS).subarray(0, 2048) };
    else if (choice === 3) records.splice(i, 0, { dest: rng.below(4), bytes: rng.pick(packets) });
    else if (choice === 4 && records.length > 1) records.splice(i, 1);
    else if (records[i]) records[i] = { dest: rng.below(4), bytes: records[i].bytes };
  }
  return frame(records);
}

interface Live {
  server: TftpServer;
  port: number;
  clients: { socket: Socket; transferPort: number | undefined }[];
  errors: unknown[];
  cases: number;
}

const MAX_TRANSFERS = 4;
let live: Promise<Live> | undefined;

async function client(): Promise<{ socket: Socket; transferPort: number | undefined }> {
  const socket = createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  return { socket, transferPort: undefined };
}

async function start(): Promise<Live> {
  const files: Record<string, Uint8Array> = { empty: new Uint8Array(0), f700: new Uint8Array(700).fill(7), f5000: new Uint8Array(5000).fill(5), f70000: new Uint8Array(70_000).fill(9) };
  const errors: unknown[] = [];
  const server = await createTftpServer({
    address: '127.0.0.1',
    port: 0,
    maxTransfers: MAX_TRANSFERS,
    timeoutMs: 5,
    maxTimeoutMs: 10,
    maxRetries: 1,
    maxWindowsize: 64,
    open: async (r) => {
      const data = files[r.path];
      if (!data) throw new RemasterError('INPUT_NOT_FOUND', 'no such file', { entry: r.path });
      return bytesSource(data);
    },
    onError: (err) => errors.push(err),
  });
  const port = server.address().port;
  const clients = [await client(), await client()];
  for (const c of clients) {
    c.socket.on('message', (_msg, rinfo) => {
      if (rinfo.port !== port) c.transferPort = rinfo.port;
    });
  }
  return { server, port, clients, errors, cases: 0 };
}

const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** Send each record of the case, giving the server a turn after each; check the invariants. */
export async function runTftpServer(bytes: Uint8Array): Promise<void> {
  live ??= start();
  const l = await live;
  for (const r of unframe(bytes)) {
    const c = l.clients[(r.dest >> 1) & 1]!;
    const port = r.dest & 1 && c.transferPort !== undefined ? c.transferPort : l.port;
    await new Promise<void>((resolve) => c.socket.send(r.bytes, port, '127.0.0.1', () => resolve()));
    await turn();
    await turn();
  }
  if (l.errors.length > 0) throw l.errors.shift();
  if (l.server.activeTransfers > MAX_TRANSFERS) throw new Error(`${l.server.activeTransfers} transfers running, limit ${MAX_TRANSFERS}`);
  l.cases += 1;
  if (l.cases % 1000 === 0) {
    // Every transfer times out within 5 + 10 ms of its last datagram: none may linger.
    for (let i = 0; i < 100 && l.server.activeTransfers > 0; i++) await new Promise((r) => setTimeout(r, 10));
    if (l.server.activeTransfers > 0) throw new Error(`${l.server.activeTransfers} transfers still running 1 s after the last datagram`);
  }
}
