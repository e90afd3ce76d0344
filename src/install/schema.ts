/**
 * The recipe's `install:` section: hardware inventory, a hardware policy checked before any disk
 * is touched, RAID (mdadm or a vendor controller's CLI) and a configuration-management bootstrap,
 * each carried out by a shipped snippet (snippets/*.sh). The recipe schema adds the keys that need
 * the build (`tools`, `present`).
 */
import { z } from 'zod';
import { COUNT_COMPARISON_PATTERN, SIZE_COMPARISON_PATTERN, SIZE_PATTERN } from './policy.ts';

/** No tab or line break: values travel in line-oriented shell variables. */
const oneLine = (what: string) => z.string().min(1).regex(/^[^\t\r\n]*$/u, `${what} must be one line without tabs`);

const countComparison = z.string().regex(COUNT_COMPARISON_PATTERN, 'a comparison such as ">=2" (operators >=, >, <=, <, ==)');
const sizeComparison = z.string().regex(SIZE_COMPARISON_PATTERN, 'a comparison with a size such as ">=16GiB" (units B, KiB…PiB, KB…PB)');
const size = z.union([
  z.number().int().positive().describe('bytes'),
  z.string().regex(SIZE_PATTERN, 'a size such as 100GiB (units B, KiB…PiB, KB…PB)'),
]);

export const requireSchema = z.object({
  cpus: countComparison.optional().describe('logical CPUs, e.g. ">=4"'),
  memory: sizeComparison.optional().describe('memory installed, e.g. ">=16GiB"'),
  disks: z.union([
    countComparison,
    z.object({
      count: countComparison.optional().describe('how many disks (of at least minSize); default ">=1" with minSize'),
      minSize: size.optional().describe('only disks at least this large count'),
    }).strict(),
  ]).optional().describe('non-removable disks: ">=2" or { count, minSize }'),
  nics: z.union([countComparison, z.object({ count: countComparison.optional() }).strict()]).optional().describe('NICs backed by hardware: ">=2" or { count }'),
  controllers: z.array(z.string().regex(/^(?:[A-Za-z0-9_-]+|[0-9a-f]{4}:[0-9a-f]{4})$/u, 'a driver name (hpsa, megaraid_sas) or PCI ids vendor:device in lower-case hex'))
    .min(1).optional().describe('storage controllers that must be present: driver names or PCI ids'),
  dmi: z.object({
    vendor: oneLine('dmi.vendor').optional().describe('shell pattern for /sys/class/dmi/id/sys_vendor, e.g. "HPE*"'),
    product: oneLine('dmi.product').optional().describe('shell pattern for /sys/class/dmi/id/product_name'),
  }).strict().optional(),
}).strict();

/** The smallest member count of each RAID level (mdadm; vendor CLIs refuse fewer as well). */
export const RAID_MIN_DISKS: Readonly<Record<number, number>> = { 0: 2, 1: 2, 5: 3, 6: 4, 10: 2 };

export const raidSchema = z.object({
  level: z.union([z.literal(0), z.literal(1), z.literal(5), z.literal(6), z.literal(10)]).describe('RAID level: 0, 1, 5, 6 or 10'),
  disks: z.union([
    z.number().int().min(1).max(64).describe('how many disks: the largest ones (mdadm) or the first unassigned ones (controllers)'),
    z.array(z.string().regex(/^[A-Za-z0-9:._+-]+$/u, 'a disk name (sdb, nvme0n1) or a controller drive id (1I:1:1, 252:0)')).min(1),
  ]).describe('a count or names'),
  vendor: z.enum(['hpe', 'broadcom', 'dell']).optional().describe('a hardware controller through its CLI (hpe: ssacli; broadcom: storcli; dell: perccli); absent: Linux software RAID with mdadm'),
  device: z.string().regex(/^md[0-9]+$/u, 'an md device name such as md0').default('md0').describe('mdadm: the array to create'),
  metadata: z.enum(['0.90', '1.0', '1.1', '1.2']).optional().describe('mdadm: superblock format (1.0 when /boot lives on the array)'),
  controller: z.union([z.string().regex(/^[A-Za-z0-9]+$/u), z.number().int().min(0)]).optional().describe('hpe: the slot; broadcom/dell: the controller number (default: the first)'),
  wipe: z.boolean().default(false).describe('replace an existing array or logical drive (default: keep it)'),
  storage: z.array(oneLine('a storage line').refine((l) => !l.trim().startsWith('%'), 'a storage line is a kickstart command, not a % directive'))
    .min(1).optional().describe('kickstart storage commands written to /tmp/remaster-storage.ks (included by the kickstart); @DEVICE@ is the array (md0, sdc), @MEMBERS@ its members'),
}).strict().superRefine((raid, ctx) => {
  const count = typeof raid.disks === 'number' ? raid.disks : raid.disks.length;
  const least = RAID_MIN_DISKS[raid.level] as number;
  if (count < least) ctx.addIssue({ code: 'custom', path: ['disks'], message: `RAID ${raid.level} needs at least ${least} disks, got ${count}` });
});

const factName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/u, 'a fact name: letters, digits and _');
const packageOption = z.union([z.boolean(), oneLine('a package list')]).default(false)
  .describe('install the package when the tool is missing: true (its usual name) or the package names');
const noSpace = (what: string) => z.string().min(1).regex(/^[^\s'"\\]+$/u, `${what} without spaces, quotes or backslashes`);

export const bootstrapSchema = z.object({
  facts: z.record(factName, oneLine('a fact value')).optional().describe('facts (salt grains, facter facts, ansible local facts) besides the host record'),
  salt: z.object({
    master: noSpace('the master'),
    id: noSpace('the minion id').optional().describe('default: the host record\'s name'),
    masterFinger: z.string().regex(/^[0-9a-f]{2}(?::[0-9a-f]{2})+$/u, 'the master key fingerprint, colon-separated hex').optional(),
    install: packageOption,
  }).strict().optional(),
  puppet: z.object({
    server: noSpace('the server'),
    certname: noSpace('the certname').optional().describe('default: the host record\'s name'),
    environment: noSpace('the environment').optional(),
    challenge: oneLine('the challenge').optional().describe('challengePassword for policy-based autosigning (it is written into the kickstart)'),
    confdir: noSpace('confdir').optional(),
    factsdir: noSpace('factsdir').optional(),
    install: packageOption,
  }).strict().optional(),
  ansible: z.object({
    url: noSpace('the repository URL'),
    branch: noSpace('the branch').optional(),
    playbook: noSpace('the playbook').optional().describe('default local.yml'),
    install: packageOption,
  }).strict().optional(),
}).strict();

export const installSchema = z.object({
  inventory: z.boolean().default(false).describe('collect the hardware inventory (JSON: log, /tmp/remaster-inventory.json, `remaster serve`)'),
  require: requireSchema.optional().describe('hardware policy checked in %pre before any disk is touched; a mismatch stops the install'),
  raid: raidSchema.optional().describe('RAID built in %pre, kept when it exists unless wipe'),
  bootstrap: bootstrapSchema.optional().describe('configuration management set up in %post'),
}).strict();

export type InstallSpec = z.infer<typeof installSchema>;
export type RaidSpec = z.infer<typeof raidSchema>;
export type BootstrapSpec = z.infer<typeof bootstrapSchema>;
