/**
 * The one exit point (changesets style): 0 success; 1 RemasterError (message
 * only, stack with --debug) and errors of the machine (ENOSPC, EIO, EACCES…:
 * DISK_FULL / IO_ERROR naming the path when the library did not already);
 * 2 usage errors; 3 anything else, as an internal
 * error with its stack. A closed stdout pipe (EPIPE, e.g. `remaster ls | head`)
 * ends quietly.
 */
import { RemasterError, toIoError } from '../core.ts';
import { processContext } from './context.ts';
import { escapeLines } from './escape.ts';
import { fastCommand } from './fast.ts';

process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(0);
  throw err;
});

const debug = process.argv.includes('--debug');
try {
  // A plain `remaster ls FILE` runs without commander (fast.ts); every other command line goes through it.
  const fast = fastCommand(process.argv);
  if (fast !== undefined) await fast(processContext());
  else {
    const { createProgram } = await import('./program.ts');
    const program = await createProgram(processContext(), process.argv);
    await program.parseAsync(process.argv);
  }
} catch (err) {
  process.exitCode = await report(err);
}

async function report(thrown: unknown): Promise<number> {
  if ((thrown as NodeJS.ErrnoException)?.code === 'EPIPE') return 0;
  const err = toIoError(thrown, '');
  if (err instanceof RemasterError) {
    if (err.code === 'USAGE') {
      process.stderr.write(`remaster: ${escapeLines(err.message)}\n`);
      return 2;
    }
    process.stderr.write(`remaster: ${escapeLines(err.message)}\n`);
    if (debug && err.stack) process.stderr.write(`${escapeLines(err.stack)}\n`);
    return 1;
  }
  // Loaded here, not at start-up: the `ls` fast path runs without commander (fast.ts).
  const { CommanderError } = await import('commander');
  if (err instanceof CommanderError) {
    // commander already printed the message (or help/version, exit code 0).
    return err.exitCode === 0 ? 0 : 2;
  }
  process.stderr.write(`remaster: internal error: ${escapeLines((err as Error)?.stack ?? String(err))}\nPlease report this with the command line that caused it.\n`);
  return 3;
}
