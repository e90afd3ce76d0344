/**
 * IPv4 arithmetic for the server configurations: a subnet in CIDR notation,
 * its netmask, and the address pool a DHCP server hands out when the
 * operator does not name one (the upper half of the host addresses, or the
 * lower half when the server's own address lies in the upper one).
 */
import { RemasterError } from '../errors.ts';

/** A parsed IPv4 subnet. */
export interface Ipv4Subnet {
  /** Network address, dotted (`10.99.0.0`). */
  network: string;
  prefix: number;
  /** Dotted netmask (`255.255.255.0`). */
  netmask: string;
  /** Broadcast address, dotted. */
  broadcast: string;
}

/** Parse a dotted IPv4 address into a 32-bit unsigned number; throw USAGE naming `what`. */
export function parseIpv4(what: string, text: string): number {
  const parts = text.split('.');
  if (parts.length !== 4 || parts.some((p) => !/^(?:0|[1-9][0-9]{0,2})$/u.test(p) || Number(p) > 255)) {
    throw new RemasterError('USAGE', `${what} ${JSON.stringify(text)} is not an IPv4 address like 10.0.0.1`);
  }
  return parts.reduce((n, p) => n * 256 + Number(p), 0);
}

/** Format a 32-bit unsigned number as a dotted IPv4 address. */
export function formatIpv4(n: number): string {
  return [24, 16, 8, 0].map((s) => Math.floor(n / 2 ** s) % 256).join('.');
}

function maskOf(prefix: number): number {
  return prefix === 0 ? 0 : (0xffffffff - (2 ** (32 - prefix) - 1));
}

/** Parse `10.99.0.0/24` (host bits must be zero). */
export function parseSubnet(text: string): Ipv4Subnet {
  const m = /^([0-9.]+)\/([0-9]{1,2})$/u.exec(text);
  const prefix = m ? Number(m[2]) : NaN;
  if (!m || prefix > 30 || prefix < 8) throw new RemasterError('USAGE', `subnet ${JSON.stringify(text)} is not in CIDR notation with a prefix from /8 to /30, like 10.0.0.0/24`);
  const network = parseIpv4('subnet', m[1] as string);
  const mask = maskOf(prefix);
  if (network % 2 ** (32 - prefix) !== 0) {
    throw new RemasterError('USAGE', `subnet ${text} has host bits set; the network address is ${formatIpv4(network - (network % 2 ** (32 - prefix)))}/${prefix}`);
  }
  return { network: formatIpv4(network), prefix, netmask: formatIpv4(mask), broadcast: formatIpv4(network + 2 ** (32 - prefix) - 1) };
}

/** Return true when `ip` lies inside `subnet` (network and broadcast excluded). */
export function isHostIn(subnet: Ipv4Subnet, ip: string): boolean {
  const n = parseIpv4('address', ip);
  return n > parseIpv4('network', subnet.network) && n < parseIpv4('broadcast', subnet.broadcast);
}

/**
 * Return the DHCP pool: `range` when given (both ends inside the subnet, in order, not holding the
 * server), else the half of the host addresses that does not contain the server.
 */
export function dhcpPool(subnet: Ipv4Subnet, serverIp: string, range?: readonly [string, string]): [string, string] {
  const server = parseIpv4('server address', serverIp);
  if (range !== undefined) {
    const [lo, hi] = range.map((r, i) => parseIpv4(i === 0 ? 'range start' : 'range end', r)) as [number, number];
    if (!isHostIn(subnet, range[0]) || !isHostIn(subnet, range[1]) || lo > hi) {
      throw new RemasterError('USAGE', `range ${range[0]}-${range[1]} must be two addresses of ${subnet.network}/${subnet.prefix}, lowest first`);
    }
    if (server >= lo && server <= hi) throw new RemasterError('USAGE', `range ${range[0]}-${range[1]} holds the server's own address ${serverIp}`);
    return [range[0], range[1]];
  }
  const first = parseIpv4('network', subnet.network) + 1;
  const last = parseIpv4('broadcast', subnet.broadcast) - 1;
  const middle = first + Math.floor((last - first + 1) / 2);
  return server >= middle ? [formatIpv4(first), formatIpv4(middle - 1)] : [formatIpv4(middle), formatIpv4(last)];
}
