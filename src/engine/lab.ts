/**
 * The engine: plan / apply / destroy of one lab, from a plan document and the lab's state.
 * It never imports a construct: the plan JSON is its only input.
 */
import { HOST, PLAN_VERSION, labKey, loc, type Location, type PlanDocument, type Resource } from '../plan/types.js';
import { diff, type Change, type Conflict, type DiffResult, type PriorResource } from './diff/diff.js';
import { describe, renderChange, renderConflicts } from './diff/render.js';
import { readLive, type LiveState } from './live/read.js';
import { extrasFor } from './live/extras.js';
import type { LiveLocation } from './live/parse.js';
import { applyChanges, InterruptedError, type ApplyProgress, type ApplyReport } from './apply/apply.js';
import { rollbackTarget } from './apply/rollback.js';
import { lockLab, ownerKey, priorOf, readState, removeState, stateDir, writeState, type LabLock, type LabState } from './state/state.js';
import { processRunner, withRunOptions, type Runner } from './runner.js';
import { foundAfter, foundBeforeApply, hostFound, hostSysctlClaims, withRestores } from './state/sysctls.js';
import { pin, preparePins, unpin, unpinStale } from './state/pins.js';
import { localStore, sysctlClaims, type StateStore } from './state/store.js';
import { ownerMarker } from '../plan/types.js';
import { ownerConflict } from './diff/sysctl.js';

export interface EngineOptions {
  readonly runner?: Runner;
  /** Default: env NSLAB_STATE_DIR, else /var/lib/nslab. */
  readonly stateDir?: string;
  /** How long to wait for another process holding the lab's lock (ms). Default 0. */
  readonly lockTimeoutMs?: number;
  /** Every child process's deadline (ms). Default: env NSLAB_TIMEOUT (seconds), else 120 s. */
  readonly timeoutMs?: number;
  /**
   * Take over unmarked namespaces and links the lab declares when they already match it exactly
   * (they get the lab's marker; nothing is recreated). Objects that differ stay conflicts.
   */
  readonly adopt?: boolean;
  /**
   * Where the lab's records are, when not in `stateDir` of this machine: another machine's store
   * (remote/store.ts). Read by planLab (applies to other machines go through Terraform).
   */
  readonly store?: StateStore;
}

/** Foreign objects in the way, or a verification that failed: a user-facing error. */
export class EngineError extends Error {
  override name = 'EngineError';
}

export interface LabPlan {
  readonly lab: string;
  readonly key: string;
  readonly plan: PlanDocument;
  /** What the kernel is made to match: the plan's resources, plus sysctls to restore (see state/sysctls.ts). */
  readonly desired: Record<string, Resource>;
  readonly state: LabState | undefined;
  readonly live: LiveState;
  readonly result: DiffResult;
}

/** The options with their defaults: the runner (with the deadline, if one is set), the store, the lock wait. */
export function resolveOptions(o: EngineOptions, lockWaitMs = 0): { runner: Runner; dir: string; lockTimeoutMs: number } {
  const base = o.runner ?? processRunner;
  return { runner: o.timeoutMs ? withRunOptions(base, { timeoutMs: o.timeoutMs }) : base, dir: o.stateDir ?? stateDir(), lockTimeoutMs: o.lockTimeoutMs ?? lockWaitMs };
}

/** The lab's lock, and a runner whose children hold it too (an orphaned child keeps the lab locked). */
export async function locked(o: EngineOptions, key: string, lockWaitMs = 0): Promise<{ lock: LabLock; runner: Runner; dir: string }> {
  const { runner, dir, lockTimeoutMs } = resolveOptions(o, lockWaitMs);
  const lock = await lockLab(dir, key, lockTimeoutMs);
  return { lock, runner: withRunOptions(runner, { holdFd: lock.fd }), dir };
}

const namespacesOf = (resources: Record<string, Resource>) => Object.values(resources).flatMap((r) => (r.type === 'namespace' ? [r.name] : []));

/** Every location the lab's objects live in (host included when anything is there). */
function locationsOf(resources: Iterable<Resource>): Set<Location> {
  const out = new Set<Location>();
  for (const r of resources) {
    if (r.type === 'namespace') out.add(r.name);
    else if (r.type === 'veth') {
      out.add(loc(r.a.namespace));
      out.add(loc(r.b.namespace));
    } else out.add(loc(r.namespace));
  }
  return out;
}

