/**
 * The preseed model: debconf answers for debian-installer, one per line in
 * the format of debconf-set-selections(1) ("owner question type value").
 * Every line is kept (comments, blank lines, continuations) so an unchanged
 * model renders back to the same bytes.
 */

/** The types debconf knows (debconf-devel(7) templates), plus `seen`, which only sets the seen flag. */
export const PRESEED_TYPES = ['string', 'password', 'boolean', 'select', 'multiselect', 'note', 'text', 'error', 'title', 'seen'] as const;

/** One of PRESEED_TYPES. */
export type PreseedType = (typeof PRESEED_TYPES)[number];

interface NodeBase {
  /** First physical line, from 1; 0 for nodes built in code. */
  line: number;
  /** Original text with line terminators; absent when the node must be formatted. */
  raw?: string;
}

/** A blank line or a `#` comment. */
export interface PreseedComment extends NodeBase {
  kind: 'comment';
}

/** One answer: `d-i netcfg/get_hostname string web01`. */
export interface PreseedAnswer extends NodeBase {
  kind: 'answer';
  /** `d-i` for installer questions, else the package owning the template. */
  owner: string;
  question: string;
  type: string;
  /** Everything after the type (one separator removed); continuations joined with single spaces. */
  value: string;
}

/** A line the format cannot read (fewer than three fields). */
export interface PreseedInvalid extends NodeBase {
  kind: 'invalid';
  text: string;
}

/** One element of a preseed file. */
export type PreseedNode = PreseedComment | PreseedAnswer | PreseedInvalid;

/** A parsed preseed file. */
export interface Preseed {
  file?: string;
  nodes: PreseedNode[];
}
