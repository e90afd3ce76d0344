/**
 * The one boot model every loader menu is rendered from, and the per-host
 * kernel command line (reference 05 §1: `inst.ks=` for RHEL 7+/Fedora, `ks=`
 * for RHEL 5/6, never both; `ip=dhcp`; `inst.stage2`/`inst.repo`; `ksdevice`
 * only where anaconda still reads it, `ip=<dev>:dhcp` on dracut systems).
 * Arguments are combined with bootcfg's alterCmdline so a later argument
 * replaces an earlier one with the same key or a legacy alias.
 */
import { alterCmdline, parseCmdline, renderCmdline, type KernelArg } from '../bootcfg/index.ts';
import { RemasterError } from '../errors.ts';
import { answerBootArgs, type AnswerFormat } from '../answers/index.ts';
import { macHexhyp } from './mac.ts';

/** Installer generation: decides `inst.ks=` vs `ks=` and friends. */
export type PxeDialect = 'rhel5' | 'rhel6' | 'rhel7' | 'rhel8' | 'rhel9' | 'rhel10' | 'fedora' | 'ubuntu' | 'debian' | 'generic';

/** A published file: its path inside the TFTP root, and its URL when also served over HTTP. */
export interface PxeArtifact {
  /** Path relative to the TFTP root, `/`-separated, no leading slash. */
  path: string;
  httpUrl?: string;
}

/** Where a host's kickstart is fetched from. */
export interface PxeKickstart {
  /** The kickstart file inside the TFTP root (always published, for verify and audits). */
  path: string;
  /** URL anaconda fetches (`inst.ks=<url>`), when an HTTP root is published. */
  httpUrl?: string;
  /** An overlay initrd carrying `/ks.cfg` (`inst.ks=file:/ks.cfg`), used when there is no HTTP. */
  initrdPath?: string;
  /** What the file is (default kickstart): a preseed (`auto=true priority=critical url=`), or autoinstall user-data (`httpUrl` is then its NoCloud directory). */
  format?: AnswerFormat;
}

/** One machine allowed to install. */
export interface PxeHost {
  mac: string;
  name?: string;
  kickstart?: PxeKickstart;
  /** Install once: the operator or a %pre/%post hook runs `remaster disarm` afterwards. */
  once?: boolean;
  /** ISO 8601 instant after which publish and verify disarm the host. */
  expires?: string;
  extraArgs?: string[];
  /** Boot NIC (`ksdevice=` on RHEL 5/6, `ip=<dev>:dhcp` on dracut systems). */
  ksdevice?: string;
  /** Client IPv4 address: adds the uppercase-hex config names. */
  ip?: string;
  /** Client UUID (DHCP option 97): adds the UUID config names. */
  uuid?: string;
  /**
   * One install attempt: a random id set when the host is (re)armed and kept by every republish
   * that leaves it armed. `remaster serve` derives the host's callback secret from it.
   */
  armId?: string;
}

/** Which loaders fetch kernel and initrd over HTTP instead of TFTP. */
export interface PxeHttpUse {
  pxelinux?: boolean;
  grub?: boolean;
  ipxe?: boolean;
}

/** Everything the menus say. */
export interface PxeModel {
  label: string;
  kernel: PxeArtifact;
  initrd: PxeArtifact;
  /** Kernel arguments common to every host, e.g. `console=ttyS0`. */
  cmdline: string[];
  hosts: PxeHost[];
  /** What unlisted machines do: boot the local disk. */
  defaultAction: 'local';
  dialect?: PxeDialect;
  /** `inst.repo=` (or `repo=` on RHEL 5/6). */
  repo?: string;
  /** `inst.stage2=` (or `stage2=` on RHEL 5/6). */
  stage2?: string;
  /** Menus talk on the first serial port too. */
  serialConsole?: boolean;
  /** Default: iPXE uses HTTP when a URL exists; pxelinux (needs lpxelinux.0) and GRUB use TFTP. */
  http?: PxeHttpUse;
  /**
   * Base URL of `remaster serve` (`http://10.0.0.1:8080`): armed hosts' answers are fetched from it,
   * rendered per host with callbacks (`inst.ks=<url>/ks/<mac>`, `url=<url>/preseed/<mac>`,
   * `ds=nocloud-net;s=<url>/ai/<mac>/`), instead of from the HTTP root or an overlay initrd.
   */
  serveUrl?: string;
}