async function readFor(runner: Runner, desired: Record<string, Resource>, prior: readonly PriorResource[], known?: Map<Location, LiveLocation>): Promise<LiveState> {
  const all = [...Object.values(desired), ...prior.map((p) => p.resource)];
  const sysctls = new Map<Location, string[]>();
  for (const r of Object.values(desired)) {
    if (r.type === 'namespace' && Object.keys(r.sysctls).length) sysctls.set(r.name, Object.keys(r.sysctls).sort());
  }
  // Host sysctls: those declared, and those declared before (to put back the value found).
  const host = [...new Set(all.flatMap((r) => (r.type === 'sysctl' ? [r.key] : [])))].sort();
  if (host.length) sysctls.set(HOST, host);
  return readLive(runner, { locations: locationsOf(all), sysctls, known, extras: extrasFor(Object.values(desired), prior.map((p) => p.resource)) });
}

/** Reads the kernel and diffs it against the plan. Changes nothing. */
export async function planLab(plan: PlanDocument, opts: EngineOptions = {}): Promise<LabPlan> {
  const { runner, dir } = resolveOptions(opts);
  const key = labKey(plan);
  const store = opts.store ?? localStore(dir);
  const state = await store.read(key);
  const prior = priorOf(state);
  const desired = withRestores(plan.resources, state);
  const live = await readFor(runner, desired, prior);
  const host = { hostSysctlOwners: await sysctlClaims(store, key, Object.values(desired)), hostSysctlsFound: hostFound(state) };
  const owner = store.owner(key);
  const base = diff({ key: owner, desired, live, prior, ...host });
  const result = opts.adopt && base.conflicts.length ? adopting(base, diff({ key: owner, desired, live, prior, adopt: true, ...host }), plan) : base;
  const restoring = (c: Change) => {
    const declared = plan.resources[c.id];
    const keys = c.fields.map((f) => f.field.replace(/^sysctls\./u, ''));
    return declared?.type === 'namespace' && c.action === 'update' && c.fields.every((f) => f.field.startsWith('sysctls.')) && keys.every((k) => !(k in declared.sysctls)) ? keys : undefined;
  };
  const changes = result.changes.map((c) => {
    const keys = restoring(c);
    return keys ? { ...c, reason: `no longer declared: ${keys.join(', ')} back to the value found before nslab set it` } : c;
  });
  return { lab: plan.lab, key, plan, desired, state, live, result: { ...result, changes } };
}

/**
 * The diff with adoption, where every change to an adopted object other than setting its marker,
 * and every undeclared object inside an adopted namespace, is a conflict: only what already
 * matches the lab is adopted.
 */
function adopting(before: DiffResult, after: DiffResult, plan: PlanDocument): DiffResult {
  const adopted = new Set(before.conflicts.map((c) => c.path));
  const namespaces = new Set(Object.values(plan.resources).flatMap((r) => (r.type === 'namespace' && adopted.has(r.path) ? [r.name] : [])));
  const problems: Conflict[] = [];
  for (const c of after.changes) {
    const markerOnly = c.action === 'update' && c.fields.every((f) => /(^|\.)marker$/u.test(f.field));
    if (adopted.has(c.path) && !markerOnly) problems.push({ path: c.path, message: `cannot adopt: it differs from the lab (${renderChange(c).trim()}); only objects that already match are adopted` });
    const where = c.prior && c.prior.type !== 'namespace' && c.prior.type !== 'veth' ? c.prior.namespace : undefined;
    if (c.id.startsWith('drift:') && where !== undefined && namespaces.has(where)) {
      problems.push({ path: c.path, message: `cannot adopt namespace "${where}": it holds ${describe(c.prior!)}, which the lab does not declare` });
    }
  }
  return { ...after, conflicts: [...after.conflicts, ...problems] };
}

export interface ApplyResult {
  readonly changes: Change[];
  readonly report: ApplyReport;
  readonly ms: number;
  /** Destroy: objects in the lab's state that are no longer the lab's, left alone (one line each). */
  readonly leftAlone?: string[];
}

export interface ApplyOptions extends EngineOptions {
  /** Called with the plan before anything changes; return false to stop. */
  readonly confirm?: (plan: LabPlan) => Promise<boolean> | boolean;
  /** When a step fails, restore the kernel to its state before the apply. @default true */
  readonly rollback?: boolean;
  /** Aborting stops the apply at the next safe point (between batches). */
  readonly signal?: AbortSignal;
  /**
   * The changes a saved, reviewed plan promised. If the kernel moved since, so that the changes
   * would differ, apply refuses and names what moved.
   */
  readonly expected?: readonly Change[];
  /**
   * Called as the apply goes: `reading` the kernel (total: the lab's namespaces), then between
   * batches `deleting`, `creating` (namespaces and veths, one batch), `configuring` and `sysctls`
   * (done of total namespaces), then `verifying`. Not called while `confirm` runs.
   */
  readonly onProgress?: (p: ApplyProgress) => void;
}

