/**
 * The shell side of install callbacks: a POSIX sh function every injected
 * section defines, and one-line commands for installers whose hooks are
 * single command lines (preseed, autoinstall).
 *
 * Contract (shared with the shipped snippets, snippets/report.sh):
 *   REMASTER_CALLBACK_URL=<base>/cb/<mac>/<secret>   exported
 *   remaster_report <kind> [file]                     POSTs the file (or stdin) to $REMASTER_CALLBACK_URL/<kind>
 * Kinds: pre-started, pre-done, installing, post-done, installed, failed, inventory, log.
 *
 * - curl when the system has it (anaconda's environment does), else
 *   busybox/GNU `wget --post-file`; the body is capped at 256 KiB (its
 *   tail), each attempt at 20 s, three attempts two seconds apart.
 * - It never fails: an install goes on when the server is down (return 0).
 * - Names are prefixed `_rr_` (POSIX sh has no `local`), so a script that
 *   sources it keeps its own variables.
 * busybox 1.35's `wget -T` crashes (SIGSEGV) on a refused connection, so
 * the time bound comes from `timeout` when the system has it.
 */
import { shellQuote } from '../preseed/index.ts';

/** Largest callback body the function sends (its tail), and the server accepts. */
export const CALLBACK_BODY_LIMIT = 256 * 1024;

/** Return the lines that define REMASTER_CALLBACK_URL and remaster_report for one host. */
export function callbackPreamble(callbackUrl: string): string[] {
  return [
    '# remaster serve: install callbacks (remaster_report <kind> [file]); generated',
    `REMASTER_CALLBACK_URL=${shellQuote(callbackUrl)}`,
    'export REMASTER_CALLBACK_URL',
    'remaster_report() {',
    '  _rr_kind=$1',
    '  _rr_body=${TMPDIR:-/tmp}/remaster-report.$$',
    `  if [ -n "\${2:-}" ]; then tail -c ${CALLBACK_BODY_LIMIT} "$2" > "$_rr_body" 2>/dev/null || : > "$_rr_body"`,
    `  else tail -c ${CALLBACK_BODY_LIMIT} > "$_rr_body" 2>/dev/null || : > "$_rr_body"; fi`,
    "  _rr_t=''",
    "  command -v timeout >/dev/null 2>&1 && _rr_t='timeout 20'",
    '  _rr_try=0',
    '  while [ "$_rr_try" -lt 3 ]; do',
    '    _rr_try=$((_rr_try + 1))',
    '    if command -v curl >/dev/null 2>&1; then',
    '      curl -fsS -m 20 -o /dev/null -H \'Content-Type: application/octet-stream\' --data-binary "@$_rr_body" "$REMASTER_CALLBACK_URL/$_rr_kind" >/dev/null 2>&1 && break',
    '    else',
    '      $_rr_t wget -q -O /dev/null --header \'Content-Type: application/octet-stream\' --post-file "$_rr_body" "$REMASTER_CALLBACK_URL/$_rr_kind" >/dev/null 2>&1 && break',
    '    fi',
    '    [ "$_rr_try" -lt 3 ] && sleep 2',
    '  done',
    '  rm -f "$_rr_body"',
    '  return 0',
    '}',
  ];
}

/**
 * Return one shell command line that reports `kind` with an empty body, never failing. A POST like
 * every callback (the server has no GET route for them: a GET would 404); d-i's wget is GNU wget,
 * which posts with --post-data as busybox's does.
 */
export function callbackCommand(callbackUrl: string, kind: string): string {
  const url = shellQuote(`${callbackUrl}/${kind}`);
  return `{ curl -fsS -m 20 -o /dev/null --data-binary '' ${url} || wget -q -O /dev/null --post-data '' ${url}; } >/dev/null 2>&1 || true`;
}

/** Return one shell command line that sends the tails of `logs` as a `failed` report, never failing. */
export function failureCommand(callbackUrl: string, logs: readonly string[], reason: string): string {
  const body = '/tmp/remaster-failed.txt';
  const url = shellQuote(`${callbackUrl}/failed`);
  const tails = logs.map((f) => `[ -r ${shellQuote(f)} ] && { echo ${shellQuote(`==> ${f} <==`)}; tail -c 16384 ${shellQuote(f)}; }`).join('; ');
  return `sh -c ${shellQuote(`{ echo ${shellQuote(`reason: ${reason}`)}; ${tails}; } > ${body} 2>&1; curl -fsS -m 20 -o /dev/null --data-binary @${body} ${url} || wget -q -O /dev/null --post-file ${body} ${url}; true`)} >/dev/null 2>&1 || true`;
}
