/**
 * Send an opened file over HTTP (RFC 9110): GET and HEAD, a strong ETag
 * from size, mtime and inode, Last-Modified, conditional requests
 * (If-None-Match / If-Modified-Since → 304), and one byte range
 * (`Range: bytes=a-b`, `a-`, `-n` → 206 with Content-Range; unsatisfiable
 * → 416; a range is honoured only when If-Range, if sent, still matches).
 * Several ranges get the whole file (200), which RFC 9110 allows. The body
 * is read from the one descriptor opened for this response, so a version
 * switch during a download never mixes two files.
 */
import { Readable } from 'node:stream';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { WebFile } from './context.ts';

const CHUNK = 256 * 1024;

/** Content types of the files a PXE tree serves; everything else is bytes. */
export function contentTypeOf(path: string): string {
  if (/\.(?:ipxe|cfg|txt|json)$|(?:^|\/)(?:grub\.cfg[^/]*|default|01-[0-9a-f-]+|user-data|meta-data)$/iu.test(path)) return 'text/plain; charset=utf-8';
  return 'application/octet-stream';
}

/** Parse one `bytes=` range against a size; undefined: ignore the header; 'unsatisfiable': 416. */
export function parseRange(header: string | undefined, size: number): { start: number; end: number } | 'unsatisfiable' | undefined {
  const m = /^bytes=(\d*)-(\d*)$/u.exec(header?.trim() ?? '');
  if (m === null) return undefined; // absent, malformed or several ranges: the whole file
  const [a, b] = [m[1] as string, m[2] as string];
  if (a === '' && b === '') return undefined;
  if (a === '') {
    const n = Number(b);
    if (n === 0) return 'unsatisfiable';
    return { start: Math.max(0, size - n), end: size - 1 };
  }
  const start = Number(a);
  const end = b === '' ? size - 1 : Math.min(Number(b), size - 1);
  if (start >= size || (b !== '' && Number(b) < start)) return 'unsatisfiable';
  return { start, end };
}

function stream(file: WebFile, start: number, end: number, sent?: (bytes: number, complete: boolean) => void): Readable {
  let at = start;
  const total = end - start + 1;
  const readable = new Readable({
    async read() {
      try {
        if (at > end) {
          this.push(null);
          return;
        }
        const n = Math.min(CHUNK, end - at + 1);
        const bytes = await file.read(at, n);
        at += n;
        this.push(bytes);
      } catch (err) {
        this.destroy(err as Error);
      }
    },
  });
  readable.once('close', () => {
    sent?.(at - start, at - start === total);
    void file.close().catch(() => {});
  });
  return readable;
}

/** Reply with the file (or its headers, a 304, 206 or 416); the file is closed when the reply ends. */
export function sendFile(request: FastifyRequest, reply: FastifyReply, file: WebFile, path: string, sent?: (bytes: number, complete: boolean) => void): FastifyReply {
  const etag = `"${file.size.toString(16)}-${Math.floor(file.mtimeMs).toString(16)}-${file.ino.toString(16)}"`;
  const modified = new Date(Math.floor(file.mtimeMs / 1000) * 1000);
  reply.header('ETag', etag).header('Last-Modified', modified.toUTCString()).header('Accept-Ranges', 'bytes').header('Content-Type', contentTypeOf(path));
  const inm = request.headers['if-none-match'];
  const ims = request.headers['if-modified-since'];
  const notModified = inm !== undefined ? inm.split(',').some((t) => t.trim() === etag || t.trim() === '*') : ims !== undefined && Date.parse(ims) >= modified.getTime();
  if (notModified) {
    void file.close().catch(() => {});
    return reply.code(304).send();
  }
  const ifRange = request.headers['if-range'];
  const range = ifRange === undefined || ifRange === etag ? parseRange(request.headers.range, file.size) : undefined;
  if (range === 'unsatisfiable') {
    void file.close().catch(() => {});
    return reply.code(416).header('Content-Range', `bytes */${file.size}`).send();
  }
  const { start, end } = range ?? { start: 0, end: file.size - 1 };
  if (range !== undefined) reply.code(206).header('Content-Range', `bytes ${start}-${end}/${file.size}`);
  reply.header('Content-Length', String(Math.max(0, end - start + 1)));
  if (request.method === 'HEAD' || file.size === 0) {
    void file.close().catch(() => {});
    sent?.(0, true);
    return reply.send();
  }
  return reply.send(stream(file, start, end, sent));
}
