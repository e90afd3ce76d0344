/**
 * The per-host side of the snippets' callback contract, for `remaster serve`: the snippets read
 * their callback URL and the host record from /tmp/remaster.env (report.sh's REMASTER_ENV_FILE),
 * so a kickstart built once serves every host. A server renders the env file for the host and
 * puts it in front of the built kickstart as the first %pre (injectInstallEnv), or runs
 * installEnvCommand() first in a preseed's or autoinstall's early commands. Without the file the
 * snippets look for `remaster.callback=URL` on the kernel command line, and without either they
 * only log.
 */
import { RemasterError } from '../errors.ts';
import { injectScript, type Kickstart, type KickstartDialect } from '../kickstart/index.ts';
import { INSTALL_PATHS, shellValue } from './compose.ts';

/** What a server knows about the host being installed. */
export interface InstallEnv {
  /** Base URL of this install's callbacks; the snippets POST to `<url>/<kind>`. */
  callbackUrl?: string;
  host?: { name?: string; group?: string; profile?: string; mac?: string };
}

/** Render /tmp/remaster.env: shell assignments, one a line; throw INSTALL_UNSUPPORTED for a value with a line break. */
export function renderInstallEnv(env: InstallEnv): string {
  const pairs: [string, string | undefined][] = [
    ['REMASTER_CALLBACK_URL', env.callbackUrl],
    ['REMASTER_HOST_NAME', env.host?.name], ['REMASTER_HOST_GROUP', env.host?.group],
    ['REMASTER_HOST_PROFILE', env.host?.profile], ['REMASTER_HOST_MAC', env.host?.mac],
  ];
  let out = '';
  for (const [name, value] of pairs) {
    if (value === undefined) continue;
    if (/[\r\n\0]/u.test(value)) throw new RemasterError('INSTALL_UNSUPPORTED', `${name} must be one line, got ${JSON.stringify(value)}`);
    out += `${name}=${shellValue(value)}\n`;
  }
  return out;
}

/** Return a POSIX sh script that writes the env file (mode 0600: the URL carries the callback secret). */
export function installEnvScript(env: InstallEnv): string {
  return `# remaster: begin serve (host record and callback URL)\numask 077\ncat > ${INSTALL_PATHS.env} <<'REMASTER_ENV'\n${renderInstallEnv(env)}REMASTER_ENV\n# remaster: end serve (host record and callback URL)\n`;
}

/** Return one shell command line that writes the env file (for preseed/autoinstall early commands). */
export function installEnvCommand(env: InstallEnv): string {
  const lines = renderInstallEnv(env).replace(/\n$/u, '').split('\n').map(shellValue).join(' ');
  return `(umask 077 && printf '%s\\n' ${lines} > ${INSTALL_PATHS.env})`;
}

/** Return `ks` with a first %pre that writes the env file, ahead of every other %pre. */
export function injectInstallEnv(ks: Kickstart, env: InstallEnv, options: { dialect?: KickstartDialect } = {}): Kickstart {
  return injectScript(ks, { section: 'pre', body: installEnvScript(env), position: 'first', origin: 'serve', ...(options.dialect ? { dialect: options.dialect } : {}) });
}
