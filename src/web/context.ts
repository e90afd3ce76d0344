/**
 * What the HTTP layer needs from the service, as an interface: src/web knows
 * routes, headers and status codes; src/serve implements the policy (which
 * file a client gets, per-host answers, callbacks, API data). The console
 * (issue #13) adds route modules using the same context plus its own.
 */
import type { Host, HostEvent } from '../state/index.ts';

/** A file opened for one response: fixed size, read by offset, closed once. */
export interface WebFile {
  readonly size: number;
  readonly mtimeMs: number;
  readonly ino: number;
  read(offset: number, length: number): Promise<Uint8Array>;
  close(): Promise<void>;
}

/** Who asked: the client's address. */
export interface WebRemote {
  address: string;
}

/** A text answer with its status. */
export interface WebText {
  status: number;
  body: string;
  contentType?: string;
}

/** Which answer document a route asks for. */
export type AnswerRequest = 'kickstart' | 'preseed' | 'user-data' | 'meta-data';

/** The service behind the routes. */
export interface WebContext {
  /** Open a root-relative path for GET/HEAD; throw RemasterError INPUT_NOT_FOUND (404) or PATH_* (403). `sent` reports the bytes delivered. */
  openFile(path: string, remote: WebRemote): Promise<{ file: WebFile; sent?: (bytes: number, complete: boolean) => void }>;
  /** A host's answer document rendered with its callbacks (404 when the host is not armed). */
  answers(what: AnswerRequest, mac: string, remote: WebRemote): Promise<WebText>;
  /** An install callback; returns the HTTP status (204, 400, 403, 404). */
  callback(mac: string, secret: string, kind: string, body: Uint8Array, remote: WebRemote): Promise<number>;
  health(): Promise<Record<string, unknown>>;
  metrics(): Promise<{ contentType: string; text: string }>;
  /** Count a finished request (route pattern, status, file bytes). */
  observe?(route: string, status: number, bytes: number): void;
  api: {
    /** May this request read the API? (loopback, or a valid bearer token) */
    authorize(authorization: string | undefined, remote: WebRemote): Promise<boolean>;
    hosts(filter: { state?: string; search?: string; limit?: number }): Promise<Host[]>;
    host(mac: string): Promise<Host | undefined>;
    events(mac: string, limit?: number): Promise<HostEvent[]>;
  };
}
