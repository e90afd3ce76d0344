/**
 * Test doubles for the TFTP transfer: packet bytes from fields, a fake clock
 * that advances by hand, a socket that records datagrams, and an in-memory
 * source that counts reads (optionally slow or failing).
 */
import type { RandomReadSource } from '../../../../src/io/index.ts';
import type { TftpClock, TftpTransferSocket } from '../../../../src/net/tftp/index.ts';

/** Bytes from fields: strings are octets (latin1), arrays are raw bytes. */
export function bytes(...parts: (string | number[])[]): Uint8Array {
  const out: number[] = [];
  for (const p of parts) {
    if (typeof p === 'string') for (let i = 0; i < p.length; i++) out.push(p.charCodeAt(i));
    else out.push(...p);
  }
  return Uint8Array.from(out);
}

/** A 16-bit big-endian number as two bytes. */
export const u16 = (n: number): number[] => [(n >> 8) & 0xff, n & 0xff];
export const ack = (block: number): Uint8Array => bytes([0, 4], u16(block));
export const error = (code: number, message: string): Uint8Array => bytes([0, 5], u16(code), message, [0]);

/** A clock whose timers run only when advance() passes them. */
export class FakeClock implements TftpClock {
  time = 0;
  #timers = new Map<number, { at: number; fn: () => void }>();
  /** Every timer ever set, for refresh(). */
  #all = new Map<number, { ms: number; fn: () => void }>();
  #next = 1;
  now(): number {
    return this.time;
  }
  setTimeout(fn: () => void, ms: number): unknown {
    const id = this.#next++;
    this.#timers.set(id, { at: this.time + ms, fn });
    this.#all.set(id, { ms, fn });
    return id;
  }
  clearTimeout(handle: unknown): void {
    this.#timers.delete(handle as number);
  }
  refresh(handle: unknown): void {
    const t = this.#all.get(handle as number);
    if (t) this.#timers.set(handle as number, { at: this.time + t.ms, fn: t.fn });
  }
  /** Times (ms from now) of pending timers. */
  pending(): number[] {
    return [...this.#timers.values()].map((t) => t.at - this.time).sort((a, b) => a - b);
  }
  /** Advance to the next timer (or by `ms`), running every timer due. */
  advance(ms?: number): void {
    const target = ms === undefined ? Math.min(...[...this.#timers.values()].map((t) => t.at)) : this.time + ms;
    for (;;) {
      const due = [...this.#timers.entries()].filter(([, t]) => t.at <= target).sort((a, b) => a[1].at - b[1].at)[0];
      if (!due) break;
      this.#timers.delete(due[0]);
      this.time = due[1].at;
      due[1].fn();
    }
    this.time = target;
  }
}

/** A socket that records a copy of each datagram with the clock time it was sent. */
export class FakeSocket implements TftpTransferSocket {
  sent: { at: number; bytes: Uint8Array }[] = [];
  readonly clock: FakeClock | undefined;
  constructor(clock?: FakeClock) {
    this.clock = clock;
  }
  send(datagram: Uint8Array): void {
    this.sent.push({ at: this.clock?.time ?? 0, bytes: datagram.slice() });
  }
  /** Take and clear what was sent so far. */
  take(): Uint8Array[] {
    const out = this.sent.map((s) => s.bytes);
    this.sent = [];
    return out;
  }
}

/** Describe a server datagram compactly: "OACK", "DATA 3 (512)", "ERROR 0 msg". */
export function describe(packet: Uint8Array): string {
  const op = (packet[0]! << 8) | packet[1]!;
  const n = (packet[2]! << 8) | packet[3]!;
  if (op === 3) return `DATA ${n} (${packet.length - 4})`;
  if (op === 6) return 'OACK';
  if (op === 5) return `ERROR ${n} ${Buffer.from(packet.subarray(4, packet.length - 1)).toString('latin1')}`;
  return `op ${op} ${n}`;
}

/** Deterministic file content: byte i is a hash of i, so any misplaced block shows. */
export function pattern(size: number): Uint8Array {
  const out = new Uint8Array(size);
  for (let i = 0; i < size; i++) out[i] = (i * 2654435761) >>> 24;
  return out;
}

/** An in-memory source counting reads; `delay` makes reads resolve on a later turn; `failAt` fails a read covering that offset. */
export function memorySource(data: Uint8Array, options: { delay?: boolean; failAt?: number } = {}): RandomReadSource & { reads: [number, number][]; closed: boolean } {
  const src = {
    size: data.length,
    reads: [] as [number, number][],
    closed: false,
    async read(offset: number, length: number): Promise<Uint8Array> {
      src.reads.push([offset, length]);
      if (options.delay) await new Promise((r) => setImmediate(r));
      if (options.failAt !== undefined && options.failAt >= offset && options.failAt < offset + length) throw new Error(`disk error at ${options.failAt}`);
      return data.slice(offset, offset + length);
    },
    async close(): Promise<void> {
      src.closed = true;
    },
  };
  return src;
}

/** Let pending promise callbacks (and setImmediate turns) run. */
export async function settle(turns = 3): Promise<void> {
  for (let i = 0; i < turns; i++) await new Promise((r) => setImmediate(r));
}
