/**
 * The service's state behind one interface (STYLE.md §1.8b): hosts and their
 * install lifecycle, the append-only event timeline, per-host blobs
 * (inventory, log tails), console users, API tokens, sessions and the audit
 * log. Two back ends implement it, SQLite (node:sqlite, the embedded default)
 * and PostgreSQL (several servers behind a load balancer), over one migration
 * list; both pass the same test suite.
 *
 * Rules every back end keeps:
 * - every read-modify-write is one transaction (STYLE.md §1.8 rule 7);
 *   `transition` is a compare-and-set, so when two servers receive the same
 *   "installed" callback exactly one applies it;
 * - secrets are stored as hashes only (callback secret, API tokens, session
 *   ids); password hashes are scrypt strings made by password.ts;
 * - times are integers, milliseconds since the Unix epoch (UTC);
 * - MAC addresses are normalised to `aa:bb:cc:dd:ee:ff` on the way in.
 */

/** Install lifecycle of a host, in the order an install normally walks them. */
export const HOST_STATES = [
  'registered',
  'armed',
  'boot-fetched',
  'kernel-fetched',
  'ks-fetched',
  'pre-started',
  'pre-done',
  'installing',
  'post-done',
  'installed',
  'disarmed',
  'failed',
  'stalled',
] as const;
export type HostState = (typeof HOST_STATES)[number];

/** Console roles: admin manages users; operator arms/disarms (within its groups, when it has any); viewer reads. */
export const ROLES = ['admin', 'operator', 'viewer'] as const;
export type Role = (typeof ROLES)[number];

/** A host known to the service. */
export interface Host {
  /** Primary key, `aa:bb:cc:dd:ee:ff`. */
  mac: string;
  name: string | null;
  group: string | null;
  profile: string | null;
  createdAt: number;
  createdBy: string;
  updatedAt: number;
  updatedBy: string;
  state: HostState;
  stateAt: number;
  /** One per arm; callbacks must name the current one. */
  installId: string | null;
  /** Hash of the per-install callback secret (hashSecret); set once, when armed. */
  callbackSecretHash: string | null;
  armedBy: string | null;
  armedAt: number | null;
  failureReason: string | null;
  lastEventAt: number | null;
}

/** Fields given when a host is registered or edited. */
export interface HostInput {
  mac: string;
  name?: string | null;
  group?: string | null;
  profile?: string | null;
}

/** Filter for listHosts; every field narrows the result. */
export interface HostFilter {
  states?: readonly HostState[];
  /** Only hosts in one of these groups (operators restricted to groups). */
  groups?: readonly string[];
  profile?: string;
  /** Case-insensitive substring of mac or name. */
  search?: string;
  limit?: number;
  offset?: number;
}

/** An event to record on a host's timeline. */
export interface EventInput {
  mac: string;
  installId?: string | null;
  kind: string;
  detail?: unknown;
  remote?: string | null;
  /** Defaults to the store's clock. */
  at?: number;
}

/** A recorded event. */
export interface HostEvent {
  id: number;
  mac: string;
  installId: string | null;
  at: number;
  kind: string;
  detail: unknown;
  remote: string | null;
}

/** A compare-and-set on a host's state. */
export interface Transition {
  /** States the host must be in for the transition to apply. */
  from: readonly HostState[];
  to: HostState;
  /** When set, the host's current install id must equal it (callbacks of an old install are refused). */
  installId?: string;
  /** When set, the host's current install id must differ from it (arming an install only once, whoever sees it first). */
  notInstallId?: string;
  /** Who or what caused it (user name, "callback", "tftp"…); recorded as updatedBy. */
  actor: string;
  /** Recorded on the timeline in the same transaction when the transition applies. */
  event?: { kind: string; detail?: unknown; remote?: string | null };
  /** Stored with `to: 'failed'` (cleared by any other transition). */
  failureReason?: string;
  /** With `to: 'armed'`: the new install id and the hash of its callback secret. */
  arm?: { installId: string; callbackSecretHash: string };
}

/** What a transition did. */
export interface TransitionResult {
  applied: boolean;
  /** The host after the attempt (unchanged when not applied); undefined when it does not exist. */
  host: Host | undefined;
  /** Why it did not apply. */
  refused?: 'not-found' | 'state' | 'install-id';
}

/** A console user. */
export interface User {
  name: string;
  role: Role;
  /** Host groups an operator may act on; empty = all. */
  groups: string[];
  /** scrypt hash string from hashUserPassword(). */
  passwordHash: string;
  disabled: boolean;
  createdAt: number;
  updatedAt: number;
}

export interface UserInput {
  name: string;
  role: Role;
  groups?: string[];
  passwordHash: string;
  disabled?: boolean;
}

export type UserPatch = Partial<Pick<User, 'role' | 'groups' | 'passwordHash' | 'disabled'>>;

/** An API token; the token itself is never stored, only its hash. */
export interface ApiToken {
  id: string;
  user: string;
  hash: string;
  label: string | null;
  createdAt: number;
  lastUsedAt: number | null;
  expiresAt: number | null;
}

