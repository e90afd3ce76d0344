/**
 * `remaster ks lint|render`: kickstart lint and templating. Thin: flags to
 * options, library calls, output. Lint prints `file:line: severity: message
 * [CODE]` and fails (exit 1) only on errors. `render --recipe` renders a
 * recipe's kickstart with its install: snippets; `--explain` says which
 * template line, script file, install: key or snippet produced each line.
 */
import { InvalidArgumentError, Option, type Command } from 'commander';
import { dirname, resolve } from 'node:path';
import {
  detectDialect, expandKsappend, explainKickstart, injectScript, RemasterError, KICKSTART_DIALECTS, ksappendLocations, lintKickstartText, parseKickstart, readTextFile,
  renderKickstart, renderTemplate, securePasswords, withContext, writeFileAtomic, type Kickstart, type KickstartDialect,
} from '../../engine.ts';
import { write, type CliContext } from '../context.ts';
import { reportLint, type LintedFile } from '../lint-report.ts';
import { warner } from '../warnings.ts';
import { library } from '../library.ts';

const dialectOption = (): Option => new Option('--dialect <dialect>', 'target installer').choices(KICKSTART_DIALECTS);
const collect = (value: string, previous: string[]): string[] => [...previous, value];

/** Parse one `--var name=value` into the map commander accumulates. */
export function parseVar(value: string, previous: Record<string, string>): Record<string, string> {
  const at = value.indexOf('=');
  if (at <= 0) throw new InvalidArgumentError(`expected name=value, got "${value}"`);
  return { ...previous, [value.slice(0, at)]: value.slice(at + 1) };
}

/** Register `ks` and its subcommands. */
export function registerKs(program: Command, cli: CliContext): void {
  const ks = program.command('ks').description('lint and render kickstart files (anaconda RHEL 5-10, Fedora; Ubuntu kickseed)');
  registerKsLint(ks, program, cli);
  registerKsRender(ks, program, cli);
}

interface KsLintOptions { dialect?: KickstartDialect; bootArgs?: string; json?: boolean; unattended: boolean }

function registerKsLint(ks: Command, program: Command, cli: CliContext): void {
  ks.command('lint')
    .description('check kickstarts against a target release as its own parser does (ksvalidator), plus unattended-install gaps')
    .argument('<file...>', 'kickstart files')
    .addOption(dialectOption())
    .option('--boot-args <cmdline>', 'kernel command line it boots with (inst.repo= there counts as a source)')
    .option('--no-unattended', 'skip the checks that the install runs without a person (no time zone, storage, source...)')
    .option('--json', 'print JSON')
    .action(async (files: string[], opts: KsLintOptions) => {
      const results: LintedFile[] = [];
      for (const file of files) results.push(await lintKickstartFile(file, opts, Boolean(program.opts().strict)));
      await reportLint(cli, results, Boolean(opts.json));
    });
}

