/**
 * verifyTree(): check a published tree the way a client will use it. First
 * the layout remaster owns (no planted symlink in its own directories, the
 * switch and manifest links where remaster put them, version directories
 * holding only real directories, files and links inside
 * `remaster/` or to its exported names, in every kept version); a tree
 * failing that is reported and not read any further.
 * Then the checks of verify-checks.ts on the served version. Armed hosts
 * whose expiry passed are disarmed (a new version) unless `readOnly`.
 */
import { checkPublishLayout, readCurrentVersion, type LayoutProblem } from '../fsx/index.ts';
import { readCurrentManifest, treeLayoutProblems } from './commit.ts';
import { republish } from './hosts.ts';
import { CURRENT_LINK, PUBLISH_DIR } from './layout.ts';
import { partitionExpired } from './model.ts';
import { checkPublishedVersion, type VerifyProblem } from './verify-checks.ts';

export type { VerifyProblem } from './verify-checks.ts';

/** Options for verifyTree. */
export interface VerifyTreeOptions {
  now?: Date;
  /** Report expired hosts instead of disarming them. */
  readOnly?: boolean;
  httpRoot?: string;
}

/** What verify found. */
export interface VerifyTreeResult {
  version: number | undefined;
  problems: VerifyProblem[];
  /** Hosts disarmed because their expiry passed. */
  disarmed: string[];
  /** Release of the kernel and the kernel versions inside the initrd. */
  kernelRelease?: string;
  initrdKernels?: string[];
}

function asProblems(found: readonly LayoutProblem[], prefix = ''): VerifyProblem[] {
  return found.map((p) => ({ path: p.path, kind: 'layout', message: `${prefix}${p.message}` }));
}

/** Verify the published tree under `tftpRoot` (and its HTTP root: the option, else the one it was published with); return every problem found. */
export async function verifyTree(tftpRoot: string, options: VerifyTreeOptions = {}): Promise<VerifyTreeResult> {
  const served = await readCurrentVersion(tftpRoot, CURRENT_LINK);
  const layout = asProblems(await treeLayoutProblems(tftpRoot));
  if (layout.length > 0) return { version: served, problems: layout, disarmed: [] };
  let m = await readCurrentManifest(tftpRoot);
  const httpRoot = options.httpRoot ?? m?.publish.httpRoot;
  const http = httpRoot === undefined ? [] : asProblems(await checkPublishLayout(httpRoot, PUBLISH_DIR), 'HTTP root: ');
  if (http.length > 0) return { version: served, problems: http, disarmed: [] };
  if (m === undefined) return { version: undefined, problems: [{ path: `${PUBLISH_DIR}/manifest.json`, kind: 'missing', message: 'no published tree (remaster/manifest.json is missing)' }], disarmed: [] };
  const result: VerifyTreeResult = { version: m.version, problems: [], disarmed: [] };
  const { expired } = partitionExpired(m.model.hosts, options.now ?? new Date());
  if (expired.length > 0 && !options.readOnly) {
    const plan = await republish({ tftpRoot, ...(options.httpRoot !== undefined ? { httpRoot: options.httpRoot } : {}), ...(options.now ? { now: options.now } : {}) });
    m = plan.manifest;
    result.version = m.version;
    result.disarmed = plan.expired.map((h) => h.mac);
  } else {
    for (const h of expired) result.problems.push({ path: 'remaster/manifest.json', kind: 'layout', message: `host ${h.mac} expired at ${h.expires} but is still armed` });
  }
  const current = await readCurrentVersion(tftpRoot, CURRENT_LINK);
  if (current !== m.version) result.problems.push({ path: CURRENT_LINK, kind: 'layout', message: `${CURRENT_LINK} points at version ${current} but its manifest says ${m.version}` });
  const checked = await checkPublishedVersion(tftpRoot, m);
  result.problems.push(...checked.problems);
  result.initrdKernels = checked.initrdKernels;
  if (checked.kernelRelease !== undefined) result.kernelRelease = checked.kernelRelease;
  return result;
}
