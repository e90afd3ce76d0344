/**
 * The console's service side (`remaster serve --ui`): the actions the web
 * console offers, through the same library calls as the CLI (pxe armHost,
 * disarmHost, rollbackTree under the publish lock), each followed by a wait
 * until the state store follows the new version; plus the cookie secret,
 * kept in the store's settings so every server on one database agrees.
 */
import { randomBytes } from 'node:crypto';
import { RemasterError } from '../errors.ts';
import { openServedFile, readTextFile } from '../fsx/index.ts';
import { armHost, disarmHost, normalizeMac, rollbackTree } from '../pxe/index.ts';
import type { Store } from '../state/index.ts';
import { consolePlugin } from '../web/console/plugin.ts';
import type { ConsoleActions, ConsoleOptions, ConsoleProfile } from '../web/console/types.ts';
import { armedHost, type ServedTree } from './tree.ts';

/** Console settings of `remaster serve --ui`. */
export interface ServeConsoleOptions {
  /** Kickstart templates hosts can be armed with: name → file on this machine. */
  profiles?: Record<string, string>;
  sessionMs?: number;
  loginAttempts?: number;
  liveIntervalMs?: number;
  secureCookies?: boolean;
}

const COOKIE_SECRET_SETTING = 'console-cookie-secret';

/** Build the console plugin for a running server. `refresh` waits until the store follows the tree's current version. */
export async function createConsole(deps: { store: Store; tree: ServedTree; tftpRoot: string; httpRoot?: string; readOnly: boolean; refresh: () => Promise<void>; now: () => number }, options: ServeConsoleOptions = {}) {
  const { store, tree } = deps;
  const profiles: ConsoleProfile[] = Object.entries(options.profiles ?? {}).map(([name, file]) => ({ name, file }));
  const roots = { tftpRoot: deps.tftpRoot, ...(deps.httpRoot !== undefined ? { httpRoot: deps.httpRoot } : {}), waitMs: 30_000 };
  const readTree = async (path: string) => {
    const file = await openServedFile(deps.tftpRoot, path);
    try {
      return new TextDecoder().decode(await file.read(0, Math.min(file.size, 1 << 20)));
    } finally {
      await file.close();
    }
  };
  const profileFile = (name: string | null) => (name === null ? undefined : profiles.find((p) => p.name === name)?.file);
  const actions: ConsoleActions = {
    readOnly: deps.readOnly,
    profiles: () => profiles,
    build: async () => {
      const m = await tree.current();
      return m === undefined ? undefined : { version: m.version, kernel: m.model.kernel.path, initrd: m.model.initrd.path, dialect: m.model.dialect ?? null, armed: m.model.hosts.length };
    },
    armed: async (mac) => {
      const h = armedHost(await tree.current(), mac);
      return h === undefined ? undefined : { once: h.once === true, expires: h.expires ?? null, kickstartPath: h.kickstart?.path ?? null };
    },
    kickstart: async (mac, profile) => {
      const h = mac === '' ? undefined : armedHost(await tree.current(), mac);
      if (h?.kickstart !== undefined) return readTree(h.kickstart.path);
      const file = profileFile(profile);
      return file === undefined ? undefined : readTextFile(file);
    },
    arm: async ({ mac, name, profile, once }) => {
      const file = profileFile(profile);
      if (profile !== null && file === undefined) throw new RemasterError('USAGE', `no profile ${profile} on this server`);
      const plan = await armHost({ ...roots, mac: normalizeMac(mac), once, ...(name !== null ? { name } : {}), ...(file !== undefined ? { kickstart: file } : {}), now: new Date(deps.now()) });
      await deps.refresh();
      return { version: plan.version };
    },
    disarm: async (mac) => {
      const plan = await disarmHost({ ...roots, mac: normalizeMac(mac), now: new Date(deps.now()) });
      await deps.refresh();
      return { version: plan.version };
    },
    rollback: async () => {
      const m = await rollbackTree(roots);
      await deps.refresh();
      return { version: m.version };
    },
  };
  const cookieSecret = await store.ensureSetting(COOKIE_SECRET_SETTING, randomBytes(32).toString('base64url'));
  const pluginOptions: ConsoleOptions = {
    store, actions, cookieSecret,
    ...(options.sessionMs !== undefined ? { sessionMs: options.sessionMs } : {}),
    ...(options.loginAttempts !== undefined ? { loginAttempts: options.loginAttempts } : {}),
    ...(options.liveIntervalMs !== undefined ? { liveIntervalMs: options.liveIntervalMs } : {}),
    ...(options.secureCookies !== undefined ? { secureCookies: options.secureCookies } : {}),
  };
  return consolePlugin(pluginOptions);
}