export type { ApplyProgress };

/** Apply failed; `rolledBack` says whether the kernel was restored to its state before. */
export class ApplyFailedError extends EngineError {
  constructor(message: string, readonly rolledBack: boolean, options?: ErrorOptions) {
    super(message, options);
  }
  override name = 'ApplyFailedError';
}

/** The comparable core of a change: what a saved plan promises. */
const changeKey = (c: Change) => JSON.stringify([c.id, c.action, c.fields.map((f) => [f.field, f.to])]);

/** Lines naming what differs between the changes a saved plan promised and those needed now. */
export function movedSince(expected: readonly Change[], now: readonly Change[]): string[] {
  const want = new Map(expected.map((c) => [changeKey(c), c]));
  const have = new Map(now.map((c) => [changeKey(c), c]));
  const out: string[] = [];
  for (const [k, c] of want) if (!have.has(k)) out.push(`planned but no longer needed as planned: ${c.action} ${c.id} [${c.path}]`);
  for (const [k, c] of have) if (!want.has(k)) out.push(`needed now but not in the saved plan: ${c.action} ${c.id} [${c.path}] (${c.reason})`);
  return out;
}

/**
 * Makes the kernel match the plan: lock, read, diff, apply the difference, read again and check
 * that nothing differs, record the new state. Conflicts with foreign objects stop it before any
 * change. When a step fails, the kernel is restored to its state before the apply (unless
 * `rollback: false`). Returns undefined when `confirm` declined.
 */
