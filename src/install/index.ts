export { composeInstall, installNeeds, parseSnippets, shellValue, INSTALL_PATHS, type ComposedInstall, type ComposeInstallOptions, type InstallFormat, type InstallNeed, type InstallScript } from './compose.ts';
export { injectInstallEnv, installEnvCommand, installEnvScript, renderInstallEnv, type InstallEnv } from './env.ts';
export { comparisonTest, parseSize, requireRules, type RequirePolicy } from './policy.ts';
export { bootstrapSchema, installSchema, raidSchema, requireSchema, RAID_MIN_DISKS, type BootstrapSpec, type InstallSpec, type RaidSpec } from './schema.ts';
export { parseSnippet, SNIPPET_NAMES, type Snippet, type SnippetName } from './snippet.ts';
