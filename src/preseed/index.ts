export { PRESEED_TYPES, type Preseed, type PreseedAnswer, type PreseedComment, type PreseedInvalid, type PreseedNode, type PreseedType } from './types.ts';
export { formatAnswer, parsePreseed, renderPreseedModel, type ParsePreseedOptions } from './parse.ts';
export { lintPreseed, type LintPreseedOptions, type PreseedIssue, type PreseedKind, type PreseedSeverity } from './lint.ts';
export { hashPreseedPasswords, renderPreseed, scriptCommand, splitShebang, type PreseedScript, type RenderPreseedOptions } from './render.ts';
export { shellQuote, shellQuotingProblem, splitBackslashN } from './shell.ts';
