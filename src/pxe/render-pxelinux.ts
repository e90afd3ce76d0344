/**
 * PXELINUX menus (reference 07 §1; geneC/syslinux doc/pxelinux.txt,
 * doc/syslinux.txt). `pxelinux.cfg/default` boots the local disk
 * (`LOCALBOOT 0`: return to the BIOS, which tries the next boot device);
 * `pxelinux.cfg/01-<mac>` installs. Quoting: PXELINUX takes the rest of an
 * `APPEND` line verbatim and has no escape syntax, so the only rule is that
 * no value may contain a line break (checked when the arguments are built).
 * `INITRD a,b` loads several initrds; `IPAPPEND 2` adds `BOOTIF=01-<mac>` so
 * dracut/anaconda bring up the NIC that booted.
 */
import { renderCmdline } from '../bootcfg/index.ts';
import { hostInitrds, hostKernelArgs, type PxeArtifact, type PxeHost, type PxeModel } from './model.ts';
import { normalizeMac } from './mac.ts';

const LOCAL_ENTRY = ['LABEL local', '  MENU LABEL Boot from local disk', '  LOCALBOOT 0'];

function oneLine(text: string): string {
  return text.replace(/[\r\n\0]+/gu, ' ');
}

function header(model: PxeModel, comment: string): string[] {
  return [
    `# remaster: ${oneLine(comment)}; generated, do not edit`,
    ...(model.serialConsole ? ['SERIAL 0 115200'] : []),
  ];
}

function location(model: PxeModel, artifact: PxeArtifact): string {
  return model.http?.pxelinux === true && artifact.httpUrl !== undefined ? artifact.httpUrl : artifact.path;
}

/** Render `pxelinux.cfg/default`: unlisted machines boot their local disk. */
export function renderPxelinuxDefault(model: PxeModel): string {
  const lines = [...header(model, `${model.label}: default for unlisted machines`), 'DEFAULT local', 'PROMPT 0', 'TIMEOUT 0', ...LOCAL_ENTRY];
  return `${lines.join('\n')}\n`;
}

/** Render `pxelinux.cfg/01-<mac>`: the install entry for one armed host. */
export function renderPxelinuxHost(model: PxeModel, host: PxeHost): string {
  const mac = normalizeMac(host.mac);
  const who = host.name !== undefined ? `${oneLine(host.name)} (${mac})` : mac;
  const flags = [host.once ? 'once' : '', host.expires !== undefined ? `expires ${host.expires}` : ''].filter(Boolean).join(', ');
  const lines = [
    ...header(model, `${model.label} for ${who}${flags ? `; ${flags}` : ''}`),
    'DEFAULT install',
    'PROMPT 0',
    'TIMEOUT 0',
    'LABEL install',
    `  MENU LABEL Install ${oneLine(model.label)} on ${who}`,
    `  KERNEL ${location(model, model.kernel)}`,
    `  INITRD ${hostInitrds(model, host).map((a) => location(model, a)).join(',')}`,
    `  APPEND ${renderCmdline(hostKernelArgs(model, host))}`,
    '  IPAPPEND 2',
    ...LOCAL_ENTRY,
  ];
  return `${lines.join('\n')}\n`;
}
