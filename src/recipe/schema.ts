/**
 * The recipe format: what to start from (an ISO, explicit kernel + initrd
 * files), an ordered list of steps, and where the build goes. YAML keys use
 * the same camelCase names as the types, so a schema error path such as
 * `steps[2].kernelModules[0]` reads the same in the file and in the code.
 * z.toJSONSchema() publishes the same rules for editors (schema/recipe.schema.json).
 */
import { z } from 'zod';
import { pxeSchema } from '../pxe/schema.ts';
import { isAnswerDialect } from '../answers/index.ts';
import { installSchema } from '../install/index.ts';

const octalMode = z
  .union([z.string().regex(/^0?[0-7]{3,4}$/, 'a mode is an octal string such as "0755"'), z.number().int().min(0).max(0o7777)])
  .describe('permission bits, an octal string such as "0755"');

const imagePath = z.string().min(1).describe('absolute path inside the image, e.g. /usr/sbin/ssacli');
const hostPath = z.string().min(1).describe('path on the build host, relative to the recipe file');

const fileItem = z
  .object({
    from: hostPath.describe('a file or directory on the host; `overlay:<name>` names overlays/<name>/files'),
    to: imagePath,
    mode: octalMode.optional(),
    uid: z.number().int().min(0).optional(),
    gid: z.number().int().min(0).optional(),
  })
  .strict();

const packageRef = z
  .object({
    package: hostPath.describe('a vendor .rpm or .deb'),
    paths: z.array(z.string()).optional().describe('paths (or globs) inside the package; default: everything relevant'),
  })
  .strict();

const moduleItem = z.union([hostPath.describe('a .ko, .ko.xz or .ko.zst file'), packageRef]);

const packageFiles = z
  .object({
    package: hostPath.describe('a vendor .rpm or .deb whose files go into the image at their own paths'),
    paths: z.array(z.string()).optional().describe('paths or globs inside the package (default: every file)'),
    to: z.string().optional().describe('prefix inside the image (default /)'),
  })
  .strict();

export const filesStep = z
  .object({
    files: z.array(z.union([fileItem, packageFiles])).default([]).describe('files, overlay trees and package contents to add (owner root:root unless given)'),
    remove: z.array(z.string().min(1)).optional().describe('image paths or globs (*, **) to remove; needs output.mode rebuild'),
  })
  .strict();

export const kernelModulesStep = z
  .object({
    kernelModules: z.array(moduleItem).min(1).describe('kernel modules to inject'),
    placement: z.string().regex(/^[A-Za-z0-9._-]+(\/[A-Za-z0-9._-]+)*$/).default('updates').describe('directory under lib/modules/<kver>/'),
    load: z.array(z.string()).optional().describe('modules to load at boot (modules-load.d entry)'),
    rundepmod: z.boolean().default(false).describe('create /.rundepmod so Anaconda reruns depmod'),
  })
  .strict();

export const binariesStep = z
  .object({
    binaries: z.array(imagePath).min(1).describe('executables inside the sysroot to install with their shared-library closure'),
    sysroot: z.union([hostPath, packageRef, z.array(packageRef).min(1).describe('packages looked up together, first one first (a tool and its library packages)')])
      .describe('directory, vendor package, or list of packages holding the binaries and their libraries'),
  })
  .strict();

export const firmwareStep = z
  .object({
    firmware: z.array(z.object({ from: hostPath, to: z.string().min(1).describe('name under lib/firmware/') }).strict()).min(1),
  })
  .strict();

export const step = z.union([filesStep, kernelModulesStep, binariesStep, firmwareStep]);

const source = z
  .object({
    iso: hostPath.optional().describe('installer ISO; kernel and initrd are detected unless given as paths inside it'),
    netboot: hostPath.optional().describe('Debian/Ubuntu netboot.tar.gz; kernel and initrd are found by layout unless given as paths inside it'),
    kernel: z.string().optional().describe('kernel file (or path inside the ISO)'),
    initrd: z.string().optional().describe('initrd file (or path inside the ISO)'),
  })
  .strict()
  .refine((s) => s.iso !== undefined || s.netboot !== undefined || s.initrd !== undefined, { message: 'source needs an iso, a netboot tarball or an initrd' })
  .refine((s) => !(s.iso !== undefined && s.netboot !== undefined), { message: 'source takes an iso or a netboot tarball, not both' });

const output = z
  .object({
    dir: hostPath.describe('build directory (replaced atomically)'),
    mode: z.enum(['append', 'rebuild']).default('append'),
    compression: z.enum(['gzip', 'xz', 'lzma', 'zstd', 'lz4', 'bzip2', 'none']).optional().describe('default: as the edited segment'),
    level: z.number().int().optional(),
  })
  .strict();

