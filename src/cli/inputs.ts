/** Map command-line input names to library sources. */
import { fileRangeSource, type FileRangeSource } from '../index.ts';

/** Open an initrd named on the command line. */
export function initrdSource(spec: string): FileRangeSource {
  return fileRangeSource(spec);
}
