/**
 * Runs remaster's ProxyDHCP responder as a process of its own, so a test can
 * start it inside a network namespace (`ip netns exec <ns> node this.ts …`).
 * Argument: one JSON object { serverAddress, bios?, efi?, ipxe?, nextServer? }
 * naming the boot file per client kind. Prints "ready" once bound, then one
 * JSON line per responder event; exits on SIGTERM/SIGKILL from the test.
 */
import { startProxyDhcp, type DhcpClient } from '../../src/index.ts';

interface HarnessConfig {
  serverAddress: string;
  nextServer?: string;
  bios?: string;
  efi?: string;
  ipxe?: string;
}

const config = JSON.parse(process.argv[2] ?? '{}') as HarnessConfig;
const nextServer = config.nextServer ?? config.serverAddress;

function bootFile(client: DhcpClient): string | undefined {
  if (client.isIpxe && config.ipxe !== undefined) return config.ipxe;
  if (client.archName === 'bios') return config.bios;
  if (client.archName === 'efi-x64') return config.efi;
  return undefined;
}

const server = await startProxyDhcp({
  serverAddress: config.serverAddress,
  bootFor: (client) => {
    const file = bootFile(client);
    return file === undefined ? undefined : { nextServer, bootFile: file };
  },
  onEvent: (e) => {
    const client = 'client' in e && e.client ? { mac: e.client.mac, arch: e.client.arch, archName: e.client.archName, isIpxe: e.client.isIpxe, vendorClass: e.client.vendorClass, messageType: e.client.messageType } : undefined;
    const line = e.kind === 'error' ? { ...e, error: e.error.message, client } : { ...e, client };
    process.stdout.write(`${JSON.stringify(line)}\n`);
  },
});
process.stdout.write('ready\n');
process.on('SIGTERM', () => void server.close().then(() => process.exit(0)));
