/** Print library warnings on stderr, with the file name filled in. */
import type { Warning, WarningHandler } from '../core.ts';
import type { CliContext } from './context.ts';

/** Return a warning handler that prints `warning: <message>` lines. */
export function warner(cli: CliContext, file?: string): WarningHandler {
  return (w: Warning) => {
    const prefix = file && w.file === undefined ? `${file}: ` : '';
    cli.stderr.write(`warning: ${prefix}${w.message}\n`);
  };
}
