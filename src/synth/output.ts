/**
 * Where synthesized plans go: files in the output directory, or, in capture mode, an array the
 * CLI put on `globalThis` before loading a lab file in-process.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { IConstruct } from 'constructs';
import { labKey, stableStringify, type PlanDocument } from '../plan/types.js';
import { synthesize } from './synth.js';

/** When `globalThis[CAPTURE_KEY]` is an array, synth pushes plans there and writes no files. */
export const CAPTURE_KEY: unique symbol = Symbol.for('nslab.capture') as never;

/** When `globalThis[APPS_KEY]` is an array, every new App pushes itself there. */
export const APPS_KEY: unique symbol = Symbol.for('nslab.apps') as never;

/** The output directory used when neither the App props nor NSLAB_OUTDIR name one. */
export const DEFAULT_OUTDIR = 'nslab.out';

/** The file name of a lab's plan: `<prefix><lab>.plan.json`. */
export const planFileName = (plan: Pick<PlanDocument, 'lab' | 'prefix'>): string => `${labKey(plan)}.plan.json`;

/** The array capture mode pushes to, or undefined when capture mode is off. */
export function captureTarget(): unknown[] | undefined {
  const target = (globalThis as Record<symbol, unknown>)[CAPTURE_KEY];
  return Array.isArray(target) ? target : undefined;
}

/** Registers a new app with the CLI's registry when there is one. */
export function registerApp(app: IConstruct): void {
  const apps = (globalThis as Record<symbol, unknown>)[APPS_KEY];
  if (Array.isArray(apps)) apps.push(app);
}

/** Writes each plan as `<outdir>/<prefix><lab>.plan.json`; returns the paths written. */
export function writePlans(plans: readonly PlanDocument[], outdir: string): string[] {
  mkdirSync(outdir, { recursive: true });
  return plans.map((plan) => {
    const file = join(outdir, planFileName(plan));
    writeFileSync(file, stableStringify(plan));
    return file;
  });
}

/**
 * Synthesizes every lab under `root`; validation happens before anything is written. In capture
 * mode the plans are pushed to the capture array; otherwise they are written to `outdir`.
 */
export function synthApp(root: IConstruct, outdir: string): PlanDocument[] {
  const plans = synthesize(root);
  const capture = captureTarget();
  if (capture) capture.push(...plans);
  else writePlans(plans, outdir);
  return plans;
}
