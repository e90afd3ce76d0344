/**
 * The error model shared by every module (STYLE.md §1.6).
 *
 * Low-level decoders throw a RemasterError carrying only `offset`; callers add
 * `segment`, `entry`, `file`, `line` as the error travels up with
 * withContext(). The message is rendered from the fields each time it is read,
 * so context added late still appears first: location, then the problem, then
 * the code.
 */

export type ErrorCode =
  | 'CPIO_BAD_MAGIC'
  | 'CPIO_BAD_HEADER'
  | 'CPIO_TRUNCATED'
  | 'CPIO_NAME_UNTERMINATED'
  | 'CPIO_BAD_CHECKSUM'
  | 'CPIO_DUPLICATE_ENTRY'
  | 'CPIO_HARDLINK_MISSING'
  | 'SEGMENT_UNKNOWN_MAGIC'
  | 'SEGMENT_MISALIGNED'
  | 'SEGMENT_TRAILING_DATA'
  | 'CODEC_CORRUPT'
  | 'CODEC_TRUNCATED'
  | 'CODEC_UNSUPPORTED'
  | 'CODEC_LEVEL_CLAMPED'
  | 'CODEC_TOOL_MISSING'
  | 'CODEC_UNSAFE_FOR_KERNEL'
  | 'ISO_NO_PRIMARY_VOLUME'
  | 'ISO_BAD_DESCRIPTOR'
  | 'ISO_BAD_RECORD'
  | 'ISO_EXTENT_OUT_OF_RANGE'
  | 'ISO_DIRECTORY_LOOP'
  | 'ISO_NOT_FOUND'
  | 'ISO_ZISOFS'
  | 'ELTORITO_BAD_VALIDATION_ENTRY'
  | 'ELTORITO_BAD_ENTRY'
  | 'PATH_ESCAPE'
  | 'PATH_INVALID'
  | 'PATH_THROUGH_SYMLINK'
  | 'PATH_EXISTS'
  | 'ENTRY_NOT_FOUND'
  | 'ENTRY_SKIPPED'
  | 'EDIT_CONFLICT'
  | 'LIMIT_EXCEEDED'
  | 'INPUT_NOT_FOUND'
  | 'OUTPUT_EXISTS'
  | 'OUTPUT_NOT_WRITABLE'
  | 'OUTPUT_HOLDS_INPUT'
  | 'DISK_FULL'
  | 'IO_ERROR'
  | 'TOOL_MISSING'
  | 'TOOL_FAILED'
  | 'ABORTED'
  | 'USAGE'
  | 'RECIPE_SCHEMA'
  | 'RECIPE_SYNTAX'
  | 'MODULE_VERMAGIC_MISMATCH'
  | 'MODULE_BAD_ELF'
  | 'MODULE_MISSING_DEPENDENCY'
  | 'MODULE_DEPENDENCY_CYCLE'
  | 'ELF_BAD'
  | 'LIBRARY_NOT_FOUND'
  | 'RPM_BAD_HEADER'
  | 'PACKAGE_BAD'
  | 'KICKSTART_SYNTAX'
  | 'PUBLISH_LOCKED'
  | 'VERIFY_FAILED'
  | 'BOOT_TEST_FAILED'
  | 'KICKSTART_PLAINTEXT_PASSWORD'
  | 'KICKSTART_LINT'
  | 'ANSWERS_LINT'
  | 'INSTALL_MISSING_BINARY'
  | 'INSTALL_UNSUPPORTED'
  | 'INSTALL_SNIPPET'
  | 'DHCP_MALFORMED'
  | 'NET_BIND_FAILED'
  | 'STATE_UNAVAILABLE'
  | 'STATE_SCHEMA'
  | 'STATE_CONFLICT'
  | 'STATE_NOT_FOUND'
  | 'STATE_INVALID'
  | 'TFTP_BAD_PACKET';

/** Where an error or warning happened; every field optional, filled on the way up. */
export interface ErrorContext {
  /** Image, recipe or kickstart path as given by the user. */
  file?: string;
  /** Absolute byte offset in `file` (for compressed segments: offset of the segment). */
  offset?: number;
  /** Initrd segment, counted from 1. */
  segment?: number;
  /** Offset inside the decompressed segment. */
  innerOffset?: number;
  /** Path of the archive entry involved. */
  entry?: string;
  /** Recipe / kickstart / boot config line, counted from 1. */
  line?: number;
  /** Column, counted from 1. */
  column?: number;
}

const CONTEXT_KEYS = ['file', 'offset', 'segment', 'innerOffset', 'entry', 'line', 'column'] as const;

