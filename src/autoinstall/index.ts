export { AUTOINSTALL_SCHEMA } from './schema.ts';
export { lintAutoinstall, type AutoinstallIssue, type LintAutoinstallOptions } from './lint.ts';
export { renderAutoinstall, type AutoinstallFiles, type RenderAutoinstallOptions } from './render.ts';
