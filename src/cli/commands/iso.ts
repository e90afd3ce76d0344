/**
 * `remaster iso <verb>`: inspect, ls, cat, extract, rebuild and diff installer ISOs.
 * Each verb lives in its own iso-*.ts file; this one groups them and holds
 * the shared "open and read an ISO" step.
 */
import type { Command } from 'commander';
import { openFileSource, readIso, withContext, type BlockSource, type IsoImage } from '../../engine.ts';
import type { CliContext } from '../context.ts';
import { warner } from '../warnings.ts';
import { registerIsoDiff } from './iso-diff.ts';
import { registerIsoExtract } from './iso-extract.ts';
import { registerIsoInspect } from './iso-inspect.ts';
import { registerIsoCat, registerIsoLs } from './iso-ls.ts';
import { registerIsoRebuild } from './iso-rebuild.ts';

/** Open `file` and read its metadata; run `use`, then close the file. */
export async function withIso<T>(cli: CliContext, file: string, strict: boolean, use: (source: BlockSource, image: IsoImage) => Promise<T>): Promise<T> {
  const source = await openFileSource(file);
  try {
    const image = await readIso(source, { onWarning: warner(cli, file), ...(strict ? { strict } : {}) });
    return await use(source, image);
  } catch (err) {
    throw withContext(err, { file });
  } finally {
    await source.close();
  }
}

/** Register `iso` and its subcommands. */
export function registerIso(program: Command, cli: CliContext): void {
  const iso = program.command('iso').description('read and rebuild installer ISO images (El Torito, hybrid MBR/GPT) without root');
  registerIsoInspect(iso, program, cli);
  registerIsoLs(iso, program, cli);
  registerIsoCat(iso, program, cli);
  registerIsoExtract(iso, program, cli);
  registerIsoRebuild(iso, program, cli);
  registerIsoDiff(iso, program, cli);
}
