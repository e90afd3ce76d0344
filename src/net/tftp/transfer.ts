/**
 * One read transfer, as a state machine over an injected socket and clock
 * (RFC 1350 §6, RFC 2347 OACK, RFC 7440 windows). No sockets or files here:
 * the server feeds it datagrams from the client and gives it a source to read.
 *
 * - With options accepted, the OACK goes first and is retransmitted (with
 *   backoff) until the client's ACK 0 comes (RFC 2347); an ERROR instead of
 *   ACK 0 ends the transfer — EDK2's tsize probe does exactly that (code 8).
 * - Blocks are numbered from 1 and counted here without a bound; the wire
 *   carries the low 16 bits, so block 65536 goes out as 0 ("rollover to 0",
 *   what tftp-hpa does by default and GRUB, iPXE and EDK2 expect). A file of
 *   n·blksize bytes ends with an empty block.
 * - A window of `windowsize` blocks goes out, then the sender waits for an
 *   ACK. An ACK that moves forward (to the window's end, or — RFC 7440 §4 —
 *   to the last block the client got in order) starts the next window right
 *   after it. An ACK that does not move forward (a duplicate, or older) is
 *   ignored: answering it would resend data that may only be delayed, and
 *   every duplicate would double the traffic from then on (the Sorcerer's
 *   Apprentice bug, RFC 1123 §4.2.3.1). Only the timer retransmits.
 * - The timer resends the OACK or the window: the first interval is the
 *   client's `timeout` option or the server's default, doubling on each retry
 *   up to a cap; after maxRetries silent intervals the transfer ends with an
 *   ERROR, so a client that stops acknowledging frees its slot.
 * - The source is read in chunks of whole blocks ahead of the window (the
 *   next chunk is fetched while the current one is sent) and each chunk is
 *   laid out once as ready DATA datagrams (header + block), so a steady-state
 *   send is one call with one buffer and no await; a retransmission of an
 *   evicted chunk re-reads it.
 */
import type { RandomReadSource } from '../../io/index.ts';
import { encodeTftpPacket, TFTP_DATA_HEADER_SIZE, TFTP_ERROR, TFTP_OPCODE } from './packet.ts';
import { TFTP_DEFAULT_MAX_TIMEOUT_MS, type TftpNegotiation } from './options.ts';

/** A file to serve: its size is fixed when opened; read(offset, length) returns exactly those bytes. */
export type TftpSource = RandomReadSource;

/** Where a transfer sends its datagrams: one call, one datagram to the transfer's client. The buffer is not reused after the call. */
export interface TftpTransferSocket {
  send(datagram: Uint8Array): void;
}

/** Timers; tests pass a fake that advances by hand. */
export interface TftpClock {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
  /** Restart a pending or fired timer with its interval (cheaper than clear + set in lock-step). */
  refresh(handle: unknown): void;
}

/** The real clock. */
export const SYSTEM_CLOCK: TftpClock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
  refresh: (handle) => void (handle as ReturnType<typeof setTimeout>).refresh(),
};

/** Retransmission: first interval, cap of the doubling, and silent intervals before giving up. */
export interface TftpRetransmitOptions {
  /** First retransmission interval in ms when the client sent no `timeout` option (default 1000). */
  timeoutMs?: number;
  /** Cap of the doubling interval in ms (default 8000; never below the first interval); also bounds the client's `timeout` option. */
  maxTimeoutMs?: number;
  /** Retransmissions without progress before the transfer ends as a timeout (default 5). */
  maxRetries?: number;
}

export const TFTP_DEFAULT_TIMEOUT_MS = 1000;
export const TFTP_DEFAULT_MAX_RETRIES = 5;
/** Bytes read from the source at once, rounded down to whole blocks (at least one block). */
export const TFTP_READ_AHEAD_BYTES = 256 * 1024;

/** How a transfer ended. */
export type TftpTransferOutcome = 'complete' | 'client-error' | 'timeout' | 'failed' | 'aborted';

/** What the transfer reports once, when it ends. */
export interface TftpTransferResult {
  outcome: TftpTransferOutcome;
  /** File bytes the client acknowledged. */
  bytes: number;
  /** Datagrams sent again by the timer (OACK or DATA). */
  retransmits: number;
  /** The ERROR that ended the transfer: received from the client, or sent by the server. */
  error?: { code: number; message: string; from: 'client' | 'server' };
  /** For 'failed': the server-side cause (not sent to the client). */
  cause?: unknown;
}

