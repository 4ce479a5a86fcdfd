import type { App, PlanDocument, Resource } from '../../../constructs/index.js';
import { PlanError } from '../../../src/plan/validate.js';
import { synthesize } from '../../../src/synth/synth.js';

/** Synthesizes `app` without writing anything and returns the resources of its only lab. */
export function resourcesOf(app: App): Record<string, Resource> {
  const plans: PlanDocument[] = synthesize(app);
  expect(plans).toHaveLength(1);
  return plans[0]!.resources;
}

/** The problems synth reports for `app`; fails the test when synth succeeds or throws anything else. */
export function problemsOf(app: App): string[] {
  try {
    synthesize(app);
  } catch (e) {
    if (e instanceof PlanError) return e.problems;
    throw e;
  }
  throw new Error('expected synth to fail with a PlanError');
}
