/**
 * ProxyDHCP decisions (PXE specification 2.1 §2.2–2.4), pure: a datagram in,
 * a reply packet and its destination (or a reason to stay silent) out. The
 * socket side lives in proxy.ts.
 *
 * A ProxyDHCP server runs beside the site's DHCP server: it answers only PXE
 * clients (option 60 "PXEClient", or "HTTPClient" for UEFI HTTP boot), never
 * offers an address (yiaddr 0.0.0.0), and tells the client where its boot
 * file is:
 * - UDP 67, DHCPDISCOVER → DHCPOFFER with option 53, 54 (server id), 60
 *   "PXEClient", siaddr = next server, `file` + option 67 = boot file, and
 *   option 97 echoed. BIOS ROMs and iPXE also get option 43 with
 *   PXE_DISCOVERY_CONTROL = 8 ("boot the file named in this offer"), so they
 *   skip boot-server discovery. UEFI clients do not: as pixiecore found, some
 *   UEFI firmware ignores proxy offers that bypass discovery, while every
 *   EDK2-derived stack treats an offer with "PXEClient" and no option 43 as a
 *   BINL offer and asks again on port 4011 (EDK2 PxeBcDhcp4.c,
 *   PxeOfferTypeProxyBinl → PxeBcRetryBinlOffer).
 * - UDP 67, anything but DISCOVER stays unanswered, as in pixiecore: the
 *   DHCPREQUESTs there are for the site's DHCP server (option 54 names it). A
 *   client that wrongly requests our offer gets silence and starts over; an
 *   ACK would leave it "leased" to 0.0.0.0 (busybox udhcpc does exactly that).
 * - UDP 4011, DHCPREQUEST (or DISCOVER/INFORM) → DHCPACK unicast to the
 *   sender (iPXE's ProxyDHCPREQUEST and EDK2's BINL request).
 * UEFI HTTP boot clients get option 60 "HTTPClient" and the boot file as a
 * URL (UEFI 2.x §24.7), no option 43.
 */
import { RemasterError } from '../../errors.ts';
import { DHCP_FILE_SIZE, decodeDhcpPacket, encodeDhcpPacket, type DhcpPacket } from './packet.ts';
import { DHCP_MESSAGE, DHCP_OPTION, PXE_DISCOVERY_CONTROL, PXE_DISCOVERY_USE_BOOTFILE, addressBytes, dhcpMessageName, encodeSubOptions, optionAddress, textBytes } from './options.ts';
import { classifyDhcpClient, type DhcpClient } from './pxe.ts';

/** Where a client boots from. */
export interface BootAnswer {
  /** TFTP (next) server address, dotted IPv4; becomes siaddr. */
  nextServer: string;
  /** Boot file: a TFTP path, or a URL for iPXE scripts and UEFI HTTP boot; names of 128 bytes or more go in option 67 only. */
  bootFile: string;
}

/** The injected boot policy: an answer, or undefined to stay silent for this client. */
export type BootPolicy = (client: DhcpClient) => BootAnswer | undefined | Promise<BootAnswer | undefined>;

/** Which listener a datagram arrived on: the DHCP port (67) or the PXE port (4011). */
export type ProxyPort = 'dhcp' | 'pxe';

/** Fixed facts the decisions need. */
export interface ProxyReplyConfig {
  /** This server's IPv4 address on the boot network: option 54 and the default next server. */
  serverAddress: string;
  bootFor: BootPolicy;
  /** UDP port clients listen on (68; tests may change it). */
  clientPort?: number;
  /** UDP port a relay agent listens on (67). */
  relayPort?: number;
}

/** A sender as node:dgram reports it. */
export interface Peer {
  address: string;
  port: number;
}

/** The decision for one datagram. */
export type ProxyDecision =
  | { kind: 'reply'; client: DhcpClient; request: DhcpPacket; reply: DhcpPacket; bytes: Uint8Array; to: Peer; answer: BootAnswer }
  | { kind: 'ignore'; reason: string; client?: DhcpClient; error?: RemasterError };

const BROADCAST = '255.255.255.255';
const BROADCAST_FLAG = 0x8000;

function ignore(reason: string, client?: DhcpClient): ProxyDecision {
  return client === undefined ? { kind: 'ignore', reason } : { kind: 'ignore', reason, client };
}

