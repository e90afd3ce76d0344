/** UDP socket helpers shared by the TFTP server and the ProxyDHCP responder. */
import type { Socket } from 'node:dgram';

/** Bind exclusively; reject with the socket's own error (EADDRINUSE, EACCES, …). */
export function bindUdp(socket: Socket, port: number, address: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (err: Error): void => reject(err);
    socket.once('error', onError);
    socket.bind({ port, address, exclusive: true }, () => {
      socket.off('error', onError);
      resolve();
    });
  });
}

/** Close a socket; resolve when it is closed, or at once when it already was. */
export function closeUdp(socket: Socket): Promise<void> {
  return new Promise((resolve) => {
    try {
      socket.close(() => resolve());
    } catch {
      resolve(); // already closed
    }
  });
}
