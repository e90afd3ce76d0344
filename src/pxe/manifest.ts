/**
 * The publish manifest (`remaster/manifest.json`, seen through the version
 * switch): the model the menus were rendered from, every file a client can
 * reach with its sha256, the version and what was disarmed. arm, disarm and
 * rollback work from it alone, without the build directory.
 */
import { z } from 'zod';
import { RemasterError } from '../errors.ts';
import type { PxeModel } from './model.ts';

/** Format tag; bump when the layout changes incompatibly. */
export const MANIFEST_FORMAT = 'remaster-pxe/1';

/** Size and hash of one published file. */
export interface FileDigest {
  sha256: string;
  size: number;
}

/** A host that is no longer armed, and why. */
export interface DisarmedHost {
  mac: string;
  name?: string;
  reason: 'expired' | 'disarmed';
  at: string;
}

/** What one version publishes. */
export interface PublishManifest {
  format: typeof MANIFEST_FORMAT;
  version: number;
  createdAt: string;
  model: PxeModel;
  /** Where GRUB's prefix points, relative to the TFTP root. */
  grubDir: string;
  /** Client-visible path (as a TFTP client asks for it) → digest. */
  files: Record<string, FileDigest>;
  /** Content-addressed paths also published under the HTTP root. */
  httpFiles: string[];
  /** Top-level names that are symlinks into remaster/current/. */
  exports: string[];
  disarmed: DisarmedHost[];
  /** Client paths of boot loader files (a subset of `files`). */
  loaders: string[];
  /** How it was published, so arm/disarm can publish the same way. */
  publish: { httpUrl?: string; httpRoot?: string; keep: number };
}

// a manifest is read back from the tree, which others may be able to write: its paths must stay inside the root
const SAFE_PATH = /^(?!\/)(?!.*(?:^|\/)\.\.?(?:\/|$))[^\0\\]+$/u;
const safePath = z.string().regex(SAFE_PATH, 'a path inside the tree (relative, no "." or ".." components)');
const artifact = z.object({ path: safePath }).passthrough();
const digest = z.object({ sha256: z.string().regex(/^[0-9a-f]{64}$/u), size: z.number().int().nonnegative() });
const manifestSchema = z.object({
  format: z.literal(MANIFEST_FORMAT),
  version: z.number().int().positive(),
  createdAt: z.string(),
  model: z.object({
    label: z.string(), kernel: artifact, initrd: artifact,
    hosts: z.array(z.object({ mac: z.string(), kickstart: z.object({ path: safePath, initrdPath: safePath.optional() }).passthrough().optional() }).passthrough()),
  }).passthrough(),
  grubDir: safePath,
  files: z.record(safePath, digest),
  httpFiles: z.array(safePath),
  exports: z.array(safePath),
  disarmed: z.array(z.object({ mac: z.string(), reason: z.enum(['expired', 'disarmed']), at: z.string() }).passthrough()),
  loaders: z.array(safePath),
  publish: z.object({ httpUrl: z.string().optional(), httpRoot: z.string().optional(), keep: z.number().int().positive() }),
});

/** Parse manifest text; throw VERIFY_FAILED naming the file when it is not a remaster manifest. */
export function parsePublishManifest(text: string, file: string): PublishManifest {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new RemasterError('VERIFY_FAILED', `not JSON: ${(err as Error).message}`, { file });
  }
  const result = manifestSchema.safeParse(raw);
  if (!result.success) {
    const issue = result.error.issues[0];
    throw new RemasterError('VERIFY_FAILED', `not a ${MANIFEST_FORMAT} manifest: ${issue?.path.join('.') ?? ''} ${issue?.message ?? ''}`.trim(), { file });
  }
  return raw as PublishManifest;
}

/** Render a manifest as stable, reviewable JSON. */
export function renderPublishManifest(manifest: PublishManifest): string {
  return `${JSON.stringify(manifest, null, 2)}\n`;
}