export async function applyLab(plan: PlanDocument, opts: ApplyOptions = {}): Promise<ApplyResult | undefined> {
  const started = Date.now();
  // A lab across machines is applied by Terraform, one provider per host (this machine is none of them).
  if (plan.hosts) throw new EngineError(`lab ${labKey(plan)} spans hosts (${Object.keys(plan.hosts).sort().join(', ')}): deploy it with cdktf or Terraform`);
  const { lock, runner, dir } = await locked(opts, labKey(plan));
  try {
    opts.onProgress?.({ phase: 'reading', done: 0, total: Object.values(plan.resources).filter((r) => r.type === 'namespace').length });
    await unpinStale(runner, dir, labKey(plan));
    const p = await planLab(plan, { ...opts, runner, stateDir: dir });
    const owner = ownerKey(dir, p.key);
    if (p.state?.managedBy === 'terraform') {
      throw new EngineError(`lab ${p.key} is managed by Terraform (provider nslab/netns): change it with terraform, or remove it with nslab destroy --lab ${p.key}`);
    }
    if (p.result.conflicts.length) throw new EngineError(renderConflicts(p.result.conflicts));
    if (opts.expected) {
      const moved = movedSince(opts.expected, p.result.changes);
      if (moved.length) throw new EngineError(`the kernel changed since the plan was saved; nothing was applied:\n${moved.join('\n')}`);
    }
    if (opts.confirm && p.result.changes.length && !(await opts.confirm(p))) return undefined;
    const base = { version: 1 as const, lab: plan.lab, prefix: plan.prefix, key: p.key };
    const keptFound = p.state?.sysctlsFound ? { sysctlsFound: p.state.sysctlsFound } : {};
    const owned = { ...(p.state?.resources ?? {}) };
    if (p.result.changes.length === 0) {
      if (JSON.stringify(p.state?.resources) !== JSON.stringify(plan.resources) || p.state?.pending) {
        // Values found for keys no longer declared (already back in the kernel) are dropped.
        const found = foundAfter(p.state?.sysctlsFound, undefined, plan.resources);
        writeState(dir, { ...base, ...(found ? { sysctlsFound: found } : {}), resources: plan.resources });
      }
      // Nothing to change: every namespace of the plan carries the lab's marker.
      await pin(runner, dir, p.key, namespacesOf(plan.resources));
      return { changes: [], report: { processes: 0, commands: 0, observed: new Map(), touched: new Set() }, ms: Date.now() - started };
    }
    // Record what this apply may create before creating it: an interrupted apply leaves no orphan.
    const pending = { ...(p.state?.pending ?? {}), ...plan.resources };
    // Host values found are recorded with it (an apply killed after setting one still puts it back).
    const early = foundBeforeApply(p.state?.sysctlsFound, p.result.changes);
    writeState(dir, { ...base, ...(early ? { sysctlsFound: early } : {}), resources: owned, pending });
    // Another lab may have taken a host sysctl of this plan since it was read: each lab records
    // its claim before it changes anything, then looks again, so of two only one goes on.
    const taken = hostSysctlClaims(dir, p.key, Object.values(plan.resources));
    if (taken.size) {
      if (p.state) writeState(dir, p.state);
      else removeState(dir, p.key);
      const claims = Object.values(plan.resources).flatMap((r) => (r.type === 'sysctl' && taken.has(r.key) ? [ownerConflict(r, taken.get(r.key)!)] : []));
      throw new EngineError(renderConflicts(claims));
    }
    let report: ApplyReport;
    const pinsMade = preparePins(dir, p.key, namespacesOf(plan.resources));
    let pinning: Promise<void> | undefined;
    try {
      // A pin would keep a namespace that is deleted alive (and its veths with it).
      await unpin(runner, dir, p.key, p.result.changes.filter((c) => c.type === 'namespace' && c.prior).map((c) => (c.prior as { name: string }).name));
      report = await applyChanges(runner, owner, p.result.changes, p.live, opts.signal, opts.onProgress);
      opts.onProgress?.({ phase: 'verifying', done: 0, total: 1 });
      // Every namespace of the plan now carries the lab's marker (read back by its batch, or
      // unchanged): pin them (see pins.ts) while the verification diffs; if it fails, the pins
      // go again before the rollback (a pin would keep a deleted namespace alive).
      await pinsMade;
      pinning = pin(runner, dir, p.key, namespacesOf(plan.resources));
      await verify(runner, owner, p, p.desired, report);
      await pinning;
    } catch (e) {
      await pinsMade;
      if (pinning) {
        await pinning.catch(() => undefined);
        await unpin(runner, dir, p.key, namespacesOf(plan.resources)).catch(() => undefined);
      }
      if (e instanceof InterruptedError) {
        throw new ApplyFailedError(`interrupted: lab ${p.key} is partly applied (recorded in its state); run apply again to finish, or destroy to remove it`, false, { cause: e });
      }
      if (opts.rollback === false) throw new ApplyFailedError(`${(e as Error).message}\n(--no-rollback: the partial result is kept and recorded; apply again to finish)`, false, { cause: e });
      const target = rollbackTarget(p.desired, p.result.changes);
      try {
        // What this apply may have created counts as pending: it may have stopped before a marker.
        await converge(runner, owner, target, [...priorOf(p.state), ...Object.entries(plan.resources).map(([id, resource]) => ({ id, resource, pending: true }))]);
      } catch (r) {
        throw new ApplyFailedError(`${(e as Error).message}\nrollback failed too: ${(r as Error).message}`, false, { cause: e });
      }
      writeState(dir, { ...base, ...keptFound, resources: owned, ...(p.state?.pending ? { pending: p.state.pending } : {}) });
      throw new ApplyFailedError(`${(e as Error).message}\nrolled back: the kernel is as it was before this apply`, true, { cause: e });
    }
    const sysctlsFound = foundAfter(early, report.sysctlsBefore, plan.resources);
    writeState(dir, { ...base, resources: plan.resources, ...(sysctlsFound ? { sysctlsFound } : {}) });
    return { changes: p.result.changes, report, ms: Date.now() - started };
  } finally {
    await lock.release();
  }
}

/** Reads, diffs against `desired`, applies, and checks: the rollback path. */
async function converge(runner: Runner, key: string, desired: Record<string, Resource>, prior: PriorResource[]): Promise<void> {
  const live = await readFor(runner, desired, prior);
  const d = diff({ key, desired, live, prior });
  if (d.conflicts.length) throw new EngineError(renderConflicts(d.conflicts));
  const { observed } = await applyChanges(runner, key, d.changes, live);
  const after = diff({ key, desired, live: await readFor(runner, desired, prior, observed), prior });
  if (after.changes.length) throw new EngineError(`still different:\n${after.changes.map(renderChange).join('\n')}`);
}

/**
 * After apply: diff again. Locations the apply read back are not read again, nor are those it
 * did not write to (the plan's own read of them stands); the rest are read.
 */
