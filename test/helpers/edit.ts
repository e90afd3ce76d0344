/** Run scan → plan → write in memory, the way the CLI does on files. */
import { bytesRangeSource, planInitrdEdit, scanInitrd, writeInitrd, type InitrdEdits, type PlanInitrdEditOptions, type WriteInitrdOptions } from '../../src/index.ts';
import { collect } from './chunked.ts';

/** Edit an in-memory image and return the new bytes and the plan. */
export async function editBytes(image: Uint8Array, edits: InitrdEdits, options: PlanInitrdEditOptions & WriteInitrdOptions) {
  const source = bytesRangeSource('image', image);
  const index = await scanInitrd(source.open());
  const plan = planInitrdEdit(index, edits, options);
  const bytes = await collect(writeInitrd(source, index, plan, options));
  return { bytes, plan, index };
}

/** Build a fresh single-segment image from entries with remaster's own writer. */
export async function buildImage(specs: import('../../src/index.ts').AddSpec[], compression: import('../../src/index.ts').Compression): Promise<Uint8Array> {
  const { bytes } = await editBytes(new Uint8Array(0), { add: specs }, { mode: 'append', compression, sourceDateEpoch: 1700000000 });
  return bytes;
}
