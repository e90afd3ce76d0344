/** `remaster arm|disarm|status <tftp-root> …`: change or show which MACs install. */
import type { Command } from 'commander';
import { library } from '../library.ts';
import { write, type CliContext } from '../context.ts';
import { stateOption } from './serve.ts';

type InstallRow = { mac: string; name: string | null; state: string; stateAt: number; failureReason: string | null };

/** The install states remaster serve recorded, when its store exists (undefined otherwise). */
async function installStates(root: string, o: { state?: string; db?: string }): Promise<InstallRow[] | undefined> {
  const lib = await library();
  const where = stateOption(root, o);
  if ('stateDir' in where && o.state === undefined && !(await lib.pathExists(`${where.stateDir}/${lib.SQLITE_FILE_NAME}`))) return undefined;
  const store = await lib.openStore(where);
  try {
    return (await store.listHosts()).map((h) => ({ mac: h.mac, name: h.name, state: h.state, stateAt: h.stateAt, failureReason: h.failureReason }));
  } finally {
    await store.close();
  }
}

function installLabel(h: InstallRow | undefined): string {
  if (h === undefined) return '';
  return `${h.state} since ${new Date(h.stateAt).toISOString()}${h.failureReason ? ` (${h.failureReason})` : ''}`;
}

/** Register arm, disarm and status. */
export function registerPxeHosts(program: Command, cli: CliContext): void {
  program.command('arm')
    .description('let a MAC install (publishes a new version)')
    .argument('<tftp-root>').argument('<mac>')
    .option('--once', 'install once; disarm afterwards').option('--expires <iso>', 'disarm after this instant')
    .option('--ks <file>', 'kickstart for this host').option('--name <name>', 'host name').option('--wait <seconds>', 'wait for the lock')
    .action(async (root: string, mac: string, o: { once?: boolean; expires?: string; ks?: string; name?: string; wait?: string }) => {
      const plan = await (await library()).armHost({
        tftpRoot: root, mac, ...(o.once ? { once: true } : {}), ...(o.expires ? { expires: o.expires } : {}), ...(o.ks ? { kickstart: o.ks } : {}),
        ...(o.name ? { name: o.name } : {}), ...(o.wait ? { waitMs: Number(o.wait) * 1000 } : {}),
      });
      await write(cli.stdout, `armed ${mac} in version ${plan.version}\n`);
    });
  program.command('disarm')
    .description('make a MAC boot its local disk again (publishes a new version)')
    .argument('<tftp-root>').argument('<mac>').option('--wait <seconds>', 'wait for the lock')
    .action(async (root: string, mac: string, o: { wait?: string }) => {
      const plan = await (await library()).disarmHost({ tftpRoot: root, mac, ...(o.wait ? { waitMs: Number(o.wait) * 1000 } : {}) });
      await write(cli.stdout, `disarmed ${mac} in version ${plan.version}\n`);
    });
  program.command('status')
    .description('list armed and recently disarmed hosts, with their install state when remaster serve records one')
    .argument('<tftp-root>').option('--json', 'print JSON')
    .option('--state <dir|url>', 'state of remaster serve: directory or postgres:// URL (default <tftp-root>.state, when it exists)').option('--db <url>', 'PostgreSQL URL')
    .action(async (root: string, o: { json?: boolean; state?: string; db?: string }) => {
      const lib = await library();
      const s = await lib.hostStatus(root);
      const installs = await installStates(root, o);
      if (o.json) return write(cli.stdout, `${JSON.stringify(installs === undefined ? s : { ...s, installs }, null, 2)}\n`);
      const byMac = new Map((installs ?? []).map((h) => [h.mac, h]));
      const lines = s.hosts.map((h) => [h.mac, h.state, h.once ? 'once' : '-', h.expires ?? h.at ?? '-', h.name ?? '', ...(byMac.has(h.mac) ? [installLabel(byMac.get(h.mac))] : [])].join('\t'));
      for (const h of installs ?? []) if (!s.hosts.some((x) => x.mac === h.mac)) lines.push([h.mac, '-', '-', '-', h.name ?? '', installLabel(h)].join('\t'));
      await write(cli.stdout, `version ${s.version}\n${lines.join('\n')}${lines.length ? '\n' : ''}`);
    });
}
