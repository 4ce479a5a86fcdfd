/**
 * `deployLab` and `withLab`: a lab as a test fixture, under a unique prefix, torn down by the test.
 *
 * Teardown, from the normal path to the last resort:
 * 1. `withLab` destroys in `finally`; with `deployLab` the test calls `lab.destroy()` (afterEach/afterAll).
 * 2. Under jest, labs of a `withLab` whose body never settled (a timed-out test) are destroyed in
 *    an `afterAll` hook this module registers when jest's globals are present.
 * 3. While any lab is live, a process 'exit' handler (and SIGINT/SIGTERM/SIGHUP handlers that then
 *    re-raise the signal) tear the remaining labs down synchronously.
 * 4. A SIGKILLed process gets no say: the next deployment on the machine sweeps runs whose owner
 *    process is dead (`sweepStaleLabs`).
 */
import { runInThisContext } from 'node:vm';
import { App, Lab } from '../../constructs/index.js';
import { synthesize } from '../synth/synth.js';
import { DeployedLab } from './lab.js';
import { loadExeca } from './process.js';
import { defaultRoot, releaseRun, reserveRun, sweepStaleLabs } from './runs.js';
import { applyLab } from '../engine/index.js';

export interface DeployOptions {
  /**
   * The lab's name (the prefix goes in front of it in the lab's key).
   * @default 'lab'
   */
  readonly name?: string;
  /**
   * The root of run directories (each deployment's state directory lives below it). Every test
   * process on the machine should use the same root, so prefixes stay unique and stale runs are found.
   * @default - `$NSLAB_TESTING_DIR`, else `/run/nslab/testing`
   */
  readonly root?: string;
  /**
   * Sweep labs of dead test processes (once per process and root) before deploying.
   * @default true
   */
  readonly sweep?: boolean;
}

export interface WithLabOptions extends DeployOptions {
  /**
   * Give up on the body after this long: the lab is destroyed and withLab throws. Use it a little
   * below the test's own timeout so teardown happens inside the test.
   * @default - no limit of its own
   */
  readonly timeoutMs?: number;
}

/**
 * Declares a lab's constructs inside the given Lab (its prefix is set by nslab/testing). What it
 * returns is ignored; a promise is awaited by deployLab/withLab.
 */
export type LabBuilder = (lab: Lab) => unknown;

// ---- live labs and the safety nets ---------------------------------------------------------------

const live = new Set<DeployedLab>();
const inWithLab = new Set<DeployedLab>();
const lifecycle = {
  onGone(lab: DeployedLab) {
    live.delete(lab);
    inWithLab.delete(lab);
    if (live.size === 0) uninstallHandlers();
  },
};

/**
 * The real process object. Under jest, `process` is a per-test-file copy whose events never fire;
 * the main context's `process` is the one that exits.
 */
const hostProcess: NodeJS.Process = (() => {
  try {
    return (runInThisContext('process') as NodeJS.Process | undefined) ?? process;
  } catch {
    return process;
  }
})();

const SIGNALS: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
let installed = false;

function teardownAllSync(): void {
  for (const lab of [...live]) {
    try {
      lab.destroySync();
    } catch {
      // best effort at exit; the next run's sweep finishes the job
    }
  }
}

function onSignal(signal: NodeJS.Signals): void {
  teardownAllSync();
  uninstallHandlers();
  // Nobody else handles it: do what the signal would have done.
  if (hostProcess.listenerCount(signal) === 0) hostProcess.kill(hostProcess.pid, signal);
}

function installHandlers(): void {
  if (installed) return;
  installed = true;
  hostProcess.on('exit', teardownAllSync);
  for (const s of SIGNALS) hostProcess.on(s, onSignal);
}

function uninstallHandlers(): void {
  if (!installed) return;
  installed = false;
  hostProcess.off('exit', teardownAllSync);
  for (const s of SIGNALS) hostProcess.off(s, onSignal);
}

