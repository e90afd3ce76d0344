/**
 * A read-only TFTP server over node:dgram, after pixiecore's tftp package: it
 * knows packets and transfers, not files or boot policy. The caller injects
 * `open(request)`, which turns a normalised, root-relative path into a source
 * (fsx/served-file.ts opens it safely under a root); the server reports one
 * event per request through `onTransfer`.
 *
 * - Requests arrive on the listening socket; each accepted read request gets
 *   its own socket on a new ephemeral port (its TID, RFC 1350 §4), connected
 *   to the client's address and port, so the kernel drops datagrams from any
 *   other peer (as tftp-hpa does).
 * - Answers to a request that is refused (not found, access violation, write
 *   request, unsupported mode, busy) go out from the listening socket: every
 *   client examined (tftp-hpa, atftp, curl, iPXE, pxelinux, GRUB, EDK2) takes
 *   the first reply from any server port, and no socket is created for a
 *   refusal, so a flood of requests costs no ports.
 * - Datagrams that are not a request are ignored (a warning when they do not
 *   decode); only a request gets an ERROR back, so junk is not reflected.
 * - A client that repeats its request before the first reply arrived (same
 *   port, same bytes) does not start a second transfer.
 * - At most `maxTransfers` transfers (and opens) run at once; the next request
 *   gets ERROR 0 "server busy".
 * - One server runs on one thread; `reusePort` lets several (one per worker
 *   thread) share the port, the kernel spreading clients over them.
 * - Only octet mode: netascii would rewrite line ends (and tsize) on the fly;
 *   PXE clients use octet, so a netascii request is refused with a message
 *   saying so.
 */
import { createSocket, type RemoteInfo, type Socket, type SocketType } from 'node:dgram';
import { isIPv6 } from 'node:net';
import { isRemasterError, makeWarning, RemasterError, type WarningHandler } from '../../errors.ts';
import { decodeTftpPacket, encodeTftpPacket, TFTP_DEFAULT_BLKSIZE, TFTP_ERROR, type TftpOption, type TftpRequestPacket } from './packet.ts';
import { negotiateTftpOptions, type TftpNegotiation, type TftpNegotiationLimits } from './options.ts';
import { normalizeTftpPath } from './path.ts';
import { bindUdp, closeUdp } from '../udp.ts';
import { TftpReadTransfer, type TftpRetransmitOptions, type TftpSource, type TftpTransferOutcome, type TftpTransferResult } from './transfer.ts';

/** The TFTP server port (RFC 1350). */
export const TFTP_PORT = 69;
/** dnsmasq's default --tftp-max. */
export const TFTP_DEFAULT_MAX_TRANSFERS = 50;

/** A client's address and UDP port. */
export interface TftpRemote {
  address: string;
  port: number;
}

/** What `open` receives for each read request. */
export interface TftpOpenRequest {
  /** Root-relative path: leading "/" stripped, "\" made "/", no "..", case as sent. */
  path: string;
  /** The file name exactly as the client sent it. */
  filename: string;
  remote: TftpRemote;
  /** Options as the client sent them. */
  options: readonly TftpOption[];
}

/** How a request ended, as reported in its event. */
export type TftpEventOutcome = TftpTransferOutcome | 'not-found' | 'access-denied' | 'bad-request' | 'write-refused' | 'busy';

/** One event per request: the serve layer logs it as one JSON line. */
export interface TftpTransferEvent {
  remote: TftpRemote;
  /** File name as sent by the client. */
  filename: string;
  /** The normalised path passed to `open`, when the name was acceptable. */
  path?: string;
  mode: string;
  /** Options as requested. */
  options: TftpOption[];
  /** Options the OACK granted (empty when none was sent). */
  accepted: TftpOption[];
  /** File size, when the file was opened. */
  size?: number;
  /** File bytes the client acknowledged. */
  bytes: number;
  blksize: number;
  windowsize: number;
  retransmits: number;
  /** When the request arrived (ms since the epoch). */
  startedAt: number;
  durationMs: number;
  outcome: TftpEventOutcome;
  /** The TFTP ERROR that ended it (sent or received). */
  error?: { code: number; message: string; from: 'client' | 'server' };
  /** Server-side cause (the open error, a read error, a socket error), not sent to the client. */
  detail?: string;
}

