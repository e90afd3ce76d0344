/**
 * Level handling shared by every encoder: out-of-range levels are clamped
 * with a CODEC_LEVEL_CLAMPED warning, as 3cpio does, instead of failing a
 * long build over a typo (strict mode turns the warning into an error).
 */
import { emitWarning, makeWarning, RemasterError } from '../errors.ts';
import type { CodecInfo, CompressOptions } from './codec.ts';

/** Return the level to use: the default when unset, else `level` clamped to the codec's range. */
export function resolveLevel(info: CodecInfo, options: CompressOptions): number {
  const level = options.level ?? info.defaultLevel;
  if (!Number.isInteger(level)) {
    throw new RemasterError('USAGE', `${info.name} level must be an integer, got ${level}`);
  }
  const [min, max] = info.levels;
  const clamped = Math.min(max, Math.max(min, level));
  if (clamped !== level) {
    const detail = `${info.name} level ${level} is outside ${min}..${max}; using ${clamped}`;
    emitWarning(options, makeWarning('CODEC_LEVEL_CLAMPED', detail));
  }
  return clamped;
}

