export { ANSWER_DIALECTS, answerFileNames, answerFormat, isAnswerDialect, kickstartDialectOf, type AnswerDialect, type AnswerFormat } from './dialect.ts';
export { lintAnswers, type AnswerIssue, type LintAnswersOptions } from './lint.ts';
export { renderAnswers, type AnswerScript, type RenderAnswersOptions, type RenderedAnswers } from './render.ts';
export { answerBootArgs, type AnswerLocation } from './boot-args.ts';
