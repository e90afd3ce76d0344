/**
 * Positional arguments of the commands that carry secrets. pykickstart
 * (commands/rootpw.py, sshpw.py: parse_known_args, then "A single argument
 * is expected" / "Unexpected arguments to … command"; user.py: parse_args)
 * refuses a rootpw or sshpw with more than one password word and a user
 * with any. Such a line is how an unquoted password with a space ends up:
 * `rootpw --iscrypted '$6$…' w0rd` hashed only the first word and left the
 * rest in clear text, so it is an error here too. Anaconda dialects only.
 */
import type { LintInput, LintIssue } from './lint-types.ts';

/** Options that take a value as the next word (`--name value`); every other `--x` is a flag. */
const VALUE_OPTIONS: Record<string, readonly string[]> = {
  rootpw: [],
  sshpw: ['--username'],
  user: ['--name', '--groups', '--homedir', '--password', '--shell', '--uid', '--gid', '--gecos'],
};
/** How many positional words each command takes: [min, max]. */
const POSITIONALS: Record<string, readonly [number, number]> = { rootpw: [1, 1], sshpw: [1, 1], user: [0, 0] };

function positionals(name: string, args: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i] as string;
    if (!a.startsWith('--')) out.push(a);
    else if (!a.includes('=') && VALUE_OPTIONS[name]?.includes(a)) i++;
  }
  return out;
}

/** Check the positional words of rootpw, sshpw and user. */
export function lintArguments({ commands, options }: LintInput): LintIssue[] {
  const issues: LintIssue[] = [];
  // kickseed (Ubuntu) has its own forms: `rootpw --disabled`, `user <name> --fullname …`
  if (options.dialect === 'ubuntu') return issues;
  for (const c of commands) {
    const range = POSITIONALS[c.name];
    if (range === undefined) continue;
    const words = positionals(c.name, c.args);
    // rootpw --lock needs no password (pykickstart F18+)
    const min = c.name === 'rootpw' && c.args.includes('--lock') ? 0 : range[0];
    if (words.length > range[1]) {
      const extra = words.length - range[1];
      issues.push({ line: c.line, severity: 'error', code: 'KS_UNEXPECTED_ARGUMENT', message: `${c.name} takes ${range[1] === 0 ? 'no arguments besides its options' : 'a single argument'}, but has ${extra} more word${extra === 1 ? '' : 's'} (a password with a space must be quoted; the installer refuses this line)` });
    } else if (words.length < min) {
      issues.push({ line: c.line, severity: 'error', code: 'KS_UNEXPECTED_ARGUMENT', message: `${c.name} needs a single argument (the password)` });
    }
  }
  return issues;
}