// Under jest: a withLab body that never settled (timed-out test) still gets its lab destroyed.
const jestAfterAll = (globalThis as { afterAll?: (fn: () => Promise<void>, timeout?: number) => void }).afterAll;
if (typeof jestAfterAll === 'function') {
  try {
    jestAfterAll(async () => {
      await Promise.allSettled([...inWithLab].map((lab) => lab.destroy()));
    }, 60_000);
  } catch {
    // imported from inside a test or hook: hooks cannot be added there; the exit handler remains
  }
}

const swept = new Map<string, Promise<unknown>>();

// ---- the API -------------------------------------------------------------------------------------

/**
 * Builds a lab with `build`, under a prefix no other deployment on the machine has, and applies
 * it. Returns the live lab; call `await lab.destroy()` when done (in afterEach/afterAll, so it runs
 * when the test fails). A lab still live when the process exits is torn down by an 'exit' handler.
 *
 * ```ts
 * let lab: DeployedLab;
 * beforeAll(async () => { lab = await deployLab(redBlue); });
 * afterAll(() => lab?.destroy());
 * ```
 * @throws PlanError when the constructs are invalid (nothing is deployed), or the engine's error
 *   when apply fails (what was created is destroyed first)
 */
export async function deployLab(build: LabBuilder, opts: DeployOptions = {}): Promise<DeployedLab> {
  const root = opts.root ?? defaultRoot();
  if (opts.sweep !== false) {
    if (!swept.has(root)) swept.set(root, sweepStaleLabs({ root }).catch(() => undefined));
    await swept.get(root);
  }
  const { prefix, dir } = reserveRun(root);
  let deployed: DeployedLab;
  try {
    const app = new App({ outdir: dir });
    const lab = new Lab(app, opts.name ?? 'lab', { prefix });
    await build(lab);
    const plans = synthesize(app);
    const plan = plans.find((p) => p.lab === lab.name && p.prefix === lab.prefix);
    if (!plan || plans.length !== 1) {
      throw new Error(`the build function must declare constructs only in the Lab it is given (it declared labs: ${plans.map((p) => p.lab).join(', ')})`);
    }
    deployed = new DeployedLab(plan, dir, lifecycle);
  } catch (e) {
    releaseRun(dir);
    throw e;
  }
  live.add(deployed);
  installHandlers();
  try {
    // execa (for exec and spawn in the lab) loads while the kernel works.
    await Promise.all([applyLab(deployed.plan, { stateDir: dir, lockTimeoutMs: 10_000 }), loadExeca()]);
  } catch (e) {
    await deployed.destroy().catch(() => undefined);
    throw e;
  }
  return deployed;
}

/**
 * Deploys a lab, runs `fn` with it, and destroys the lab whatever happens (`finally`); returns
 * what `fn` returns. When both `fn` and the teardown fail, throws an AggregateError of both.
 *
 * ```ts
 * it('red reaches blue', () => withLab(redBlue, async (lab) => {
 *   await lab.expectReachable('red', 'blue');
 * }));
 * ```
 */
export async function withLab<T>(build: LabBuilder, fn: (lab: DeployedLab) => Promise<T> | T, opts: WithLabOptions = {}): Promise<T> {
  const lab = await deployLab(build, opts);
  inWithLab.add(lab);
  let result: T;
  try {
    result = await bounded(Promise.resolve().then(() => fn(lab)), opts.timeoutMs, lab);
  } catch (e) {
    try {
      await lab.destroy();
    } catch (d) {
      throw new AggregateError([e, d], `the test failed (${(e as Error).message}) and so did the teardown of lab ${lab.key} (${(d as Error).message})`);
    }
    throw e;
  }
  await lab.destroy();
  return result;
}

async function bounded<T>(work: Promise<T>, timeoutMs: number | undefined, lab: DeployedLab): Promise<T> {
  if (timeoutMs === undefined) return work;
  work.catch(() => undefined); // a body that fails after the timeout is not an unhandled rejection
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`withLab: the test did not finish within ${timeoutMs} ms; lab ${lab.key} is destroyed`)), timeoutMs);
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
