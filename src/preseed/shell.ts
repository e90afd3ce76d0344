/**
 * The shell side of preseed commands: d-i runs `preseed/early_command`,
 * `partman/early_command` and `preseed/late_command` with `sh -c "$value"`
 * (bin/preseed_command in the installer initrd), so a value must be one
 * well-formed POSIX shell command line (XCU 2.2 quoting), and a script
 * carried into it must survive as data.
 */

/**
 * cdebconf turns `\n` (a backslash, then n) in a value into a line break
 * (strutl.c strunescape, on SET and when it reads its database back), and a
 * value with a line break ends the confmodule protocol line: a command is
 * cut there and the next debconf reply is misread (seen under QEMU:
 * `/bin/preseed_command: return: line 46: Illegal number: '`, and the
 * early_command never ran). Other backslashes pass unchanged. Write the two
 * apart inside a single-quoted word by closing and reopening the quote
 * between them: `'a\nb'` becomes `'a\''nb'`, which sh reads as the same word.
 */
export function splitBackslashN(quoted: string): string {
  return quoted.replaceAll('\\n', "\\''n");
}

/** Quote a word for POSIX sh: single quotes, with `'` written as `'\''`. */
export function shellQuote(word: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/u.test(word) ? word : `'${word.replaceAll("'", `'\\''`)}'`;
}

/** Return what is wrong with the quoting of a shell command line, or undefined when it is well formed. */
export function shellQuotingProblem(command: string): string | undefined {
  let quote: '' | "'" | '"' | '`' = '';
  let start = 0;
  for (let i = 0; i < command.length; i++) {
    const c = command[i] as string;
    if (quote === "'") {
      if (c === "'") quote = '';
    } else if (c === '\\') {
      if (i + 1 >= command.length) return 'ends with a backslash, which escapes nothing';
      i++;
    } else if (quote === '"' || quote === '`') {
      if (c === quote) quote = '';
    } else if (c === "'" || c === '"' || c === '`') {
      quote = c;
      start = i;
    }
  }
  if (quote === '') return undefined;
  const name = quote === "'" ? 'single quote' : quote === '"' ? 'double quote' : 'backquote';
  return `the ${name} at column ${start + 1} is never closed`;
}
