/**
 * The web console and the authenticated JSON API of `remaster serve --ui`,
 * as one encapsulated fastify plugin (registered by web/app.ts):
 *
 *   GET  /ui/login, POST /ui/login, POST /ui/logout
 *   GET  /ui/hosts[?q=&state=], POST /ui/hosts (register)
 *   GET  /ui/hosts/<mac>, POST /ui/hosts/<mac>/arm|disarm
 *   GET  /ui/profiles, POST /ui/rollback (admin), GET /ui/audit
 *   GET  /ui/users, POST /ui/users, POST /ui/users/<name>/delete (admin)
 *   GET  /ui/live[?mac=]              Server-Sent Events: host changes
 *   GET  /api/v1/hosts[?state=&q=&group=&limit=], GET /api/v1/hosts/<mac>[/events], GET /api/v1/profiles
 *   POST /api/v1/hosts, POST /api/v1/hosts/<mac>/arm|disarm
 *
 * Identity: a session cookie (@fastify/session over the state store;
 * HttpOnly, SameSite=Strict, expiring) or `Authorization: Bearer <token>`.
 * Every state-changing request from a session carries the CSRF token
 * (@fastify/csrf-protection, secret in a signed cookie); bearer requests are
 * exempt (no ambient credential). Login is rate-limited per user name and
 * client address (@fastify/rate-limit); @fastify/helmet sets the headers
 * with a CSP that allows scripts and styles from this origin only.
 * Authorization (access.ts) is checked here, per request, for pages and API
 * alike; every action is written to the audit log with who, what, when and
 * the client address.
 */
