/**
 * What the console needs from the service (implemented in src/serve):
 * the store, and the actions that change the published tree — the same
 * library calls as the CLI's arm/disarm/rollback, under the publish lock.
 */
import type { Store } from '../../state/index.ts';

/** A kickstart template a host can be armed with (`serve --profile NAME=FILE`). */
export interface ConsoleProfile {
  name: string;
  file: string;
}

/** The published build served now. */
export interface ConsoleBuild {
  version: number;
  kernel: string;
  initrd: string;
  dialect: string | null;
  armed: number;
}

/** One armed host as the published tree has it. */
export interface ConsoleArmed {
  once: boolean;
  expires: string | null;
  kickstartPath: string | null;
}

/** The service side of the console. */
export interface ConsoleActions {
  readonly readOnly: boolean;
  profiles(): readonly ConsoleProfile[];
  build(): Promise<ConsoleBuild | undefined>;
  /** The host's entry in the current tree, undefined when not armed. */
  armed(mac: string): Promise<ConsoleArmed | undefined>;
  /** The kickstart (answers) text the host gets when it boots: the armed one, else its profile's; undefined when none. */
  kickstart(mac: string, profile: string | null): Promise<string | undefined>;
  /** Arm through pxe armHost (publishes a version) and wait until the store follows it. */
  arm(input: { mac: string; name: string | null; profile: string | null; once: boolean }): Promise<{ version: number }>;
  /** Disarm through pxe disarmHost. */
  disarm(mac: string): Promise<{ version: number }>;
  /** Roll the tree back through pxe rollbackTree. */
  rollback(): Promise<{ version: number }>;
}

/** Options of the console plugin. */
export interface ConsoleOptions {
  store: Store;
  actions: ConsoleActions;
  /** Secret for signing cookies (32+ bytes of entropy, shared by servers on one database). */
  cookieSecret: string;
  /** Session lifetime (default 8 h). */
  sessionMs?: number;
  /** Login attempts per user name and client address per window before 429 (default 10 per 15 min). */
  loginAttempts?: number;
  /** How often live views (SSE) look for changes (default 1000 ms). */
  liveIntervalMs?: number;
  /** Send the session cookie with Secure (behind HTTPS). */
  secureCookies?: boolean;
}
