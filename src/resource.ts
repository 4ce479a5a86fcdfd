/**
 * One resource at a time, for callers that manage resources individually (the Terraform
 * provider): read a resource's live form, and make one resource's change. The same reader,
 * diff and apply as whole labs; undeclared objects are left alone (other resources own them).
 */
import { diff, type DiffResult } from './diff/diff.js';
import { revertFields } from './diff/fields.js';
import { readLive, type LiveState } from './live/read.js';
import type { LiveLocation } from './live/parse.js';
import { applyChanges, type ApplyReport } from './apply/apply.js';
import { loc, type Location, type Resource } from './plan/types.js';
import { processRunner, type Runner } from './runner.js';
import { EngineError } from './engine.js';
import { renderChange, renderConflicts } from './diff/render.js';

const ID = 'resource';

function locations(r: Resource): Location[] {
  if (r.type === 'namespace') return [r.name];
  if (r.type === 'veth') return [loc(r.a.namespace), loc(r.b.namespace)];
  return [loc(r.namespace)];
}

async function readFor(runner: Runner, rs: Resource[], known?: Map<Location, LiveLocation>): Promise<LiveState> {
  const sysctls = new Map<Location, string[]>();
  for (const r of rs) if (r.type === 'namespace' && Object.keys(r.sysctls).length) sysctls.set(r.name, Object.keys(r.sysctls).sort());
  return readLive(runner, { locations: rs.flatMap(locations), sysctls, known });
}

function diffOne(key: string, desired: Resource | undefined, prior: Resource | undefined, live: LiveState): DiffResult {
  return diff({
    key,
    desired: desired ? { [ID]: desired } : {},
    live,
    prior: prior ? [{ id: ID, resource: prior }] : [],
    pruneUndeclared: false,
  });
}

/**
 * The live form of a resource the caller owns: undefined when it is gone from the kernel,
 * otherwise the resource with every differing field set to its live value.
 */
export async function readResource(key: string, r: Resource, runner: Runner = processRunner): Promise<Resource | undefined> {
  const live = await readFor(runner, [r]);
  const d = diffOne(key, r, r, live);
  if (d.conflicts.length) return undefined;
  const own = d.changes.filter((c) => c.id === ID);
  if (own.some((c) => c.action === 'create' || c.action === 'replace')) return undefined;
  const update = own.find((c) => c.action === 'update');
  return update ? revertFields(r, update) : r;
}

/** What changing `prior` into `desired` would do (either may be absent: create or delete). */
export async function planResource(key: string, prior: Resource | undefined, desired: Resource | undefined, runner: Runner = processRunner): Promise<DiffResult> {
  const live = await readFor(runner, [prior, desired].filter((r): r is Resource => r !== undefined));
  return diffOne(key, desired, prior, live);
}

/**
 * Makes one resource's change: create (no prior), update or replace, or delete (no desired).
 * Foreign objects in the way are an EngineError; after the change the resource is read back and
 * anything still different is an EngineError.
 */
export async function applyResource(key: string, prior: Resource | undefined, desired: Resource | undefined, runner: Runner = processRunner): Promise<ApplyReport> {
  const rs = [prior, desired].filter((r): r is Resource => r !== undefined);
  const live = await readFor(runner, rs);
  const d = diffOne(key, desired, prior, live);
  if (d.conflicts.length) throw new EngineError(renderConflicts(d.conflicts));
  const report = await applyChanges(runner, key, d.changes, live);
  const after = diffOne(key, desired, desired ?? prior, await readFor(runner, rs, report.observed));
  const left = desired ? after.changes : after.changes.filter((c) => c.action === 'delete');
  if (left.length) throw new EngineError(`after apply, the kernel still differs:\n${left.map(renderChange).join('\n')}`);
  return report;
}
