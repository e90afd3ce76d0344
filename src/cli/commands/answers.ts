/**
 * `remaster answers lint|render`: kickstart, preseed and autoinstall from
 * one command; `--dialect` picks the format (rhel5…rhel10 and fedora → kickstart,
 * debian* → preseed, ubuntu ≥ 20.04 → autoinstall). Thin: flags to options,
 * library calls, output (`file:line: severity: message [CODE]`, exit 1 on
 * errors).
 */
import { join } from 'node:path';
import { InvalidArgumentError, Option, type Command } from 'commander';
import { readTextFile, writeFileAtomic } from '../../engine.ts';
import { library } from '../library.ts';
import { write, type CliContext } from '../context.ts';
import { reportLint, type LintedFile } from '../lint-report.ts';
import { lintKickstartFile, parseVar } from './ks.ts';

const collect = (value: string, previous: string[]): string[] => [...previous, value];

/** Register `answers lint` and `answers render`. */
export function registerAnswers(program: Command, cli: CliContext): void {
  const answers = program.command('answers').description('lint and render unattended-install answers: kickstart, Debian preseed, Ubuntu autoinstall');
  const dialect = new Option('--dialect <dialect>', 'target installer: rhel5…rhel10, fedora (kickstart), debian[N] (preseed), ubuntu[YY.MM] (autoinstall from 20.04)').default('rhel9');
  answers.command('lint')
    .description('check answer files for the target installer')
    .argument('<file...>', 'answer files')
    .addOption(dialect)
    .option('--no-unattended', 'skip the checks that the install runs without a person')
    .option('--json', 'print JSON')
    .action(async (files: string[], opts: { dialect: string; unattended: boolean; json?: boolean }) => {
      const lib = await library();
      if (!lib.isAnswerDialect(opts.dialect)) throw new InvalidArgumentError(`unknown dialect "${opts.dialect}"`);
      const strict = Boolean(program.opts().strict);
      const results: LintedFile[] = [];
      for (const file of files) {
        if (lib.answerFormat(opts.dialect) === 'kickstart') {
          results.push(await lintKickstartFile(file, { dialect: lib.kickstartDialectOf(opts.dialect), unattended: opts.unattended }, strict));
        } else {
          results.push({ file, dialect: opts.dialect, issues: lib.lintAnswers(await readTextFile(file), { dialect: opts.dialect, file, strict, unattended: opts.unattended }) });
        }
      }
      await reportLint(cli, results, Boolean(opts.json));
    });
  answers.command('render')
    .description('fill {{variables}}, carry --pre/--post scripts, hash passwords; write the answer file(s)')
    .argument('<template>', 'answer template')
    .addOption(dialect)
    .option('--var <name=value>', 'template variable (repeatable)', parseVar, {})
    .option('--pre <file>', 'script run before the install (%pre, early_command, early-commands); repeatable', collect, [])
    .option('--post <file>', 'script run in the installed system (%post, late_command, late-commands); repeatable', collect, [])
    .option('--no-hash-passwords', 'keep plaintext passwords')
    .option('-o, --output <path>', 'write here (a directory for autoinstall: user-data and meta-data) instead of stdout')
    .action(async (template: string, opts: RenderOpts) => {
      const lib = await library();
      const scripts = async (files: string[]) => Promise.all(files.map(async (f) => ({ body: await readTextFile(f) })));
      const rendered = lib.renderAnswers(await readTextFile(template), opts.var, {
        dialect: opts.dialect, file: template, pre: await scripts(opts.pre), post: await scripts(opts.post), hashPasswords: opts.hashPasswords,
      });
      if (opts.output === undefined) {
        for (const f of rendered.files) await write(cli.stdout, rendered.files.length > 1 ? `# ${f.name}\n${f.text}` : f.text);
        return;
      }
      if (rendered.files.length === 1) await writeFileAtomic(opts.output, [new TextEncoder().encode((rendered.files[0] as { text: string }).text)]);
      else for (const f of rendered.files) await writeFileAtomic(join(opts.output, f.name), [new TextEncoder().encode(f.text)]);
    });
}

interface RenderOpts {
  dialect: string;
  var: Record<string, string>;
  pre: string[];
  post: string[];
  hashPasswords: boolean;
  output?: string;
}