/** Options of createTftpServer. */
export interface TftpServerOptions extends TftpNegotiationLimits, TftpRetransmitOptions {
  /** Address to listen on (default "0.0.0.0"; an IPv6 address listens on udp6). On a multi-homed host give the PXE interface's address, so replies leave from it. */
  address?: string;
  /** UDP port (default 69; 0 picks a free port, for tests). */
  port?: number;
  /**
   * Share the port with other servers created with reusePort (SO_REUSEPORT, Linux): the kernel spreads
   * clients over them by address and port, so one server per worker thread uses every core. Each
   * server keeps its own transfers and limit.
   */
  reusePort?: boolean;
  /** Open a file for a read request; throw INPUT_NOT_FOUND / ENTRY_NOT_FOUND (→ ERROR 1) or PATH_* (→ ERROR 2). */
  open: (request: TftpOpenRequest) => Promise<TftpSource>;
  /** Transfers (and opens) at once; more get ERROR "server busy" (default 50). */
  maxTransfers?: number;
  /** Read-ahead per transfer in bytes (default 256 KiB). */
  readAheadBytes?: number;
  /** One event per request. */
  onTransfer?: (event: TftpTransferEvent) => void;
  /** Datagrams on the listening port that do not decode. */
  onWarning?: WarningHandler;
  /** Unexpected failures while handling a datagram (bugs); the server keeps running. */
  onError?: (err: unknown) => void;
}

/** Options of TftpServer.close. */
export interface TftpCloseOptions {
  /** Let running transfers finish (default true); false aborts them at once. */
  graceful?: boolean;
  /** How long a graceful close waits before aborting what still runs (default 10 s). */
  timeoutMs?: number;
}

/** A running server. */
export interface TftpServer {
  /** The bound address and port. */
  address(): { address: string; port: number; family: string };
  /** Transfers and opens in progress. */
  readonly activeTransfers: number;
  /** Stop listening, then finish or abort the transfers; resolve when every socket and file is closed. */
  close(options?: TftpCloseOptions): Promise<void>;
}

/** One request holding a slot, from the open until its socket and source are closed. */
interface Slot {
  key: string;
  request: Uint8Array;
  transfer?: TftpReadTransfer;
  closed: Promise<void>;
}

const SHUTDOWN_MESSAGE = 'server shutting down';

type EventFields = Partial<TftpTransferEvent> & { outcome: TftpEventOutcome };

function socketType(address: string): SocketType {
  return isIPv6(address) ? 'udp6' : 'udp4';
}

function connectSocket(socket: Socket, port: number, address: string): Promise<void> {
  return new Promise((resolve, reject) => {
    // A failed connect emits 'error' and never calls back.
    const onError = (err: Error): void => reject(err);
    socket.once('error', onError);
    socket.connect(port, address, () => {
      socket.off('error', onError);
      resolve();
    });
  });
}

/** Map an open() failure to the TFTP error the client gets and the event outcome. */
function openFailure(err: unknown): { code: number; message: string; outcome: TftpEventOutcome } {
  const errno = (err as { code?: unknown } | undefined)?.code;
  if (isRemasterError(err, 'INPUT_NOT_FOUND', 'ENTRY_NOT_FOUND') || errno === 'ENOENT' || errno === 'ENOTDIR') {
    return { code: TFTP_ERROR.FILE_NOT_FOUND, message: 'file not found', outcome: 'not-found' };
  }
  if (isRemasterError(err, 'PATH_ESCAPE', 'PATH_INVALID', 'PATH_THROUGH_SYMLINK') || errno === 'EACCES' || errno === 'EPERM' || errno === 'EISDIR' || errno === 'ELOOP') {
    return { code: TFTP_ERROR.ACCESS_VIOLATION, message: 'access violation', outcome: 'access-denied' };
  }
  return { code: TFTP_ERROR.NOT_DEFINED, message: 'cannot open file', outcome: 'failed' };
}

class Server implements TftpServer {
  readonly #o: TftpServerOptions;
  readonly #socket: Socket;
  readonly #slots = new Set<Slot>();
  #closing: Promise<void> | undefined;
  /** The listening socket is closed or closing: nothing may be sent from it. */
  #closed = false;
  /** Set when close() stops waiting: transfers that start from now on are aborted at once. */
  #aborting = false;

