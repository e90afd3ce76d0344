/**
 * `remaster ks lint|render`: kickstart lint and templating. Thin: flags to
 * options, library calls, output. Lint prints `file:line: severity: message
 * [CODE]` and fails (exit 1) only on errors.
 */
import { InvalidArgumentError, Option, type Command } from 'commander';
import {
  detectDialect, formatLintIssue, hasLintErrors, injectScript, KICKSTART_DIALECTS, lintKickstart, parseKickstart, readTextFile,
  RemasterError, renderKickstart, renderTemplate, securePasswords, withContext, writeFileAtomic, type Kickstart, type KickstartDialect,
} from '../../engine.ts';
import { write, type CliContext } from '../context.ts';
import { warner } from '../warnings.ts';

const dialectOption = (): Option => new Option('--dialect <dialect>', 'target installer').choices(KICKSTART_DIALECTS);
const collect = (value: string, previous: string[]): string[] => [...previous, value];

function parseVar(value: string, previous: Record<string, string>): Record<string, string> {
  const at = value.indexOf('=');
  if (at <= 0) throw new InvalidArgumentError(`expected name=value, got "${value}"`);
  return { ...previous, [value.slice(0, at)]: value.slice(at + 1) };
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** Register `ks` and its subcommands. */
export function registerKs(program: Command, cli: CliContext): void {
  const ks = program.command('ks').description('lint and render kickstart files (anaconda RHEL 5-10, Fedora; Ubuntu kickseed)');
  registerKsLint(ks, program, cli);
  registerKsRender(ks, program, cli);
}

function registerKsLint(ks: Command, program: Command, cli: CliContext): void {
  ks.command('lint')
    .description('check a kickstart against a target release: %end rules, removed commands, unattended-install gaps')
    .argument('<file>', 'kickstart file')
    .addOption(dialectOption())
    .option('--boot-args <cmdline>', 'kernel command line it boots with (inst.repo= there counts as a source)')
    .option('--json', 'print JSON')
    .action(async (file: string, opts: { dialect?: KickstartDialect; bootArgs?: string; json?: boolean }) => {
      const parsed = parseKickstart(await readTextFile(file), { file });
      const dialect = opts.dialect ?? detectDialect(parsed) ?? 'rhel9';
      const strict = Boolean(program.opts().strict);
      const issues = lintKickstart(parsed, { dialect, strict, ...(opts.bootArgs !== undefined ? { bootArgs: opts.bootArgs } : {}) });
      if (opts.json) await write(cli.stdout, `${JSON.stringify({ file, dialect, issues }, null, 2)}\n`);
      else for (const issue of issues) await write(cli.stdout, `${formatLintIssue(file, issue)}\n`);
      if (hasLintErrors(issues)) {
        const errors = issues.filter((i) => i.severity === 'error').length;
        throw new RemasterError('KICKSTART_SYNTAX', `${plural(errors, 'error')}, ${plural(issues.length - errors, 'warning')} for ${dialect}`, { file });
      }
    });
}

function registerKsRender(ks: Command, program: Command, cli: CliContext): void {
  ks.command('render')
    .description('fill {{variables}}, inject %pre/%post scripts, hash passwords, and write the kickstart for a target')
    .argument('<template>', 'kickstart template')
    .option('--var <name=value>', 'template variable (repeatable)', parseVar, {})
    .addOption(dialectOption())
    .option('--pre <file>', '%pre script to inject (repeatable; a #! line sets --interpreter)', collect, [])
    .option('--post <file>', '%post script to inject (repeatable; a #! line sets --interpreter)', collect, [])
    .option('--hash-passwords', 'turn plaintext rootpw/user passwords into $6$ SHA-512 crypt hashes')
    .option('-o, --output <file>', 'write here instead of stdout')
    .action(async (template: string, opts: RenderOptions) => {
      const text = renderTemplate(await readTextFile(template), opts.var, { file: template });
      let model = parseKickstart(text, { file: template });
      model = await injectFiles(model, 'pre', opts.pre, opts.dialect);
      model = await injectFiles(model, 'post', opts.post, opts.dialect);
      if (opts.hashPasswords) model = securePasswords(model, { onWarning: warner(cli), strict: Boolean(program.opts().strict) });
      const out = renderKickstart(model, opts.dialect ? { dialect: opts.dialect } : {});
      if (opts.output === undefined) await write(cli.stdout, out);
      else await writeFileAtomic(opts.output, [new TextEncoder().encode(out)]);
    });
}

interface RenderOptions {
  var: Record<string, string>;
  dialect?: KickstartDialect;
  pre: string[];
  post: string[];
  hashPasswords?: boolean;
  output?: string;
}

async function injectFiles(model: Kickstart, section: 'pre' | 'post', files: readonly string[], dialect: KickstartDialect | undefined): Promise<Kickstart> {
  for (const file of files) {
    const body = await readTextFile(file);
    const shebang = /^#!\s*(\S+)/u.exec(body)?.[1];
    const interpreter = shebang !== undefined && shebang !== '/bin/sh' ? { interpreter: shebang } : {};
    try {
      model = injectScript(model, { section, body, ...interpreter, ...(dialect ? { dialect } : {}) });
    } catch (err) {
      throw withContext(err, { file });
    }
  }
  return model;
}
