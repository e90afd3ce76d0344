/**
 * `remaster server-config dnsmasq|isc|tftpd-hpa|nginx <tftp-root>`: whole
 * configurations for the servers operators run, and `remaster dhcp-snippet`,
 * the lines to add to a DHCP server already configured. Paths are printed
 * absolute; `--interface` alone fills in the server address and subnet from
 * that interface's first IPv4 address. Warnings go to stderr.
 */
import type { Command } from 'commander';
import { networkInterfaces } from 'node:os';
import { resolve } from 'node:path';
import type { ServerKind } from '../../index.ts';
import { RemasterError } from '../../engine.ts';
import { library } from '../library.ts';
import { write, type CliContext } from '../context.ts';
import { warner } from '../warnings.ts';

interface ServerFlags {
  interface?: string; serverIp?: string; subnet?: string; range?: string; proxy?: boolean; ipxe?: boolean;
  httpRoot?: string; efiFile?: string; biosFile?: string;
}

/** Read `ifname`'s first IPv4 address and its subnet. */
function interfaceAddress(ifname: string): { ip: string; subnet: string } {
  const addr = networkInterfaces()[ifname]?.find((a) => a.family === 'IPv4');
  if (addr?.cidr == null) throw new RemasterError('USAGE', `interface ${ifname} has no IPv4 address here; give --server-ip and --subnet`);
  const prefix = Number(addr.cidr.split('/')[1]);
  const ip = addr.address.split('.').reduce((n, p) => n * 256 + Number(p), 0);
  const net = ip - (ip % 2 ** (32 - prefix));
  return { ip: addr.address, subnet: `${[24, 16, 8, 0].map((s) => Math.floor(net / 2 ** s) % 256).join('.')}/${prefix}` };
}

function registerServerConfig(program: Command, cli: CliContext): void {
  program.command('server-config')
    .description('print a whole configuration for dnsmasq (DHCP+TFTP or --proxy), ISC dhcpd, tftpd-hpa or nginx that serves a published tree')
    .argument('<server>', 'dnsmasq, isc, tftpd-hpa or nginx')
    .argument('<tftp-root>', 'the published tree')
    .option('--interface <if>', 'interface the DHCP server serves (also the default for --server-ip and --subnet)')
    .option('--server-ip <ip>', 'this server\'s address on the client network (next-server, TFTP and HTTP address)')
    .option('--subnet <cidr>', 'client subnet, e.g. 10.0.0.0/24 (dnsmasq, isc)')
    .option('--range <first-last>', 'DHCP pool (default: the half of the subnet without the server)')
    .option('--proxy', 'dnsmasq: proxyDHCP beside an existing DHCP server (hands out no addresses)')
    .option('--no-ipxe', 'send iPXE ROMs the same files as the firmware they replace instead of boot.ipxe')
    .option('--http-root <dir>', 'nginx: the HTTP root (default: the one the tree was published with)')
    .option('--efi-file <path>', 'x64 UEFI boot file (default: the tree\'s shimx64.efi, GRUB core.efi or ipxe.efi)')
    .option('--bios-file <path>', 'BIOS boot file (default: the tree\'s pxelinux.0)')
    .action(async (server: string, root: string, o: ServerFlags) => {
      const lib = await library();
      if (!(lib.SERVER_KINDS as readonly string[]).includes(server)) throw new RemasterError('USAGE', `unknown server ${JSON.stringify(server)}: expected ${lib.SERVER_KINDS.join(', ')}`);
      const tftpRoot = resolve(cli.cwd, root);
      const fromIf = o.interface !== undefined && (o.serverIp === undefined || o.subnet === undefined) ? interfaceAddress(o.interface) : undefined;
      const serverIp = o.serverIp ?? fromIf?.ip;
      if (serverIp === undefined) throw new RemasterError('USAGE', 'give --server-ip (or --interface to read it from)');
      const range = o.range?.split('-');
      if (range !== undefined && range.length !== 2) throw new RemasterError('USAGE', `--range ${o.range}: expected <first>-<last>`);
      const r = lib.renderServerConfig(server as ServerKind, await lib.requireCurrentManifest(tftpRoot), {
        tftpRoot, serverIp, ...(o.interface !== undefined ? { interface: o.interface } : {}),
        ...(o.subnet ?? fromIf?.subnet ? { subnet: (o.subnet ?? fromIf?.subnet) as string } : {}),
        ...(range !== undefined ? { range: range as [string, string] } : {}), ...(o.proxy ? { proxy: true } : {}), ...(o.ipxe === false ? { ipxe: false } : {}),
        ...(o.httpRoot !== undefined ? { httpRoot: resolve(cli.cwd, o.httpRoot) } : {}), ...(o.efiFile ? { efiFile: o.efiFile } : {}), ...(o.biosFile ? { biosFile: o.biosFile } : {}),
      });
      r.warnings.forEach(warner(cli));
      await write(cli.stdout, r.text);
    });
}

function registerDhcpSnippet(program: Command, cli: CliContext): void {
  program.command('dhcp-snippet')
    .description('print the ISC dhcpd (top-level and subnet parts) or dnsmasq lines that send PXE clients to a published tree')
    .option('--isc', 'ISC dhcpd').option('--dnsmasq', 'dnsmasq')
    .requiredOption('--next-server <ip>', 'TFTP server address')
    .option('--efi-file <path>', 'x64 UEFI boot file (default: from the tree given with --tftp-root, else boot/grub/x86_64-efi/core.efi)').option('--bios-file <path>', 'BIOS boot file')
    .option('--tftp-root <dir>', 'a published tree: its boot files become the defaults (shimx64.efi when published with --grub-signed); dnsmasq serves it')
    .action(async (o: { isc?: boolean; dnsmasq?: boolean; nextServer: string; efiFile?: string; biosFile?: string; tftpRoot?: string }) => {
      if (Boolean(o.isc) === Boolean(o.dnsmasq)) throw new RemasterError('USAGE', 'give exactly one of --isc or --dnsmasq');
      const lib = await library();
      const tftpRoot = o.tftpRoot !== undefined ? resolve(cli.cwd, o.tftpRoot) : undefined;
      const manifest = tftpRoot !== undefined ? await lib.requireCurrentManifest(tftpRoot) : undefined;
      const tree = manifest !== undefined ? lib.serverBootFiles(manifest, { ...(o.efiFile ? { efiFile: o.efiFile } : {}), ...(o.biosFile ? { biosFile: o.biosFile } : {}) }) : undefined;
      tree?.warnings.forEach(warner(cli));
      const files = tree?.bootFiles;
      await write(cli.stdout, lib.dhcpSnippet({
        kind: o.isc ? 'isc' : 'dnsmasq', nextServer: o.nextServer,
        ...(files !== undefined ? { efiFile: files.efi ?? null, ...(files.bios !== undefined ? { biosFile: files.bios } : {}) } : {}),
        ...(o.efiFile ? { efiFile: o.efiFile } : {}), ...(o.biosFile ? { biosFile: o.biosFile } : {}), ...(tftpRoot ? { tftpRoot } : {}),
      }));
    });
}

/** Register server-config and dhcp-snippet. */
export function registerServerConfigs(program: Command, cli: CliContext): void {
  registerServerConfig(program, cli);
  registerDhcpSnippet(program, cli);
}
