/**
 * The start-up fast path: `remaster ls FILE` in its plain forms runs without
 * loading commander (whose modules cost about as much start-up time as the
 * whole initrd reader; BENCHMARKS.md, issue 16). Only argument vectors whose
 * every word is understood here take it: `ls`, one operand, and the options
 * `--json`, `-s/--segment N`, and the global `-q/--quiet`, `--debug`,
 * `--strict`, `--max-entries N`. Anything else (help, an unknown or
 * misspelled option, a second operand, `--`) goes to commander, which
 * prints the usual help and errors. Both paths run the same action
 * (listInitrd in commands/ls.ts).
 */
import type { CliContext } from './context.ts';
import { parseMaxEntries } from './limits.ts';

/** A parsed fast-path command, ready to run. */
export type FastCommand = (cli: CliContext) => Promise<void>;

const GLOBAL_FLAGS = new Set(['-q', '--quiet', '--debug', '--strict']);

/** Return the command to run when `argv` is a plain `remaster ls` line, or undefined for commander. */
export function fastCommand(argv: readonly string[]): FastCommand | undefined {
  const args = argv.slice(2);
  const operands: string[] = [];
  let json = false;
  let segment: string | undefined;
  let maxEntries: string | undefined;
  for (let i = 0; i < args.length; i += 1) {
    const a = args[i] as string;
    const [flag, inline] = a.startsWith('--') && a.includes('=') ? [a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1)] : [a, undefined];
    // ls's own options count only after `ls` (commander rejects them before it); global ones anywhere.
    const afterLs = operands.length > 0;
    if (GLOBAL_FLAGS.has(a)) continue;
    if (a === '--json' && afterLs) json = true;
    else if (((flag === '-s' || flag === '--segment') && afterLs) || flag === '--max-entries') {
      const value = inline ?? args[(i += 1)];
      if (value === undefined || (inline === undefined && value.startsWith('-'))) return undefined;
      if (flag === '--max-entries') maxEntries = value;
      else segment = value;
    } else if (a.startsWith('-')) return undefined;
    else operands.push(a);
  }
  if (operands.length !== 2 || operands[0] !== 'ls') return undefined;
  const file = operands[1] as string;
  return async (cli) => {
    const { listInitrd, parseSegment } = await import('./commands/ls.ts');
    const limits = maxEntries === undefined ? undefined : { maxEntries: parseMaxEntries(maxEntries) };
    await listInitrd(cli, file, { json, ...(segment === undefined ? {} : { segment: parseSegment(segment) }), ...(limits ? { limits } : {}) });
  };
}
