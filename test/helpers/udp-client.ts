/**
 * A raw UDP client for TFTP tests: sends exact datagrams and waits for the
 * next one, with the port it came from. Bound to 127.0.0.1 on an ephemeral port.
 */
import { createSocket, type Socket } from 'node:dgram';

export interface Datagram {
  bytes: Uint8Array;
  port: number;
}

export class UdpClient {
  readonly socket: Socket;
  #queue: Datagram[] = [];
  #waiters: ((d: Datagram) => void)[] = [];

  private constructor(socket: Socket) {
    this.socket = socket;
    socket.on('message', (msg, rinfo) => {
      const d = { bytes: new Uint8Array(msg), port: rinfo.port };
      const w = this.#waiters.shift();
      if (w) w(d);
      else this.#queue.push(d);
    });
  }

  static async open(): Promise<UdpClient> {
    const socket = createSocket('udp4');
    await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
    return new UdpClient(socket);
  }

  get port(): number {
    return this.socket.address().port;
  }

  /** Send a datagram; the promise resolves once it left (await it before close()). */
  send(bytes: Uint8Array, port: number): Promise<void> {
    return new Promise((resolve) => this.socket.send(bytes, port, '127.0.0.1', () => resolve()));
  }

  /** The next datagram, or undefined after `timeoutMs`. */
  next(timeoutMs = 2000): Promise<Datagram | undefined> {
    const queued = this.#queue.shift();
    if (queued) return Promise.resolve(queued);
    return new Promise((resolve) => {
      const waiter = (d: Datagram): void => {
        clearTimeout(timer);
        resolve(d);
      };
      const timer = setTimeout(() => {
        this.#waiters = this.#waiters.filter((w) => w !== waiter);
        resolve(undefined);
      }, timeoutMs);
      this.#waiters.push(waiter);
    });
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.socket.close(() => resolve()));
  }
}
