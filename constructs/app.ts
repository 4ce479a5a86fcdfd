import { Construct } from 'constructs';
import type { PlanDocument } from '../src/plan/types.js';
import { DEFAULT_OUTDIR, registerApp, synthApp } from '../src/synth/output.js';
import { brand, hasBrand } from '../src/synth/contract.js';

const APP_BRAND = Symbol.for('nslab.App');

export interface AppProps {
  /**
   * Directory the plans are written to, one `<prefix><lab>.plan.json` per lab.
   * @default - the NSLAB_OUTDIR environment variable, else `nslab.out`
   */
  readonly outdir?: string;
}

/**
 * The root of a construct tree. Labs are declared inside it; `synth()` turns them into plans.
 *
 * When the nslab CLI loads a lab file, each App registers itself with the CLI, and `synth()`
 * hands the plans to the CLI instead of writing files (capture mode).
 */
export class App extends Construct {
  /** True when `x` is an App. */
  static isApp(x: unknown): x is App {
    return hasBrand(x, APP_BRAND);
  }

  /** Directory `synth()` writes plans to. */
  readonly outdir: string;

  constructor(props: AppProps = {}) {
    super(undefined as unknown as Construct, '');
    this.outdir = props.outdir ?? (process.env.NSLAB_OUTDIR || DEFAULT_OUTDIR);
    registerApp(this);
  }

  /**
   * Validates every construct and returns one plan per lab, sorted by lab name. Writes each plan
   * to `<outdir>/<prefix><lab>.plan.json`, or in capture mode hands them to the CLI instead.
   * Deterministic: the same tree gives byte-identical files.
   *
   * @throws PlanError listing every problem, each as `[construct path] message`; nothing is written
   */
  synth(): PlanDocument[] {
    return synthApp(this, this.outdir);
  }
}
brand(App, APP_BRAND);
