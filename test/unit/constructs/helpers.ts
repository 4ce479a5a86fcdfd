import type { PlanDocument, Resource } from '../../../constructs/index.js';
import { synthesize } from '../../../src/synth/synth.js';
import type { App } from '../../../constructs/index.js';

/** Synthesizes `app` without writing anything and returns the resources of its only lab. */
export function resourcesOf(app: App): Record<string, Resource> {
  const plans: PlanDocument[] = synthesize(app);
  expect(plans).toHaveLength(1);
  return plans[0]!.resources;
}
