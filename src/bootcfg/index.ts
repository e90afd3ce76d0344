export {
  parseCmdline, renderCmdline, alterCmdline, parseArg, splitQuoted, keyFamily, quoteArg, udevEscapeLabel, isEmptyEdit, KERNEL_ARG_ALIASES,
  type KernelArg, type CmdlineEdit,
} from './cmdline.ts';
export { rewriteLabel, type BootConfigEdit, type EditConfigOptions, type EditConfigResult } from './edit.ts';
export { editIsolinuxConfig } from './isolinux.ts';
export { editGrubConfig, splitGrubWords, unescapeGrubWord, escapeGrubWord } from './grub.ts';
export { bootConfigEditor, type BootConfigContext, type BootConfigEditFn, type BootConfigChange } from './editor.ts';
export { parseMenuEntries, listLinuxEntries, type MenuEntry, type MenuKind } from './entries.ts';
