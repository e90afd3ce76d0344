/**
 * @fastify/session's store over the state store: the session id is kept
 * only as its SHA-256; a session exists only once someone logged in (the
 * store row names its user), and expires with its cookie.
 */
import type { SessionStore } from '@fastify/session';
import type { Session } from 'fastify';
import { hashSecret, type Store } from '../../state/index.ts';

type Callback = (err?: unknown) => void;

/** The store adapter @fastify/session calls. */
export function sessionStore(store: Store, defaultMs: number): SessionStore {
  const expiry = (s: Session) => {
    const e = s.cookie?.expires;
    return e ? new Date(e).getTime() : Date.now() + defaultMs;
  };
  return {
    set(id: string, session: Session, cb: Callback): void {
      const user = (session as { user?: unknown }).user;
      if (typeof user !== 'string') return cb(); // nobody logged in: nothing to keep
      const idHash = hashSecret(id);
      const data = JSON.parse(JSON.stringify(session)) as unknown;
      void (async () => {
        if (!(await store.updateSession(idHash, { data, expiresAt: expiry(session) }))) await store.createSession({ idHash, user, expiresAt: expiry(session), csrfSecret: '', data });
      })().then(() => cb(), cb);
    },
    get(id: string, cb: (err: unknown, session?: Session | null) => void): void {
      store.getSession(hashSecret(id)).then((s) => cb(null, s === undefined ? null : (s.data as Session)), cb);
    },
    destroy(id: string, cb: Callback): void {
      store.deleteSession(hashSecret(id)).then(() => cb(), cb);
    },
  };
}
