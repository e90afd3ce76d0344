/** `--max-entries`: the global flag that raises (or lowers) limits.maxEntries for every initrd command. */
import type { Command } from 'commander';
import { RemasterError, type InitrdLimits } from '../core.ts';

/** Parse a --max-entries value: a positive integer. */
export function parseMaxEntries(value: string): number {
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < 1) throw new RemasterError('USAGE', `--max-entries must be a positive integer, got ${JSON.stringify(value)}`);
  return n;
}

/** Return `options` with the limits the global flags ask for. */
export function withLimits<T extends object>(program: Command, options: T): T & { limits?: InitrdLimits } {
  const maxEntries = program.opts<{ maxEntries?: number }>().maxEntries;
  return maxEntries === undefined ? options : { ...options, limits: { maxEntries } };
}
