/**
 * The engine's one door (`nslab/engine`): plans in, kernel changes out. No constructs here. The
 * front-ends (the nslab command, the Terraform provider, the cdktf adapter, the test fixtures)
 * import the engine through this file only.
 */
export * from '../plan/types.js';
export { loadPlan, PlanError } from '../plan/validate.js';
/** Construct tree -> plan documents (what `nslab synth` writes); it reads constructs, imports none. */
export { synthesize } from '../synth/synth.js';

// Whole labs, and one resource at a time.
export {
  planLab, applyLab, destroyLab, EngineError, ApplyFailedError,
  type LabPlan, type ApplyResult, type EngineOptions, type ApplyOptions, type DestroyOptions, type ApplyProgress,
} from './lab.js';
export { readResource, planResource, applyResource } from './per-resource.js';
export { findOrphans, removeOrphans, removeStalePins, type Orphan } from './gc.js';

// The pure diff and how it is shown.
export { diff, type Change, type DiffResult, type Conflict, type FieldChange } from './diff/diff.js';
export { isLinkLocal } from './diff/ownership.js';
export { renderPlan, renderConflicts, planJson, describe } from './diff/render.js';
export { renderGraph, type GraphFormat } from './graph.js';

// Reading the kernel.
export { readLive, readLocation, listNamespaces, type LiveState } from './live/read.js';
export { parseNetnsList, parseSysctls, type LiveLink } from './live/parse.js';

// Processes.
export { processRunner, prestartLauncher, withRunOptions, inLocation, runChecked, mapLimit, type Runner, type RunResult, CommandFailedError } from './runner.js';

// The state store: records, locks, trusted directories.
export { stateDir, listStates, readState, ownerKey, lockLab, tryLockLab, LockedError, type LabLock } from './state/state.js';
export { trustedDir } from './state/trust.js';
export { unpinAllSync } from './state/pins.js';
export { localStore, type StateStore } from './state/store.js';

// Other machines, over ssh.
export { SshRunner, type SshTarget } from './remote/ssh.js';
export { remoteEngine, sshStore } from './remote/store.js';
export { parseSsh, hostParts, type HostPart, type SshAddress } from '../plan/hosts.js';
