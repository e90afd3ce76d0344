/**
 * The ProxyDHCP responder over node:dgram: three UDP sockets around the pure
 * decisions of proxy-reply.ts.
 *
 * - `0.0.0.0:67` receives the clients' broadcasts (a socket bound to a unicast
 *   address never sees 255.255.255.255 on Linux).
 * - `<serverAddress>:67` sends the replies, with SO_BROADCAST. node:dgram
 *   cannot bind to a device (SO_BINDTODEVICE) or read IP_PKTINFO, so the reply
 *   leaves through the interface that holds serverAddress: Linux routes a
 *   limited broadcast by the socket's source address (ip_route_output_key's
 *   "direct limited broadcast via the interface of saddr"). It also receives
 *   unicasts to serverAddress:67 (relayed requests).
 * - `<bindAddress>:4011` answers ProxyDHCP/BINL requests, unicast back to
 *   the sender.
 * Both port-67 sockets use SO_REUSEADDR so they can share the port. A PXE
 * DISCOVER arriving on another interface of a multi-homed host is answered
 * too (there is no way to tell the interface); run the responder where
 * serverAddress's network is the boot network.
 *
 * The server never throws from a datagram: every datagram ends in exactly one
 * event (reply sent, ignored, or send failed).
 */
import { createSocket, type Socket } from 'node:dgram';
import { RemasterError } from '../../errors.ts';
import { dhcpMessageName } from './options.ts';
import { decideProxyReply, type BootPolicy, type Peer, type ProxyPort } from './proxy-reply.ts';
import type { DhcpClient } from './pxe.ts';
import { bindUdp, closeUdp } from '../udp.ts';

/** One thing that happened, for logging; `client` is present once the request decoded. */
export type ProxyDhcpEvent =
  | { kind: 'reply'; via: ProxyPort; from: Peer; to: Peer; client: DhcpClient; message: string; bootFile: string; nextServer: string }
  | { kind: 'ignore'; via: ProxyPort; from: Peer; reason: string; client?: DhcpClient }
  | { kind: 'error'; via: ProxyPort; from: Peer; error: Error; client?: DhcpClient };

/** Options of startProxyDhcp. */
export interface ProxyDhcpOptions {
  /** This host's IPv4 address on the boot network (option 54, default next server, source of replies). */
  serverAddress: string;
  /** Boot policy: where a classified PXE client boots from, or undefined to stay silent. */
  bootFor: BootPolicy;
  /** Address for the 4011 listener (default serverAddress). */
  pxeBindAddress?: string;
  /** DHCP server port (default 67). */
  port?: number;
  /** PXE/BINL port (default 4011). */
  pxePort?: number;
  /** Client port replies are broadcast to (default 68). */
  clientPort?: number;
  /** Receives one event per datagram. */
  onEvent?: (event: ProxyDhcpEvent) => void;
}

/** A running responder. */
export interface ProxyDhcpServer {
  /** Stop listening; resolves when every socket is closed. */
  close(): Promise<void>;
}

async function bind(socket: Socket, port: number, address: string): Promise<void> {
  try {
    await bindUdp(socket, port, address);
  } catch (thrown) {
    const err = thrown as NodeJS.ErrnoException;
    const why = err.code === 'EADDRINUSE' ? 'address in use (is another DHCP server running on this host?)' : err.code === 'EACCES' ? 'permission denied (ports below 1024 need root or CAP_NET_BIND_SERVICE)' : err.message;
    throw new RemasterError('NET_BIND_FAILED', `cannot bind UDP ${address}:${port}: ${why}`, {}, { cause: err });
  }
}

/** Start the ProxyDHCP responder on UDP 67 and 4011; reject with NET_BIND_FAILED when a port cannot be bound. */
export async function startProxyDhcp(options: ProxyDhcpOptions): Promise<ProxyDhcpServer> {
  const port = options.port ?? 67;
  const pxePort = options.pxePort ?? 4011;
  const emit = options.onEvent ?? (() => {});
  const config = { serverAddress: options.serverAddress, bootFor: options.bootFor, clientPort: options.clientPort ?? 68 };
  const listen = createSocket({ type: 'udp4', reuseAddr: true });
  const send = createSocket({ type: 'udp4', reuseAddr: true });
  const pxe = createSocket({ type: 'udp4' });
  const sockets = [listen, send, pxe];
  try {
    await bind(listen, port, '0.0.0.0');
    await bind(send, port, options.serverAddress);
    send.setBroadcast(true);
    await bind(pxe, pxePort, options.pxeBindAddress ?? options.serverAddress);
  } catch (err) {
    await Promise.all(sockets.map(closeUdp));
    throw err;
  }

  const handle = (via: ProxyPort, out: Socket) => (msg: Buffer, rinfo: { address: string; port: number }) => {
    const from = { address: rinfo.address, port: rinfo.port };
    decideProxyReply(new Uint8Array(msg.buffer, msg.byteOffset, msg.byteLength), from, via, config).then(
      (d) => {
        if (d.kind === 'ignore') {
          emit({ kind: 'ignore', via, from, reason: d.reason, ...(d.client ? { client: d.client } : {}) });
          return;
        }
        out.send(d.bytes, d.to.port, d.to.address, (err) => {
          if (err) emit({ kind: 'error', via, from, error: err, client: d.client });
          else emit({ kind: 'reply', via, from, to: d.to, client: d.client, message: dhcpMessageName(d.reply.options.get(53)?.[0]), bootFile: d.answer.bootFile, nextServer: d.answer.nextServer });
        });
      },
      (err: unknown) => emit({ kind: 'error', via, from, error: err instanceof Error ? err : new Error(String(err)) }),
    );
  };
  listen.on('message', handle('dhcp', send));
  send.on('message', handle('dhcp', send));
  pxe.on('message', handle('pxe', pxe));
  for (const s of sockets) s.on('error', (error) => emit({ kind: 'error', via: s === pxe ? 'pxe' : 'dhcp', from: { address: '', port: 0 }, error }));

  let closing: Promise<void> | undefined;
  return {
    close() {
      closing ??= Promise.all(sockets.map(closeUdp)).then(() => {});
      return closing;
    },
  };
}