  constructor(options: TftpServerOptions, socket: Socket) {
    this.#o = options;
    this.#socket = socket;
    socket.on('message', (msg, rinfo) => this.#onDatagram(msg, rinfo));
    // A listening UDP socket reports ICMP errors of earlier replies here; they concern no transfer.
    socket.on('error', () => {});
  }

  get activeTransfers(): number {
    return this.#slots.size;
  }

  address(): { address: string; port: number; family: string } {
    return this.#socket.address();
  }

  #onDatagram(msg: Buffer, rinfo: RemoteInfo): void {
    // Source port 0 cannot be answered (nor connected to): such a datagram is forged or broken.
    if (this.#closing || rinfo.port === 0) return;
    const remote = { address: rinfo.address, port: rinfo.port };
    let packet;
    try {
      packet = decodeTftpPacket(msg);
    } catch (err) {
      if (!isRemasterError(err)) {
        this.#o.onError?.(err);
        return;
      }
      this.#o.onWarning?.(makeWarning(err.code, `${err.detail} (from ${remote.address}:${remote.port})`, { offset: err.offset ?? 0 }));
      const op = msg.length >= 2 ? msg.readUInt16BE(0) : 0;
      if (op === 1 || op === 2) this.#reply(remote, TFTP_ERROR.ILLEGAL_OPERATION, 'malformed request');
      return;
    }
    if (packet.op !== 'RRQ' && packet.op !== 'WRQ') return;
    this.#onRequest(packet, msg, remote).catch((err: unknown) => this.#o.onError?.(err));
  }

  #reply(remote: TftpRemote, code: number, message: string): void {
    // After close() the listening socket is gone: a request still in its open() gets no answer.
    if (this.#closed) return;
    this.#socket.send(encodeTftpPacket({ op: 'ERROR', code, message }), remote.port, remote.address);
  }

  #event(started: number, request: TftpRequestPacket, remote: TftpRemote, fields: EventFields): void {
    const event: TftpTransferEvent = {
      remote,
      filename: request.filename,
      mode: request.mode,
      options: request.options,
      accepted: [],
      bytes: 0,
      blksize: TFTP_DEFAULT_BLKSIZE,
      windowsize: 1,
      retransmits: 0,
      startedAt: started,
      durationMs: Date.now() - started,
      ...fields,
    };
    this.#o.onTransfer?.(event);
  }

