/**
 * `node --import ./test/helpers/trace-modules.ts …`: append the URL of every
 * module the process loads, one a line, to the file named by
 * REMASTER_TRACE_MODULES (tests use it to prove what start-up loads).
 */
import { appendFileSync } from 'node:fs';
import { registerHooks } from 'node:module';

const out = process.env['REMASTER_TRACE_MODULES'];
if (out !== undefined) {
  registerHooks({
    load(url, context, next) {
      appendFileSync(out, `${url}\n`);
      return next(url, context);
    },
  });
}
