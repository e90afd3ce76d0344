/**
 * The recipe's `answers:` section: one template for any installer, the
 * format picked by the dialect (kickstart, preseed, autoinstall). Rendered
 * once per build with the recipe's variables (the per-host path, `remaster
 * serve`, calls the same renderAnswers), scripts read from files, passwords
 * hashed, then linted: errors fail the build, warnings are reported. A
 * preseed is also put inside the initrd as `/preseed.cfg` unless
 * `embed: false` (d-i's S30initrd-preseed loads it with no boot argument).
 */
import { resolve } from 'node:path';
import { answerFormat, lintAnswers, renderAnswers, type AnswerFormat, type AnswerIssue } from '../answers/index.ts';
import type { Kickstart } from '../kickstart/index.ts';
import { installAnswerScripts, type PreparedInstall } from './install.ts';
import { RemasterError, emitWarning, makeWarning, type WarnOptions } from '../errors.ts';
import { readTextFile } from '../fsx/index.ts';
import type { AddSpec } from '../initrd/index.ts';
import { derivedSalt } from './kickstart.ts';
import type { AnswersSection } from './schema.ts';

/** The rendered answers of a build. */
export interface RenderedAnswerFiles {
  format: AnswerFormat;
  dialect: string;
  template: string;
  /** Output files, main one first (`ks.cfg`, `preseed.cfg`, or `user-data` + `meta-data`). */
  files: { name: string; text: string }[];
  issues: AnswerIssue[];
  /** Initrd entries carrying the answers (preseed: `/preseed.cfg`). */
  embedded: AddSpec[];
  /** The kickstart's final model (kickstart format), for explainKickstart. */
  kickstart?: Kickstart;
}

type Script = NonNullable<AnswersSection['pre']>[number];

async function readScripts(scripts: readonly Script[] | undefined, baseDir: string): Promise<{ body: string; interpreter?: string; nochroot?: boolean; erroronfail?: boolean; log?: string }[]> {
  const out = [];
  for (const s of scripts ?? []) {
    const spec = typeof s === 'string' ? { file: s } : s;
    out.push({
      body: await readTextFile(resolve(baseDir, spec.file)),
      ...(spec.interpreter ? { interpreter: spec.interpreter } : {}), ...(spec.nochroot ? { nochroot: true } : {}),
      ...(spec.erroronfail ? { erroronfail: true } : {}), ...(spec.log ? { log: spec.log } : {}),
    });
  }
  return out;
}

/** Render and lint the answers of a recipe; throw ANSWERS_LINT when the lint finds errors. */
export async function renderRecipeAnswers(section: AnswersSection, baseDir: string, options: WarnOptions & { saltSeed?: string; install?: PreparedInstall } = {}): Promise<RenderedAnswerFiles> {
  const template = await readTextFile(resolve(baseDir, section.template));
  const install = options.install ? installAnswerScripts(options.install) : undefined;
  const rendered = renderAnswers(template, section.vars, {
    dialect: section.dialect, file: section.template, hashPasswords: section.hashPasswords,
    pre: await readScripts(section.pre, baseDir), post: [...(await readScripts(section.post, baseDir)), ...(install?.post ?? [])],
    ...(install ? { prePartition: install.prePartition, includes: install.includes } : {}),
    ...(options.saltSeed !== undefined ? { salt: derivedSalt(options.saltSeed) } : {}),
  });
  const main = rendered.files[0] as { name: string; text: string };
  const issues = lintAnswers(main.text, { dialect: section.dialect, file: main.name });
  for (const i of issues.filter((x) => x.severity === 'warning')) {
    emitWarning(options, makeWarning('ANSWERS_LINT', `${main.name} (from ${section.template}):${i.line}: ${i.message} [${i.code}]`));
  }
  const errors = issues.filter((i) => i.severity === 'error');
  if (errors.length > 0) {
    const lines = errors.map((i) => `${main.name}:${i.line}: ${i.severity}: ${i.message} [${i.code}]`);
    throw new RemasterError('ANSWERS_LINT', `the rendered answers (from ${section.template}) have lint errors:\n  ${lines.join('\n  ')}`);
  }
  const format = answerFormat(section.dialect);
  const embed = section.embed ?? format === 'preseed';
  const embedded: AddSpec[] = [];
  if (embed && format === 'preseed') {
    const data = new TextEncoder().encode(main.text);
    embedded.push({ path: 'preseed.cfg', type: 'file', mode: 0o644, size: data.length, data, source: `answers:${section.template}` });
  } else if (embed && format === 'kickstart') {
    const data = new TextEncoder().encode(main.text);
    embedded.push({ path: 'ks.cfg', type: 'file', mode: 0o644, size: data.length, data, source: `answers:${section.template}` });
  }
  return { format, dialect: section.dialect, template: section.template, files: rendered.files, issues, embedded, ...(rendered.kickstart ? { kickstart: rendered.kickstart } : {}) };
}
