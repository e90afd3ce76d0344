/** Shared flow of `add` and `repack`: scan, plan, write atomically, one listr2 task each. */
import {
  RemasterError,
  checkOutputFile,
  planInitrdEdit,
  scanInitrd,
  withContext,
  writeFileAtomic,
  writeInitrd,
  type AddSpec,
  type Compression,
  type EditMode,
  type InitrdEditPlan,
  type InitrdIndex,
} from '../engine.ts';
import { sourceDateEpoch, write, type CliContext } from './context.ts';
import { toJson } from './escape.ts';
import { countOf, formatSize } from './format.ts';
import { initrdSource } from './inputs.ts';
import { runSteps } from './tasks.ts';
import { warner } from './warnings.ts';

export interface EditRunOptions {
  input: string;
  output: string;
  mode: EditMode;
  compression?: Compression;
  level?: number;
  adds?: () => Promise<AddSpec[]>;
  remove?: string[];
  dryRun?: boolean;
  quiet?: boolean;
  debug?: boolean;
  strict?: boolean;
  maxEntries?: number;
}

interface EditState {
  index?: InitrdIndex;
  plan?: InitrdEditPlan;
  written?: number;
}

/** Run an edit from the command line. */
export async function runEdit(cli: CliContext, o: EditRunOptions): Promise<void> {
  if (!o.dryRun) await checkOutputFile(o.output); // before decoding the image, not after
  const source = await initrdSource(o.input).catch((err: unknown) => {
    throw withContext(err, { file: o.input });
  });
  const onWarning = warner(cli, o.input);
  const warn = { onWarning, ...(o.strict ? { strict: true } : {}), ...(o.maxEntries !== undefined ? { limits: { maxEntries: o.maxEntries } } : {}) };
  const sde = sourceDateEpoch(cli.env);
  const steps = [
    { title: `Scan ${o.input}`, run: async (s: EditState, title: (t: string) => void) => {
      s.index = await scanInitrd(source.open(), warn);
      title(`Scanned ${o.input}: ${countOf(s.index.segments.length, 'segment')}, ${countOf(s.index.entries.length, 'entry', 'entries')}`);
    } },
    { title: 'Plan the edit', run: async (s: EditState, title: (t: string) => void) => {
      const adds = o.adds ? await o.adds() : [];
      s.plan = planInitrdEdit(s.index as InitrdIndex, { add: adds, remove: o.remove ?? [] }, {
        mode: o.mode, ...warn, ...(o.compression ? { compression: o.compression } : {}), ...(sde !== undefined ? { sourceDateEpoch: sde } : {}),
      });
      title(`Planned ${o.mode}: ${s.plan.adds.length} entries to write, ${s.plan.dropPositions.length} dropped, ${s.plan.compression}`);
    } },
  ];
  if (!o.dryRun) {
    steps.push({ title: `Write ${o.output}`, run: async (s: EditState, title: (t: string) => void) => {
      const bytes = writeInitrd(source, s.index as InitrdIndex, s.plan as InitrdEditPlan, { ...warn, ...(o.level !== undefined ? { level: o.level } : {}) });
      s.written = await writeFileAtomic(o.output, bytes);
      title(`Wrote ${o.output} (${formatSize(s.written)})`);
    } });
  }
  let state: EditState;
  try {
    state = await runSteps<EditState>(steps, {}, cli, { ...(o.quiet ? { quiet: true } : {}), ...(o.debug ? { debug: true } : {}) });
  } catch (err) {
    if (err instanceof RemasterError && err.file === undefined && err.segment !== undefined) withContext(err, { file: o.input });
    throw err;
  }
  if (o.dryRun) await write(cli.stdout, `${toJson(planForDisplay(state.plan as InitrdEditPlan), 2)}\n`);
}

/** Plain JSON view of a plan (data thunks left out). */
export function planForDisplay(plan: InitrdEditPlan): unknown {
  return {
    ...plan,
    adds: plan.adds.map((a) => {
      const { data: _d, ...spec } = a.spec;
      return { action: a.action, requested: a.requested, ...spec, path: a.path, mode: `0${(spec.mode ?? 0).toString(8)}` };
    }),
  };
}

/** Parse a --compression value. */
export function parseCompression(value: string): Compression {
  const known = ['gzip', 'xz', 'lzma', 'zstd', 'lz4', 'bzip2', 'lzo', 'none'];
  if (!known.includes(value)) throw new RemasterError('USAGE', `unknown compression ${JSON.stringify(value)}, expected one of ${known.join(', ')}`);
  return value as Compression;
}
