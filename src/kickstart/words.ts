/**
 * Shell-like word splitting for kickstart command lines, as pykickstart does
 * with `shlex.split(line, comments=True)` (POSIX mode): single quotes are
 * literal, double quotes allow `\"` and `\\`, a backslash outside quotes
 * escapes the next character, and `#` at the start of a word begins a comment.
 */

/** Result of splitting one logical command line. */
export interface SplitWords {
  words: string[];
  /** Trailing comment with the whitespace before it, if any. */
  comment?: string;
  /** Set when a quote is not closed. */
  error?: string;
}

const PLAIN_WORD = /^[A-Za-z0-9_@%+=:,./-]+$/u;

/** Split a command line into words. */
export function splitWords(text: string): SplitWords {
  const words: string[] = [];
  let word: string | undefined;
  let quote: '' | "'" | '"' = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i] as string;
    if (quote === "'") {
      if (c === "'") quote = '';
      else word = (word ?? '') + c;
    } else if (quote === '"') {
      if (c === '"') quote = '';
      else if (c === '\\' && (text[i + 1] === '"' || text[i + 1] === '\\')) word = (word ?? '') + (text[++i] as string);
      else word = (word ?? '') + c;
    } else if (c === ' ' || c === '\t' || c === '\r' || c === '\n') {
      if (word !== undefined) words.push(word);
      word = undefined;
    } else if (c === '#' && word === undefined) {
      let start = i;
      while (start > 0 && /\s/u.test(text[start - 1] as string)) start--;
      return { words, comment: text.slice(start).replace(/\r?\n$/u, '') };
    } else if (c === '\\') {
      word = (word ?? '') + (text[i + 1] ?? '');
      i++;
    } else if (c === "'" || c === '"') {
      quote = c;
      word ??= '';
    } else {
      word = (word ?? '') + c;
    }
  }
  if (quote) return { words, error: `unterminated ${quote === '"' ? 'double' : 'single'} quote` };
  if (word !== undefined) words.push(word);
  return { words };
}

/** Quote one word so splitWords() returns it unchanged; `--opt=value` keeps the option bare. */
export function quoteWord(word: string): string {
  if (PLAIN_WORD.test(word)) return word;
  const opt = /^(--[A-Za-z0-9-]+=)(.*)$/su.exec(word);
  if (opt) return `${opt[1]}${quoteWord(opt[2] as string)}`;
  return `'${word.replaceAll("'", `'\\''`)}'`;
}

/** Join words into a command line, quoting where needed. */
export function joinWords(words: readonly string[]): string {
  return words.map(quoteWord).join(' ');
}
