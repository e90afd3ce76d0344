/**
 * The HTTP side of `remaster serve` (fastify): routes, headers and status
 * codes only; every decision is the WebContext's (src/serve).
 *
 *   GET  /healthz                       liveness and the served version (JSON)
 *   GET  /metrics                       Prometheus text
 *   GET  /ks/<mac>, /preseed/<mac>      the armed host's answers with callbacks (404 otherwise)
 *   GET  /ai/<mac>/user-data|meta-data  the same for autoinstall (NoCloud)
 *   POST /cb/<mac>/<secret>/<kind>      an install callback (body: log tail or inventory, bounded)
 *   GET  /api/v1/hosts[/<mac>[/events]] read-only API (loopback or a bearer token)
 *   GET|HEAD /<path>                    a file of the HTTP root (Range, ETag, conditional)
 */
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { isRemasterError } from '../errors.ts';
import type { AnswerRequest, WebContext, WebRemote } from './context.ts';
import { sendFile } from './send-file.ts';

/** Options of createWebApp. */
export interface WebAppOptions {
  /** Largest callback body accepted (bytes). */
  callbackBodyLimit: number;
  /** fastify's logger (a pino instance) or false. */
  logger?: object | false;
  /** The console with the authenticated /api/v1 (serve --ui, web/console); without it /api/v1 is the read-only loopback API. */
  console?: (app: FastifyInstance) => Promise<void>;
}

const remoteOf = (request: FastifyRequest): WebRemote => ({ address: request.ip });

function statusOfError(err: unknown): number {
  if (isRemasterError(err, 'INPUT_NOT_FOUND') || isRemasterError(err, 'ENTRY_NOT_FOUND')) return 404;
  if (isRemasterError(err, 'USAGE')) return 400;
  if (isRemasterError(err) && err.code.startsWith('PATH_')) return 403;
  return 500;
}

function text(reply: FastifyReply, status: number, body: string, contentType = 'text/plain; charset=utf-8'): FastifyReply {
  return reply.code(status).header('Content-Type', contentType).header('Cache-Control', 'no-store').send(body);
}

/** Build the app (not listening). */
export function createWebApp(ctx: WebContext, options: WebAppOptions): FastifyInstance {
  const app = Fastify({
    logger: (options.logger ?? false) as false,
    bodyLimit: options.callbackBodyLimit + 4096,
    // a boot network: the client's own address is what counts, no proxy headers are trusted
    trustProxy: false,
    return503OnClosing: true,
  });
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: options.callbackBodyLimit }, (_request, body, done) => done(null, body));

  app.addHook('onResponse', async (request, reply) => {
    ctx.observe?.(request.routeOptions.url ?? 'unmatched', reply.statusCode, 0);
  });
  app.setErrorHandler((err, _request, reply) => {
    const status = statusOfError(err);
    const fastifyStatus = (err as { statusCode?: number }).statusCode;
    if (status === 500 && fastifyStatus !== undefined && fastifyStatus >= 400 && fastifyStatus < 500) return text(reply, fastifyStatus, `${err instanceof Error ? err.message : 'bad request'}\n`);
    return text(reply, status, status === 500 ? 'internal error\n' : status === 404 ? 'not found\n' : status === 403 ? 'forbidden\n' : 'bad request\n');
  });

  app.get('/healthz', async (_request, reply) => reply.code(200).header('Cache-Control', 'no-store').send(await ctx.health()));
  app.get('/metrics', async (_request, reply) => {
    const m = await ctx.metrics();
    return text(reply, 200, m.text, m.contentType);
  });

  const answer = (what: AnswerRequest) => async (request: FastifyRequest<{ Params: { mac: string } }>, reply: FastifyReply) => {
    const r = await ctx.answers(what, request.params.mac, remoteOf(request));
    return text(reply, r.status, r.body, r.contentType);
  };
  app.get('/ks/:mac', answer('kickstart'));
  app.get('/preseed/:mac', answer('preseed'));
  app.get('/ai/:mac/user-data', answer('user-data'));
  app.get('/ai/:mac/meta-data', answer('meta-data'));

  app.post('/cb/:mac/:secret/:kind', async (request: FastifyRequest<{ Params: { mac: string; secret: string; kind: string } }>, reply) => {
    const body = Buffer.isBuffer(request.body) ? new Uint8Array(request.body) : new Uint8Array(0);
    const status = await ctx.callback(request.params.mac, request.params.secret, request.params.kind, body, remoteOf(request));
    return reply.code(status).header('Cache-Control', 'no-store').send(status === 204 ? undefined : `${status}\n`);
  });

  if (options.console !== undefined) void app.register(options.console);
  const api = async (request: FastifyRequest, reply: FastifyReply): Promise<boolean> => {
    if (await ctx.api.authorize(request.headers.authorization, remoteOf(request))) return true;
    await text(reply, 401, 'unauthorized\n');
    return false;
  };
  if (options.console === undefined) {
  app.get('/api/v1/hosts', async (request: FastifyRequest<{ Querystring: { state?: string; search?: string; limit?: string } }>, reply) => {
    if (!(await api(request, reply))) return reply;
    const q = request.query;
    return reply.send(await ctx.api.hosts({ ...(q.state ? { state: q.state } : {}), ...(q.search ? { search: q.search } : {}), ...(q.limit ? { limit: Number(q.limit) } : {}) }));
  });
  app.get('/api/v1/hosts/:mac', async (request: FastifyRequest<{ Params: { mac: string } }>, reply) => {
    if (!(await api(request, reply))) return reply;
    const host = await ctx.api.host(request.params.mac);
    return host === undefined ? text(reply, 404, 'not found\n') : reply.send(host);
  });
  app.get('/api/v1/hosts/:mac/events', async (request: FastifyRequest<{ Params: { mac: string } }>, reply) => {
    if (!(await api(request, reply))) return reply;
    return reply.send(await ctx.api.events(request.params.mac));
  });
  }

  // files: GET (and fastify's automatic HEAD) of anything else
  // (HEAD declared here, not fastify's automatic HEAD route, which would replace Content-Length with 0)
  app.route({
    method: ['GET', 'HEAD'], url: '/*', exposeHeadRoute: false,
    handler: async (request: FastifyRequest<{ Params: { '*': string } }>, reply) => {
      const path = request.params['*']; // decoded by the router
      const { file, sent } = await ctx.openFile(path, remoteOf(request));
      return sendFile(request, reply, file, path, sent);
    },
  });
  return app;
}
