/**
 * `Testing.synth(build)`: a lab's plan document from its builder function, for snapshot tests.
 * Pure: no kernel, no root, no files written.
 */
import { App, Lab } from '../../constructs/index.js';
import { stableStringify, type PlanDocument } from '../plan/types.js';
import { synthesize } from '../synth/synth.js';
import type { LabBuilder } from './deploy.js';

export interface SynthOptions {
  /**
   * The lab's name.
   * @default 'lab'
   */
  readonly name?: string;
  /**
   * The lab's prefix. `$NSLAB_PREFIX` is not applied: the document is the same on every machine.
   * @default ''
   */
  readonly prefix?: string;
}

/** Helpers for tests that need no kernel. */
export const Testing = {
  /**
   * The plan document `build` declares, as `nslab synth` would write it: validated, keys sorted,
   * no timestamps, so `expect(Testing.synth(build)).toMatchSnapshot()` shows in review exactly
   * what a change to a topology changes. Needs no root and touches no kernel.
   *
   * ```ts
   * import { Testing } from 'nslab/testing';
   * it('keeps its topology', () => expect(Testing.synth(redBlue, { name: 'red-blue' })).toMatchSnapshot());
   * ```
   * @throws PlanError listing every problem when the constructs are invalid
   */
  synth(build: LabBuilder, opts: SynthOptions = {}): PlanDocument {
    const app = new App({ outdir: '/nonexistent/nslab-testing-synth' });
    const envPrefix = process.env.NSLAB_PREFIX;
    let lab: Lab;
    try {
      delete process.env.NSLAB_PREFIX;
      lab = new Lab(app, opts.name ?? 'lab', { prefix: opts.prefix ?? '' });
    } finally {
      if (envPrefix !== undefined) process.env.NSLAB_PREFIX = envPrefix;
    }
    const built = build(lab);
    if (built && typeof (built as PromiseLike<unknown>).then === 'function') {
      throw new TypeError('Testing.synth takes a builder that declares its constructs synchronously (it returned a promise)');
    }
    const plans = synthesize(app);
    if (plans.length !== 1) throw new Error(`the build function must declare constructs only in the Lab it is given (it declared labs: ${plans.map((p) => p.lab).join(', ')})`);
    // Parsed back from its canonical text: every object's keys in sorted order.
    return JSON.parse(stableStringify(plans[0]!)) as PlanDocument;
  },
};
