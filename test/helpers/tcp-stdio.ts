/**
 * A bridge from stdin/stdout to 127.0.0.1:<port>, for QEMU's
 * `guestfwd=tcp:10.0.2.100:80-cmd:<this> <port>` (QEMU spawns the command for each connection the
 * guest opens): the guest reaches a loopback server the test runs, such as an HTTP server that
 * records callbacks, without any other route from the restricted user-mode network to the host.
 *
 * Usage: node tcp-stdio.ts <port>
 */
import { connect } from 'node:net';

const port = Number(process.argv[2]);
if (!Number.isInteger(port) || port <= 0 || port > 65535) throw new Error('usage: tcp-stdio.ts PORT');
const socket = connect(port, '127.0.0.1');
process.stdin.pipe(socket);
socket.pipe(process.stdout);
socket.on('error', () => process.exit(1));