export interface ApiTokenInput {
  id: string;
  user: string;
  hash: string;
  label?: string | null;
  expiresAt?: number | null;
}

/** A console session, keyed by the hash of its id. */
export interface Session {
  idHash: string;
  user: string;
  createdAt: number;
  expiresAt: number;
  csrfSecret: string;
  /** Opaque JSON the web layer keeps with the session. */
  data: unknown;
}

export interface SessionInput {
  idHash: string;
  user: string;
  expiresAt: number;
  csrfSecret: string;
  data?: unknown;
}

/** One audit log entry. */
export interface AuditEntry {
  id: number;
  at: number;
  actor: string;
  action: string;
  target: string | null;
  detail: unknown;
  remote: string | null;
}

export interface AuditInput {
  actor: string;
  action: string;
  target?: string | null;
  detail?: unknown;
  remote?: string | null;
  at?: number;
}

export interface AuditFilter {
  actor?: string;
  action?: string;
  target?: string;
  since?: number;
  /** Entries with an id below this (paging backwards). */
  beforeId?: number;
  limit?: number;
}

/** Per-host blob kinds: the latest hardware inventory and named log tails. */
export type BlobKind = 'inventory' | `log:${string}`;

/** The state store. Every method is atomic; methods that change several rows do it in one transaction. */
export interface Store {
  readonly backend: 'sqlite' | 'postgres';
  /** Highest applied migration. */
  schemaVersion(): Promise<number>;
  close(): Promise<void>;

  /** Register a host in state 'registered'; STATE_CONFLICT when the MAC exists. */
  createHost(input: HostInput, actor: string): Promise<Host>;
  /** Change name/group/profile; STATE_NOT_FOUND when absent. */
  updateHost(input: HostInput, actor: string): Promise<Host>;
  /** Delete a host and its blobs (its events stay); false when absent. */
  deleteHost(mac: string): Promise<boolean>;
  getHost(mac: string): Promise<Host | undefined>;
  /** Hosts ordered by MAC. */
  listHosts(filter?: HostFilter): Promise<Host[]>;
  /** Compare-and-set the state (plus arm fields and an event) in one transaction. */
  transition(mac: string, t: Transition): Promise<TransitionResult>;

  /** Append an event and bump the host's lastEventAt (when the host exists). */
  recordEvent(event: EventInput): Promise<HostEvent>;
  /** A host's events, oldest first; optionally one install only, at most `limit` (newest kept). */
  hostTimeline(mac: string, options?: { installId?: string; limit?: number }): Promise<HostEvent[]>;

  /** Replace a blob (at most maxBlobBytes bytes of UTF-8; LIMIT_EXCEEDED beyond). */
  putBlob(mac: string, kind: BlobKind, content: string): Promise<void>;
  /** Append to a blob keeping only its last `keepBytes` bytes (a log tail). */
  appendBlob(mac: string, kind: BlobKind, text: string, keepBytes: number): Promise<void>;
  getBlob(mac: string, kind: BlobKind): Promise<{ content: string; updatedAt: number } | undefined>;

  /** Create a user; STATE_CONFLICT when the name exists. */
  createUser(input: UserInput): Promise<User>;
  getUser(name: string): Promise<User | undefined>;
  listUsers(): Promise<User[]>;
  /** STATE_NOT_FOUND when absent. */
  updateUser(name: string, patch: UserPatch): Promise<User>;
  /** Delete a user with its tokens and sessions; false when absent. */
  deleteUser(name: string): Promise<boolean>;

  createToken(input: ApiTokenInput): Promise<ApiToken>;
  /** The token with this hash, unless expired at `now`. */
  findToken(hash: string, now?: number): Promise<ApiToken | undefined>;
  touchToken(id: string, at?: number): Promise<void>;
  listTokens(user?: string): Promise<ApiToken[]>;
  deleteToken(id: string): Promise<boolean>;

  createSession(input: SessionInput): Promise<Session>;
  /** The session, unless expired at `now`. */
  getSession(idHash: string, now?: number): Promise<Session | undefined>;
  /** Replace data and/or expiry; false when absent. */
  updateSession(idHash: string, patch: { data?: unknown; expiresAt?: number }): Promise<boolean>;
  deleteSession(idHash: string): Promise<boolean>;
  /** Remove sessions expired at `now`; return how many. */
  deleteExpiredSessions(now?: number): Promise<number>;

  /** A server-wide setting; undefined when never set. */
  getSetting(name: string): Promise<string | undefined>;
  /** Store `value` unless the setting exists; return the stored value (so concurrent servers agree on the first one). */
  ensureSetting(name: string, value: string): Promise<string>;
  /** Replace a setting. */
  putSetting(name: string, value: string): Promise<void>;

  appendAudit(entry: AuditInput): Promise<AuditEntry>;
  /** Newest first. */
  listAudit(filter?: AuditFilter): Promise<AuditEntry[]>;
}

/** Options shared by both back ends. */
export interface StoreOptions {
  /** Clock in epoch milliseconds (tests pin it). */
  now?: () => number;
  /** Largest blob in bytes of UTF-8 (default 1 MiB). */
  maxBlobBytes?: number;
}
