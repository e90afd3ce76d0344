/** `--help` text shared by commands: an "Examples:" block after the options. */

/** Return an "Examples:" section, one command line per example (with an optional `# comment`). */
export function examplesText(...examples: string[]): string {
  return `\nExamples:\n${examples.map((e) => `  ${e}`).join('\n')}`;
}
