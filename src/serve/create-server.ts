/**
 * `remaster serve` as a library call: one state store, the built-in TFTP
 * server on the TFTP root, the HTTP app (src/web) on the HTTP root (the TFTP
 * root when there is none), optionally ProxyDHCP, and a stall timer — all
 * following the published tree's version switches without a restart.
 *
 * Events (SERVE-DESIGN.md): a fetch of a host's own menu → boot-fetched (and
 * its address is remembered); a fetch of the current kernel or initrd from an
 * address known for an armed host → kernel-fetched; GET /ks|/preseed|/ai →
 * ks-fetched; callbacks → the states they name. Per-MAC menus of an expired
 * host and raw answer files of a served tree are "not found".
 * The library never prints: every log line goes to `options.log`.
 */
import type { FastifyInstance } from 'fastify';
import { RemasterError } from '../errors.ts';
import { openServedFile } from '../fsx/index.ts';
import { createTftpServer, TFTP_PORT, type TftpServer, type TftpTransferEvent } from '../net/tftp/index.ts';
import { startProxyDhcp, type ProxyDhcpServer } from '../net/dhcp/index.ts';
import { macHexhyp, normalizeMac, type PublishManifest, type PxeHost } from '../pxe/index.ts';
import { HOST_STATES, openStore, type Store } from '../state/index.ts';
import { createWebApp } from '../web/app.ts';
import type { AnswerRequest, WebContext, WebFile, WebRemote, WebText } from '../web/context.ts';
import { renderServedAnswers } from './answers.ts';
import { CALLBACK_BODY_LIMIT } from './callbacks.ts';
import { decideBootFile } from './boot-policy.ts';
import { FAILURE_LOG_BYTES, InstallService, type ServeLogger } from './install-service.ts';
import { failureReasonOf, isCallbackKind, type CallbackState } from './lifecycle.ts';
import { createConsole, type ServeConsoleOptions } from './console.ts';
import { createServeMetrics } from './metrics.ts';
import { classifyServedPath } from './paths.ts';
import { callbackSecret, callbackSecretMatches, loadCallbackKey } from './secret.ts';
import { ClientTracker } from './tracker.ts';
import { armedHost, ServedTree } from './tree.ts';

/** The default HTTP port (issue #12). */
export const HTTP_PORT = 80;

/** Options of createServer. */
export interface ServeOptions {
  tftpRoot: string;
  /** Directory served over HTTP (default: the TFTP root). Publish's --http-root. */
  httpRoot?: string;
  /** Address to listen on (default 0.0.0.0). */
  listen?: string;
  /** TFTP port (default 69; 0 picks one). */
  tftpPort?: number;
  /** HTTP port (default 80; 0 picks one). */
  httpPort?: number;
  /** State store: SQLite in `stateDir`, or PostgreSQL at `url`. */
  state: { stateDir: string } | { url: string };
  /** ProxyDHCP: this server's address on the boot network (also the TFTP next server). */
  proxyDhcp?: { serverAddress: string; port?: number; pxePort?: number; clientPort?: number; armedOnly?: boolean };
  /** Serve and record, never publish (no disarm, no expiry). */
  readOnly?: boolean;
  /** No event for this long marks an install `stalled` (default 30 min). */
  stallAfterMs?: number;
  /** How often the tree is checked for a version switch when no client asks (default 2000 ms). */
  pollMs?: number;
  /** TFTP transfers at once (default 50). */
  maxTransfers?: number;
  /** Structured log (pino's logger fits); default: nothing is logged. */
  log?: ServeLogger;
  now?: () => number;
  /** The web console and authenticated /api/v1 (`--ui`). */
  ui?: ServeConsoleOptions | boolean;
}

/** A running server. */
export interface ServeHandle {
  readonly tftpPort: number;
  readonly httpPort: number;
  /** The HTTP base URL (`http://<listen>:<port>`). */
  readonly httpUrl: string;
  readonly store: Store;
  /** Wait for queued disarms and syncs (tests). */
  settled(): Promise<void>;
  /** Stop everything: transfers finish (graceful) or abort, then the store closes. */
  close(options?: { graceful?: boolean }): Promise<void>;
}

const SILENT: ServeLogger = { info() {}, warn() {}, error() {} };

function hostLabel(mac: string): string {
  return macHexhyp(mac);
}

async function readAll(root: string, path: string): Promise<string> {
  const file = await openServedFile(root, path);
  try {
    return new TextDecoder().decode(await file.read(0, file.size));
  } finally {
    await file.close();
  }
}

