/**
 * The web console under test: `remaster serve --ui` (createServer) on loopback with a published tree,
 * users of every role, hosts in two groups; and a cookie-keeping HTTP client that logs in the way a
 * browser does (GET the form for its CSRF token and cookie, POST it).
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { addUser, createServer, createUserToken, publishTree, type ServeHandle } from '../../src/index.ts';
import { freshPostgresDatabase, requirePostgres } from './postgres.ts';
import { makeBuildDir, makeRoots, tempDir } from '../unit/pxe/support.ts';

export const LAB_MAC = '52:54:00:13:00:01';
export const OTHER_MAC = '52:54:00:13:00:02';
export const PASSWORD = 'correct horse battery';

export const CONSOLE_KS = `#version=RHEL9
text
lang en_US.UTF-8
keyboard --xlayouts=us
timezone Etc/UTC --utc
url --url=http://10.0.0.5/rhel/9.4/BaseOS/
rootpw --lock
zerombr
clearpart --all --initlabel
autopart --type=plain
reboot
%packages
@^minimal-environment
%end
`;

export interface ConsoleSetup {
  srv: ServeHandle;
  tftpRoot: string;
  base: string;
  tokens: Record<'admin' | 'op' | 'viewer' | 'other', string>;
}

/** Start serve --ui on SQLite (or on a fresh PostgreSQL database when `pg`); the hosts are registered, not armed. */
export async function startConsole(t: TestContext, options: { pg?: boolean; labHostName?: string; liveIntervalMs?: number } = {}): Promise<ConsoleSetup | undefined> {
  let state: { stateDir: string } | { url: string } = { stateDir: await tempDir('remaster-console-state-') };
  if (options.pg) {
    const url = requirePostgres(t);
    if (url === undefined) return undefined;
    state = { url: await freshPostgresDatabase(t, url) };
  }
  const roots = await makeRoots();
  const build = await makeBuildDir();
  const ks = join(await tempDir(), 'web.ks');
  await writeFile(ks, CONSOLE_KS);
  const srv = await createServer({
    tftpRoot: roots.tftpRoot, listen: '127.0.0.1', tftpPort: 0, httpPort: 0, state, stallAfterMs: 3600_000,
    ui: { profiles: { web: ks }, liveIntervalMs: options.liveIntervalMs ?? 200 },
  });
  t.after(() => srv.close({ graceful: false }));
  await publishTree({
    tftpRoot: roots.tftpRoot, kernel: join(build, 'vmlinuz'), initrd: join(build, 'initrd.img'), dialect: 'rhel9',
    loaders: { pxelinux: roots.loaderDir, ipxe: false }, hosts: [], serveUrl: srv.httpUrl,
  });
  const store = srv.store;
  await addUser(store, { name: 'admin', role: 'admin', password: PASSWORD });
  await addUser(store, { name: 'op', role: 'operator', groups: ['lab'], password: PASSWORD });
  await addUser(store, { name: 'viewer', role: 'viewer', groups: ['lab'], password: PASSWORD });
  await addUser(store, { name: 'other', role: 'operator', groups: ['other'], password: PASSWORD });
  await store.createHost({ mac: LAB_MAC, name: options.labHostName ?? 'web01', group: 'lab', profile: 'web' }, 'admin');
  await store.createHost({ mac: OTHER_MAC, name: 'db01', group: 'other', profile: 'web' }, 'admin');
  const tokens = {
    admin: (await createUserToken(store, 'admin')).token, op: (await createUserToken(store, 'op')).token,
    viewer: (await createUserToken(store, 'viewer')).token, other: (await createUserToken(store, 'other')).token,
  };
  return { srv, tftpRoot: roots.tftpRoot, base: srv.httpUrl, tokens };
}

/** An HTTP client with a cookie jar (no redirects followed). */
export class Client {
  readonly base: string;
  readonly cookies = new Map<string, string>();
  constructor(base: string) {
    this.base = base;
  }

  async request(method: string, path: string, options: { form?: Record<string, string>; json?: unknown; headers?: Record<string, string> } = {}): Promise<{ status: number; text: string; headers: Headers }> {
    const headers: Record<string, string> = { ...options.headers };
    if (this.cookies.size) headers.cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    let body: string | undefined;
    if (options.form) {
      headers['content-type'] = 'application/x-www-form-urlencoded';
      body = new URLSearchParams(options.form).toString();
    } else if (options.json !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(options.json);
    }
    const r = await fetch(`${this.base}${path}`, { method, headers, redirect: 'manual', ...(body !== undefined ? { body } : {}) });
    for (const c of r.headers.getSetCookie()) {
      const [pair] = c.split(';');
      const eq = (pair as string).indexOf('=');
      const name = (pair as string).slice(0, eq);
      const value = (pair as string).slice(eq + 1);
      if (value === '' || /expires=Thu, 01 Jan 1970/iu.test(c)) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    return { status: r.status, text: await r.text(), headers: r.headers };
  }

  /** The CSRF token of a page's forms. */
  static csrfOf(html: string): string {
    const m = /name="_csrf" value="([^"]+)"/u.exec(html);
    if (!m) throw new Error('no CSRF token on the page');
    return m[1] as string;
  }

  /** GET a page and return its CSRF token. */
  async csrf(path = '/ui/login'): Promise<string> {
    return Client.csrfOf((await this.request('GET', path)).text);
  }

  async login(user: string, password = PASSWORD): Promise<number> {
    const token = await this.csrf('/ui/login');
    return (await this.request('POST', '/ui/login', { form: { _csrf: token, username: user, password } })).status;
  }
}