/** Inputs of one read transfer. */
export interface TftpReadTransferOptions {
  source: TftpSource;
  negotiation: TftpNegotiation;
  socket: TftpTransferSocket;
  clock?: TftpClock;
  retransmit?: TftpRetransmitOptions;
  /** Read-ahead chunk size in bytes (default 256 KiB). */
  readAheadBytes?: number;
  /** Called exactly once, when the transfer ends for any reason. */
  onEnd: (result: TftpTransferResult) => void;
}

/** The blocks of one read-ahead chunk, as DATA datagrams back to back (each blksize + 4 bytes, the last maybe shorter). */
interface Chunk {
  packets?: Uint8Array;
  error?: unknown;
  ready: Promise<void>;
}

const MAX_ERROR_MESSAGE = 255;
const RESOLVED = Promise.resolve();

/** A read transfer; create it with startReadTransfer. */
export class TftpReadTransfer {
  readonly #o: TftpReadTransferOptions;
  readonly #clock: TftpClock;
  readonly #size: number;
  readonly #blksize: number;
  readonly #windowsize: number;
  /** Blocks in the file, the last one short (possibly empty). */
  readonly #total: number;
  readonly #firstTimeout: number;
  readonly #maxTimeout: number;
  readonly #maxRetries: number;
  readonly #blocksPerChunk: number;
  readonly #chunks = new Map<number, Chunk>();
  #phase: 'oack' | 'data' | 'ended' = 'oack';
  #acked = 0;
  #highestSent = 0;
  #generation = 0;
  #retries = 0;
  #retransmits = 0;
  #timer: unknown;
  /** Interval of #timer, and whether its expiry counts (a disarmed timer fires into nothing). */
  #timerMs = 0;
  #armed = false;
  #pump: Promise<void> = RESOLVED;

  constructor(options: TftpReadTransferOptions) {
    this.#o = options;
    this.#clock = options.clock ?? SYSTEM_CLOCK;
    this.#size = options.source.size;
    this.#blksize = options.negotiation.blksize;
    this.#windowsize = options.negotiation.windowsize;
    this.#total = Math.floor(this.#size / this.#blksize) + 1;
    const r = options.retransmit ?? {};
    this.#firstTimeout = options.negotiation.timeoutMs ?? r.timeoutMs ?? TFTP_DEFAULT_TIMEOUT_MS;
    this.#maxTimeout = Math.max(this.#firstTimeout, r.maxTimeoutMs ?? TFTP_DEFAULT_MAX_TIMEOUT_MS);
    this.#maxRetries = r.maxRetries ?? TFTP_DEFAULT_MAX_RETRIES;
    this.#blocksPerChunk = Math.max(1, Math.floor((options.readAheadBytes ?? TFTP_READ_AHEAD_BYTES) / this.#blksize));
  }

  /** True once the transfer has ended. */
  get ended(): boolean {
    return this.#phase === 'ended';
  }

  /** Highest block the client acknowledged so far (counted without rollover). */
  get acknowledged(): number {
    return this.#acked;
  }

