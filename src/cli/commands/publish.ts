/**
 * PXE commands: publish, verify, rollback, arm, disarm, status, dhcp-snippet
 * (issue 5). Each maps flags to the library's options, calls it, and prints
 * the result; `verify` exits 1 on any problem (VERIFY_FAILED).
 */
import type { Command } from 'commander';
import { join } from 'node:path';
import type { PublishHostInput, PublishTreeOptions } from '../../index.ts';
import { RemasterError } from '../../engine.ts';
import { library } from '../library.ts';
import { buildRecipe } from './build.ts';
import { write, type CliContext } from '../context.ts';
import { registerPxeHosts } from './pxe-hosts.ts';
import { escapeText, toJson } from '../escape.ts';
import { examplesText } from '../help.ts';

/** Parse `--host <mac>[,ks=<file>][,once][,expires=<iso>][,name=<n>]`. */
export function parseHostFlag(value: string, previous: PublishHostInput[] = []): PublishHostInput[] {
  const [mac, ...parts] = value.split(',');
  const host: PublishHostInput = { mac: mac ?? '' };
  for (const p of parts) {
    const [k, v] = [p.slice(0, p.indexOf('=') < 0 ? p.length : p.indexOf('=')), p.includes('=') ? p.slice(p.indexOf('=') + 1) : undefined];
    if (k === 'once' && v === undefined) host.once = true;
    else if (k === 'ks' && v) host.kickstart = v;
    else if (k === 'expires' && v) host.expires = v;
    else if (k === 'name' && v) host.name = v;
    else throw new RemasterError('USAGE', `--host ${value}: unknown part ${JSON.stringify(p)} (expected ks=<file>, once, expires=<iso>, name=<name>)`);
  }
  return [...previous, host];
}

interface PublishFlags {
  tftpRoot: string; httpRoot?: string; httpUrl?: string; keep?: string; host?: PublishHostInput[]; label?: string; dialect?: string;
  answers?: string; append?: string[]; repo?: string; stage2?: string; grubDir?: string; grubNetdir?: string; grubSigned?: boolean | string; pxelinuxDir?: string; ipxe?: boolean; wait?: string; json?: boolean;
  replaceHosts?: boolean; serveUrl?: string;
}

