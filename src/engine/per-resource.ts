/**
 * One resource at a time, for callers that manage resources individually (the Terraform
 * provider): read a resource's live form, and make one resource's change. The same reader,
 * diff and apply as whole labs; undeclared objects are left alone (other resources own them).
 *
 * Changes are recorded in the same state store as `nslab apply`, under the same per-lab lock:
 * the lab's state (marked `managedBy: terraform`) lists every resource created and not yet
 * deleted, so `nslab show` sees the lab, `nslab gc` never takes its objects for orphans, and
 * `nslab destroy --lab KEY` can remove it when Terraform's own state is lost.
 */
import { diff, type DiffResult } from './diff/diff.js';
import { revertFields } from './diff/fields.js';
import { readLive, type LiveState } from './live/read.js';
import { extrasFor } from './live/extras.js';
import type { LiveLocation } from './live/parse.js';
import { applyChanges, type ApplyReport } from './apply/apply.js';
import { HOST, identity, loc, type Location, type Resource } from '../plan/types.js';
import type { Runner } from './runner.js';
import { EngineError, resolveOptions, type EngineOptions } from './lab.js';
import type { LabState } from './state/state.js';
import { renderChange, renderConflicts } from './diff/render.js';
import { localStore, sysctlClaims, type StateStore } from './state/store.js';

const ID = 'resource';

function locations(r: Resource): Location[] {
  if (r.type === 'namespace') return [r.name];
  if (r.type === 'veth') return [loc(r.a.namespace), loc(r.b.namespace)];
  return [loc(r.namespace)];
}

/** `need`: the resource to be made (the kernel features it needs are checked first). */
async function readFor(runner: Runner, rs: Resource[], known?: Map<Location, LiveLocation>, need?: Resource): Promise<LiveState> {
  const sysctls = new Map<Location, string[]>();
  for (const r of rs) if (r.type === 'namespace' && Object.keys(r.sysctls).length) sysctls.set(r.name, Object.keys(r.sysctls).sort());
  const host = [...new Set(rs.flatMap((r) => (r.type === 'sysctl' ? [r.key] : [])))];
  if (host.length) sysctls.set(HOST, host);
  return readLive(runner, { locations: rs.flatMap(locations), sysctls, known, extras: extrasFor(need ? [need] : [], rs) });
}

/**
 * A runner, or engine options (runner, state directory, lock wait, child deadline), with the
 * store the records go to (another machine's: see remote/store.ts).
 */
export type ResourceOptions = Runner | (EngineOptions & { readonly store?: StateStore });

/** How long a resource change waits for the lab's lock by default: Terraform runs several at once. */
const RESOURCE_LOCK_WAIT_MS = 300_000;

/** The runner (with the deadline, if one is set), the store, and how long to wait for the lab's lock. */
function options(o: ResourceOptions | undefined): { runner: Runner; store: StateStore; lockTimeoutMs: number } {
  const eo = o && 'run' in o ? { runner: o } : (o ?? {});
  const { runner, dir, lockTimeoutMs } = resolveOptions(eo, RESOURCE_LOCK_WAIT_MS);
  return { runner, store: ('store' in eo ? eo.store : undefined) ?? localStore(dir), lockTimeoutMs };
}

/** The record id of a resource in a Terraform-managed lab's state. */
export const recordId = (r: Resource) => `terraform:${identity(r)}`;

/** Host sysctls: other labs' claims on the key, and the values found before nslab set them. */
interface HostSysctls {
  readonly owners?: ReadonlyMap<string, string>;
  readonly found?: Readonly<Record<string, string>>;
}

/** `pending`: what an interrupted create of this resource recorded (it may be half made, unmarked). */
function diffOne(key: string, desired: Resource | undefined, prior: Resource | undefined, live: LiveState, pending?: Resource, host: HostSysctls = {}): DiffResult {
  return diff({
    key,
    desired: desired ? { [ID]: desired } : {},
    live,
    prior: prior ? [{ id: ID, resource: prior }] : pending ? [{ id: ID, resource: pending, pending: true }] : [],
    pruneUndeclared: false,
    hostSysctlOwners: host.owners,
    hostSysctlsFound: host.found,
  });
}

/** The state's record of host sysctl values found, after a change from `prior` to `desired` (see state/sysctls.ts). */
function foundAfterOne(state: LabState | undefined, prior: Resource | undefined, desired: Resource | undefined, report: ApplyReport): LabState['sysctlsFound'] {
  const host = { ...(state?.sysctlsFound?.[HOST] ?? {}) };
  if (prior?.type === 'sysctl' && !(desired?.type === 'sysctl' && desired.key === prior.key)) delete host[prior.key];
  if (desired?.type === 'sysctl' && host[desired.key] === undefined) {
    const before = report.sysctlsBefore?.get(HOST)?.[desired.key];
    if (before !== undefined) host[desired.key] = before;
  }
  const out = { ...(state?.sysctlsFound ?? {}), [HOST]: host };
  if (Object.keys(host).length === 0) delete out[HOST];
  return Object.keys(out).length ? out : undefined;
}

