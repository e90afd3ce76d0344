export { readInitrd, type InitrdEntry, type InitrdLimits, type ReadInitrdOptions, type Segment } from './read.ts';
export { scanInitrd, summarizeInitrd, type IndexedEntry, type InitrdIndex, type InitrdSummary, type ScanOptions } from './scan.ts';
export { EntryTable } from './entry-table.ts';
export {
  planInitrdEdit,
  type AddSpec,
  type Compression,
  type EditMode,
  type InitrdEditPlan,
  type InitrdEdits,
  type PlannedAdd,
  type PlanInitrdEditOptions,
} from './plan-edit.ts';
export { writeInitrd, addToCpio, type InitrdSource, type WriteInitrdOptions } from './write.ts';
export { readInitrdTree } from './diff.ts';
export { readInitrdFile, type InitrdReopen } from './read-file.ts';
export { RootfsModel, type ApplyResult, type ModelEntry, type ModelNode, type RootfsModelOptions } from './rootfs-model.ts';
