/**
 * bootConfigEditor(): one function that edits any boot config by kind, in
 * the shape rebuildIso() takes as `editConfig` (the ISO code knows boot
 * configs only as text it hands to this callback, STYLE.md §1.3).
 */
import type { WarnOptions, WarningHandler } from '../errors.ts';
import type { CmdlineEdit } from './cmdline.ts';
import type { EditConfigResult } from './edit.ts';
import { editGrubConfig } from './grub.ts';
import { editIsolinuxConfig } from './isolinux.ts';

/** Where a config lives and what the image is called now. */
export interface BootConfigContext {
  /** Path of the config (inside the ISO, or `efiboot.img:/EFI/BOOT/grub.cfg`). */
  path: string;
  kind: 'isolinux' | 'grub';
  /** Current volume label. */
  label: string;
  /** Receives this file's warnings instead of the editor's own handler. */
  onWarning?: WarningHandler;
  /** The config the boot loader reads first (gets missing timeout/default lines). */
  isPrimary?: boolean;
}

/** Edits a boot config given its context. */
export type BootConfigEditFn = (text: string, context: BootConfigContext) => EditConfigResult;

/** What bootConfigEditor changes. */
export interface BootConfigChange {
  kernelArgs?: CmdlineEdit;
  volumeLabel?: string;
  timeoutSeconds?: number;
  defaultEntry?: string;
  defaultKernel?: string;
}

/** Return an editor that applies kernel-argument changes, a menu timeout, a default entry and an optional new volume label. */
export function bootConfigEditor(edit: BootConfigChange, options: WarnOptions = {}): BootConfigEditFn {
  return (text, context) => {
    const label = edit.volumeLabel !== undefined && edit.volumeLabel !== context.label ? { from: context.label, to: edit.volumeLabel } : undefined;
    const change = {
      ...(edit.kernelArgs ? { kernelArgs: edit.kernelArgs } : {}), ...(label ? { label } : {}),
      ...(edit.timeoutSeconds !== undefined ? { timeoutSeconds: edit.timeoutSeconds } : {}), ...(edit.defaultEntry !== undefined ? { defaultEntry: edit.defaultEntry } : {}),
      ...(edit.defaultKernel !== undefined ? { defaultKernel: edit.defaultKernel } : {}),
    };
    const opts = { ...options, ...(context.onWarning ? { onWarning: context.onWarning } : {}), file: context.path, ...(context.isPrimary ? { isPrimary: true } : {}) };
    return context.kind === 'isolinux' ? editIsolinuxConfig(text, change, opts) : editGrubConfig(text, change, opts);
  };
}
