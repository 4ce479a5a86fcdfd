/**
 * Loads a lab file in-process: a TypeScript or JavaScript program that builds an App (its
 * `app.synth()` hands plans back instead of writing them), or a synthesized plan JSON.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { loadPlan, PlanError } from '../plan/validate.js';
import type { PlanDocument } from '../plan/types.js';
import type { Change } from '../diff/diff.js';
import { APPS_KEY as APPS, CAPTURE_KEY as CAPTURE } from '../synth/output.js';


export class LoadError extends Error {
  override name = 'LoadError';
}

export async function loadLabFile(file: string): Promise<PlanDocument[]> {
  const abs = resolve(file);
  if (file.endsWith('.json')) return loadPlanJson(abs);
  const g = globalThis as Record<symbol, unknown>;
  const captured: unknown[] = [];
  const apps: Array<{ synth(): unknown }> = [];
  g[CAPTURE] = captured;
  g[APPS] = apps;
  try {
    const { tsImport } = await import('tsx/esm/api');
    try {
      await tsImport(pathToFileURL(abs).href, import.meta.url);
    } catch (e) {
      if (e instanceof Error && e.name === 'PlanError') throw e;
      if ((e as NodeJS.ErrnoException).code === 'ERR_MODULE_NOT_FOUND' && String((e as Error).message).includes(abs)) {
        throw new LoadError(`${file}: no such file`);
      }
      throw new LoadError(`${file}: ${(e as Error).message}`, { cause: e });
    }
    if (captured.length === 0) for (const app of apps) app.synth();
  } finally {
    delete g[CAPTURE];
    delete g[APPS];
  }
  if (captured.length === 0) throw new LoadError(`${file} defines no lab (it should build an App with at least one Lab)`);
  return captured.map((p) => loadPlan(p));
}

function loadPlanJson(abs: string): PlanDocument[] {
  let doc: unknown;
  try {
    doc = JSON.parse(readFileSync(abs, 'utf8'));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new LoadError(code === 'ENOENT' ? `${abs}: no such file` : `${abs}: not a plan (${(e as Error).message})`);
  }
  const docs = Array.isArray(doc) ? doc : [doc];
  const problems: string[] = [];
  const plans: PlanDocument[] = [];
  for (const d of docs) {
    try {
      plans.push(loadPlan(d));
    } catch (e) {
      if (e instanceof PlanError) problems.push(...e.problems);
      else throw e;
    }
  }
  if (problems.length) throw new PlanError(problems);
  return plans;
}

/** A plan saved by `nslab plan FILE --out PLANFILE`: the lab plans and the exact changes reviewed. */
export interface SavedPlan {
  readonly kind: 'nslab-saved-plan';
  readonly version: 1;
  readonly labs: Array<{ readonly plan: PlanDocument; readonly changes: Change[] }>;
}

/** The saved plan in `file`, or undefined when `file` is not one. */
export function readSavedPlan(file: string): SavedPlan | undefined {
  if (!file.endsWith('.json')) return undefined;
  let doc: unknown;
  try {
    doc = JSON.parse(readFileSync(resolve(file), 'utf8'));
  } catch {
    return undefined;
  }
  const d = doc as Partial<SavedPlan>;
  if (d?.kind !== 'nslab-saved-plan') return undefined;
  if (d.version !== 1 || !Array.isArray(d.labs)) throw new LoadError(`${file}: a saved plan of an unknown version`);
  return { kind: 'nslab-saved-plan', version: 1, labs: d.labs.map((l) => ({ plan: loadPlan(l.plan), changes: l.changes })) };
}
