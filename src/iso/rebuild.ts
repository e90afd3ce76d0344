/**
 * rebuildIso(): remaster an installer ISO the way mkksiso does (reference 03
 * §8–§10): read it with our reader, find the boot configs and every
 * hard-linked copy of replaced files, edit the configs as text (in the ISO
 * and inside the El Torito EFI FAT image, via mtools: a file of the ISO on
 * layout A, an appended GPT/MBR partition on layout B), then let xorriso
 * replay the boot setup around `-update`/`-map` of just those files. The
 * result is written inside a work directory next to the output and renamed
 * into place, so a failure never leaves a half-written image.
 *
 * The ISO code stays free of file I/O and of boot-config syntax (STYLE.md
 * §1.3): the caller passes `createWorkdir` (fsx's createIsoWorkdir) and
 * `editConfig` (bootcfg's bootConfigEditor).
 */
import { resolve } from 'node:path';
import { emitWarning, isRemasterError, makeWarning, RemasterError, withContext, type Warning, type WarningHandler, type WarnOptions } from '../errors.ts';
import { openFileSource, type BlockSource } from '../io/block-source.ts';
import { listFatConfigs, readFatText, writeFatFile } from './fat-image.ts';
import type { IsoImage } from './iso-image.ts';
import { detectLayout, type InstallerLayout, type ListBootEntries } from './layout.ts';
import { readIsoFile, readIsoText } from './read-iso-file.ts';
import { readIso } from './read-iso.ts';
import { ownerOf, planAdditions, type AppendedPartitionFile, planReplacements, xorrisoArgs, type IsoFileMapping, type IsoFileOwner, type PlannedReplacement } from './rebuild-plan.ts';
import { ISO_SECTOR_SIZE } from './volume-descriptor.ts';
import { runTool, runXorriso } from './xorriso.ts';

/** Scratch space for a rebuild (implemented by fsx's createIsoWorkdir). */
export interface IsoRebuildWorkdir {
  readonly path: string;
  writeFile(name: string, data: string | Uint8Array | AsyncIterable<Uint8Array>): Promise<string>;
  publish(from: string, target: string): Promise<void>;
  remove(): Promise<void>;
}

/** Edits one boot config's text (bootcfg's bootConfigEditor returns one). */
export type IsoConfigEditor = (
  text: string,
  context: { path: string; kind: 'isolinux' | 'grub'; label: string; onWarning?: WarningHandler; isPrimary?: boolean },
) => { text: string; changes: number; edited?: string[]; skipped?: string[]; defaultMatched?: boolean };

/** Options for rebuildIso(). */
export interface RebuildIsoOptions extends WarnOptions {
  input: string;
  output: string;
  /** Existing files to overwrite; every hard-linked copy is replaced too. */
  replace?: IsoFileMapping[];
  /** New files. */
  add?: IsoFileMapping[];
  /** Applied to every boot config (ISO and EFI image); omit to leave configs alone. */
  editConfig?: IsoConfigEditor;
  /** Boot-menu parser for media of no known layout (bootcfg's listLinuxEntries; see detectLayout). */
  listEntries?: ListBootEntries;
  /** `editConfig` makes a default entry, described so (`"install"`, `that loads /linux`): refused when no config has it. */
  requireDefault?: string;
  /** New volume label; the configs' references follow only through `editConfig`. */
  volumeLabel?: string;
  /** Create the work directory next to `near` (the output). */
  createWorkdir: (options: { near: string }) => Promise<IsoRebuildWorkdir>;
  signal?: AbortSignal;
}

/** A boot config that was looked at; `path` is `image:inner` for files inside the EFI image. */
export interface RebuiltConfig {
  path: string;
  changes: number;
  /** Entries whose kernel command line was edited. */
  edited: string[];
  /** Entries with a kernel line that is not a Linux kernel with an initrd, left alone. */
  skipped: string[];
}