function registerPublish(program: Command, cli: CliContext): void {
  program.command('publish')
    .description('publish a build directory (vmlinuz, initrd.img) as a new version of a PXE tree, atomically')
    .addHelpText('after', examplesText(
      'remaster publish out/hp-raid --tftp-root /srv/tftp --host 52:54:00:12:34:56,ks=ks.cfg',
      'remaster publish recipes/hp-raid.yaml                          # build, then publish with the recipe\'s pxe: section',
      'remaster publish out/hp-raid --tftp-root /srv/tftp --http-root /srv/www/remaster --http-url http://10.0.0.1/remaster'))
    .argument('<build-dir|recipe>', 'what remaster build wrote, or a recipe with a pxe: section (built first)')
    .option('--tftp-root <dir>', 'TFTP root to publish into (default: the recipe\'s pxe.tftpRoot)')
    .option('--http-root <dir>', 'also copy kernel, initrd and kickstarts here (needs --http-url)')
    .option('--http-url <url>', 'URL under which --http-root is served')
    .option('--serve-url <url>', 'publish for remaster serve at this base URL: armed hosts fetch inst.ks=<url>/ks/<mac>, rendered with install callbacks (kept by later publishes; "" turns it off)')
    .option('--keep <n>', 'versions to keep for rollback (default 3)')
    .option('--host <mac[,ks=file][,once][,expires=iso]>', 'arm a host (repeatable)', parseHostFlag)
    .option('--label <text>', 'menu label')
    .option('--dialect <name>', 'rhel5|rhel6|rhel7|rhel8|rhel9|rhel10|fedora|ubuntu|debian|generic')
    .option('--answers <format>', 'what the hosts\' ks= files are: kickstart, preseed (auto=true priority=critical url=) or autoinstall (user-data + meta-data, ds=nocloud-net); default preseed for --dialect debian')
    .option('--append <arg>', 'kernel argument for every host (repeatable)', (v: string, p: string[] = []) => [...p, v])
    .option('--repo <url>', 'inst.repo=').option('--stage2 <url>', 'inst.stage2=')
    .option('--grub-dir <dir>', 'GRUB prefix inside the TFTP root (default boot/grub; grub with --grub-signed)')
    .option('--grub-netdir <dir>', 'grub-mknetdir output prefix directory to publish')
    .option('--grub-signed [dir]', 'Secure Boot chain shimx64.efi -> grubx64.efi at the TFTP root, from Debian\'s shim-signed and grub-efi-amd64-signed (or a directory holding both)')
    .option('--pxelinux-dir <dir>', 'take pxelinux.0 and *.c32 from here instead of Debian paths')
    .option('--no-ipxe', 'do not copy iPXE binaries')
    .option('--wait <seconds>', 'wait for another publisher instead of failing')
    .option('--replace-hosts', 'disarm the hosts armed now that this publish does not list (default: keep them armed)')
    .option('--json', 'print the manifest as JSON')
    .action(async (target: string, o: PublishFlags) => {
      const fromRecipe = /\.ya?ml$/.test(target) ? await recipeOptions(cli, program, target) : undefined;
      const buildDir = fromRecipe?.buildDir ?? target;
      const tftpRoot = o.tftpRoot ?? fromRecipe?.options.tftpRoot;
      if (!tftpRoot) throw new RemasterError('USAGE', 'publish needs --tftp-root (or a recipe with pxe.tftpRoot)');
      const r = await (await library()).publishTree({
        ...fromRecipe?.options,
        tftpRoot, kernel: join(buildDir, 'vmlinuz'), initrd: join(buildDir, 'initrd.img'), hosts: o.host ?? fromRecipe?.options.hosts ?? [], keep: Number(o.keep ?? fromRecipe?.options.keep ?? 3),
        loaders: { ...fromRecipe?.options.loaders, ...(o.pxelinuxDir ? { pxelinux: o.pxelinuxDir } : {}), ...(o.grubNetdir ? { grubNetDir: o.grubNetdir } : {}), ...(o.grubSigned !== undefined ? { grubSigned: o.grubSigned } : {}), ...(o.ipxe === false ? { ipxe: false } : {}) },
        ...(o.httpRoot ? { httpRoot: o.httpRoot } : {}), ...(o.httpUrl ? { httpUrl: o.httpUrl } : {}), ...(o.label ? { label: o.label } : {}),
        ...(o.dialect ? { dialect: o.dialect as never } : {}), ...answersFlag(o), ...(o.append ? { cmdline: o.append } : {}), ...(o.repo ? { repo: o.repo } : {}),
        ...(o.stage2 ? { stage2: o.stage2 } : {}), ...(o.grubDir ? { grubDir: o.grubDir } : {}), ...(o.wait ? { waitMs: Number(o.wait) * 1000 } : {}),
        ...(o.replaceHosts ? { replaceHosts: true } : {}), ...(o.serveUrl !== undefined ? { serveUrl: o.serveUrl } : {}),
      });
      const macs = (hosts: { mac: string }[]) => hosts.map((h) => h.mac).join(', ');
      const kept = r.kept.length ? ` (kept from the previous version: ${macs(r.kept)})` : '';
      const expired = r.expired.length ? `; not armed (expired): ${macs(r.expired)}` : '';
      const dropped = r.dropped.length ? `; disarmed (not listed, --replace-hosts): ${macs(r.dropped)}` : '';
      await write(cli.stdout, o.json ? `${JSON.stringify(r.manifest, null, 2)}\n` : `published version ${r.version}: ${r.manifest.model.hosts.length} armed hosts${kept}, ${Object.keys(r.manifest.files).length} files${expired}${dropped}\n`);
    });
}

/** Build a recipe, then read its pxe: section as publish options. */
async function recipeOptions(cli: CliContext, program: Command, file: string): Promise<{ buildDir: string; options: PublishTreeOptions }> {
  const global = program.opts<{ quiet?: boolean; debug?: boolean; strict?: boolean }>();
  const { recipe, state } = await buildRecipe(cli, file, global);
  const dir = state.result?.dir as string;
  return { buildDir: dir, options: (await library()).publishOptionsFromRecipe(recipe, file, dir, Boolean(state.plan?.output.kickstart)) };
}