import type { ServerResponse } from 'node:http';
import fastifyCookie from '@fastify/cookie';
import fastifyCsrf from '@fastify/csrf-protection';
import fastifyFormbody from '@fastify/formbody';
import fastifyHelmet from '@fastify/helmet';
import fastifyRateLimit from '@fastify/rate-limit';
import fastifySession from '@fastify/session';
import type { FastifyInstance, FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify';
import { isRemasterError, RemasterError } from '../../errors.ts';
import { addUser, checkUserPassword, hashSecret, HOST_STATES, normalizeStateMac, removeUser, userOfToken, type Host, type HostEvent, type HostState, type User } from '../../state/index.ts';
import { canAct, canRead, groupFilter, progressOf, publicHost } from './access.ts';
import { CONSOLE_CSS, CONSOLE_JS } from './assets.ts';
import { formatTime, terminalText, type Html } from './html.ts';
import { armedText, auditPage, hostPage, hostsPage, loginPage, messagePage, profilesPage, usersPage, type PageContext } from './pages.ts';
import { sessionStore } from './session-store.ts';
import type { ConsoleOptions } from './types.ts';

declare module 'fastify' {
  interface Session {
    user?: string;
  }
  interface FastifyRequest {
    who?: { user: User; via: 'session' | 'bearer' };
  }
}

/** A refusal with its HTTP status. */
class Refused extends Error {
  readonly status: number;
  constructor(status: number, message: string) {
    super(message);
    this.status = status;
  }
}

function statusOf(err: unknown): number {
  if (err instanceof Refused) return err.status;
  if (isRemasterError(err, 'STATE_NOT_FOUND') || isRemasterError(err, 'INPUT_NOT_FOUND')) return 404;
  if (isRemasterError(err, 'STATE_CONFLICT') || isRemasterError(err, 'PUBLISH_LOCKED')) return 409;
  if (isRemasterError(err, 'USAGE') || isRemasterError(err, 'STATE_INVALID')) return 400;
  const s = (err as { statusCode?: number }).statusCode;
  return typeof s === 'number' && s >= 400 && s < 500 ? s : 500;
}

const SESSION_COOKIE = 'remaster_session';
type Body = Record<string, unknown>;
const field = (body: unknown, name: string): string | undefined => {
  const v = (body as Body | undefined)?.[name];
  return typeof v === 'string' ? v : Array.isArray(v) && typeof v[0] === 'string' ? v[0] : undefined;
};

/** The console plugin (see the module comment). */
export function consolePlugin(options: ConsoleOptions) {
  const { store, actions } = options;
  const sessionMs = options.sessionMs ?? 8 * 3600_000;
  const interval = options.liveIntervalMs ?? 1000;

  return async function console(app: FastifyInstance): Promise<void> {
    await app.register(fastifyFormbody);
    app.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, body, done) => {
      try {
        done(null, body === '' ? {} : JSON.parse(body as string));
      } catch {
        done(new Refused(400, 'the body is not JSON'), undefined);
      }
    });
    await app.register(fastifyHelmet, {
      contentSecurityPolicy: {
        useDefaults: false,
        directives: {
          defaultSrc: ["'self'"], scriptSrc: ["'self'"], styleSrc: ["'self'"], imgSrc: ["'self'"], connectSrc: ["'self'"],
          formAction: ["'self'"], frameAncestors: ["'none'"], baseUri: ["'none'"], objectSrc: ["'none'"],
        },
      },
      // served over plain HTTP on a boot network unless a proxy adds TLS: no HSTS from here
      strictTransportSecurity: false,
    });
    await app.register(fastifyCookie, { secret: options.cookieSecret });
    await app.register(fastifySession, {
      secret: options.cookieSecret, cookieName: SESSION_COOKIE, saveUninitialized: false, rolling: false,
      cookie: { httpOnly: true, sameSite: 'strict', secure: options.secureCookies === true, path: '/', maxAge: sessionMs },
      store: sessionStore(store, sessionMs),
    });
    await app.register(fastifyCsrf, { sessionPlugin: '@fastify/cookie', cookieKey: 'remaster_csrf', cookieOpts: { signed: true, httpOnly: true, sameSite: 'strict', path: '/', secure: options.secureCookies === true } });
    await app.register(fastifyRateLimit, { global: false });
    app.decorateRequest('who', undefined);

    const isApi = (request: FastifyRequest) => request.url.startsWith('/api/');
    const sendPage = (reply: FastifyReply, page: Html, status = 200) => reply.code(status).type('text/html; charset=utf-8').header('Cache-Control', 'no-store').send(page.value);
    const pageCtx = (request: FastifyRequest, reply: FastifyReply): PageContext => ({ user: (request.who as { user: User }).user, csrf: reply.generateCsrf() });

    app.setErrorHandler((err, request, reply) => {
      const status = statusOf(err);
      const message = status === 500 ? 'internal error' : err instanceof Error ? err.message : String(err);
      if (status === 500) request.log.error({ err }, 'console error');
      if (isApi(request)) return reply.code(status).header('Cache-Control', 'no-store').send({ error: message });
      return sendPage(reply, messagePage(status === 403 ? 'Forbidden' : status === 429 ? 'Too many attempts' : 'Error', message, request.who ? { user: request.who.user, csrf: reply.generateCsrf() } : undefined), status);
    });

    /** Who is asking: a bearer token, else the session. */
    const identify = async (request: FastifyRequest) => {
      const auth = request.headers.authorization;
      if (auth !== undefined) {
        const m = /^Bearer\s+(\S+)$/iu.exec(auth);
        const user = m ? await userOfToken(store, m[1] as string) : undefined;
        return user ? { user, via: 'bearer' as const } : undefined;
      }
      const name = request.session.get('user');
      const user = typeof name === 'string' ? await store.getUser(name) : undefined;
      return user && !user.disabled ? { user, via: 'session' as const } : undefined;
    };
    const authenticate = async (request: FastifyRequest, reply: FastifyReply) => {
      const who = await identify(request);
      if (who === undefined) {
        if (isApi(request)) return reply.code(401).header('WWW-Authenticate', 'Bearer').header('Cache-Control', 'no-store').send({ error: 'unauthorized' });
        return reply.redirect('/ui/login', 303);
      }
      request.who = who;
    };
    const csrf = (request: FastifyRequest, reply: FastifyReply, done: HookHandlerDoneFunction) => {
      if (request.who?.via === 'bearer') return done();
      app.csrfProtection(request, reply, done);
    };
    const read = { preHandler: authenticate };
    const write = { preHandler: [authenticate, csrf] };
    const who = (request: FastifyRequest): User => (request.who as { user: User }).user;
    const audit = (request: FastifyRequest, action: string, target: string | null, detail?: unknown) =>
      store.appendAudit({ actor: who(request).name, action, target, ...(detail !== undefined ? { detail } : {}), remote: request.ip });

    const hostFor = async (request: FastifyRequest, rawMac: string, need: 'read' | 'act'): Promise<Host> => {
      let mac: string;
      try {
        mac = normalizeStateMac(rawMac);
      } catch {
        throw new Refused(404, 'no such host');
      }
      const host = await store.getHost(mac);
      if (host === undefined) throw new Refused(404, `no host ${mac}`);
      const user = who(request);
      if (!canRead(user, host.group)) throw new Refused(403, `${user.name} may not see hosts of group ${host.group ?? '(none)'}`);
      if (need === 'act' && !canAct(user, host.group)) throw new Refused(403, `${user.name} (${user.role}) may not change hosts of group ${host.group ?? '(none)'}`);
      return host;
    };
    const notReadOnly = () => {
      if (actions.readOnly) throw new Refused(409, 'this server is read-only (--read-only): it never publishes');
    };

    // --- actions, shared by pages and API ---
    const register = async (request: FastifyRequest, body: unknown): Promise<Host> => {
      const user = who(request);
      const group = field(body, 'group')?.trim() || null;
      if (!canAct(user, group)) throw new Refused(403, `${user.name} (${user.role}) may not register hosts${group ? ` in group ${group}` : ' without a group'}`);
      const profile = field(body, 'profile')?.trim() || null;
      if (profile !== null && !actions.profiles().some((p) => p.name === profile)) throw new Refused(400, `no profile ${profile}`);
      const name = field(body, 'name')?.trim() || null;
      if (name !== null && name.length > 253) throw new Refused(400, 'the name is longer than 253 characters');
      let mac: string;
      try {
        mac = normalizeStateMac(field(body, 'mac') ?? '');
      } catch (err) {
        throw new Refused(400, (err as Error).message);
      }
      const host = await store.createHost({ mac, name, group, profile }, user.name);
      await audit(request, 'register', mac, { name, group, profile });
      return host;
    };
    const arm = async (request: FastifyRequest, host: Host, body: unknown, confirmRequired: boolean): Promise<Host> => {
      notReadOnly();
      const label = host.name ?? host.mac;
      if (confirmRequired && field(body, 'confirm') !== label) throw new Refused(400, `type the host's name (${label}) to confirm arming it`);
      const chosen = field(body, 'profile')?.trim() || null;
      if (chosen !== null && !actions.profiles().some((p) => p.name === chosen)) throw new Refused(400, `no profile ${chosen}`);
      const rawOnce = (body as Body | undefined)?.once;
      const once = confirmRequired ? field(body, 'once') !== undefined : rawOnce !== false && rawOnce !== 'false' && rawOnce !== '0';
      if (chosen !== null && chosen !== host.profile) await store.updateHost({ mac: host.mac, profile: chosen }, who(request).name);
      const { version } = await actions.arm({ mac: host.mac, name: host.name, profile: chosen ?? host.profile, once });
      await audit(request, host.state === 'failed' || host.state === 'stalled' ? 're-arm' : 'arm', host.mac, { version, once, profile: chosen ?? host.profile, name: host.name });
      return (await store.getHost(host.mac)) as Host;
    };
    const disarm = async (request: FastifyRequest, host: Host): Promise<Host> => {
      notReadOnly();
      const { version } = await actions.disarm(host.mac);
      await audit(request, 'disarm', host.mac, { version });
      return (await store.getHost(host.mac)) as Host;
    };
    /** Did the host's current install report installed (a disarmed host then shows a full bar)? */
    const installed = async (h: Host): Promise<boolean> =>
      h.state === 'disarmed' && h.installId !== null && (await store.hostTimeline(h.mac, { installId: h.installId, limit: 1000 })).some((e) => e.kind === 'installed');
    const lastEvents = async (hosts: readonly Host[]): Promise<Map<string, HostEvent>> => {
      const map = new Map<string, HostEvent>();
      for (const h of hosts.slice(0, 500)) {
        const [e] = await store.hostTimeline(h.mac, { limit: 1 });
        if (e !== undefined) map.set(h.mac, e);
      }
      return map;
    };
    const listFor = (user: User, q: { state?: string; q?: string; group?: string; limit?: string }) => {
      const groups = groupFilter(user);
      const wanted = q.group ? (groups === undefined || groups.includes(q.group) ? [q.group] : ['\u0000none']) : groups;
      const states = q.state ? HOST_STATES.filter((s) => q.state?.split(',').includes(s)) : undefined;
      const limit = Math.min(Math.max(Number(q.limit) || 1000, 1), 10_000);
      return store.listHosts({ ...(wanted ? { groups: wanted } : {}), ...(states ? { states } : {}), ...(q.q ? { search: q.q } : {}), limit });
    };

    // --- static ---
    app.get('/ui/console.js', async (_request, reply) => reply.type('text/javascript; charset=utf-8').header('Cache-Control', 'no-cache').send(CONSOLE_JS));
    app.get('/ui/console.css', async (_request, reply) => reply.type('text/css; charset=utf-8').header('Cache-Control', 'no-cache').send(CONSOLE_CSS));
    app.get('/ui', async (_request, reply) => reply.redirect('/ui/hosts', 303));
    app.get('/ui/', async (_request, reply) => reply.redirect('/ui/hosts', 303));

    // --- login / logout ---
    app.get('/ui/login', async (request, reply) => {
      if ((await identify(request)) !== undefined) return reply.redirect('/ui/hosts', 303);
      return sendPage(reply, loginPage(reply.generateCsrf()));
    });
    app.post('/ui/login', {
      preHandler: csrf,
      config: { rateLimit: { max: options.loginAttempts ?? 10, timeWindow: 15 * 60_000, hook: 'preHandler', keyGenerator: (request: FastifyRequest) => `${request.ip}\n${field(request.body, 'username') ?? ''}` } },
    }, async (request, reply) => {
      const name = field(request.body, 'username') ?? '';
      const user = await checkUserPassword(store, name, field(request.body, 'password') ?? '');
      if (user === undefined) {
        await store.appendAudit({ actor: name.slice(0, 64) || '(empty)', action: 'login-failed', target: null, remote: request.ip });
        return sendPage(reply, loginPage(reply.generateCsrf(), 'Wrong user name or password.'), 401);
      }
      await store.deleteExpiredSessions(); // housekeeping: expired sessions are never read, drop them here
      await request.session.regenerate(); // a new id at login: no session fixation
      request.session.set('user', user.name);
      await store.appendAudit({ actor: user.name, action: 'login', target: null, remote: request.ip });
      return reply.redirect('/ui/hosts', 303);
    });
    app.post('/ui/logout', write, async (request, reply) => {
      await audit(request, 'logout', null);
      await request.session.destroy();
      return reply.clearCookie(SESSION_COOKIE, { path: '/' }).redirect('/ui/login', 303);
    });

    // --- pages ---
    app.get('/ui/hosts', read, async (request: FastifyRequest<{ Querystring: { q?: string; state?: string } }>, reply) => {
      const hosts = await listFor(who(request), request.query);
      const done = new Set<string>();
      for (const h of hosts.slice(0, 500)) if (await installed(h)) done.add(h.mac);
      return sendPage(reply, hostsPage(pageCtx(request, reply), hosts, await lastEvents(hosts), done, request.query, actions.profiles()));
    });
    app.post('/ui/hosts', write, async (request, reply) => {
      const host = await register(request, request.body);
      return reply.redirect(`/ui/hosts/${encodeURIComponent(host.mac)}`, 303);
    });
    app.get('/ui/hosts/:mac', read, async (request: FastifyRequest<{ Params: { mac: string } }>, reply) => {
      const host = await hostFor(request, request.params.mac, 'read');
      const logs = [];
      for (const kind of ['log:failed', 'log:install'] as const) {
        const b = await store.getBlob(host.mac, kind);
        if (b !== undefined) logs.push({ kind: kind.slice(4), ...b });
      }
      const [armedBy] = await store.listAudit({ target: host.mac, action: 'arm', limit: 1 });
      const [rearmedBy] = await store.listAudit({ target: host.mac, action: 're-arm', limit: 1 });
      const latest = armedBy && rearmedBy ? (armedBy.id > rearmedBy.id ? armedBy : rearmedBy) : (armedBy ?? rearmedBy);
      return sendPage(reply, hostPage(pageCtx(request, reply), {
        host, timeline: await store.hostTimeline(host.mac, { limit: 500 }), logs, inventory: (await store.getBlob(host.mac, 'inventory'))?.content,
        kickstart: await actions.kickstart(host.mac, host.profile), armed: await actions.armed(host.mac), armedBy: latest, profiles: actions.profiles(), readOnly: actions.readOnly,
      }));
    });
    app.post('/ui/hosts/:mac/arm', write, async (request: FastifyRequest<{ Params: { mac: string } }>, reply) => {
      const host = await arm(request, await hostFor(request, request.params.mac, 'act'), request.body, true);
      return reply.redirect(`/ui/hosts/${encodeURIComponent(host.mac)}`, 303);
    });
    app.post('/ui/hosts/:mac/disarm', write, async (request: FastifyRequest<{ Params: { mac: string } }>, reply) => {
      const host = await disarm(request, await hostFor(request, request.params.mac, 'act'));
      return reply.redirect(`/ui/hosts/${encodeURIComponent(host.mac)}`, 303);
    });
    app.get('/ui/profiles', read, async (request, reply) => {
      const profiles = [];
      for (const profile of actions.profiles()) profiles.push({ profile, text: await actions.kickstart('', profile.name).catch(() => undefined) });
      return sendPage(reply, profilesPage(pageCtx(request, reply), await actions.build(), profiles, actions.readOnly));
    });
    const admin = (request: FastifyRequest) => {
      if (who(request).role !== 'admin') throw new Refused(403, 'admins only');
    };
    app.post('/ui/rollback', write, async (request, reply) => {
      admin(request);
      notReadOnly();
      if (field(request.body, 'confirm') !== 'rollback') throw new Refused(400, 'type rollback to confirm');
      const { version } = await actions.rollback();
      await audit(request, 'rollback', null, { version });
      return reply.redirect('/ui/profiles', 303);
    });
    app.get('/ui/audit', read, async (request, reply) => {
      const user = who(request);
      const entries = await store.listAudit({ limit: 500 });
      const visible = [];
      const groupOf = new Map<string, string | null | undefined>();
      for (const e of entries) {
        if (user.role === 'admin') {
          visible.push(e);
          continue;
        }
        if (e.target === null || !/^[0-9a-f]{2}(?::[0-9a-f]{2}){5}$/u.test(e.target)) {
          if (e.actor === user.name) visible.push(e);
          continue;
        }
        if (!groupOf.has(e.target)) groupOf.set(e.target, (await store.getHost(e.target))?.group);
        const g = groupOf.get(e.target);
        if (g !== undefined && canRead(user, g)) visible.push(e);
      }
      return sendPage(reply, auditPage(pageCtx(request, reply), visible));
    });
    app.get('/ui/users', read, async (request, reply) => {
      admin(request);
      return sendPage(reply, usersPage(pageCtx(request, reply), await store.listUsers()));
    });
    app.post('/ui/users', write, async (request, reply) => {
      admin(request);
      const groups = (field(request.body, 'groups') ?? '').split(',').map((g) => g.trim()).filter(Boolean);
      const u = await addUser(store, { name: field(request.body, 'name') ?? '', role: field(request.body, 'role') ?? '', groups, password: field(request.body, 'password') ?? '' });
      await audit(request, 'user-add', u.name, { role: u.role, groups: u.groups });
      return reply.redirect('/ui/users', 303);
    });
    app.post('/ui/users/:name/delete', write, async (request: FastifyRequest<{ Params: { name: string } }>, reply) => {
      admin(request);
      const name = request.params.name;
      if (field(request.body, 'confirm') !== name) throw new Refused(400, `type ${name} to confirm`);
      if (name === who(request).name) throw new Refused(400, 'you cannot delete yourself');
      await removeUser(store, name);
      await audit(request, 'user-delete', name);
      return reply.redirect('/ui/users', 303);
    });

    // --- live updates (SSE on the raw response) ---
    const streams = new Set<ServerResponse>();
    app.addHook('preClose', async () => {
      for (const s of streams) s.end();
    });
    app.get('/ui/live', read, async (request: FastifyRequest<{ Querystring: { mac?: string } }>, reply) => {
      const user = who(request);
      const one = request.query.mac !== undefined ? (await hostFor(request, request.query.mac, 'read')).mac : undefined;
      const sessionId = request.who?.via === 'session' ? request.session.sessionId : undefined;
      reply.hijack();
      const res = reply.raw;
      res.writeHead(200, { 'Content-Type': 'text/event-stream; charset=utf-8', 'Cache-Control': 'no-store', 'X-Content-Type-Options': 'nosniff' });
      res.write('retry: 2000\n\n');
      streams.add(res);
      const seen = new Map<string, string>();
      let busy = false;
      let lastSent = 0;
      const tick = async () => {
        if (busy) return;
        busy = true;
        try {
          // the stream lives only as long as the session and the user do
          if ((sessionId !== undefined && (await store.getSession(hashSecret(sessionId))) === undefined) || (await store.getUser(user.name)) === undefined) return void res.end();
          const hosts = one !== undefined ? [await store.getHost(one)].filter((h): h is Host => h !== undefined) : await listFor(user, {});
          for (const h of hosts) {
            // a host page also follows the tree: arm and disarm publish a version, the host's state follows later
            const armed = one !== undefined ? armedText(await actions.armed(h.mac)) : undefined;
            const sig = `${h.state}|${h.lastEventAt ?? ''}|${h.installId ?? ''}|${armed ?? ''}`;
            if (seen.get(h.mac) === sig) continue;
            seen.set(h.mac, sig);
            const [last] = await store.hostTimeline(h.mac, { limit: 1 });
            if (one !== undefined) {
              // a host page: every event since the last one sent, in order
              for (const e of await store.hostTimeline(h.mac, { limit: 100 })) {
                if (e.id <= lastSent) continue;
                lastSent = e.id;
                res.write(`event: event\ndata: ${JSON.stringify({ id: e.id, kind: e.kind, at: formatTime(e.at), remote: e.remote, detail: e.detail === null || e.detail === undefined ? '' : terminalText(JSON.stringify(e.detail)) })}\n\n`);
              }
            }
            const data = {
              mac: h.mac, state: h.state as HostState, progress: progressOf(h.state, await installed(h)), last: last ? { id: last.id, kind: last.kind, at: formatTime(last.at), remote: last.remote } : null,
              ...(armed !== undefined ? { armed } : {}),
            };
            res.write(`event: host\ndata: ${JSON.stringify(data)}\n\n`);
          }
        } finally {
          busy = false;
        }
      };
      const timer = setInterval(() => void tick().catch(() => res.end()), interval);
      res.on('close', () => {
        clearInterval(timer);
        streams.delete(res);
      });
      await tick().catch(() => res.end());
    });

    // --- JSON API ---
    app.get('/api/v1/hosts', read, async (request: FastifyRequest<{ Querystring: { state?: string; q?: string; search?: string; group?: string; limit?: string } }>, reply) => {
      const q = request.query;
      const hosts = await listFor(who(request), { ...q, ...(q.q ?? q.search ? { q: q.q ?? q.search } : {}) });
      return reply.header('Cache-Control', 'no-store').send(hosts.map(publicHost));
    });
    app.get('/api/v1/hosts/:mac', read, async (request: FastifyRequest<{ Params: { mac: string } }>, reply) =>
      reply.header('Cache-Control', 'no-store').send(publicHost(await hostFor(request, request.params.mac, 'read'))));
    app.get('/api/v1/hosts/:mac/events', read, async (request: FastifyRequest<{ Params: { mac: string } }>, reply) => {
      const host = await hostFor(request, request.params.mac, 'read');
      return reply.header('Cache-Control', 'no-store').send(await store.hostTimeline(host.mac, { limit: 1000 }));
    });
    app.get('/api/v1/profiles', read, async (_request, reply) => reply.header('Cache-Control', 'no-store').send({ build: (await actions.build()) ?? null, profiles: actions.profiles().map((p) => ({ name: p.name })) }));
    app.post('/api/v1/hosts', write, async (request, reply) => reply.code(201).send(publicHost(await register(request, request.body))));
    app.post('/api/v1/hosts/:mac/arm', write, async (request: FastifyRequest<{ Params: { mac: string } }>, reply) =>
      reply.send(publicHost(await arm(request, await hostFor(request, request.params.mac, 'act'), request.body, false))));
    app.post('/api/v1/hosts/:mac/disarm', write, async (request: FastifyRequest<{ Params: { mac: string } }>, reply) =>
      reply.send(publicHost(await disarm(request, await hostFor(request, request.params.mac, 'act')))));
  };
}

export { RemasterError };