/** What rebuildIso() did. */
export interface RebuildIsoResult {
  output: string;
  volumeLabel: string;
  layout: InstallerLayout;
  replaced: PlannedReplacement[];
  added: IsoFileMapping[];
  configs: RebuiltConfig[];
  /** `implanted`: a fresh implantisomd5 ran; `dropped`: the input had one and it could not be redone. */
  md5: 'none' | 'implanted' | 'dropped';
  /** The xorriso arguments used (work paths included). */
  xorrisoArgs: string[];
}

interface RebuildState {
  options: RebuildIsoOptions;
  source: BlockSource;
  image: IsoImage;
  layout: InstallerLayout;
  workdir: IsoRebuildWorkdir;
  replaced: PlannedReplacement[];
  updates: (IsoFileMapping & { owner?: IsoFileOwner })[];
  /** Edited appended partitions (layout B EFI image). */
  appendPartitions: AppendedPartitionFile[];
  configs: RebuiltConfig[];
  /** Configs without any kernel line (editor warnings held back). */
  unmatched: Warning[];
  /** Whether some config has the requested default entry. */
  hasDefault: boolean;
}

/** Offset of the PVD Application Use field, where implantisomd5 writes (reference 03 §9). */
const PVD_APPLICATION_USE = 16 * ISO_SECTOR_SIZE + 883;

/** Rebuild `input` into `output` with replaced and added files and edited boot configs. */
export async function rebuildIso(options: RebuildIsoOptions): Promise<RebuildIsoResult> {
  if (resolve(options.input) === resolve(options.output)) throw new RemasterError('USAGE', 'the output must be a different file than the input', { file: options.output });
  const source = await openFileSource(options.input);
  let workdir: IsoRebuildWorkdir | undefined;
  try {
    const image = await readIso(source, options);
    const layout = await detectLayout(image, (p) => readIsoText(source, image, p), options.listEntries ? { listEntries: options.listEntries } : {});
    const replaced = planReplacements(image, options.replace ?? []);
    const added = planAdditions(image, options.add ?? []);
    workdir = await options.createWorkdir({ near: options.output });
    const state: RebuildState = { options, source, image, layout, workdir, replaced, updates: [...replaced], appendPartitions: [], configs: [], unmatched: [], hasDefault: false };
    if (options.editConfig) {
      await editIsoConfigs(state, options.editConfig);
      await editEfiImage(state, options.editConfig);
      reportUnmatched(state);
      checkDefault(state);
    }
    const hadMd5 = await hasImplantedMd5(source);
    const tmpOut = `${workdir.path}/output.iso`;
    const args = xorrisoArgs({
      input: options.input, output: tmpOut, updates: state.updates, maps: added, appendPartitions: state.appendPartitions,
      ...(options.volumeLabel !== undefined ? { volumeLabel: options.volumeLabel } : {}),
      needsIsoLevel3: [...image.walk()].some((n) => n.extents.length > 1),
    });
    await runXorriso(args, options.signal ? { signal: options.signal } : {}).catch((err: unknown) => {
      // xorriso reports a full disk in its own words; it is the user's disk, not a tool failure
      if (isRemasterError(err, 'TOOL_FAILED') && /no space left on device|disk full/iu.test(err.detail)) {
        throw new RemasterError('DISK_FULL', `write: no space left on device (xorriso writing the new image); free some space and run the command again`, { file: options.output }, { cause: err });
      }
      throw err;
    });
    const md5 = hadMd5 ? await implantMd5(tmpOut, options) : 'none';
    await workdir.publish(tmpOut, options.output);
    return { output: options.output, volumeLabel: options.volumeLabel ?? image.volume.label, layout, replaced, added, configs: state.configs, md5, xorrisoArgs: args };
  } catch (err) {
    throw withContext(err, { file: options.input });
  } finally {
    await source.close();
    await workdir?.remove();
  }
}

function warn(state: RebuildState, code: Warning['code'], detail: string, entry?: string): void {
  emitWarning(state.options, makeWarning(code, detail, { file: state.options.input, ...(entry !== undefined ? { entry } : {}) }));
}

