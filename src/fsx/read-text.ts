/**
 * readTextFile(): the CLI's way to read a text input (kickstart, template,
 * script) through the library, so commands stay free of node:fs.
 */
import { readFile } from 'node:fs/promises';
import { RemasterError } from '../errors.ts';

/** Read a UTF-8 text file; throw INPUT_NOT_FOUND naming the file when it cannot be read. */
export async function readTextFile(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : code === 'EACCES' ? 'permission denied' : `cannot read (${code ?? String(err)})`;
    throw new RemasterError('INPUT_NOT_FOUND', why, { file: path }, { cause: err });
  }
}
