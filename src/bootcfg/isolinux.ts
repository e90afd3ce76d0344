/**
 * Editor for ISOLINUX/SYSLINUX/PXELINUX configs (syslinux doc/syslinux.txt;
 * reference 07 §1.3): every `APPEND` line's kernel command line is edited;
 * `initrd=` stays where it was (first on installer media) because additions
 * go at the end, before any `--`/`---`. `APPEND -` (no options) is edited
 * as empty. Keywords are case-insensitive; indentation is kept.
 */
import { alterCmdline, parseCmdline, renderCmdline } from './cmdline.ts';
import { editLines, rewriteLabel, type BootConfigEdit, type EditConfigOptions, type EditConfigResult } from './edit.ts';

const APPEND_LINE = /^(\s*append)(\s+)(.*?)(\s*)$/iu;

function editAppend(line: string, edit: BootConfigEdit): { line: string; isMatch: boolean } {
  const m = APPEND_LINE.exec(line);
  const labelled = edit.label ? rewriteLabel(line, edit.label) : line;
  if (!m || !edit.kernelArgs) return { line: labelled, isMatch: m !== null };
  const [, keyword, space, rest, trail] = m as unknown as [string, string, string, string, string];
  const before = (edit.label ? rewriteLabel(rest, edit.label) : rest).trim();
  const args = alterCmdline(parseCmdline(before === '-' ? '' : before), edit.kernelArgs);
  const after = renderCmdline(args);
  if (after === before || (after === '' && before === '-')) return { line: labelled, isMatch: true };
  return { line: `${keyword}${space}${after === '' ? '-' : after}${trail}`, isMatch: true };
}

/** Edit every `append` line of an isolinux config and rewrite label references. */
export function editIsolinuxConfig(text: string, edit: BootConfigEdit, options: EditConfigOptions = {}): EditConfigResult {
  return editLines(text, (line) => editAppend(line, edit), 'append', options);
}