function registerVerify(program: Command, cli: CliContext): void {
  program.command('verify')
    .description('check a published PXE tree: hashes, menu references, initrd safety, kernel/initrd versions, kickstarts')
    .argument('<tftp-root>')
    .option('--read-only', 'report expired hosts instead of disarming them')
    .option('--json', 'print the result as JSON')
    .action(async (root: string, o: { readOnly?: boolean; json?: boolean }) => {
      const r = await (await library()).verifyTree(root, { ...(o.readOnly ? { readOnly: true } : {}) });
      if (o.json) await write(cli.stdout, `${toJson(r, 2)}\n`);
      else {
        for (const h of r.disarmed) await write(cli.stdout, `disarmed expired host ${h}\n`);
        for (const p of r.problems) await write(cli.stdout, `${escapeText(p.message)}\n`);
        if (r.problems.length === 0) await write(cli.stdout, `version ${r.version}: OK (kernel ${r.kernelRelease ?? '?'}, initrd modules ${r.initrdKernels?.join(', ') || 'none'})\n`);
      }
      if (r.problems.length > 0) throw new RemasterError('VERIFY_FAILED', `${r.problems.length} problem(s) in the published tree`, { file: root });
    });
}

function registerRollbackAndDhcp(program: Command, cli: CliContext): void {
  program.command('rollback')
    .description('switch a PXE tree back to a kept version (default: the previous one)')
    .argument('<tftp-root>')
    .option('--to <version>', 'version number')
    .action(async (root: string, o: { to?: string }) => {
      const m = await (await library()).rollbackTree({ tftpRoot: root, ...(o.to !== undefined ? { to: Number(o.to) } : {}) });
      await write(cli.stdout, `now serving version ${m.version} (${m.model.hosts.length} armed hosts)\n`);
    });
  program.command('dhcp-snippet')
    .description('print ISC dhcpd or dnsmasq configuration for the published tree')
    .option('--isc', 'ISC dhcpd').option('--dnsmasq', 'dnsmasq')
    .requiredOption('--next-server <ip>', 'TFTP server address')
    .option('--efi-file <path>', 'x64 UEFI boot file (default: from the tree given with --tftp-root, else boot/grub/x86_64-efi/core.efi)').option('--bios-file <path>', 'BIOS boot file')
    .option('--tftp-root <dir>', 'a published tree: its boot files become the defaults (shimx64.efi when published with --grub-signed); dnsmasq serves it')
    .action(async (o: { isc?: boolean; dnsmasq?: boolean; nextServer: string; efiFile?: string; biosFile?: string; tftpRoot?: string }) => {
      if (Boolean(o.isc) === Boolean(o.dnsmasq)) throw new RemasterError('USAGE', 'give exactly one of --isc or --dnsmasq');
      const lib = await library();
      const manifest = o.tftpRoot !== undefined ? await lib.readCurrentManifest(o.tftpRoot) : undefined;
      const published = manifest !== undefined ? lib.publishedBootFiles(manifest) : {};
      await write(cli.stdout, lib.dhcpSnippet({
        kind: o.isc ? 'isc' : 'dnsmasq', nextServer: o.nextServer, ...published,
        ...(o.efiFile ? { efiFile: o.efiFile } : {}), ...(o.biosFile ? { biosFile: o.biosFile } : {}), ...(o.tftpRoot ? { tftpRoot: o.tftpRoot } : {}),
      }));
    });
}

/** Register publish, verify, rollback, arm, disarm, status and dhcp-snippet. */
export function registerPxe(program: Command, cli: CliContext): void {
  registerPublish(program, cli);
  registerVerify(program, cli);
  registerRollbackAndDhcp(program, cli);
  registerPxeHosts(program, cli);
}

/** The hosts' answer format: --answers, else preseed for Debian trees. */
function answersFlag(o: PublishFlags): { answers?: 'kickstart' | 'preseed' | 'autoinstall' } {
  const format = o.answers ?? (o.dialect === 'debian' ? 'preseed' : undefined);
  if (format === undefined) return {};
  if (format !== 'kickstart' && format !== 'preseed' && format !== 'autoinstall') throw new RemasterError('USAGE', `--answers must be kickstart, preseed or autoinstall, got "${format}"`);
  return { answers: format };
}
