/** createProgram(): the commander program, as a factory so tests can use exitOverride()/configureOutput(). */
import { Command } from 'commander';
import { processContext, type CliContext } from './context.ts';
import { parseMaxEntries } from './limits.ts';
import { registerAdd } from './commands/add.ts';
import { registerAnswers } from './commands/answers.ts';
import { registerBootTest } from './commands/boot-test.ts';
import { registerBuild } from './commands/build.ts';
import { registerCat } from './commands/cat.ts';
import { registerDiff } from './commands/diff.ts';
import { registerExtract } from './commands/extract.ts';
import { registerInspect } from './commands/inspect.ts';
import { registerInject } from './commands/inject.ts';
import { registerIso } from './commands/iso.ts';
import { registerKs } from './commands/ks.ts';
import { registerPxe } from './commands/publish.ts';
import { registerLs } from './commands/ls.ts';
import { registerRepack } from './commands/repack.ts';

export const VERSION = '0.1.0';

/** Build the program with every command registered. */
export function createProgram(cli: CliContext = processContext()): Command {
  const program = new Command('remaster')
    .description('read and rewrite Linux installer initrds and ISOs without root')
    .version(VERSION)
    .option('-q, --quiet', 'no progress output')
    .option('--debug', 'plain progress lines and stack traces on errors')
    .option('--strict', 'turn every warning into an error')
    .option('--max-entries <n>', 'most entries an initrd may hold (default 4194304; memory is about 100 bytes per entry)', parseMaxEntries)
    .showHelpAfterError()
    .exitOverride();
  registerInspect(program, cli);
  registerLs(program, cli);
  registerCat(program, cli);
  registerExtract(program, cli);
  registerDiff(program, cli);
  registerAdd(program, cli);
  registerRepack(program, cli);
  registerIso(program, cli);
  registerBuild(program, cli);
  registerInject(program, cli);
  registerBootTest(program, cli);
  registerKs(program, cli);
  registerAnswers(program, cli);
  registerPxe(program, cli);
  return program;
}