/** Return true for installers that only understand the un-prefixed options (RHEL 5/6). */
export function isLegacyDialect(dialect: PxeDialect | undefined): boolean {
  return dialect === 'rhel5' || dialect === 'rhel6';
}

/** Return the URL `remaster serve` renders a host's answer file at (an autoinstall NoCloud directory ends with `/`). */
export function serveAnswerUrl(serveUrl: string, mac: string, format: AnswerFormat = 'kickstart'): string {
  const base = serveUrl.replace(/\/+$/u, '');
  const id = macHexhyp(mac);
  if (format === 'preseed') return `${base}/preseed/${id}`;
  if (format === 'autoinstall') return `${base}/ai/${id}/`;
  return `${base}/ks/${id}`;
}

function kickstartArgs(model: PxeModel, host: PxeHost): string[] {
  const ks = host.kickstart;
  if (ks === undefined) return [];
  const format = ks.format ?? 'kickstart';
  if (model.serveUrl !== undefined) return answerBootArgs(format, { url: serveAnswerUrl(model.serveUrl, host.mac, format), legacyKs: isLegacyDialect(model.dialect) });
  if (format === 'autoinstall' && ks.httpUrl === undefined) throw new RemasterError('USAGE', `host ${host.mac}: autoinstall user-data needs an HTTP URL (NoCloud fetches it over the network)`);
  if (ks.httpUrl !== undefined || ks.initrdPath !== undefined) {
    return answerBootArgs(format, { ...(ks.httpUrl !== undefined ? { url: ks.httpUrl } : { embedded: true }), legacyKs: isLegacyDialect(model.dialect) });
  }
  throw new RemasterError('USAGE', `host ${host.mac}: a kickstart needs an HTTP URL or an overlay initrd (anaconda cannot fetch it over TFTP)`);
}

function networkArgs(model: PxeModel, host: PxeHost): string[] {
  if (host.ksdevice === undefined) return ['ip=dhcp'];
  return isLegacyDialect(model.dialect) ? ['ip=dhcp', `ksdevice=${host.ksdevice}`] : [`ip=${host.ksdevice}:dhcp`];
}

function sourceArgs(model: PxeModel): string[] {
  const prefix = isLegacyDialect(model.dialect) ? '' : 'inst.';
  return [
    ...(model.stage2 !== undefined ? [`${prefix}stage2=${model.stage2}`] : []),
    ...(model.repo !== undefined ? [`${prefix}repo=${model.repo}`] : []),
  ];
}

/** Build the kernel arguments of one host's install entry, in a stable order. */
export function hostKernelArgs(model: PxeModel, host: PxeHost): KernelArg[] {
  const base = parseCmdline(model.cmdline.join(' '));
  const add = [...networkArgs(model, host), ...sourceArgs(model), ...kickstartArgs(model, host), ...(host.extraArgs ?? [])];
  const args = alterCmdline(base, { add });
  for (const a of args) {
    // a line break would end the menu line and let the value inject loader commands
    if (/[\r\n\0]/u.test(a.raw)) throw new RemasterError('USAGE', `host ${host.mac}: kernel argument ${JSON.stringify(a.raw)} contains a line break or NUL`);
  }
  return args;
}

/** Render one host's kernel command line as plain kernel syntax. */
export function hostCmdline(model: PxeModel, host: PxeHost): string {
  return renderCmdline(hostKernelArgs(model, host));
}

/** Return the initrds a host boots with: the main one, then its kickstart overlay. */
export function hostInitrds(model: PxeModel, host: PxeHost): PxeArtifact[] {
  const overlay = host.kickstart?.httpUrl === undefined && model.serveUrl === undefined ? host.kickstart?.initrdPath : undefined;
  return overlay !== undefined ? [model.initrd, { path: overlay }] : [model.initrd];
}

/** Return the hosts still armed at `now` and those whose expiry has passed. */
export function partitionExpired(hosts: readonly PxeHost[], now: Date): { active: PxeHost[]; expired: PxeHost[] } {
  const active: PxeHost[] = [];
  const expired: PxeHost[] = [];
  for (const h of hosts) (h.expires !== undefined && Date.parse(h.expires) <= now.getTime() ? expired : active).push(h);
  return { active, expired };
}
