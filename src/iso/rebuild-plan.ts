/**
 * The pure half of an ISO rebuild (reference 03 §10, mkksiso step 5): which
 * image paths get which host file (every hard-linked copy of a replaced file
 * included, §8 "Hard-linked duplicates") and the xorriso command line that
 * replays the boot setup of the input around those changes.
 */
import { RemasterError } from '../errors.ts';
import type { IsoImage, IsoNode } from './iso-image.ts';

/** A host file and the absolute image path it goes to. */
export interface IsoFileMapping {
  hostPath: string;
  isoPath: string;
}

/** Owner and permission bits to give a written file (a replaced file keeps the original's). */
export interface IsoFileOwner {
  uid: number;
  gid: number;
  /** Permission bits (st_mode & 0o7777); undefined keeps the host file's. */
  mode?: number;
}

/** One replaced image path; `linkOf` names the requested path when this is a hard-linked copy. */
export interface PlannedReplacement extends IsoFileMapping {
  linkOf?: string;
  /** The original file's owner and mode, restored after the copy. */
  owner?: IsoFileOwner;
}

/** Return the absolute form of an image path (`ks.cfg` → `/ks.cfg`), without `..`. */
export function isoAbsolute(path: string): string {
  const parts = path.split('/').filter((p) => p !== '' && p !== '.');
  if (parts.includes('..')) throw new RemasterError('PATH_ESCAPE', `image path ${JSON.stringify(path)} contains ".."`, { entry: path });
  return `/${parts.join('/')}`;
}

/** Expand requested replacements to every hard-linked copy; refuse paths that are not files. */
export function planReplacements(image: IsoImage, replace: readonly IsoFileMapping[]): PlannedReplacement[] {
  const out: PlannedReplacement[] = [];
  for (const r of replace) {
    const isoPath = isoAbsolute(r.isoPath);
    const node = image.lookup(isoPath);
    if (node?.type !== 'file') {
      throw new RemasterError('ENTRY_NOT_FOUND', node ? `is a ${node.type}, not a file; only files can be replaced` : 'no such file in the image to replace (use add for new files)', { entry: isoPath });
    }
    if (!out.some((o) => o.isoPath === isoPath)) out.push({ hostPath: r.hostPath, isoPath, owner: ownerOf(node) });
    for (const link of image.hardLinks(node)) {
      if (!out.some((o) => o.isoPath === link.path)) out.push({ hostPath: r.hostPath, isoPath: link.path, linkOf: isoPath, owner: ownerOf(link) });
    }
  }
  return out;
}

/** Return a node's owner and permission bits. */
export function ownerOf(node: IsoNode): IsoFileOwner {
  return { uid: node.uid, gid: node.gid, mode: node.mode & 0o7777 };
}

/** Check added paths: absolute, not yet in the image. */
export function planAdditions(image: IsoImage, add: readonly IsoFileMapping[]): IsoFileMapping[] {
  return add.map((a) => {
    const isoPath = isoAbsolute(a.isoPath);
    if (isoPath === '/') throw new RemasterError('PATH_INVALID', 'cannot add a file as the image root', { entry: a.isoPath });
    if (image.lookup(isoPath)) throw new RemasterError('EDIT_CONFLICT', 'already exists in the image; use replace to change it', { entry: isoPath });
    return { hostPath: a.hostPath, isoPath };
  });
}

/** What goes into the xorriso run. */
export interface XorrisoPlan {
  input: string;
  output: string;
  /** Existing image paths to overwrite. */
  updates: readonly (IsoFileMapping & { owner?: IsoFileOwner })[];
  /** New image paths (owned by root). */
  maps: readonly IsoFileMapping[];
  volumeLabel?: string;
  /** Files of 4 GiB or more need ISO level 3 (multi-extent). */
  needsIsoLevel3?: boolean;
  /** Appended partitions to write from host files instead of replaying the input's (layout B EFI image). */
  appendPartitions?: readonly AppendedPartitionFile[];
}

/** A host file written as appended partition `index` (xorriso -append_partition). */
export interface AppendedPartitionFile {
  index: number;
  /** MBR type (`0xef`) or GPT type GUID. */
  typeCode: string;
  hostPath: string;
}

function ownerArgs(path: string, owner: IsoFileOwner): string[] {
  const args = ['-chown', String(owner.uid), path, '--', '-chgrp', String(owner.gid), path, '--'];
  if (owner.mode !== undefined) args.push('-chmod', owner.mode.toString(8).padStart(4, '0'), path, '--');
  return args;
}

/**
 * Build the xorriso arguments: load the input, replay its El Torito and
 * system-area setup (`-boot_image any replay`), keep Joliet (native mode
 * drops it otherwise), skip the emulated TOC, overwrite appended partitions
 * (layout B: the edited EFI image replaces partition 2; the El Torito EFI
 * entry, replayed as `--interval:appended_partition_2…`, follows it), overwrite
 * and add files, write.
 * Files are written with `-map`, not mkksiso's `-update`: `-update` with a
 * missing host file silently deletes the image file, `-map` fails. Copies
 * take the host file's owner, so replaced files get the original's back and
 * added files become root's, as on installer media.
 */
export function xorrisoArgs(plan: XorrisoPlan): string[] {
  const args = ['-indev', plan.input, '-outdev', plan.output, '-boot_image', 'any', 'replay', '-joliet', 'on', '-compliance', 'no_emul_toc'];
  // After the replay, which re-appends the input's partitions as intervals: override those given here.
  for (const p of plan.appendPartitions ?? []) args.push('-append_partition', String(p.index), p.typeCode, p.hostPath);
  if (plan.needsIsoLevel3) args.push('-compliance', 'iso_9660_level=3');
  if (plan.volumeLabel !== undefined) args.push('-volid', plan.volumeLabel);
  for (const u of plan.updates) args.push('-map', u.hostPath, u.isoPath, ...(u.owner ? ownerArgs(u.isoPath, u.owner) : []));
  for (const m of plan.maps) args.push('-map', m.hostPath, m.isoPath, ...ownerArgs(m.isoPath, { uid: 0, gid: 0 }));
  // Without a tree change (a new appended partition alone, or no change at all) xorriso sees no
  // "image modification" and -commit writes nothing, leaving no output file.
  args.push('-changes_pending', 'yes');
  args.push('-commit');
  return args;
}
