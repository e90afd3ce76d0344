/**
 * `remaster serve <tftp-root>`: TFTP, HTTP and optionally ProxyDHCP for a
 * published tree, with the install lifecycle in a state store; runs until
 * SIGINT/SIGTERM, then finishes running transfers (10 s at most). Logs are
 * JSON lines (pino) on stderr, one per transfer and per event.
 * `remaster events <tftp-root> <mac>`: one host's timeline from the store.
 * The store option is shared with `remaster status`.
 */
import type { Command } from 'commander';
import { pino } from 'pino';
import { RemasterError } from '../../engine.ts';
import { library } from '../library.ts';
import { write, type CliContext } from '../context.ts';

/** The store a command opens: --db URL, --state DIR, or `<tftp-root>.state` beside the root. */
export function stateOption(root: string, o: { state?: string; db?: string }): { stateDir: string } | { url: string } {
  if (o.db !== undefined) return { url: o.db };
  if (o.state !== undefined && /^postgres(?:ql)?:\/\//u.test(o.state)) return { url: o.state };
  if (o.state !== undefined) return { stateDir: o.state.replace(/^sqlite:/u, '') };
  return { stateDir: `${root.replace(/\/+$/u, '')}.state` };
}

function port(value: string | undefined, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new RemasterError('USAGE', `${name} must be a port number (0-65535), got ${JSON.stringify(value)}`);
  return n;
}

function profilesOption(values: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const v of values) {
    const eq = v.indexOf('=');
    if (eq <= 0 || eq === v.length - 1) throw new RemasterError('USAGE', `--profile must be NAME=FILE, got ${JSON.stringify(v)}`);
    out[v.slice(0, eq)] = v.slice(eq + 1);
  }
  return out;
}

interface ServeFlags {
  httpRoot?: string;
  listen?: string;
  tftpPort?: string;
  httpPort?: string;
  proxyDhcp?: string;
  state?: string;
  db?: string;
  readOnly?: boolean;
  stallAfter?: string;
  ui?: boolean;
  profile?: string[];
}

/** Register serve and events. */
export function registerServe(program: Command, cli: CliContext): void {
  program.command('serve')
    .description('serve a published tree: TFTP, HTTP (files, per-host answers, callbacks, /metrics), optional ProxyDHCP; follows publish/arm/disarm; disarms once hosts when they report installed')
    .argument('<tftp-root>')
    .option('--http-root <dir>', 'directory served over HTTP (default: the TFTP root)')
    .option('--listen <addr>', 'address to listen on', '0.0.0.0')
    .option('--tftp-port <n>', 'TFTP port', '69')
    .option('--http-port <n>', 'HTTP port', '80')
    .option('--proxy-dhcp <addr>', 'answer PXE clients as ProxyDHCP; <addr> is this server\'s address on the boot network')
    .option('--state <dir|url>', 'state: a directory for SQLite (default <tftp-root>.state) or a postgres:// URL')
    .option('--db <url>', 'state in PostgreSQL (postgres://…)')
    .option('--read-only', 'serve and record, never publish (no disarm, no expiry)')
    .option('--stall-after <minutes>', 'no event for this long marks an install stalled', '30')
    .option('--ui', 'the web console at /ui and the authenticated /api/v1 (users: remaster user add)')
    .option('--profile <name=file>', 'a kickstart template the console can arm hosts with (repeatable)', (v: string, acc: string[]) => [...acc, v], [] as string[])
    .action(async (root: string, o: ServeFlags) => {
      const lib = await library();
      const log = pino({ base: { service: 'remaster-serve' } }, pino.destination({ fd: 2, sync: false }));
      const stall = Number(o.stallAfter ?? '30');
      const server = await lib.createServer({
        tftpRoot: root, ...(o.httpRoot !== undefined ? { httpRoot: o.httpRoot } : {}), listen: o.listen ?? '0.0.0.0',
        tftpPort: port(o.tftpPort, '--tftp-port', 69), httpPort: port(o.httpPort, '--http-port', 80), state: stateOption(root, o),
        ...(o.proxyDhcp !== undefined ? { proxyDhcp: { serverAddress: o.proxyDhcp } } : {}), ...(o.readOnly ? { readOnly: true } : {}),
        ...(Number.isFinite(stall) && stall > 0 ? { stallAfterMs: stall * 60_000 } : {}), log,
        ...(o.ui ? { ui: { profiles: profilesOption(o.profile ?? []) } } : {}),
      });
      await write(cli.stdout, `serving ${root}: tftp ${o.listen ?? '0.0.0.0'}:${server.tftpPort}, http ${server.httpUrl}${o.ui ? `, console ${server.httpUrl}/ui/` : ''}${o.proxyDhcp ? `, proxydhcp ${o.proxyDhcp}` : ''}\n`);
      await new Promise<void>((resolve) => {
        process.once('SIGINT', resolve);
        process.once('SIGTERM', resolve);
      });
      await server.close({ graceful: true });
      log.flush();
    });

  program.command('events')
    .description('the recorded timeline of one host (remaster serve)')
    .argument('<tftp-root>').argument('<mac>')
    .option('--state <dir|url>', 'state directory or postgres:// URL (default <tftp-root>.state)').option('--db <url>', 'PostgreSQL URL')
    .option('--json', 'print JSON')
    .action(async (root: string, mac: string, o: { state?: string; db?: string; json?: boolean }) => {
      const lib = await library();
      const store = await lib.openStore(stateOption(root, o));
      try {
        const events = await store.hostTimeline(lib.normalizeStateMac(mac));
        if (o.json) return await write(cli.stdout, `${JSON.stringify(events, null, 2)}\n`);
        const lines = events.map((e) => [new Date(e.at).toISOString(), e.kind, e.remote ?? '-', e.detail === null || e.detail === undefined ? '' : JSON.stringify(e.detail)].join('\t'));
        await write(cli.stdout, lines.length ? `${lines.join('\n')}\n` : '');
      } finally {
        await store.close();
      }
    });
}
