/**
 * Who may do what (checked on the server for every page and API route):
 * admin — everything; operator — read and register/arm/disarm hosts of its
 * groups; viewer — read its groups. A user with no groups has every group;
 * a host with no group is seen by admins and by users with no groups only.
 */
import type { Host, User } from '../../state/index.ts';

/** May the user see this host (or a host of this group)? */
export function canRead(user: User, group: string | null): boolean {
  if (user.role === 'admin' || user.groups.length === 0) return true;
  return group !== null && user.groups.includes(group);
}

/** May the user register, arm or disarm a host of this group? */
export function canAct(user: User, group: string | null): boolean {
  return user.role === 'admin' || (user.role === 'operator' && canRead(user, group));
}

/** The groups filter for listing hosts (undefined = all). */
export function groupFilter(user: User): readonly string[] | undefined {
  return user.role === 'admin' || user.groups.length === 0 ? undefined : user.groups;
}

/** A host as the API and the live view show it (no secret hashes). */
export function publicHost(h: Host): Record<string, unknown> {
  return {
    mac: h.mac, name: h.name, group: h.group, profile: h.profile, state: h.state, stateAt: h.stateAt, installId: h.installId,
    armedBy: h.armedBy, armedAt: h.armedAt, failureReason: h.failureReason, lastEventAt: h.lastEventAt, createdAt: h.createdAt, createdBy: h.createdBy,
  };
}

/** Install states a progress bar walks through, in order. */
export const PROGRESS_STATES = ['armed', 'boot-fetched', 'kernel-fetched', 'ks-fetched', 'pre-started', 'pre-done', 'installing', 'post-done', 'installed'] as const;

/** Position of a state on the progress bar (0..PROGRESS_STATES.length); disarmed after installed counts as done. */
export function progressOf(state: string, installedBefore = false): number {
  const i = (PROGRESS_STATES as readonly string[]).indexOf(state);
  if (i >= 0) return i + 1;
  return state === 'disarmed' && installedBefore ? PROGRESS_STATES.length : 0;
}
