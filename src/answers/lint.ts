/**
 * lintAnswers(): one entry point for every format; the dialect picks the
 * linter. Issues share one shape (`file:line: severity: message [CODE]`),
 * with the kinds of the kickstart lint: `syntax` (the installer's own
 * rules), `unattended` (the install would stop and wait), `advice`.
 */
import { lintKickstartText } from '../kickstart/index.ts';
import { lintPreseed, parsePreseed } from '../preseed/index.ts';
import { lintAutoinstall } from '../autoinstall/index.ts';
import { answerFormat, kickstartDialectOf, type AnswerDialect } from './dialect.ts';

/** One finding of any format. */
export interface AnswerIssue {
  line: number;
  severity: 'error' | 'warning';
  code: string;
  kind: 'syntax' | 'unattended' | 'advice';
  message: string;
}

/** Options for lintAnswers. */
export interface LintAnswersOptions {
  dialect: AnswerDialect;
  file?: string;
  /** Plaintext passwords become errors. */
  strict?: boolean;
  /** Check that the install runs without a person (default true). */
  unattended?: boolean;
  /** Kickstart only: the kernel command line it boots with. */
  bootArgs?: string;
}

/** Lint answer-file text for a dialect. */
export function lintAnswers(text: string, options: LintAnswersOptions): AnswerIssue[] {
  const common = { ...(options.strict !== undefined ? { strict: options.strict } : {}), ...(options.unattended !== undefined ? { unattended: options.unattended } : {}) };
  const format = answerFormat(options.dialect);
  if (format === 'kickstart') {
    return lintKickstartText(text, {
      dialect: kickstartDialectOf(options.dialect), ...common,
      ...(options.file !== undefined ? { file: options.file } : {}), ...(options.bootArgs !== undefined ? { bootArgs: options.bootArgs } : {}),
    });
  }
  if (format === 'preseed') return lintPreseed(parsePreseed(text), common);
  return lintAutoinstall(text, common.unattended !== undefined ? { unattended: common.unattended } : {});
}
