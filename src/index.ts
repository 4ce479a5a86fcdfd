/** The engine's public API (`nslab/engine`): plans in, kernel changes out. No constructs here. */
export * from './plan/types.js';
export { loadPlan, PlanError } from './plan/validate.js';
export {
  planLab, applyLab, destroyLab, EngineError, ApplyFailedError,
  type LabPlan, type ApplyResult, type EngineOptions, type ApplyOptions, type DestroyOptions, type ApplyProgress,
} from './engine.js';
export { LockedError } from './state/lock.js';
/** Construct tree -> plan documents (what `nslab synth` writes); it reads constructs, imports none. */
export { synthesize } from './synth/synth.js';
export { readResource, planResource, applyResource } from './resource.js';
export { diff, type Change, type DiffResult, type Conflict, type FieldChange } from './diff/diff.js';
export { renderPlan, planJson, describe } from './diff/render.js';
export { readLive, type LiveState } from './live/read.js';
export { renderGraph, type GraphFormat } from './graph.js';
export { processRunner, type Runner, type RunResult, CommandFailedError } from './runner.js';