/** Decide which requests deserve an answer at all (before asking the policy). */
function screen(request: DhcpPacket, client: DhcpClient, via: ProxyPort, serverAddress: string): string | undefined {
  if (request.op !== 1) return 'not a BOOTREQUEST';
  if (!client.isPxe && !client.isHttpBoot) return `not a PXE client (option 60 ${client.vendorClass === undefined ? 'absent' : JSON.stringify(client.vendorClass)})`;
  const type = client.messageType;
  if (via === 'dhcp') {
    if (type === DHCP_MESSAGE.DISCOVER) return undefined;
    const forUs = optionAddress(request.options, DHCP_OPTION.SERVER_ID) === serverAddress;
    return `${dhcpMessageName(type)} on port 67 ${forUs ? 'names this server, but a ProxyDHCP server answers requests only on port 4011' : "is for the site's DHCP server"}`;
  }
  if (type === DHCP_MESSAGE.REQUEST || type === DHCP_MESSAGE.INFORM || type === DHCP_MESSAGE.DISCOVER) return undefined;
  return `${dhcpMessageName(type)} is not a boot request`;
}

/** Build the OFFER/ACK for a PXE client; yiaddr is always 0.0.0.0. */
export function buildProxyReply(request: DhcpPacket, client: DhcpClient, answer: BootAnswer, via: ProxyPort, serverAddress: string): DhcpPacket {
  const isOffer = via === 'dhcp' && client.messageType === DHCP_MESSAGE.DISCOVER;
  const options = new Map<number, Uint8Array>([
    [DHCP_OPTION.MESSAGE_TYPE, Uint8Array.of(isOffer ? DHCP_MESSAGE.OFFER : DHCP_MESSAGE.ACK)],
    [DHCP_OPTION.SERVER_ID, addressBytes(serverAddress, 'server address')],
    [DHCP_OPTION.VENDOR_CLASS, textBytes(client.isHttpBoot ? 'HTTPClient' : 'PXEClient')],
  ]);
  if (client.uuidOption !== undefined) options.set(DHCP_OPTION.CLIENT_UUID, client.uuidOption);
  // Only on 67, only for BIOS ROMs and iPXE: see the header on UEFI and option 43.
  if (via === 'dhcp' && !client.isHttpBoot && (!client.isUefi || client.isIpxe)) {
    options.set(DHCP_OPTION.VENDOR_SPECIFIC, encodeSubOptions(new Map([[PXE_DISCOVERY_CONTROL, Uint8Array.of(PXE_DISCOVERY_USE_BOOTFILE)]])));
  }
  options.set(DHCP_OPTION.BOOTFILE, textBytes(answer.bootFile));
  return {
    op: 2,
    htype: request.htype,
    hlen: request.hlen,
    hops: 0,
    xid: request.xid,
    secs: 0,
    flags: via === 'dhcp' ? request.flags | BROADCAST_FLAG : request.flags,
    ciaddr: via === 'pxe' ? request.ciaddr : '0.0.0.0',
    yiaddr: '0.0.0.0',
    siaddr: answer.nextServer,
    giaddr: request.giaddr,
    chaddr: request.chaddr,
    sname: '',
    file: answer.bootFile.length < DHCP_FILE_SIZE ? answer.bootFile : '',
    options,
  };
}

/** Where the reply goes: back to the sender on 4011; to the relay, or broadcast to port 68, on 67. */
function destination(request: DhcpPacket, from: Peer, via: ProxyPort, config: ProxyReplyConfig): Peer {
  if (via === 'pxe') return from;
  if (request.giaddr !== '0.0.0.0') return { address: request.giaddr, port: config.relayPort ?? 67 };
  return { address: BROADCAST, port: config.clientPort ?? 68 };
}

/** Decide the answer to one datagram; malformed input and non-PXE clients end in 'ignore', never a throw. */
export async function decideProxyReply(bytes: Uint8Array, from: Peer, via: ProxyPort, config: ProxyReplyConfig): Promise<ProxyDecision> {
  let request: DhcpPacket;
  try {
    request = decodeDhcpPacket(bytes);
  } catch (err) {
    if (!(err instanceof RemasterError)) throw err;
    return { kind: 'ignore', reason: `malformed message from ${from.address}:${from.port}: ${err.message}`, error: err };
  }
  const client = classifyDhcpClient(request);
  const refused = screen(request, client, via, config.serverAddress);
  if (refused !== undefined) return ignore(refused, client);
  const answer = await config.bootFor(client);
  if (answer === undefined) return ignore('the boot policy has no boot file for this client', client);
  let reply: DhcpPacket;
  let encoded: Uint8Array;
  try {
    reply = buildProxyReply(request, client, answer, via, config.serverAddress);
    encoded = encodeDhcpPacket(reply);
  } catch (err) {
    if (!(err instanceof RemasterError)) throw err;
    return { kind: 'ignore', reason: `cannot answer ${client.mac}: ${err.message}`, client, error: err };
  }
  return { kind: 'reply', client, request, reply, bytes: encoded, to: destination(request, from, via, config), answer };
}