/** Start serving a published tree (see the module comment). */
export async function createServer(options: ServeOptions): Promise<ServeHandle> {
  const log = options.log ?? SILENT;
  const listen = options.listen ?? '0.0.0.0';
  const now = options.now ?? Date.now;
  const store = await openStore(options.state);
  const cleanups: (() => Promise<void>)[] = [() => store.close()];
  const closeAll = async () => {
    for (const c of cleanups.reverse()) await c().catch(() => {});
  };
  try {
    const serverKey = await loadCallbackKey(store);
    const tree = new ServedTree(options.tftpRoot);
    const metrics = createServeMetrics(store);
    const service = new InstallService({
      store, tree, tftpRoot: options.tftpRoot, ...(options.httpRoot !== undefined ? { httpRoot: options.httpRoot } : {}), serverKey, log,
      ...(options.readOnly ? { readOnly: true } : {}), ...(options.stallAfterMs !== undefined ? { stallAfterMs: options.stallAfterMs } : {}), now,
      onTransition: (_mac, to) => metrics.transitions.inc({ state: to }),
    });
    tree.onChange((m) => {
      log.info({ event: 'version', version: m.version, hosts: m.model.hosts.length }, `serving version ${m.version}`);
      void service.sync(m);
    });
    await tree.current();
    await service.settled();
    const tracker = new ClientTracker({ now });

    /** The current manifest, with the store following it. */
    const current = async (): Promise<PublishManifest | undefined> => {
      const m = await tree.current();
      await service.synced();
      return m;
    };

    /** Record what a file fetch means for the lifecycle; return false when it must be refused (not found). */
    const onFetch = async (path: string, address: string): Promise<boolean> => {
      const m = await current();
      if (m === undefined) return true;
      const what = classifyServedPath(m, path);
      if (what.kind === 'answers') return false; // only /ks/<mac> hands them out, with callbacks
      if (what.kind === 'host-menu' || what.kind === 'alias-menu') {
        const host = armedHost(m, what.mac);
        if (host === undefined) return true; // a stale file of another version: the loader falls back anyway
        if (service.checkExpired(host)) return false;
        tracker.learn(address, what.mac);
        if (host.armId !== undefined) await service.advance(what.mac, host.armId, 'boot-fetched', { kind: 'boot-fetched', detail: { path }, remote: address });
        return true;
      }
      if (what.kind === 'kernel' || what.kind === 'initrd') {
        const mac = tracker.macOf(address);
        const host = mac !== undefined ? armedHost(m, mac) : undefined;
        if (mac !== undefined && host?.armId !== undefined) await service.advance(mac, host.armId, 'kernel-fetched', { kind: `${what.kind}-fetched`, detail: { path }, remote: address });
      }
      return true;
    };
    const open = async (root: string, path: string, address: string) => {
      if (!(await onFetch(path, address))) throw new RemasterError('INPUT_NOT_FOUND', 'not served', { entry: path });
      return openServedFile(root, path);
    };

    // TFTP
    const tftp: TftpServer = await createTftpServer({
      address: listen, port: options.tftpPort ?? TFTP_PORT, ...(options.maxTransfers !== undefined ? { maxTransfers: options.maxTransfers } : {}),
      open: (request) => open(options.tftpRoot, request.path, request.remote.address),
      onTransfer: (e: TftpTransferEvent) => {
        metrics.tftpTransfers.inc({ outcome: e.outcome });
        metrics.tftpBytes.inc({ outcome: e.outcome }, e.bytes);
        const { remote, filename, path, outcome, bytes, size, blksize, windowsize, retransmits, durationMs, error, detail } = e;
        log.info({ event: 'tftp', remote: `${remote.address}:${remote.port}`, filename, path, outcome, bytes, size, blksize, windowsize, retransmits, durationMs, ...(error ? { error } : {}), ...(detail ? { detail } : {}) }, `tftp ${filename} ${outcome}`);
      },
      onWarning: (w) => log.warn({ event: 'tftp-warning', warning: w.message }, w.message),
      onError: (err) => {
        metrics.errors.inc({ component: 'tftp' });
        log.error({ event: 'tftp-error', err: String(err) }, 'tftp error');
      },
    });
    let tftpClosed: Promise<void> | undefined;
    const closeTftp = (graceful: boolean) => (tftpClosed ??= tftp.close({ graceful, timeoutMs: 10_000 }));
    cleanups.push(() => closeTftp(false));

    // HTTP
    const httpRoot = options.httpRoot ?? options.tftpRoot;
    let httpUrl = '';
    const baseOf = (m: PublishManifest | undefined) => (m?.model.serveUrl ?? httpUrl).replace(/\/+$/u, '');
    const answers = async (what: AnswerRequest, rawMac: string, remote: WebRemote): Promise<WebText> => {
      let mac: string;
      try {
        mac = normalizeMac(rawMac);
      } catch {
        return { status: 404, body: 'not found\n' };
      }
      const m = await current();
      const host = await service.armed(mac);
      const ks = host?.kickstart;
      const secret = host !== undefined ? service.secretFor(host) : undefined;
      const format = ks?.format ?? 'kickstart';
      const wanted = what === 'user-data' || what === 'meta-data' ? 'autoinstall' : what;
      if (host === undefined || ks === undefined || secret === undefined || format !== wanted) {
        // only known hosts get a timeline entry: a scan of random MACs must not grow the store
        if ((await store.getHost(mac)) !== undefined) await store.recordEvent({ mac, kind: 'answers-refused', detail: { what, reason: host === undefined ? 'not armed' : 'no answers of this kind' }, remote: remote.address }).catch(() => {});
        log.info({ event: 'answers-refused', mac, what, remote: remote.address }, `${mac}: no ${what} (not armed)`);
        return { status: 404, body: 'not found\n' };
      }
      tracker.learn(remote.address, mac);
      if (what === 'meta-data') return { status: 200, body: await readAll(options.tftpRoot, ks.path.replace(/user-data$/u, 'meta-data')) };
      const callbackUrl = `${baseOf(m)}/cb/${hostLabel(mac)}/${secret}`;
      const record = await store.getHost(mac);
      const served = { mac, ...(record?.name ? { name: record.name } : {}), ...(record?.group ? { group: record.group } : {}), ...(record?.profile ? { profile: record.profile } : {}) };
      const body = renderServedAnswers(format, await readAll(options.tftpRoot, ks.path), callbackUrl, m?.model.dialect, ks.path, served);
      await service.advance(mac, host.armId as string, 'ks-fetched', { kind: 'ks-fetched', detail: { what }, remote: remote.address });
      return { status: 200, body };
    };

    const callback = async (rawMac: string, secret: string, kind: string, body: Uint8Array, remote: WebRemote): Promise<number> => {
      let mac: string;
      try {
        mac = normalizeMac(rawMac);
      } catch {
        return 404;
      }
      const result = (r: string) => metrics.callbacks.inc({ kind: isCallbackKind(kind) ? kind : 'unknown', result: r });
      if (!isCallbackKind(kind)) {
        result('bad-kind');
        return 400;
      }
      await current();
      const host = await store.getHost(mac);
      const expected = host?.installId ? callbackSecret(serverKey, mac, host.installId) : undefined;
      if (host === undefined || expected === undefined || !callbackSecretMatches(secret, expected)) {
        result('refused');
        if (host !== undefined) await store.recordEvent({ mac, kind: 'callback-refused', detail: { kind }, remote: remote.address }).catch(() => {});
        log.warn({ event: 'callback-refused', mac, kind, remote: remote.address }, `${mac}: callback ${kind} with a wrong secret refused`);
        return 403;
      }
      const armId = host.installId as string;
      tracker.learn(remote.address, mac);
      const text = new TextDecoder().decode(body);
      if (kind === 'inventory') {
        await store.putBlob(mac, 'inventory', text);
        await store.recordEvent({ mac, installId: armId, kind: 'inventory', remote: remote.address });
        result('ok');
        return 204;
      }
      if (kind === 'log') {
        await store.appendBlob(mac, 'log:install', text, FAILURE_LOG_BYTES);
        await store.recordEvent({ mac, installId: armId, kind: 'log', detail: { bytes: body.length }, remote: remote.address });
        result('ok');
        return 204;
      }
      const state = kind as CallbackState;
      if (state === 'failed') await store.putBlob(mac, 'log:failed', text.slice(-FAILURE_LOG_BYTES));
      const reason = state === 'failed' ? failureReasonOf(text) : undefined;
      const r = await service.advance(mac, armId, state, {
        kind, remote: remote.address, detail: body.length > 0 ? { bytes: body.length, tail: text.slice(-2048) } : {}, ...(reason !== undefined ? { failureReason: reason } : {}),
      });
      result(r.applied ? 'applied' : 'recorded');
      if (r.applied && state === 'installed') {
        const pxeHost: PxeHost | undefined = armedHost(await tree.current(), mac);
        if (pxeHost?.armId === armId) service.afterInstalled(pxeHost);
      }
      return 204;
    };

    const ctx: WebContext = {
      openFile: async (path, remote) => {
        const file = await open(httpRoot, path, remote.address);
        const webFile: WebFile = file;
        return { file: webFile, sent: (bytes) => metrics.httpBytes.inc({ route: 'file' }, bytes) };
      },
      answers,
      callback,
      health: async () => ({ ok: true, version: tree.manifest?.version ?? null, backend: store.backend, tftpTransfers: tftp.activeTransfers }),
      metrics: async () => ({ contentType: metrics.registry.contentType, text: await metrics.registry.metrics() }),
      observe: (route, status) => metrics.httpRequests.inc({ route, status: String(status) }),
      api: {
        // the read-only API answers loopback clients; tokens come with the console (issue #13)
        authorize: async (_authorization, remote) => /^(?:127\.|::1$|::ffff:127\.)/u.test(remote.address),
        hosts: (filter) => store.listHosts({
          ...(filter.state !== undefined ? { states: HOST_STATES.filter((s) => filter.state?.split(',').includes(s)) } : {}),
          ...(filter.search !== undefined ? { search: filter.search } : {}), limit: Math.min(filter.limit ?? 1000, 10_000),
        }),
        host: async (rawMac) => store.getHost(normalizeMac(rawMac)).catch(() => undefined),
        events: async (rawMac, limit) => store.hostTimeline(normalizeMac(rawMac), { limit: limit ?? 1000 }).catch(() => []),
      },
    };
    const ui = options.ui ? await createConsole({ store, tree, tftpRoot: options.tftpRoot, ...(options.httpRoot !== undefined ? { httpRoot: options.httpRoot } : {}), readOnly: options.readOnly === true, refresh: async () => void (await current()), now }, options.ui === true ? {} : options.ui) : undefined;
    const app: FastifyInstance = createWebApp(ctx, { callbackBodyLimit: CALLBACK_BODY_LIMIT, ...(ui !== undefined ? { console: ui } : {}) });
    let appClosed: Promise<void> | undefined;
    const closeApp = () => (appClosed ??= app.close());
    cleanups.push(closeApp);
    try {
      await app.listen({ host: listen, port: options.httpPort ?? HTTP_PORT });
    } catch (err) {
      throw new RemasterError('NET_BIND_FAILED', `cannot listen on ${listen}:${options.httpPort ?? HTTP_PORT} (HTTP): ${(err as Error).message}`, {}, { cause: err });
    }
    const address = app.server.address();
    const httpPort = typeof address === 'object' && address !== null ? address.port : (options.httpPort ?? HTTP_PORT);
    httpUrl = `http://${listen.includes(':') ? `[${listen}]` : listen}:${httpPort}`;

    // ProxyDHCP
    if (options.proxyDhcp !== undefined) {
      const p = options.proxyDhcp;
      const dhcp: ProxyDhcpServer = await startProxyDhcp({
        serverAddress: p.serverAddress,
        ...(p.port !== undefined ? { port: p.port } : {}), ...(p.pxePort !== undefined ? { pxePort: p.pxePort } : {}), ...(p.clientPort !== undefined ? { clientPort: p.clientPort } : {}),
        bootFor: async (client) => decideBootFile(client, await tree.current(), { nextServer: p.serverAddress, httpBase: baseOf(tree.manifest), ...(p.armedOnly ? { armedOnly: true } : {}) }),
        onEvent: (e) => {
          metrics.dhcp.inc({ via: e.via, result: e.kind });
          if (e.kind === 'reply' && e.via === 'pxe') tracker.learn(e.from.address, e.client.mac);
          if (e.kind === 'reply') log.info({ event: 'proxydhcp', via: e.via, mac: e.client.mac, arch: e.client.archName, bootFile: e.bootFile, to: `${e.to.address}:${e.to.port}` }, `proxydhcp ${e.client.mac} → ${e.bootFile}`);
          else if (e.kind === 'error') log.error({ event: 'proxydhcp-error', via: e.via, err: e.error.message }, 'proxydhcp send failed');
        },
      });
      cleanups.push(() => dhcp.close());
    }

    // stall timer
    const stallAfter = options.stallAfterMs ?? 30 * 60_000;
    const timer = setInterval(() => {
      void service.checkStalled().catch((err: unknown) => log.error({ event: 'stall-check-failed', err: String(err) }, 'stall check failed'));
    }, Math.max(1000, Math.min(60_000, Math.floor(stallAfter / 4))));
    timer.unref();
    // follow version switches made while no client asks (arms show up in the store without a request)
    const poll = setInterval(() => {
      void tree.current().catch((err: unknown) => log.error({ event: 'tree-read-failed', err: String(err) }, 'cannot read the published tree'));
    }, options.pollMs ?? 2000);
    poll.unref();
    cleanups.push(async () => {
      clearInterval(timer);
      clearInterval(poll);
    });

    log.info({ event: 'listening', tftp: `${listen}:${tftp.address().port}`, http: httpUrl, backend: store.backend, readOnly: options.readOnly === true }, `serving ${options.tftpRoot}`);
    let closing: Promise<void> | undefined;
    return {
      tftpPort: tftp.address().port,
      httpPort,
      httpUrl,
      store,
      settled: () => service.settled(),
      close: (o = {}) => {
        closing ??= (async () => {
          clearInterval(timer);
          clearInterval(poll);
          await closeApp().catch(() => {});
          await closeTftp(o.graceful ?? true).catch(() => {});
          await service.settled();
          await closeAll();
        })();
        return closing;
      },
    };
  } catch (err) {
    await closeAll();
    throw err;
  }
}
