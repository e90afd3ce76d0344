/**
 * renderAnswers(): one host's answer files from a template, for any
 * dialect: kickstart (`ks.cfg`: %pre/%post injected, passwords hashed,
 * `%end` by release), preseed (`preseed.cfg`: early/late commands,
 * `-crypted` passwords), autoinstall (`user-data` + `meta-data`). Pure, so
 * the build, `answers render` and a per-host server call the same function.
 */
import { RemasterError } from '../errors.ts';
import {
  injectIncludes, injectScript, parseKickstart, renderKickstart, renderTemplate, securePasswords, type Kickstart,
} from '../kickstart/index.ts';
import { renderPreseed, splitShebang, type PreseedScript } from '../preseed/index.ts';
import { renderAutoinstall } from '../autoinstall/index.ts';
import { answerFileNames, answerFormat, kickstartDialectOf, type AnswerDialect, type AnswerFormat } from './dialect.ts';

/** A script carried into %pre/%post, early_command/late_command or early-/late-commands. */
export type AnswerScript = PreseedScript & { log?: string; origin?: string };

/** Options for renderAnswers. */
export interface RenderAnswersOptions {
  dialect: AnswerDialect;
  file?: string;
  pre?: readonly AnswerScript[];
  post?: readonly AnswerScript[];
  /**
   * Scripts that must run before any disk is touched but after the disks are detected: a first
   * %pre (ahead of the template's own), partman/early_command, or the first early-commands.
   */
  prePartition?: readonly AnswerScript[];
  /** Files a kickstart's command section `%include`s (written by a pre script); kickstart only. */
  includes?: readonly string[];
  hashPasswords?: boolean;
  salt?: string;
}

/** Rendered answer files, main file first. */
export interface RenderedAnswers {
  format: AnswerFormat;
  dialect: AnswerDialect;
  files: { name: string; text: string }[];
  /** The kickstart's final model (kickstart format), for explainKickstart. */
  kickstart?: Kickstart;
}

function kickstartScripts(ks: Kickstart, section: 'pre' | 'post', scripts: readonly AnswerScript[], dialect: ReturnType<typeof kickstartDialectOf>, position: 'first' | 'last' = 'last'): Kickstart {
  let out = ks;
  // Scripts put first go in reverse, so that they keep their own order ahead of the template's.
  for (const s of position === 'first' ? [...scripts].reverse() : scripts) {
    const { body, interpreter } = splitShebang(s.body, s.interpreter);
    out = injectScript(out, {
      section, body, dialect, position, ...(interpreter !== undefined ? { interpreter } : {}), ...(s.log !== undefined ? { log: s.log } : {}),
      ...(s.nochroot ? { nochroot: true } : {}), ...(s.erroronfail ? { erroronfail: true } : {}), ...(s.origin !== undefined ? { origin: s.origin } : {}),
    });
  }
  return out;
}

/** Render the answer files of one host. */
export function renderAnswers(template: string, vars: Readonly<Record<string, string>>, options: RenderAnswersOptions): RenderedAnswers {
  const format = answerFormat(options.dialect);
  const names = answerFileNames(format);
  const file = options.file !== undefined ? { file: options.file } : {};
  const salt = options.salt !== undefined ? { salt: options.salt } : {};
  const scripts = { early: options.pre ?? [], late: options.post ?? [] };
  const partition = options.prePartition ?? [];
  if ((options.includes ?? []).length > 0 && format !== 'kickstart') {
    throw new RemasterError('INSTALL_UNSUPPORTED', `%include is a kickstart directive; a ${format} has no place for ${(options.includes ?? []).join(', ')}`);
  }
  if (format === 'preseed') {
    const text = renderPreseed(template, vars, { ...file, ...salt, ...scripts, partman: partition, hashPasswords: options.hashPasswords !== false });
    return { format, dialect: options.dialect, files: [{ name: names[0] as string, text }] };
  }
  if (format === 'autoinstall') {
    const r = renderAutoinstall(template, vars, { ...file, ...salt, ...scripts, earlyFirst: partition, hashPasswords: options.hashPasswords !== false });
    return { format, dialect: options.dialect, files: [{ name: 'user-data', text: r.userData }, { name: 'meta-data', text: r.metaData }] };
  }
  const dialect = kickstartDialectOf(options.dialect);
  let ks = parseKickstart(renderTemplate(template, vars, file), file);
  ks = injectIncludes(ks, options.includes ?? [], 'install.raid');
  ks = kickstartScripts(ks, 'pre', partition, dialect, 'first');
  ks = kickstartScripts(ks, 'pre', scripts.early, dialect);
  ks = kickstartScripts(ks, 'post', scripts.late, dialect);
  if (options.hashPasswords !== false) ks = securePasswords(ks, salt);
  return { format, dialect: options.dialect, files: [{ name: names[0] as string, text: renderKickstart(ks, { dialect }) }], kickstart: ks };
}
