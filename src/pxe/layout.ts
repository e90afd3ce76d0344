/**
 * Where a publish puts things inside the TFTP root. Everything remaster owns
 * lives under `remaster/`:
 *
 *   remaster/<sha16>/<name>        content-addressed artifacts (kernel, initrd, kickstarts, loaders)
 *   remaster/versions/<n>/         one complete menu tree per version, laid out like the TFTP root
 *   remaster/current -> versions/<n>   the switch: one rename(2) of a symlink changes every menu at once
 *   remaster/manifest.json -> current/manifest.json
 *   remaster/.lock                 the publish lock
 *
 * The names clients ask for (`pxelinux.0`, `pxelinux.cfg`, `boot/grub`,
 * `boot.ipxe`, `ipxe`, …) are symlinks into `remaster/current/`, created
 * once; a client therefore sees the complete old tree or the complete new
 * one, and artifacts of the kept versions stay in place until pruned.
 */
import { posix } from 'node:path';

/** The directory remaster owns inside the TFTP (and HTTP) root. */
export const PUBLISH_DIR = 'remaster';
/** Version directories. */
export const VERSIONS_DIR = `${PUBLISH_DIR}/versions`;
/** The symlink whose rename switches versions. */
export const CURRENT_LINK = `${PUBLISH_DIR}/current`;
/** The manifest of the current version, seen through the switch. */
export const MANIFEST_PATH = `${PUBLISH_DIR}/manifest.json`;
/** The publish lock file. */
export const LOCK_PATH = `${PUBLISH_DIR}/.lock`;
/** The manifest's name inside a version directory. */
export const VERSION_MANIFEST = 'manifest.json';
/** Versions kept for rollback unless told otherwise. */
export const DEFAULT_KEEP = 3;
/** Where grub-mknetdir --subdir=boot/grub puts GRUB's prefix. */
export const DEFAULT_GRUB_DIR = 'boot/grub';
/** Hex digits of the sha256 that name an artifact directory. */
export const CONTENT_ID_LENGTH = 16;

/** Return the content-addressed path of an artifact (`remaster/<sha16>/<name>`). */
export function contentPath(sha256: string, name: string): string {
  return `${PUBLISH_DIR}/${sha256.slice(0, CONTENT_ID_LENGTH)}/${name}`;
}

/** Return the directory of version `n`, relative to the TFTP root. */
export function versionDir(n: number): string {
  return `${VERSIONS_DIR}/${n}`;
}

/** Return the relative symlink target that makes `from` (a root-relative link path) point at root-relative `to`. */
export function relativeTarget(from: string, to: string): string {
  return posix.relative(posix.dirname(`/${from}`), `/${to}`);
}

/** Return the URL of a root-relative path under an HTTP base URL. */
export function httpUrlOf(base: string, path: string): string {
  return `${base.replace(/\/+$/u, '')}/${path}`;
}