  /** Answer a refused request with an ERROR from the listening socket; return its event fields. */
  #refuse(remote: TftpRemote, code: number, message: string, fields: EventFields): EventFields {
    this.#reply(remote, code, message);
    return { ...fields, error: { code, message, from: 'server' } };
  }

  async #onRequest(request: TftpRequestPacket, raw: Uint8Array, remote: TftpRemote): Promise<void> {
    const started = Date.now();
    const fields = await this.#admit(request, raw, remote);
    if (fields) this.#event(started, request, remote, fields);
  }

  /** Refuse the request, or give it a slot and serve it; return the event fields (undefined: a repeated request, ignored). */
  async #admit(request: TftpRequestPacket, raw: Uint8Array, remote: TftpRemote): Promise<EventFields | undefined> {
    if (request.op === 'WRQ') return this.#refuse(remote, TFTP_ERROR.ACCESS_VIOLATION, 'writes are not allowed', { outcome: 'write-refused' });
    const mode = request.mode.toLowerCase();
    if (mode !== 'octet') {
      const netascii = mode === 'netascii';
      const message = netascii ? 'netascii mode is not supported, use octet (binary)' : `unknown transfer mode "${request.mode.slice(0, 32)}"`;
      return this.#refuse(remote, netascii ? TFTP_ERROR.NOT_DEFINED : TFTP_ERROR.ILLEGAL_OPERATION, message, { outcome: 'bad-request' });
    }
    const key = `${remote.address}|${remote.port}`;
    for (const slot of this.#slots) {
      if (slot.key !== key) continue;
      // The client repeated its request before our first reply reached it: keep the one transfer.
      const fresh = slot.transfer === undefined || (!slot.transfer.ended && slot.transfer.acknowledged === 0);
      if (fresh && Buffer.compare(slot.request, raw) === 0) return undefined;
      // Same port, new request: the client restarted; the old transfer is dead to it.
      slot.transfer?.abort('superseded by a new request from the same port', { notify: false });
    }
    if (this.#slots.size >= (this.#o.maxTransfers ?? TFTP_DEFAULT_MAX_TRANSFERS)) {
      return this.#refuse(remote, TFTP_ERROR.NOT_DEFINED, 'server busy, try again later', { outcome: 'busy' });
    }
    let path: string;
    try {
      path = normalizeTftpPath(request.filename);
    } catch (err) {
      if (!isRemasterError(err)) throw err; // a bug: reported through onError
      return this.#refuse(remote, TFTP_ERROR.ACCESS_VIOLATION, 'access violation', { outcome: 'access-denied', detail: err.message });
    }
    let release!: () => void;
    const slot: Slot = { key, request: raw, closed: new Promise<void>((resolve) => (release = resolve)) };
    this.#slots.add(slot);
    try {
      return { path, ...(await this.#serve(slot, request, remote, path)) };
    } finally {
      this.#slots.delete(slot);
      release();
    }
  }

  /** Open, negotiate, create the transfer socket, run the transfer; resolve once socket and source are closed. */
  async #serve(slot: Slot, request: TftpRequestPacket, remote: TftpRemote, path: string): Promise<EventFields> {
    let source: TftpSource;
    try {
      source = await this.#o.open({ path, filename: request.filename, remote, options: request.options });
    } catch (err) {
      const f = openFailure(err);
      return this.#refuse(remote, f.code, f.message, { outcome: f.outcome, detail: (err as Error)?.message ?? String(err) });
    }
    const size = source.size;
    if (this.#closing) {
      await source.close().catch(() => {});
      return this.#refuse(remote, TFTP_ERROR.NOT_DEFINED, SHUTDOWN_MESSAGE, { size, outcome: 'aborted' });
    }
    const negotiation = negotiateTftpOptions(request.options, size, this.#o);
    const address = this.#socket.address().address;
    const socket = createSocket({ type: socketType(address) });
    let failure: Error | undefined;
    socket.on('error', (err) => {
      // ECONNREFUSED (the client's port is gone) and send errors end the transfer.
      failure = err;
      slot.transfer?.abort('socket error', { notify: false, outcome: 'failed', cause: err });
    });
    try {
      await bindUdp(socket, 0, address);
      await connectSocket(socket, remote.port, remote.address);
    } catch (err) {
      await closeUdp(socket);
      await source.close().catch(() => {});
      return this.#refuse(remote, TFTP_ERROR.NOT_DEFINED, 'cannot open a transfer socket', { size, outcome: 'failed', detail: (err as Error).message });
    }
    const result = await this.#run(slot, socket, source, negotiation);
    await closeUdp(socket);
    await source.close().catch(() => {});
    const cause = result.cause !== undefined ? result.cause : failure;
    return {
      size,
      accepted: negotiation.accepted,
      bytes: result.bytes,
      blksize: negotiation.blksize,
      windowsize: negotiation.windowsize,
      retransmits: result.retransmits,
      outcome: result.outcome,
      ...(result.error ? { error: result.error } : {}),
      ...(cause !== undefined ? { detail: cause instanceof Error ? cause.message : String(cause) } : {}),
    };
  }

  #run(slot: Slot, socket: Socket, source: TftpSource, negotiation: TftpNegotiation): Promise<TftpTransferResult> {
    return new Promise((resolve) => {
      const send = (datagram: Uint8Array): void => {
        try {
          socket.send(datagram);
        } catch (err) {
          // Never throw into the transfer (it runs inside socket callbacks): end it after this event.
          queueMicrotask(() => transfer.abort('send failed', { notify: false, outcome: 'failed', cause: err }));
        }
      };
      const transfer: TftpReadTransfer = new TftpReadTransfer({
        source,
        negotiation,
        socket: { send },
        retransmit: this.#o,
        ...(this.#o.readAheadBytes !== undefined ? { readAheadBytes: this.#o.readAheadBytes } : {}),
        onEnd: resolve,
      });
      slot.transfer = transfer;
      socket.on('message', (msg) => transfer.receive(msg));
      if (this.#aborting) transfer.abort(SHUTDOWN_MESSAGE);
      else transfer.start();
    });
  }

  close(options: TftpCloseOptions = {}): Promise<void> {
    this.#closing ??= this.#shutdown(options);
    return this.#closing;
  }

  async #shutdown(options: TftpCloseOptions): Promise<void> {
    this.#closed = true;
    await closeUdp(this.#socket);
    if (options.graceful ?? true) {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const deadline = new Promise<void>((resolve) => (timer = setTimeout(resolve, options.timeoutMs ?? 10_000)));
      await Promise.race([Promise.all([...this.#slots].map((s) => s.closed)), deadline]);
      clearTimeout(timer);
    }
    // Whatever still runs is aborted; an open in progress sees #closing and refuses when it returns.
    this.#aborting = true;
    for (const slot of this.#slots) slot.transfer?.abort(SHUTDOWN_MESSAGE);
    await Promise.all([...this.#slots].map((s) => s.closed));
  }
}

/** Start a TFTP server; resolve once it listens. Throw NET_BIND_FAILED when the address or port cannot be bound. */
export async function createTftpServer(options: TftpServerOptions): Promise<TftpServer> {
  const address = options.address ?? '0.0.0.0';
  const port = options.port ?? TFTP_PORT;
  const socket = createSocket({ type: socketType(address), ...(options.reusePort ? { reusePort: true } : {}) });
  try {
    await bindUdp(socket, port, address);
  } catch (err) {
    await closeUdp(socket);
    throw new RemasterError('NET_BIND_FAILED', `cannot listen for TFTP on ${address}:${port}: ${(err as Error).message}`, {}, { cause: err });
  }
  return new Server(options, socket);
}
