/**
 * A bridge from stdin/stdout to 127.0.0.1:<port>, for QEMU's
 * `guestfwd=tcp:10.0.2.100:80-cmd:<this> <port>` (QEMU spawns the command for each connection the
 * guest opens): the guest reaches a loopback server the test runs, such as an HTTP server that
 * records callbacks, without any other route from the restricted user-mode network to the host.
 *
 * Usage: node tcp-stdio.ts <port> [<log-file>]
 * With a log file, every HTTP request line the guest sends ("GET /path HTTP/1.1") is appended to it,
 * so a test sees what the guest asked for whatever server answers.
 */
import { appendFileSync } from 'node:fs';
import { connect } from 'node:net';

const port = Number(process.argv[2]);
const logFile = process.argv[3];
if (!Number.isInteger(port) || port <= 0 || port > 65535) throw new Error('usage: tcp-stdio.ts PORT [LOG]');
const socket = connect(port, '127.0.0.1');
process.stdin.pipe(socket);
if (logFile !== undefined) {
  // lines of the guest's stream, the last partial one kept (bounded: a request line is short)
  let partial = '';
  process.stdin.on('data', (chunk: Buffer) => {
    const lines = (partial + chunk.toString('latin1')).split('\n');
    partial = (lines.pop() ?? '').slice(-4096);
    const requests = lines.map((l) => l.replace(/\r$/u, '')).filter((l) => /^(?:GET|HEAD|POST|PUT) \S+ HTTP\/1\.[01]$/u.test(l));
    if (requests.length > 0) appendFileSync(logFile, requests.map((l) => `${l}\n`).join(''));
  });
}
socket.pipe(process.stdout);
socket.on('error', () => process.exit(1));
