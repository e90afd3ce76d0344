/**
 * A one-connection HTTP/1.1 file server on stdin/stdout, for QEMU's
 * `guestfwd=tcp:10.0.2.100:80-cmd:<this>` (QEMU spawns the command for each
 * connection the guest opens and wires the connection to its stdio). No
 * socket is opened on the host at all, so a boot test fetching kernel and
 * initrd over HTTP stays inside QEMU, like its built-in TFTP server.
 *
 * Usage: node http-stdio.ts <root> <log-file>
 * Serves GET and HEAD of regular files under <root> (no "..", no symlink
 * leaving the root), answers every request with `Connection: close`, and
 * appends "<status> <path>" to <log-file> so a test can see what the guest
 * fetched.
 */
import { appendFileSync, createReadStream, realpathSync, statSync } from 'node:fs';
import { join, sep } from 'node:path';

const [root, logFile] = process.argv.slice(2);
if (root === undefined || logFile === undefined) throw new Error('usage: http-stdio.ts ROOT LOG');
const realRoot = realpathSync(root);

function respond(status: number, reason: string, headers: Record<string, string | number>, path: string): void {
  appendFileSync(logFile as string, `${status} ${path}\n`);
  const lines = [`HTTP/1.1 ${status} ${reason}`, 'Connection: close', ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`)];
  process.stdout.write(`${lines.join('\r\n')}\r\n\r\n`);
}

function resolveFile(urlPath: string): string | undefined {
  const decoded = decodeURIComponent(urlPath.split('?')[0] ?? '');
  if (decoded.split('/').includes('..')) return undefined;
  try {
    const real = realpathSync(join(realRoot, decoded));
    if (!real.startsWith(realRoot + sep) || !statSync(real).isFile()) return undefined;
    return real;
  } catch {
    return undefined;
  }
}

let head = '';
process.stdin.setEncoding('latin1');
process.stdin.on('data', (chunk: string) => {
  if (head.includes('\r\n\r\n')) return;
  head += chunk;
  if (!head.includes('\r\n\r\n')) return;
  const [method = '', path = ''] = (head.split('\r\n')[0] ?? '').split(' ');
  const file = method === 'GET' || method === 'HEAD' ? resolveFile(path) : undefined;
  if (file === undefined) {
    respond(404, 'Not Found', { 'Content-Length': 0 }, path);
    process.stdout.end();
    return;
  }
  respond(200, 'OK', { 'Content-Length': statSync(file).size, 'Content-Type': 'application/octet-stream' }, path);
  if (method === 'HEAD') process.stdout.end();
  else createReadStream(file).pipe(process.stdout);
});
process.stdin.on('end', () => process.stdout.end());