/**
 * The live form of a resource the caller owns: undefined when it is gone from the kernel,
 * otherwise the resource with every differing field set to its live value.
 */
export async function readResource(key: string, r: Resource, opts?: ResourceOptions): Promise<Resource | undefined> {
  const { runner, store } = options(opts);
  const live = await readFor(runner, [r]);
  const d = diffOne(store.owner(key), r, r, live);
  if (d.conflicts.length) return undefined;
  const own = d.changes.filter((c) => c.id === ID);
  if (own.some((c) => c.action === 'create' || c.action === 'replace')) return undefined;
  const update = own.find((c) => c.action === 'update');
  return update ? revertFields(r, update) : r;
}

/** What changing `prior` into `desired` would do (either may be absent: create or delete). */
export async function planResource(key: string, prior: Resource | undefined, desired: Resource | undefined, opts?: ResourceOptions): Promise<DiffResult> {
  const { runner, store } = options(opts);
  const live = await readFor(runner, [prior, desired].filter((r): r is Resource => r !== undefined), undefined, desired);
  const owners = await sysctlClaims(store, key, desired ? [desired] : []);
  const found = desired?.type === 'sysctl' || prior?.type === 'sysctl' ? (await store.read(key))?.sysctlsFound?.[HOST] : undefined;
  return diffOne(store.owner(key), desired, prior, live, undefined, { owners, found });
}

/**
 * Makes one resource's change: create (no prior), update or replace, or delete (no desired),
 * under the lab's lock, recorded in the lab's state. Foreign objects in the way are an
 * EngineError (nothing changed, nothing recorded); after the change the resource is read back and
 * anything still different is an EngineError (what may have been made stays recorded).
 */
export async function applyResource(key: string, prior: Resource | undefined, desired: Resource | undefined, opts?: ResourceOptions): Promise<ApplyReport> {
  const o = options(opts);
  const { store } = o;
  const lock = await store.lock(key, o.lockTimeoutMs, o.runner);
  const { runner } = lock;
  try {
    const owner = store.owner(key);
    const state = await store.read(key);
    if (state && state.managedBy !== 'terraform') {
      throw new EngineError(`lab ${key} was applied by nslab apply, not by Terraform; the provider leaves it alone (choose another provider "lab", or destroy that lab first)`);
    }
    const rs = [prior, desired].filter((r): r is Resource => r !== undefined);
    const live = await readFor(runner, rs, undefined, desired);
    const half = desired && !prior ? state?.pending?.[recordId(desired)] : undefined;
    // A host sysctl: another lab's claim is a conflict; one no longer declared goes back to the value found.
    const host = { owners: await sysctlClaims(store, key, desired ? [desired] : []), found: state?.sysctlsFound?.[HOST] };
    const d = diffOne(owner, desired, prior, live, half, host);
    if (d.conflicts.length) throw new EngineError(renderConflicts(d.conflicts));
    const record = (resources: Record<string, Resource>, pending?: Record<string, Resource>, sysctlsFound = state?.sysctlsFound) => {
      if (!Object.keys(resources).length && !pending) return store.remove(key);
      return store.write({ version: 1, lab: key, prefix: '', key, resources, ...(pending ? { pending } : {}), managedBy: 'terraform', ...(sysctlsFound ? { sysctlsFound } : {}) } satisfies LabState);
    };
    const owned = { ...(state?.resources ?? {}) };
    if (desired && d.changes.length) await record(owned, { ...(state?.pending ?? {}), [recordId(desired)]: desired });
    const report = await applyChanges(runner, owner, d.changes, live);
    const after = diffOne(owner, desired, desired ?? prior, await readFor(runner, rs, report.observed), undefined, { found: host.found });
    const left = desired ? after.changes : after.changes.filter((c) => c.action === 'delete' || c.type === 'sysctl');
    if (left.length) throw new EngineError(`after apply, the kernel still differs:\n${left.map(renderChange).join('\n')}`);
    if (prior) delete owned[recordId(prior)];
    if (desired) owned[recordId(desired)] = desired;
    const pending = { ...(state?.pending ?? {}) };
    for (const r of rs) delete pending[recordId(r)];
    await record(owned, Object.keys(pending).length ? pending : undefined, foundAfterOne(state, prior, desired, report));
    return report;
  } finally {
    await lock.release();
  }
}