async function verify(runner: Runner, owner: string, p: LabPlan, desired: Record<string, Resource>, report: ApplyReport): Promise<void> {
  const prior = [...priorOf(p.state), ...Object.entries(desired).map(([id, resource]) => ({ id, resource }))];
  const known = new Map(report.observed);
  for (const [l, where] of p.live.locations) if (!report.touched.has(l) && !known.has(l)) known.set(l, where);
  const live = await readFor(runner, desired, prior, known);
  const left = diff({ key: owner, desired, live, prior, hostSysctlsFound: hostFound(p.state) });
  const problems = [...left.changes.map(renderChange), ...left.conflicts.map((c) => `[${c.path}] ${c.message}`)];
  if (problems.length) {
    throw new EngineError(`after apply, the kernel still differs from lab ${p.key}:\n${problems.join('\n')}`);
  }
}

/** What a pinned namespace is known to hold without reading it: its lo with the lab's marker. */
function markedOnly(namespaces: Set<string>, owner: string): Map<Location, LiveLocation> {
  const lo = { ifindex: 1, name: 'lo', mtu: 65536, up: true, alias: ownerMarker(owner), addresses: [] };
  return new Map([...namespaces].map((ns) => [ns, { links: new Map([['lo', lo]]), routes: [], sysctls: {} }]));
}

/** Deletes of what the state records inside pinned namespaces (they go with the namespace; not read). */
function insidePinned(prior: readonly PriorResource[], pinned: Set<string>, changes: readonly Change[]): Change[] {
  const listed = new Set(changes.map((c) => c.id));
  const inside = (r: Resource) => {
    if (r.type === 'namespace') return false;
    if (r.type === 'veth') return [r.a, r.b].every((e) => e.namespace !== undefined && pinned.has(e.namespace));
    return r.namespace !== undefined && pinned.has(r.namespace);
  };
  return prior
    .filter(({ id, resource }) => !listed.has(id) && inside(resource))
    .map(({ id, resource }) => ({ id, type: resource.type, action: 'delete' as const, path: resource.path, prior: resource, fields: [], reason: 'the lab is destroyed' }));
}

/** A plan with no resources: what destroy makes the kernel match. */
export function emptyPlan(lab: string, prefix: string): PlanDocument {
  return { version: PLAN_VERSION, lab, prefix, resources: {} };
}

export interface DestroyOptions extends EngineOptions {
  readonly confirm?: (plan: LabPlan) => Promise<boolean> | boolean;
}

/**
 * Removes everything the lab owns, from its state file (the lab's code is not needed). What the
 * state claims but the kernel shows is no longer the lab's (a namespace of the same name without
 * the lab's marker) is left alone, reported in `leftAlone`, and dropped with the state.
 * Returns undefined when there is no state for the lab or `confirm` declined.
 */
export async function destroyLab(key: string, opts: DestroyOptions = {}): Promise<ApplyResult | undefined> {
  const started = Date.now();
  const { lock, runner, dir } = await locked(opts, key);
  try {
    const state = readState(dir, key);
    if (!state) return undefined;
    const plan = emptyPlan(state.lab, state.prefix);
    const prior = priorOf(state);
    const owner = ownerKey(dir, key);
    const proven = await unpinStale(runner, dir, key);
    // A namespace its pin proves the lab's is not read: it goes whole, with all that is in it.
    const pinned = new Set(prior.flatMap(({ resource: r }) => (r.type === 'namespace' && proven.has(r.name) ? [r.name] : [])));
    const live = await readFor(runner, {}, prior, markedOnly(pinned, owner));
    // Host sysctls the lab set go back to the values found before (the diff puts them back).
    const found = diff({ key: owner, desired: {}, live, prior, hostSysctlsFound: hostFound(state) });
    const inside = insidePinned(prior, pinned, found.changes);
    const reason = (c: Change) => (c.type === 'sysctl' ? `the lab is destroyed: ${c.reason.replace(/^no longer declared: /u, '')}` : 'the lab is destroyed');
    const result = { ...found, changes: [...inside, ...found.changes].map((c) => ({ ...c, reason: reason(c) })) };
    const p: LabPlan = { lab: state.lab, key, plan, desired: {}, state, live, result };
    if (opts.confirm && result.changes.length && !(await opts.confirm(p))) return undefined;
    await unpin(runner, dir, key, 'all');
    const report = await applyChanges(runner, owner, result.changes, live);
    await verify(runner, owner, p, {}, report);
    removeState(dir, key);
    const leftAlone = (found.leftAlone ?? []).map((c) => `[${c.path}] ${c.message}`);
    return { changes: result.changes, report, ms: Date.now() - started, ...(leftAlone.length ? { leftAlone } : {}) };
  } finally {
    await lock.release();
  }
}