function isReplaced(state: RebuildState, path: string): boolean {
  if (!state.replaced.some((r) => r.isoPath === path)) return false;
  warn(state, 'EDIT_CONFLICT', 'boot config is replaced by a host file; not editing it', path);
  return true;
}

/** Run the editor on one text; hold back "no kernel line" warnings, pass others on. */
function runEditor(state: RebuildState, edit: IsoConfigEditor, text: string, path: string, kind: 'isolinux' | 'grub', isPrimary = false): { text: string; changes: number } {
  const onWarning = (w: Warning): void => {
    if (w.code === 'ENTRY_NOT_FOUND') state.unmatched.push(w);
    else emitWarning(state.options, w);
  };
  const result = edit(text, { path, kind, label: state.image.volume.label, onWarning, ...(isPrimary ? { isPrimary } : {}) });
  state.configs.push({ path, changes: result.changes, edited: result.edited ?? [], skipped: result.skipped ?? [] });
  state.hasDefault ||= result.defaultMatched === true;
  return result;
}

/** Edit the boot configs stored as files of the image. */
async function editIsoConfigs(state: RebuildState, edit: IsoConfigEditor): Promise<void> {
  let n = 0;
  for (const c of state.layout.bootConfigs) {
    if (c.kind === 'grub-efi-image' || isReplaced(state, c.path)) continue;
    state.options.signal?.throwIfAborted();
    const text = await readIsoText(state.source, state.image, c.path);
    if (text === undefined) continue;
    const result = runEditor(state, edit, text, c.path, c.kind, c.isPrimary === true);
    if (result.changes === 0) continue;
    const host = await state.workdir.writeFile(`config-${++n}`, result.text);
    const node = state.image.lookup(c.path);
    state.updates.push({ hostPath: host, isoPath: c.path, ...(node ? { owner: ownerOf(node) } : {}) });
  }
}

/** Edit the GRUB configs inside the El Torito EFI image: a file (layout A) or an appended partition (layout B). */
async function editEfiImage(state: RebuildState, edit: IsoConfigEditor): Promise<void> {
  const path = state.layout.efiImage;
  const node = path === undefined ? undefined : state.image.lookup(path);
  if (path === undefined || node?.type !== 'file') {
    await editEfiPartition(state, edit);
    return;
  }
  if (isReplaced(state, path)) return;
  // Layout A: replace the file (every hard link), never append a partition (reference 03 §10 caveat).
  const host = await state.workdir.writeFile('efiboot.img', readIsoFile(state.source, node));
  if (!(await editFatConfigs(state, edit, host, path))) return;
  for (const n of [node, ...state.image.hardLinks(node)]) state.updates.push({ hostPath: host, isoPath: n.path, owner: ownerOf(n) });
}

/**
 * Layout B (reference 03 §7, §10): the EFI image is partition N appended
 * after the ISO volume. Copy its bytes, edit the copy, and have xorriso
 * write the copy as partition N after replaying the boot setup; the El
 * Torito EFI entry (`--interval:appended_partition_N…`) follows it.
 */
async function editEfiPartition(state: RebuildState, edit: IsoConfigEditor): Promise<void> {
  const part = state.layout.efiPartition;
  if (part === undefined) {
    const hasEfi = state.image.bootCatalog?.entries.some((e) => e.platform === 'efi') ?? false;
    if (hasEfi) warn(state, 'ENTRY_NOT_FOUND', 'the EFI boot image is neither a file nor an appended partition of the image; its grub.cfg was not edited and is replayed unchanged');
    return;
  }
  const offset = part.start * 512;
  const length = part.sectors * 512;
  if (offset + length > state.source.size) {
    warn(state, 'ENTRY_NOT_FOUND', `appended EFI partition ${part.index} runs past the end of the file; its grub.cfg was not edited and is replayed unchanged`);
    return;
  }
  const label = `appended_partition_${part.index}`;
  const host = await state.workdir.writeFile('efi-partition.img', readRange(state.source, offset, length, state.options.signal));
  if (!(await editFatConfigs(state, edit, host, label))) return;
  state.appendPartitions.push({ index: part.index, typeCode: part.typeCode, hostPath: host });
}

