/**
 * `nslab/testing`: labs as test fixtures. Deploy a lab under a unique prefix, get live handles to
 * its namespaces and devices, run commands and servers inside it, check who reaches whom, and
 * tear it down whatever happens; or, with no kernel at all, snapshot a lab's plan (`Testing.synth`).
 *
 * ```ts
 * import { NetNamespace, VethLink, IpAddress, type Lab } from 'nslab';
 * import { withLab } from 'nslab/testing';
 *
 * it('red reaches blue', () => withLab((lab: Lab) => { ... }, async (lab) => {
 *   await lab.expectReachable('red', 'blue');
 * }));
 * ```
 */
import { execFileSync } from 'node:child_process';

export { deployLab, withLab, type DeployOptions, type WithLabOptions, type LabBuilder } from './deploy.js';
export { DeployedLab, ReachabilityError, type CheckReachabilityOptions, type ReachabilityReport } from './lab.js';
export { LabNamespace, type LiveDevice, type PingOptions } from './namespace.js';
export { LabProcess, ExecError, type ExecOptions, type ExecResult, type SpawnOptions } from './process.js';
export { sweepStaleLabs, runStateDirs, defaultRoot, type SweepOptions, type SweepReport } from './runs.js';
export { Testing, type SynthOptions } from './synth.js';
export { renderMatrix, type Expectation, type PairPrediction, type PairResult, type Prediction } from './reachability.js';

import { Topology, type PairPrediction } from './reachability.js';
import type { PlanDocument } from '../plan/types.js';

/** What the topology of `plan` predicts for every ordered pair of its namespaces (pure). */
export function predictReachability(plan: PlanDocument): PairPrediction[] {
  return new Topology(plan).pairs();
}

/**
 * Why labs cannot be deployed here (not root, or `ip netns` does not work), or undefined when
 * they can. For skipping kernel tests: `(labsUnavailable() ? describe.skip : describe)(…)`.
 */
export function labsUnavailable(): string | undefined {
  if (process.getuid?.() !== 0) return 'not running as root (labs need CAP_SYS_ADMIN and CAP_NET_ADMIN)';
  try {
    execFileSync('ip', ['-j', 'netns', 'list'], { stdio: 'pipe' });
  } catch (e) {
    return `ip netns does not work here: ${(e as Error).message}`;
  }
  return undefined;
}