  /** Send the OACK, or DATA 1 when no option was accepted. */
  start(): void {
    if (this.#o.negotiation.accepted.length > 0) this.#sendOack();
    else {
      this.#phase = 'data';
      this.#startWindow(1);
    }
  }

  /** Resolve when the send loop started by the last event has finished (tests await it). */
  idle(): Promise<void> {
    return this.#pump;
  }

  /** Handle one datagram from the client. Anything but ACK and ERROR is ignored. */
  receive(bytes: Uint8Array): void {
    if (this.#phase === 'ended' || bytes.length < 4) return;
    const op = ((bytes[0] as number) << 8) | (bytes[1] as number);
    const n = ((bytes[2] as number) << 8) | (bytes[3] as number);
    if (op === TFTP_OPCODE.ERROR) {
      // Lenient on purpose: a client's ERROR ends the transfer even without its NUL.
      const end = bytes.indexOf(0, 4);
      const raw = bytes.subarray(4, end < 0 ? bytes.length : end).subarray(0, MAX_ERROR_MESSAGE);
      this.#end({ outcome: 'client-error', error: { code: n, message: Buffer.from(raw).toString('latin1'), from: 'client' } });
      return;
    }
    if (op !== TFTP_OPCODE.ACK) return;
    if (this.#phase === 'oack') {
      if (n !== 0) return;
      this.#phase = 'data';
      this.#retries = 0;
      this.#startWindow(1);
      return;
    }
    // The block this ACK names: the one in [acked, highestSent] with these low 16 bits.
    const block = this.#acked + ((n - this.#acked) & 0xffff);
    if (block <= this.#acked || block > this.#highestSent) return;
    this.#acked = block;
    this.#retries = 0;
    if (block === this.#total) this.#end({ outcome: 'complete' });
    else this.#startWindow(block + 1);
  }

  /**
   * End the transfer from the server side: by default send ERROR 0 with `message` and end as
   * 'aborted' (shutdown); `notify: false` ends it silently (the client is gone or restarted).
   */
  abort(message: string, options: { notify?: boolean; outcome?: 'aborted' | 'failed'; cause?: unknown } = {}): void {
    if (this.#phase === 'ended') return;
    const notify = options.notify ?? true;
    if (notify) this.#sendError(TFTP_ERROR.NOT_DEFINED, message);
    this.#end({
      outcome: options.outcome ?? 'aborted',
      ...(notify ? { error: { code: TFTP_ERROR.NOT_DEFINED, message, from: 'server' as const } } : {}),
      cause: options.cause ?? message,
    });
  }

  #sendOack(): void {
    this.#o.socket.send(encodeTftpPacket({ op: 'OACK', options: this.#o.negotiation.accepted }));
    this.#arm();
  }

  #sendError(code: number, message: string): void {
    this.#o.socket.send(encodeTftpPacket({ op: 'ERROR', code, message }));
  }

  #startWindow(from: number): void {
    this.#disarm();
    const generation = ++this.#generation;
    const to = Math.min(from + this.#windowsize - 1, this.#total);
    // The steady state: every block of the window is in memory, so send without a promise.
    let block = from;
    while (block <= to) {
      const packet = this.#cached(block);
      if (packet === undefined) break;
      this.#o.socket.send(packet);
      if (block > this.#highestSent) this.#highestSent = block;
      block += 1;
    }
    if (block > to) {
      this.#arm();
      this.#pump = RESOLVED;
    } else this.#pump = this.#sendBlocks(block, to, generation);
  }

  /** The rest of a window from the first block that must be read. */
  async #sendBlocks(from: number, to: number, generation: number): Promise<void> {
    for (let block = from; block <= to; block++) {
      let packet = this.#cached(block);
      if (packet === undefined) {
        try {
          packet = await this.#load(block);
        } catch (err) {
          if (generation !== this.#generation || this.#phase === 'ended') return;
          this.#sendError(TFTP_ERROR.NOT_DEFINED, 'read error');
          this.#end({ outcome: 'failed', error: { code: TFTP_ERROR.NOT_DEFINED, message: 'read error', from: 'server' }, cause: err });
          return;
        }
        if (generation !== this.#generation || this.#phase === 'ended') return;
      }
      this.#o.socket.send(packet);
      if (block > this.#highestSent) this.#highestSent = block;
    }
    if (generation === this.#generation && this.#phase !== 'ended') this.#arm();
  }

  /** Start the retransmission timer: refresh the one timer when the interval is unchanged (the steady state). */
  #arm(): void {
    const interval = Math.min(this.#firstTimeout * 2 ** this.#retries, this.#maxTimeout);
    if (this.#timer !== undefined && this.#timerMs === interval) this.#clock.refresh(this.#timer);
    else {
      if (this.#timer !== undefined) this.#clock.clearTimeout(this.#timer);
      this.#timer = this.#clock.setTimeout(() => this.#fired(), interval);
      this.#timerMs = interval;
    }
    this.#armed = true;
  }

  #disarm(): void {
    this.#armed = false;
  }

  #fired(): void {
    if (!this.#armed) return;
    this.#armed = false;
    this.#expired();
  }

  #expired(): void {
    if (this.#phase === 'ended') return;
    if (this.#retries >= this.#maxRetries) {
      const message = 'timed out waiting for an acknowledgement';
      this.#sendError(TFTP_ERROR.NOT_DEFINED, message);
      this.#end({ outcome: 'timeout', error: { code: TFTP_ERROR.NOT_DEFINED, message, from: 'server' } });
      return;
    }
    this.#retries += 1;
    if (this.#phase === 'oack') {
      this.#retransmits += 1;
      this.#sendOack();
      return;
    }
    const from = this.#acked + 1;
    this.#retransmits += Math.min(this.#windowsize, this.#total - this.#acked);
    this.#startWindow(from);
  }

  #end(result: Omit<TftpTransferResult, 'bytes' | 'retransmits'>): void {
    if (this.#phase === 'ended') return;
    this.#phase = 'ended';
    this.#generation += 1;
    this.#armed = false;
    if (this.#timer !== undefined) this.#clock.clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#chunks.clear();
    const bytes = Math.min(this.#size, this.#acked * this.#blksize);
    this.#o.onEnd({ ...result, bytes, retransmits: this.#retransmits });
  }

  /** The DATA datagram of `block` when its chunk is already in memory. */
  #cached(block: number): Uint8Array | undefined {
    const index = Math.floor((block - 1) / this.#blocksPerChunk);
    const chunk = this.#chunks.get(index);
    if (chunk?.packets === undefined) return undefined;
    this.#prefetch(index + 1);
    return this.#packet(chunk.packets, index, block);
  }

  async #load(block: number): Promise<Uint8Array> {
    const index = Math.floor((block - 1) / this.#blocksPerChunk);
    const chunk = this.#fetch(index);
    await chunk.ready;
    if (chunk.error !== undefined) {
      this.#chunks.delete(index);
      throw chunk.error;
    }
    this.#prefetch(index + 1);
    return this.#packet(chunk.packets as Uint8Array, index, block);
  }

  #packet(packets: Uint8Array, index: number, block: number): Uint8Array {
    const start = (block - 1 - index * this.#blocksPerChunk) * (this.#blksize + TFTP_DATA_HEADER_SIZE);
    return packets.subarray(start, Math.min(start + this.#blksize + TFTP_DATA_HEADER_SIZE, packets.length));
  }

  /** Start reading chunk `index` if it exists and is not in memory. */
  #prefetch(index: number): void {
    if (index * this.#blocksPerChunk * this.#blksize > this.#size) return;
    if (!this.#chunks.has(index)) this.#fetch(index);
  }

  /** Read chunk `index` (keeping at most the chunks next to it) and lay it out as datagrams. */
  #fetch(index: number): Chunk {
    const existing = this.#chunks.get(index);
    if (existing) return existing;
    for (const k of this.#chunks.keys()) if (k < index - 1 || k > index + 1) this.#chunks.delete(k);
    const first = index * this.#blocksPerChunk + 1;
    const start = (first - 1) * this.#blksize;
    const length = Math.max(0, Math.min(this.#blocksPerChunk * this.#blksize, this.#size - start));
    const chunk: Chunk = { ready: Promise.resolve() };
    if (length === 0) chunk.packets = this.#layout(new Uint8Array(0), first);
    else {
      // The rejection is kept on the chunk and rethrown by #load, never left unhandled.
      chunk.ready = this.#o.source.read(start, length).then(
        (bytes) => {
          if (bytes.length !== length) throw new Error(`source returned ${bytes.length} bytes at ${start}, expected ${length}`);
          chunk.packets = this.#layout(bytes, first);
        },
      ).catch((err: unknown) => {
        chunk.error = err;
      });
    }
    this.#chunks.set(index, chunk);
    return chunk;
  }

  /** Copy a chunk's bytes behind DATA headers numbered from `first`; a chunk ending the file gets its short (or empty) last block. */
  #layout(bytes: Uint8Array, first: number): Uint8Array {
    const bs = this.#blksize;
    const last = Math.min(first + this.#blocksPerChunk - 1, this.#total);
    const count = last - first + 1;
    const out = new Uint8Array(count * TFTP_DATA_HEADER_SIZE + bytes.length);
    for (let i = 0; i < count; i++) {
      const at = i * (bs + TFTP_DATA_HEADER_SIZE);
      const block = (first + i) & 0xffff;
      out[at + 1] = TFTP_OPCODE.DATA;
      out[at + 2] = block >> 8;
      out[at + 3] = block & 0xff;
      out.set(bytes.subarray(i * bs, (i + 1) * bs), at + TFTP_DATA_HEADER_SIZE);
    }
    return out;
  }
}

/** Create a read transfer and send its first datagram (OACK or DATA 1). */
export function startReadTransfer(options: TftpReadTransferOptions): TftpReadTransfer {
  const transfer = new TftpReadTransfer(options);
  transfer.start();
  return transfer;
}
