/**
 * The recipe's optional `pxe:` section (proposed; cli/recipe owners hook it
 * into recipeSchema). Keys mirror PublishTreeOptions so a recipe and the
 * CLI flags mean the same thing.
 */
import { z } from 'zod';

const mac = z.string().regex(/^(?:[0-9a-fA-F]{2}[:-]){5}[0-9a-fA-F]{2}$/u, 'a MAC address like 52:54:00:12:34:56');

/** One armed host in a recipe. */
export const pxeHostSchema = z.object({
  mac: mac.describe('the NIC that PXE-boots'),
  name: z.string().min(1).optional(),
  kickstart: z.string().min(1).optional().describe('kickstart file, relative to the recipe'),
  once: z.boolean().optional().describe('install once; disarm afterwards with remaster disarm'),
  expires: z.iso.datetime({ offset: true }).optional().describe('after this instant publish and verify disarm the host'),
  extraArgs: z.array(z.string()).optional(),
  ksdevice: z.string().optional(),
  ip: z.ipv4().optional(),
  uuid: z.uuid().optional(),
}).strict();

/** The `pxe:` section. */
export const pxeSchema = z.object({
  tftpRoot: z.string().min(1).describe('TFTP root to publish into'),
  httpRoot: z.string().min(1).optional(),
  httpUrl: z.url().optional().describe('URL under which httpRoot is served'),
  serveUrl: z.url().optional().describe('base URL of remaster serve: armed hosts fetch their answers from <serveUrl>/ks/<mac>, rendered per host with install callbacks'),
  label: z.string().min(1).optional(),
  dialect: z.enum(['rhel5', 'rhel6', 'rhel7', 'rhel8', 'rhel9', 'rhel10', 'fedora', 'ubuntu', 'debian', 'generic']).optional(),
  cmdline: z.array(z.string()).optional(),
  repo: z.string().optional(),
  stage2: z.string().optional(),
  keep: z.number().int().min(1).max(100).optional(),
  grubDir: z.string().optional(),
  loaders: z.object({
    pxelinux: z.union([z.boolean(), z.string()]).optional(),
    grubNetDir: z.string().optional(),
    ipxe: z.union([z.boolean(), z.literal('auto'), z.string()]).optional(),
    grubSigned: z.union([z.boolean(), z.string()]).optional().describe('Secure Boot chain shimx64.efi -> grubx64.efi (Debian shim-signed, grub-efi-amd64-signed) at the TFTP root; menus under grub/'),
  }).strict().optional(),
  hosts: z.array(pxeHostSchema).default([]),
}).strict();

/** A recipe's `pxe:` section after validation. */
export type PxeRecipe = z.infer<typeof pxeSchema>;