/** Lint one kickstart: `%ksappend` files are read relative to the working directory, as ksvalidator does. */
export async function lintKickstartFile(file: string, opts: Omit<KsLintOptions, 'json'>, strict: boolean): Promise<LintedFile> {
  const raw = await readTextFile(file);
  const appended = new Map<string, string>();
  for (const location of ksappendLocations(raw)) {
    if (/^[a-z]+:\/\//iu.test(location)) continue;
    try {
      appended.set(location, await readTextFile(location));
    } catch {
      // Reported by expandKsappend as unreadable.
    }
  }
  const expanded = expandKsappend(raw, (location) => appended.get(location));
  let dialect = opts.dialect;
  if (dialect === undefined) {
    try {
      dialect = detectDialect(parseKickstart(expanded.text));
    } catch {
      // An unparsable file is reported by the lint itself.
    }
  }
  const options = { dialect: dialect ?? 'rhel9', strict, unattended: opts.unattended, file, ...(opts.bootArgs !== undefined ? { bootArgs: opts.bootArgs } : {}) } as const;
  return { file, dialect: options.dialect, issues: [...expanded.issues, ...lintKickstartText(expanded.text, options)] };
}

function registerKsRender(ks: Command, program: Command, cli: CliContext): void {
  ks.command('render')
    .description('fill {{variables}}, inject %pre/%post scripts, hash passwords, and write the kickstart for a target')
    .argument('[template]', 'kickstart template (not with --recipe)')
    .option('--var <name=value>', 'template variable (repeatable)', parseVar, {})
    .addOption(dialectOption())
    .option('--pre <file>', '%pre script to inject (repeatable; a #! line sets --interpreter)', collect, [])
    .option('--post <file>', '%post script to inject (repeatable; a #! line sets --interpreter)', collect, [])
    .option('--hash-passwords', 'turn plaintext rootpw/user passwords into $6$ SHA-512 crypt hashes')
    .option('--recipe <file>', "render a recipe's kickstart as the build writes it, with its install: snippets")
    .option('--explain', 'prefix every line with what produced it: a template line, a script file, an install: key or a snippet')
    .option('-o, --output <file>', 'write here instead of stdout')
    .action(async (template: string | undefined, opts: RenderOptions) => {
      const rendered = opts.recipe !== undefined ? await renderRecipe(opts.recipe, cli, Boolean(program.opts().strict)) : await renderFromFlags(template, opts, cli, Boolean(program.opts().strict));
      const out = opts.explain ? explainText(rendered.model, rendered.dialect, rendered.template) : rendered.text;
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
  recipe?: string;
  explain?: boolean;
  output?: string;
}

interface Rendered { text: string; model: Kickstart; dialect: KickstartDialect | undefined; template: string }

async function renderFromFlags(template: string | undefined, opts: RenderOptions, cli: CliContext, strict: boolean): Promise<Rendered> {
  if (template === undefined) throw new InvalidArgumentError('give a template, or --recipe');
  const text = renderTemplate(await readTextFile(template), opts.var, { file: template });
  let model = parseKickstart(text, { file: template });
  model = await injectFiles(model, 'pre', opts.pre, opts.dialect);
  model = await injectFiles(model, 'post', opts.post, opts.dialect);
  if (opts.hashPasswords) model = securePasswords(model, { onWarning: warner(cli), strict });
  return { text: renderKickstart(model, opts.dialect ? { dialect: opts.dialect } : {}), model, dialect: opts.dialect, template };
}

/** Render a recipe's kickstart (kickstart: or a kickstart-format answers:) with its install section. */
async function renderRecipe(file: string, cli: CliContext, strict: boolean): Promise<Rendered> {
  const lib = await library();
  const { recipe } = await lib.loadRecipe(file);
  const baseDir = dirname(resolve(file));
  const options = { onWarning: warner(cli), strict };
  const install = await lib.prepareInstall(recipe).catch((err: unknown) => {
    throw withContext(err, { file });
  });
  const carry = { ...options, ...(install ? { install } : {}) };
  if (recipe.kickstart) {
    const r = await lib.renderRecipeKickstart(recipe.kickstart, baseDir, carry).catch((err: unknown) => {
      throw withContext(err, { file });
    });
    return { text: r.text, model: r.model, dialect: r.dialect, template: r.template };
  }
  const answers = recipe.answers ? await lib.renderRecipeAnswers(recipe.answers, baseDir, carry) : undefined;
  if (answers?.kickstart === undefined) throw new RemasterError('USAGE', `${file} has no kickstart (no kickstart: section, and answers: is not for a kickstart installer)`);
  return { text: answers.files[0]?.text ?? '', model: answers.kickstart, dialect: lib.kickstartDialectOf(answers.dialect), template: answers.template };
}

function explainText(model: Kickstart, dialect: KickstartDialect | undefined, template: string): string {
  const lines = explainKickstart(model, { template, ...(dialect ? { dialect } : {}) });
  const width = Math.min(36, Math.max(...lines.map((l) => l.origin.length)));
  return lines.map((l) => `${l.origin.padEnd(width)} | ${l.text}\n`).join('');
}

async function injectFiles(model: Kickstart, section: 'pre' | 'post', files: readonly string[], dialect: KickstartDialect | undefined): Promise<Kickstart> {
  for (const file of files) {
    const body = await readTextFile(file);
    const shebang = /^#!\s*(\S+)/u.exec(body)?.[1];
    const interpreter = shebang !== undefined && shebang !== '/bin/sh' ? { interpreter: shebang } : {};
    try {
      model = injectScript(model, { section, body, origin: file, ...interpreter, ...(dialect ? { dialect } : {}) });
    } catch (err) {
      throw withContext(err, { file });
    }
  }
  return model;
}