/** Bytes read per step when copying an appended partition out of the image. */
const COPY_CHUNK = 1 << 20;

async function* readRange(source: BlockSource, offset: number, length: number, signal?: AbortSignal): AsyncGenerator<Uint8Array> {
  for (let at = 0; at < length; at += COPY_CHUNK) {
    signal?.throwIfAborted();
    yield await source.read(offset + at, Math.min(COPY_CHUNK, length - at));
  }
}

/** Edit the GRUB configs of a FAT image copy in place; return how many changed (0 when mtools is missing, with a warning). */
async function editFatConfigs(state: RebuildState, edit: IsoConfigEditor, host: string, label: string): Promise<number> {
  let changed = 0;
  try {
    const inner = await listFatConfigs(host, runOptions(state));
    for (const [i, p] of inner.entries()) {
      const result = runEditor(state, edit, await readFatText(host, p, runOptions(state)), `${label}:${p}`, 'grub');
      if (result.changes === 0) continue;
      await writeFatFile(host, p, await state.workdir.writeFile(`efi-config-${i}`, result.text), runOptions(state));
      changed++;
    }
  } catch (err) {
    if (!(err instanceof RemasterError) || err.code !== 'TOOL_MISSING') throw err;
    warn(state, 'TOOL_MISSING', `cannot edit the configs inside the EFI image: ${err.detail}`, label);
    return 0;
  }
  return changed;
}

function runOptions(state: RebuildState): { signal?: AbortSignal } {
  return state.options.signal ? { signal: state.options.signal } : {};
}

/** Warn once when kernel arguments were to be edited and no boot config has a Linux entry. */
function reportUnmatched(state: RebuildState): void {
  if (state.configs.length === 0) {
    warn(state, 'ENTRY_NOT_FOUND', 'no boot config found in the image (ISOLINUX search order from the El Torito image, /boot/grub, /boot/grub2, /EFI, the EFI image); nothing was edited');
    return;
  }
  if (state.unmatched.length === 0 || state.configs.some((c) => c.edited.length > 0)) return;
  const names = state.configs.map((c) => c.path).join(', ');
  warn(state, 'ENTRY_NOT_FOUND', `no boot entry loads a Linux kernel with an initrd, so no kernel command line was edited (looked at: ${names})`);
}

/** Refuse a default entry that no boot config has (nothing is written). */
function checkDefault(state: RebuildState): void {
  const wanted = state.options.requireDefault;
  if (wanted === undefined || state.hasDefault) return;
  throw new RemasterError('ENTRY_NOT_FOUND', `no boot menu has an entry ${wanted} to make the default`, { file: state.options.input });
}

/** Return true when the PVD Application Use field holds an implanted MD5 (implantisomd5). */
export async function hasImplantedMd5(source: BlockSource): Promise<boolean> {
  if (source.size < PVD_APPLICATION_USE + 512) return false;
  const field = new TextDecoder('latin1').decode(await source.read(PVD_APPLICATION_USE, 512));
  return field.startsWith('ISO MD5SUM = ');
}

async function implantMd5(iso: string, options: RebuildIsoOptions): Promise<'implanted' | 'dropped'> {
  try {
    await runTool('implantisomd5', ['--force', iso], options.signal ? { signal: options.signal } : {});
    return 'implanted';
  } catch (err) {
    if (!(err instanceof RemasterError) || err.code !== 'TOOL_MISSING') throw err;
    emitWarning(options, makeWarning('TOOL_MISSING', `the input had an implanted MD5 (media check) but ${err.detail}; the output has none and rd.live.check will fail`, { file: options.output }));
    return 'dropped';
  }
}
