import { Construct, type IConstruct } from 'constructs';
import { LAB_BRAND, brand, displayPath, isLabSource } from '../src/synth/contract.js';

export interface LabProps {
  /**
   * Put in front of every global kernel name of the lab: namespace names and the names of
   * interfaces and bridges in the host namespace (names inside a lab namespace are not
   * prefixed). Lets two copies of a lab run side by side. At most 12 characters in all.
   * The NSLAB_PREFIX environment variable, when set, goes in front of it (so CI can run any lab
   * file under unique names without editing it).
   * @default '' (no prefix)
   */
  readonly prefix?: string;
}

/**
 * A lab: a set of namespaces, links, addresses and routes that nslab plans, applies and destroys
 * together. Synthesizes to one plan document. The construct id is the lab's name.
 */
export class Lab extends Construct {
  /** True when `x` is a Lab. */
  static isLab(x: unknown): x is Lab {
    return isLabSource(x);
  }

  /**
   * The lab `construct` belongs to: the nearest Lab at or above it in the construct tree.
   * @throws Error naming the construct path when there is none
   */
  static of(construct: IConstruct): Lab {
    const lab = Lab.tryOf(construct);
    if (!lab) {
      throw new Error(`"${displayPath(construct)}" is not inside a Lab: declare it in a Lab's scope (new Lab(app, 'name'))`);
    }
    return lab;
  }

  /** Like `Lab.of`, but undefined when there is no Lab. */
  static tryOf(construct: IConstruct): Lab | undefined {
    const scopes = construct.node.scopes;
    for (let i = scopes.length - 1; i >= 0; i--) {
      if (Lab.isLab(scopes[i])) return scopes[i] as Lab;
    }
    return undefined;
  }

  /** The lab's name: its construct id. */
  readonly name: string;
  /** Prefix of every global kernel name of the lab. */
  readonly prefix: string;

  constructor(scope: Construct, name: string, props: LabProps = {}) {
    super(scope, name);
    this.name = this.node.id;
    this.prefix = `${process.env.NSLAB_PREFIX ?? ''}${props.prefix ?? ''}`;
    this.node.addValidation({
      validate: () => {
        const outer = this.node.scope ? Lab.tryOf(this.node.scope) : undefined;
        return outer ? [`a Lab cannot be declared inside another Lab ("${outer.node.path}")`] : [];
      },
    });
  }
}
brand(Lab, LAB_BRAND);
