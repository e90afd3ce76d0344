/**
 * createProgram(): the commander program, as a factory so tests can use
 * exitOverride()/configureOutput(). Command modules are imported on demand:
 * given the command line, only the module of the command it names is loaded
 * (`remaster ls` never loads the ISO, recipe or PXE code; module loading is
 * most of a short command's start-up, BENCHMARKS.md); help, an unknown
 * command or no command load them all, so help lists every command and
 * commander can suggest the nearest name.
 */
import { Command } from 'commander';
import { processContext, type CliContext } from './context.ts';
import { parseMaxEntries } from './limits.ts';

export const VERSION = '0.1.0';

type Register = (program: Command, cli: CliContext) => void;

/** Top-level command names, the module that registers them, in help order. */
const COMMANDS: readonly { names: readonly string[]; load: () => Promise<Register> }[] = [
  { names: ['inspect'], load: async () => (await import('./commands/inspect.ts')).registerInspect },
  { names: ['ls'], load: async () => (await import('./commands/ls.ts')).registerLs },
  { names: ['cat'], load: async () => (await import('./commands/cat.ts')).registerCat },
  { names: ['extract'], load: async () => (await import('./commands/extract.ts')).registerExtract },
  { names: ['diff'], load: async () => (await import('./commands/diff.ts')).registerDiff },
  { names: ['add'], load: async () => (await import('./commands/add.ts')).registerAdd },
  { names: ['repack'], load: async () => (await import('./commands/repack.ts')).registerRepack },
  { names: ['iso'], load: async () => (await import('./commands/iso.ts')).registerIso },
  { names: ['build'], load: async () => (await import('./commands/build.ts')).registerBuild },
  { names: ['inject-module', 'inject-binary'], load: async () => (await import('./commands/inject.ts')).registerInject },
  { names: ['boot-test'], load: async () => (await import('./commands/boot-test.ts')).registerBootTest },
  { names: ['ks'], load: async () => (await import('./commands/ks.ts')).registerKs },
  { names: ['answers'], load: async () => (await import('./commands/answers.ts')).registerAnswers },
  { names: ['publish', 'verify', 'rollback', 'dhcp-snippet', 'server-config', 'arm', 'disarm', 'expire', 'status'], load: async () => (await import('./commands/publish.ts')).registerPxe },
  { names: ['serve', 'events'], load: async () => (await import('./commands/serve.ts')).registerServe },
  { names: ['user', 'token'], load: async () => (await import('./commands/users.ts')).registerUsers },
];

/** Global options that take a value as the next argument. */
const GLOBAL_WITH_VALUE = new Set(['--max-entries']);

/** The command an argument vector names: its first operand, skipping global options and their values. */
export function commandOf(argv: readonly string[]): string | undefined {
  const args = argv.slice(2);
  for (let i = 0; i < args.length; i += 1) {
    const a = args[i] as string;
    if (GLOBAL_WITH_VALUE.has(a)) i += 1;
    else if (!a.startsWith('-')) return a;
  }
  return undefined;
}

/**
 * Build the program with every command registered, or, when `argv` names a
 * known command, with only that command's module loaded.
 */
export async function createProgram(cli: CliContext = processContext(), argv?: readonly string[]): Promise<Command> {
  const program = new Command('remaster')
    .description('read and rewrite Linux installer initrds and ISOs without root')
    .version(VERSION)
    .option('-q, --quiet', 'no progress output')
    .option('--debug', 'plain progress lines and stack traces on errors')
    .option('--strict', 'turn every warning into an error')
    .option('--max-entries <n>', 'most entries an initrd may hold (default 4194304; memory is about 100 bytes per entry)', parseMaxEntries)
    .showHelpAfterError()
    .exitOverride();
  const name = argv === undefined ? undefined : commandOf(argv);
  const wanted = COMMANDS.filter((c) => name !== undefined && c.names.includes(name));
  const registers = await Promise.all((wanted.length > 0 ? wanted : COMMANDS).map((c) => c.load()));
  for (const register of registers) register(program, cli);
  return program;
}
