/** Print library warnings on stderr, with the file name filled in. */
import type { Warning, WarningHandler } from '../core.ts';
import type { CliContext } from './context.ts';
import { escapeText } from './escape.ts';

/** Return a warning handler that prints `warning: <message>` lines. */
export function warner(cli: CliContext, file?: string): WarningHandler {
  return (w: Warning) => {
    const prefix = file && w.file === undefined ? `${file}: ` : '';
    cli.stderr.write(`warning: ${escapeText(`${prefix}${w.message}`)}\n`);
  };
}
