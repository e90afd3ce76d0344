export { AUTOINSTALL_SCHEMA } from './schema.ts';
export { lintAutoinstall, type AutoinstallIssue, type LintAutoinstallOptions } from './lint.ts';
export { renderAutoinstall, type AutoinstallFiles, type RenderAutoinstallOptions } from './render.ts';
export { AUTOINSTALL_LAYOUTS, checkAutoinstallStorage, type StorageFinding } from './storage.ts';
