/**
 * Printing lint results for `ks lint` and `answers lint`: one
 * `file:line: severity: message [CODE]` line per issue (or JSON), then a
 * RemasterError summarising the files with errors so the CLI exits 1.
 */
import { RemasterError } from '../engine.ts';

/** A finding of any answer format. */
export interface ReportedIssue {
  line: number;
  severity: 'error' | 'warning';
  code: string;
  kind: string;
  message: string;
}
import { write, type CliContext } from './context.ts';

/** The issues of one linted file. */
export interface LintedFile {
  file: string;
  dialect: string;
  issues: readonly ReportedIssue[];
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

function summary(r: LintedFile): string {
  const errors = r.issues.filter((i) => i.severity === 'error');
  const stalls = errors.filter((i) => i.kind === 'unattended').length;
  const detail = stalls > 0 ? ` (${stalls} would stall an unattended install)` : '';
  return `${plural(errors.length, 'error')}${detail}, ${plural(r.issues.length - errors.length, 'warning')} for ${r.dialect}`;
}

/** Print every file's issues; throw when any file has errors. */
export async function reportLint(cli: CliContext, results: readonly LintedFile[], json: boolean): Promise<void> {
  if (json) {
    const body = results.length === 1 ? results[0] : results;
    await write(cli.stdout, `${JSON.stringify(body, null, 2)}\n`);
  } else {
    for (const r of results) for (const i of r.issues) await write(cli.stdout, `${r.file}:${i.line}: ${i.severity}: ${i.message} [${i.code}]\n`);
  }
  const failed = results.filter((r) => r.issues.some((i) => i.severity === 'error'));
  if (failed.length === 1 && results.length === 1) {
    throw new RemasterError('KICKSTART_SYNTAX', summary(failed[0] as LintedFile), { file: (failed[0] as LintedFile).file });
  }
  if (failed.length > 0) {
    const lines = failed.map((r) => `${r.file}: ${summary(r)}`);
    throw new RemasterError('KICKSTART_SYNTAX', `${failed.length} of ${results.length} files have errors:\n  ${lines.join('\n  ')}`);
  }
}
