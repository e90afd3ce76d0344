/** `remaster arm|disarm|status|expire <tftp-root> …`: change or show which MACs install. */
import type { Command } from 'commander';
import { library } from '../library.ts';
import { write, type CliContext } from '../context.ts';

/** Register arm, disarm, status and expire. */
export function registerPxeHosts(program: Command, cli: CliContext): void {
  program.command('arm')
    .description('let a MAC install (publishes a new version)')
    .argument('<tftp-root>').argument('<mac>')
    .option('--once', 'install once; disarm afterwards').option('--expires <iso>', 'disarm after this instant (applied by the next remaster command on the tree: run remaster expire from cron)')
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
  program.command('expire')
    .description('disarm every host whose --expires has passed, as a new version (for cron: expiry is otherwise applied only when a remaster command runs on the tree)')
    .argument('<tftp-root>').option('--wait <seconds>', 'wait for the lock').option('--json', 'print JSON')
    .action(async (root: string, o: { wait?: string; json?: boolean }) => {
      const r = await (await library()).expireHosts({ tftpRoot: root, ...(o.wait ? { waitMs: Number(o.wait) * 1000 } : {}) });
      if (o.json) return write(cli.stdout, `${JSON.stringify({ version: r.version, expired: r.expired.map((h) => ({ mac: h.mac, ...(h.name !== undefined ? { name: h.name } : {}), expires: h.expires })) }, null, 2)}\n`);
      const lines = r.expired.map((h) => `disarmed expired host ${h.mac}${h.name !== undefined ? ` (${h.name})` : ''}, expired ${h.expires ?? ''}`);
      await write(cli.stdout, r.expired.length ? `${lines.join('\n')}\nnow serving version ${r.version}\n` : `nothing expired (version ${r.version})\n`);
    });
  program.command('status')
    .description('list armed and recently disarmed hosts')
    .argument('<tftp-root>').option('--json', 'print JSON')
    .action(async (root: string, o: { json?: boolean }) => {
      const s = await (await library()).hostStatus(root);
      if (o.json) return write(cli.stdout, `${JSON.stringify(s, null, 2)}\n`);
      const lines = s.hosts.map((h) => [h.mac, h.state, h.once ? 'once' : '-', h.expires ?? h.at ?? '-', h.name ?? ''].join('\t'));
      await write(cli.stdout, `version ${s.version}\n${lines.join('\n')}${lines.length ? '\n' : ''}`);
    });
}
