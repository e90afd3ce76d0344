/**
 * The recipe's `kickstart:` section: a template rendered with per-build
 * variables, %pre/%post scripts injected from files, plaintext passwords
 * turned into SHA-512 crypt hashes (with a warning), and a lint by dialect
 * that fails the build on errors, so a typo never reaches the installer.
 */
import { createHash } from 'node:crypto';
import { resolve } from 'node:path';
import { RemasterError, emitWarning, makeWarning, type WarnOptions } from '../errors.ts';
import { readTextFile } from '../fsx/index.ts';
import type { AnswerScript } from '../answers/index.ts';
import {
  formatLintIssue, hasLintErrors, injectIncludes, injectScript, lintKickstart, parseKickstart, renderKickstart, renderTemplate, securePasswords,
  type Kickstart, type KickstartDialect, type LintIssue,
} from '../kickstart/index.ts';
import { installAnswerScripts, type PreparedInstall } from './install.ts';
import type { KickstartSection as KickstartRecipe } from './schema.ts';

/** A rendered, linted kickstart. */
export interface RenderedKickstart {
  text: string;
  dialect: KickstartDialect;
  issues: LintIssue[];
  /** The template path as the recipe names it. */
  template: string;
  /** The final model (nodes added in code carry their origin), for explainKickstart. */
  model: Kickstart;
}

type Script = NonNullable<KickstartRecipe['pre']>[number];

async function inject(ks: ReturnType<typeof parseKickstart>, section: 'pre' | 'post', scripts: Script[] | undefined, baseDir: string, dialect: KickstartDialect) {
  let out = ks;
  for (const s of scripts ?? []) {
    const spec = typeof s === 'string' ? { file: s } : s;
    let body = await readTextFile(resolve(baseDir, spec.file));
    let interpreter = spec.interpreter;
    // A #! line becomes --interpreter, as anaconda wants it on the section header.
    const shebang = /^#!\s*(\S+)[^\n]*\n/.exec(body);
    if (shebang) {
      interpreter ??= shebang[1];
      body = body.slice(shebang[0].length);
    }
    out = injectScript(out, {
      section, body, dialect, origin: spec.file, ...(interpreter ? { interpreter } : {}), ...(spec.log ? { log: spec.log } : {}),
      ...(spec.nochroot ? { nochroot: true } : {}), ...(spec.erroronfail ? { erroronfail: true } : {}),
    });
  }
  return out;
}

const CRYPT_ALPHABET = './0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/** A crypt salt derived from `seed`: reproducible builds (SOURCE_DATE_EPOCH) must not depend on randomness. */
export function derivedSalt(seed: string): string {
  const digest = createHash('sha256').update(`remaster kickstart salt\0${seed}`).digest();
  return Array.from(digest.subarray(0, 16), (b) => CRYPT_ALPHABET[b % 64]).join('');
}

/** Add the install's %include lines, its %pre ahead of every other and its %post after the recipe's. */
function injectInstall(ks: Kickstart, install: PreparedInstall, dialect: KickstartDialect): Kickstart {
  const scripts = installAnswerScripts(install);
  let out = injectIncludes(ks, scripts.includes, 'install.raid');
  for (const s of [...scripts.prePartition].reverse()) out = injectScript(out, { section: 'pre', body: s.body, dialect, position: 'first', ...scriptOptions(s) });
  for (const s of scripts.post) out = injectScript(out, { section: 'post', body: s.body, dialect, ...scriptOptions(s) });
  return out;
}

function scriptOptions(s: AnswerScript): { log?: string; erroronfail?: boolean; nochroot?: boolean; origin?: string } {
  return { ...(s.log !== undefined ? { log: s.log } : {}), ...(s.erroronfail ? { erroronfail: true } : {}), ...(s.nochroot ? { nochroot: true } : {}), ...(s.origin !== undefined ? { origin: s.origin } : {}) };
}

/** Options for renderRecipeKickstart. */
export interface RenderRecipeKickstartOptions extends WarnOptions {
  saltSeed?: string;
  /** The recipe's composed install section. */
  install?: PreparedInstall;
}

/** Render the kickstart of a recipe; throw KICKSTART_LINT when the lint finds errors. */
export async function renderRecipeKickstart(section: KickstartRecipe, baseDir: string, options: RenderRecipeKickstartOptions = {}): Promise<RenderedKickstart> {
  const file = resolve(baseDir, section.template);
  const dialect = section.dialect as KickstartDialect;
  const text = renderTemplate(await readTextFile(file), section.vars, { file: section.template });
  let ks = parseKickstart(text, { file: section.template });
  ks = await inject(ks, 'pre', section.pre, baseDir, dialect);
  ks = await inject(ks, 'post', section.post, baseDir, dialect);
  if (options.install) ks = injectInstall(ks, options.install, dialect);
  if (section.hashPasswords) {
    const { saltSeed, install: _install, ...warn } = options;
    ks = securePasswords(ks, { ...warn, ...(saltSeed !== undefined ? { salt: derivedSalt(saltSeed) } : {}) });
  }
  const rendered = renderKickstart(ks, { dialect });
  const issues = lintKickstart(parseKickstart(rendered, { file: 'ks.cfg' }), { dialect });
  for (const issue of issues.filter((i) => i.severity === 'warning')) {
    emitWarning(options, makeWarning('KICKSTART_LINT', `ks.cfg (from ${section.template}):${issue.line}: ${issue.message} [${issue.code}]`));
  }
  if (hasLintErrors(issues)) {
    const lines = issues.filter((i) => i.severity === 'error').map((i) => formatLintIssue('ks.cfg', i));
    throw new RemasterError('KICKSTART_LINT', `the rendered kickstart (from ${section.template}) has lint errors:\n  ${lines.join('\n  ')}`);
  }
  return { text: rendered, dialect, issues, template: section.template, model: ks };
}