/** A recoverable problem, delivered to `onWarning` callbacks. */
export interface Warning extends ErrorContext {
  code: ErrorCode;
  /** The problem alone, without location. */
  detail: string;
  /** Location, problem and code, in the same format as RemasterError messages. */
  message: string;
}

/** Callback that receives warnings; options take it as `onWarning`. */
export type WarningHandler = (warning: Warning) => void;

function hex(n: number): string {
  return `0x${n.toString(16)}`;
}

/** Render a location prefix such as `initrd.img: segment 2 (at 0x1d4c00), offset 0x3f18 in segment, entry "x"`. */
export function formatLocation(ctx: ErrorContext): string {
  const parts: string[] = [];
  let head = ctx.file ?? '';
  if (ctx.line !== undefined) {
    head += `${head ? ':' : 'line '}${ctx.line}`;
    if (ctx.column !== undefined) head += `:${ctx.column}`;
  }
  if (head) parts.push(head);
  const where: string[] = [];
  if (ctx.segment !== undefined) {
    where.push(`segment ${ctx.segment}${ctx.offset !== undefined ? ` (at ${hex(ctx.offset)})` : ''}`);
    if (ctx.innerOffset !== undefined) where.push(`offset ${hex(ctx.innerOffset)} in segment`);
  } else if (ctx.offset !== undefined) {
    where.push(`offset ${hex(ctx.offset)}`);
  }
  if (ctx.entry !== undefined) where.push(`entry ${JSON.stringify(ctx.entry)}`);
  if (where.length > 0) parts.push(where.join(', '));
  return parts.join(': ');
}

function render(code: ErrorCode, detail: string, ctx: ErrorContext): string {
  const loc = formatLocation(ctx);
  return `${loc ? `${loc}: ` : ''}${detail} [${code}]`;
}

/** The one error type the library throws for bad input, missing tools and refused operations. */
export class RemasterError extends Error {
  readonly code: ErrorCode;
  readonly detail: string;
  declare file?: string;
  declare offset?: number;
  declare segment?: number;
  declare innerOffset?: number;
  declare entry?: string;
  declare line?: number;
  declare column?: number;

  constructor(code: ErrorCode, detail: string, ctx: ErrorContext = {}, options?: { cause?: unknown }) {
    super(detail, options);
    this.name = 'RemasterError';
    this.code = code;
    this.detail = detail;
    for (const key of CONTEXT_KEYS) {
      const value = ctx[key];
      if (value !== undefined) (this as Record<string, unknown>)[key] = value;
    }
    // Error's constructor stores `message` as an own property; replace it by a
    // getter so context added later by withContext() shows up in the text.
    Object.defineProperty(this, 'message', {
      get: () => render(this.code, this.detail, this),
      enumerable: false,
      configurable: true,
    });
  }

  /** Return the context fields as a plain object (for JSON output). */
  toJSON(): Record<string, unknown> {
    const out: Record<string, unknown> = { code: this.code, message: this.message, detail: this.detail };
    for (const key of CONTEXT_KEYS) if (this[key] !== undefined) out[key] = this[key];
    return out;
  }
}

/**
 * Fill context fields that are still empty and return the same error.
 * Non-RemasterError values pass through unchanged.
 */
export function withContext<T>(err: T, ctx: ErrorContext): T {
  if (err instanceof RemasterError) {
    for (const key of CONTEXT_KEYS) {
      const value = ctx[key];
      if (value !== undefined && err[key] === undefined) (err as Record<string, unknown>)[key] = value;
    }
  }
  return err;
}

/** Build a Warning value with its rendered message. */
export function makeWarning(code: ErrorCode, detail: string, ctx: ErrorContext = {}): Warning {
  const w: Warning = { code, detail, message: render(code, detail, ctx) };
  for (const key of CONTEXT_KEYS) {
    const value = ctx[key];
    if (value !== undefined) (w as unknown as Record<string, unknown>)[key] = value;
  }
  return w;
}

/** Options shared by operations that can warn. */
export interface WarnOptions {
  /** Receives recoverable problems. */
  onWarning?: WarningHandler;
  /** Turn every warning into a thrown RemasterError. */
  strict?: boolean;
}

/** Deliver a warning, or throw it when `strict` is set. */
export function emitWarning(opts: WarnOptions, warning: Warning): void {
  if (opts.strict) {
    const { code, detail, message: _m, ...ctx } = warning;
    throw new RemasterError(code, detail, ctx);
  }
  opts.onWarning?.(warning);
}

/** Return true when `err` is a RemasterError with one of the given codes. */
export function isRemasterError(err: unknown, ...codes: ErrorCode[]): err is RemasterError {
  return err instanceof RemasterError && (codes.length === 0 || codes.includes(err.code));
}