const script = z.union([
  hostPath.describe('a script file; a #! line becomes --interpreter'),
  z.object({ file: hostPath, interpreter: z.string().optional(), log: z.string().optional(), nochroot: z.boolean().optional(), erroronfail: z.boolean().optional() }).strict(),
]);

export const kickstartSection = z
  .object({
    template: hostPath.describe('kickstart template; {{name}} is replaced from vars'),
    dialect: z.enum(['rhel5', 'rhel6', 'rhel7', 'rhel8', 'rhel9', 'rhel10', 'fedora', 'ubuntu']).default('rhel9'),
    vars: z.record(z.string(), z.string()).default({}),
    pre: z.array(script).optional().describe('%pre scripts to inject'),
    post: z.array(script).optional().describe('%post scripts to inject'),
    hashPasswords: z.boolean().default(true).describe('turn plaintext rootpw/user passwords into SHA-512 crypt hashes'),
  })
  .strict();

export const answersSection = z
  .object({
    template: hostPath.describe('answer-file template (kickstart, preseed or autoinstall user-data); {{name}} is replaced from vars'),
    dialect: z.string().refine(isAnswerDialect, { message: 'expected rhel5…rhel10, fedora, debian[N] or ubuntu[YY.MM]' })
      .describe('target installer: rhel*/fedora → kickstart, debian* → preseed, ubuntu ≥ 20.04 → autoinstall'),
    vars: z.record(z.string(), z.string()).default({}),
    pre: z.array(script).optional().describe('scripts run before the install: %pre, preseed/early_command, early-commands'),
    post: z.array(script).optional().describe('scripts run in the installed system: %post, preseed/late_command, late-commands'),
    hashPasswords: z.boolean().default(true).describe('turn plaintext passwords into SHA-512 crypt hashes'),
    embed: z.boolean().optional().describe('also put the answers inside the initrd (preseed: /preseed.cfg, which d-i loads by itself; default true for preseed)'),
  })
  .strict();

export const installSection = installSchema
  .extend({
    tools: z.array(binariesStep).optional().describe('binaries the snippets need (mdadm, ssacli, storcli64, perccli64), added to the initrd (under updates/ for Anaconda, whose %pre runs in stage 2)'),
    present: z.array(z.string().regex(/^[A-Za-z0-9._+-]+$/u, 'a command name such as mdadm')).optional().describe('binaries the installer already has (Anaconda\'s stage 2 ships mdadm); not checked'),
  })
  .strict();

export const recipeSchema = z
  .object({
    $schema: z.string().optional(),
    name: z.string().min(1).describe('a short name for logs and manifests'),
    description: z.string().optional(),
    source,
    steps: z.array(step).default([]),
    kickstart: kickstartSection.optional().describe('written as ks.cfg next to the kernel and initrd'),
    answers: answersSection.optional().describe('unattended-install answers for any installer, written next to the kernel and initrd (ks.cfg, preseed.cfg, or user-data + meta-data)'),
    install: installSection.optional().describe('one-pass installs: inventory, hardware policy, RAID and configuration-management bootstrap from shipped snippets, composed into the kickstart or answers'),
    pxe: pxeSchema.optional().describe('how `remaster publish <recipe>` publishes the build'),
    output,
  })
  .strict()
  .refine((r) => !(r.kickstart !== undefined && r.answers !== undefined), { message: 'give kickstart: or answers:, not both (answers: covers kickstart too)' })
  .refine((r) => r.install === undefined || r.kickstart !== undefined || r.answers !== undefined, { message: 'needs a kickstart: or answers: section to carry its scripts', path: ['install'] });

export type Recipe = z.infer<typeof recipeSchema>;
export type RecipeStep = z.infer<typeof step>;
export type FilesStep = z.infer<typeof filesStep>;
export type KernelModulesStep = z.infer<typeof kernelModulesStep>;
export type BinariesStep = z.infer<typeof binariesStep>;
export type FirmwareStep = z.infer<typeof firmwareStep>;
export type KickstartSection = z.infer<typeof kickstartSection>;
export type AnswersSection = z.infer<typeof answersSection>;
export type InstallSection = z.infer<typeof installSection>;

/** Return the JSON Schema editors use to complete and validate recipes. */
export function recipeJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(recipeSchema, { io: 'input' }) as Record<string, unknown>;
}

/** Return the kind of a step (its one list key). */
export function stepKind(s: RecipeStep): 'files' | 'kernelModules' | 'binaries' | 'firmware' {
  if ('kernelModules' in s) return 'kernelModules';
  if ('binaries' in s) return 'binaries';
  if ('firmware' in s) return 'firmware';
  return 'files';
}
