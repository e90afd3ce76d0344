export { KICKSTART_DIALECTS, KNOWN_SECTIONS, dialectRank, endPolicy, isKickstartDialect } from './types.ts';
export type {
  EndPolicy, Kickstart, KickstartBlank, KickstartCommand, KickstartComment, KickstartDialect, KickstartInclude, KickstartNode,
  KickstartSection, KickstartStrayEnd,
} from './types.ts';
export { joinWords, quoteWord, splitWords, type SplitWords } from './words.ts';
export { parseKickstart, type ParseKickstartOptions } from './parse.ts';
export { formatCommand, formatSectionHeader, renderKickstart, type RenderKickstartOptions } from './render.ts';
export { renderTemplate, templateVariables, type RenderTemplateOptions } from './template.ts';
export { injectIncludes, injectScript, scriptHeaderArgs, type InjectScriptOptions } from './inject.ts';
export { explainKickstart, type ExplainedLine, type ExplainKickstartOptions } from './explain.ts';
export { scriptOptionsFor, sectionsFor, type ScriptSection } from './sections.ts';
export { KICKSEED_COMMANDS, KNOWN_COMMANDS, commandStatus, type CommandStatus } from './commands.ts';
export { failsValidator, formatLintIssue, hasLintErrors, lintKickstart, lintKickstartText } from './lint.ts';
export { lintKind } from './lint-types.ts';
export type { LintCode, LintIssue, LintKickstartOptions, LintKind, LintSeverity } from './lint-types.ts';
export { lintBootArgs, type LintBootArgsOptions } from './boot-args.ts';
export { hashPassword, randomSalt, securePasswords, type HashPasswordOptions, type SecurePasswordsOptions } from './password.ts';
export { renderKickstartSkeleton, type KickstartSkeletonOptions } from './skeleton.ts';
export { detectDialect } from './detect.ts';
export { expandKsappend, ksappendLocations, type KsappendResult } from './ksappend.ts';
