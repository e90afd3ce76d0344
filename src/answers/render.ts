/**
 * renderAnswers(): one host's answer files from a template, for any
 * dialect: kickstart (`ks.cfg`: %pre/%post injected, passwords hashed,
 * `%end` by release), preseed (`preseed.cfg`: early/late commands,
 * `-crypted` passwords), autoinstall (`user-data` + `meta-data`). Pure, so
 * the build, `answers render` and a per-host server call the same function.
 */
import {
  injectScript, parseKickstart, renderKickstart, renderTemplate, securePasswords, type Kickstart,
} from '../kickstart/index.ts';
import { renderPreseed, splitShebang, type PreseedScript } from '../preseed/index.ts';
import { renderAutoinstall } from '../autoinstall/index.ts';
import { answerFileNames, answerFormat, kickstartDialectOf, type AnswerDialect, type AnswerFormat } from './dialect.ts';

/** A script carried into %pre/%post, early_command/late_command or early-/late-commands. */
export type AnswerScript = PreseedScript & { log?: string };

/** Options for renderAnswers. */
export interface RenderAnswersOptions {
  dialect: AnswerDialect;
  file?: string;
  pre?: readonly AnswerScript[];
  post?: readonly AnswerScript[];
  hashPasswords?: boolean;
  salt?: string;
}

/** Rendered answer files, main file first. */
export interface RenderedAnswers {
  format: AnswerFormat;
  dialect: AnswerDialect;
  files: { name: string; text: string }[];
}

function kickstartScripts(ks: Kickstart, section: 'pre' | 'post', scripts: readonly AnswerScript[], dialect: ReturnType<typeof kickstartDialectOf>): Kickstart {
  let out = ks;
  for (const s of scripts) {
    const { body, interpreter } = splitShebang(s.body, s.interpreter);
    out = injectScript(out, {
      section, body, dialect, ...(interpreter !== undefined ? { interpreter } : {}), ...(s.log !== undefined ? { log: s.log } : {}),
      ...(s.nochroot ? { nochroot: true } : {}), ...(s.erroronfail ? { erroronfail: true } : {}),
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
  if (format === 'preseed') {
    const text = renderPreseed(template, vars, { ...file, ...salt, ...scripts, hashPasswords: options.hashPasswords !== false });
    return { format, dialect: options.dialect, files: [{ name: names[0] as string, text }] };
  }
  if (format === 'autoinstall') {
    const r = renderAutoinstall(template, vars, { ...file, ...salt, ...scripts, hashPasswords: options.hashPasswords !== false });
    return { format, dialect: options.dialect, files: [{ name: 'user-data', text: r.userData }, { name: 'meta-data', text: r.metaData }] };
  }
  const dialect = kickstartDialectOf(options.dialect);
  let ks = parseKickstart(renderTemplate(template, vars, file), file);
  ks = kickstartScripts(ks, 'pre', scripts.early, dialect);
  ks = kickstartScripts(ks, 'post', scripts.late, dialect);
  if (options.hashPasswords !== false) ks = securePasswords(ks, salt);
  return { format, dialect: options.dialect, files: [{ name: names[0] as string, text: renderKickstart(ks, { dialect }) }] };
}
