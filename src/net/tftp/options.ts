/**
 * Option negotiation for a read request: RFC 2347 (the OACK rules), RFC 2348
 * (blksize), RFC 2349 (timeout, tsize) and RFC 7440 (windowsize).
 *
 * Rules, as tftp-hpa applies them and the RFCs allow:
 * - an option the server does not know (multicast, utimeout, rollover, …), a
 *   value that is not a decimal number, or one below the RFC's minimum is left
 *   out of the OACK; the client then uses the RFC 1350 default;
 * - blksize and windowsize above the server's bound are answered with the
 *   bound (RFC 2348 lets the server answer smaller; clients must accept it);
 * - timeout outside 1–255 s, or above the server's cap on retransmission
 *   intervals (maxTimeoutMs, default 8 s), is ignored: a client asking for 255 s
 *   and then going silent would hold its slot for (1 + maxRetries) × 255 s;
 *   tsize is answered with the real size, except for an empty file (see below);
 * - the OACK never carries an option the client did not send, repeats the
 *   client's spelling of each name (pxelinux, GRUB and EDK2 compare names
 *   case-sensitively with what they sent) and keeps the client's order; a
 *   repeated option counts once (the first);
 * - no accepted option means no OACK: the server answers with DATA 1.
 */
import { TFTP_DEFAULT_BLKSIZE, TFTP_MAX_BLKSIZE, TFTP_MIN_BLKSIZE, type TftpOption } from './packet.ts';

/** Ethernet MTU 1500 − IPv4 20 − UDP 8 − TFTP 4: the largest block that is never fragmented on Ethernet. */
export const TFTP_ETHERNET_BLKSIZE = 1468;
/** Default bound on windowsize: 64 blocks of 1468 bytes (94 KB) in flight, well inside a default socket buffer. */
export const TFTP_DEFAULT_MAX_WINDOWSIZE = 64;
/** RFC 7440 bounds. */
export const TFTP_MAX_WINDOWSIZE = 65535;
/** Default cap of the retransmission interval, and so of the `timeout` a client may set. */
export const TFTP_DEFAULT_MAX_TIMEOUT_MS = 8000;

/** Server-side bounds on what a client may negotiate. */
export interface TftpNegotiationLimits {
  /** Largest blksize granted, 8–65464 (default 1468, Ethernet without fragmentation). */
  maxBlksize?: number;
  /** Largest windowsize granted, 1–65535 (default 64). */
  maxWindowsize?: number;
  /** Cap of the retransmission interval in ms (default 8000): a `timeout` option above it is not granted. */
  maxTimeoutMs?: number;
}

/** The outcome of negotiation for one read request. */
export interface TftpNegotiation {
  /** Options for the OACK, in the client's order and spelling; empty means no OACK (DATA 1 right away). */
  accepted: TftpOption[];
  blksize: number;
  windowsize: number;
  /** The retransmission interval the client asked for with `timeout`, in ms. */
  timeoutMs?: number;
}

const DECIMAL = /^[0-9]{1,10}$/;

function decimal(value: string): number | undefined {
  return DECIMAL.test(value) ? Number(value) : undefined;
}

/** Clamp a configured bound into its RFC range. */
function bound(value: number | undefined, fallback: number, min: number, max: number): number {
  const v = value === undefined || !Number.isFinite(value) ? fallback : Math.trunc(value);
  return Math.min(max, Math.max(min, v));
}

/** Decide the OACK and the transfer parameters for a read request of a file of `size` bytes. */
export function negotiateTftpOptions(requested: readonly TftpOption[], size: number, limits: TftpNegotiationLimits = {}): TftpNegotiation {
  const maxBlksize = bound(limits.maxBlksize, TFTP_ETHERNET_BLKSIZE, TFTP_MIN_BLKSIZE, TFTP_MAX_BLKSIZE);
  const maxWindowsize = bound(limits.maxWindowsize, TFTP_DEFAULT_MAX_WINDOWSIZE, 1, TFTP_MAX_WINDOWSIZE);
  const maxTimeoutS = Math.min(255, Math.floor((limits.maxTimeoutMs ?? TFTP_DEFAULT_MAX_TIMEOUT_MS) / 1000));
  const result: TftpNegotiation = { accepted: [], blksize: TFTP_DEFAULT_BLKSIZE, windowsize: 1 };
  const seen = new Set<string>();
  for (const { name, value } of requested) {
    const key = name.toLowerCase();
    if (seen.has(key)) continue;
    seen.add(key);
    const n = decimal(value);
    switch (key) {
      case 'blksize':
        if (n === undefined || n < TFTP_MIN_BLKSIZE) break;
        result.blksize = Math.min(n, maxBlksize);
        result.accepted.push({ name, value: String(result.blksize) });
        break;
      case 'windowsize':
        if (n === undefined || n < 1) break;
        result.windowsize = Math.min(n, maxWindowsize);
        result.accepted.push({ name, value: String(result.windowsize) });
        break;
      case 'timeout':
        if (n === undefined || n < 1 || n > maxTimeoutS) break;
        result.timeoutMs = n * 1000;
        result.accepted.push({ name, value: String(n) });
        break;
      case 'tsize':
        // A read request sends 0 (RFC 2349 §4); any value asks for the size. An empty file's
        // size is left unanswered: curl (7.88) rejects "tsize 0" in an OACK as invalid and
        // fails the download (it does against tftp-hpa too), and a client without the
        // answer simply reads to the end.
        if (size > 0) result.accepted.push({ name, value: String(size) });
        break;
      default:
        break;
    }
  }
  return result;
}
