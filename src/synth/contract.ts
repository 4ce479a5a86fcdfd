/**
 * The small contract between the construct layer (constructs/) and synth: brands that identify
 * labs and plan-producing constructs, and the shape of what a construct contributes to the plan.
 * Synth depends only on this contract, never on the construct classes themselves.
 */
import type { IConstruct } from 'constructs';
import type { Resource } from '../plan/types.js';

/** Brand on `Lab.prototype`. `Symbol.for` so that two copies of nslab still recognize each other. */
export const LAB_BRAND: unique symbol = Symbol.for('nslab.Lab') as never;

/** Brand on the prototype of every construct that contributes one resource to the plan. */
export const RESOURCE_BRAND: unique symbol = Symbol.for('nslab.resource') as never;

/** Brand on every object that can carry an address or be a route device. */
export const DEVICE_BRAND: unique symbol = Symbol.for('nslab.device') as never;

/** A plan resource before synth adds its `path`. */
export type ResourceBody = DistributiveOmit<Resource, 'path'>;
type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

/** What synth needs from a lab. */
export interface ILabSource extends IConstruct {
  /** The lab's name (its construct id). */
  readonly name: string;
  /** Prefix put in front of every global kernel name of the lab. */
  readonly prefix: string;
}

/** A construct that contributes exactly one resource to its lab's plan. */
export interface IResourceSource extends IConstruct {
  /** The resource this construct declares (kernel names resolved, lab prefix applied). */
  toResource(): ResourceBody;
}

/** True when `x` carries `brand` (own or inherited), without throwing on any input. */
export function hasBrand(x: unknown, brand: symbol): boolean {
  return (typeof x === 'object' || typeof x === 'function') && x !== null && brand in x;
}

export const isLabSource = (x: unknown): x is ILabSource => hasBrand(x, LAB_BRAND);
export const isResourceSource = (x: unknown): x is IResourceSource => hasBrand(x, RESOURCE_BRAND);

/** Marks every instance of `cls` with `brand` (set once on the prototype). */
export function brand(cls: { prototype: object }, symbol: symbol): void {
  Object.defineProperty(cls.prototype, symbol, { value: true, enumerable: false });
}

/** The nearest lab at or above `c` in the construct tree, or undefined. */
export function nearestLab(c: IConstruct): ILabSource | undefined {
  const scopes = c.node.scopes;
  for (let i = scopes.length - 1; i >= 0; i--) {
    const s = scopes[i];
    if (isLabSource(s)) return s;
  }
  return undefined;
}

/** A construct path for messages: the root's empty path shows as `(app)`. */
export const displayPath = (c: IConstruct): string => c.node.path || '(app)';

/** Brand on `Host.prototype`: a machine of a multi-host lab. */
export const HOST_BRAND: unique symbol = Symbol.for('nslab.Host') as never;

/** What synth needs from a Host: its id (the construct id) and how to reach it. */
export interface IHostSource extends IConstruct {
  toHostSpec(): import('../plan/types.js').HostSpec;
}

export const isHostSource = (x: unknown): x is IHostSource => hasBrand(x, HOST_BRAND);

/**
 * A construct that contributes several resources (a link across hosts: one vxlan device on each
 * side), keyed by a suffix of its id (`cable/a`, `cable/b`). When it returns undefined, synth
 * takes its one `toResource()` as usual.
 */
export interface IMultiResourceSource extends IResourceSource {
  toResources(): Record<string, ResourceBody> | undefined;
}

export const hasResources = (x: IResourceSource): x is IMultiResourceSource => typeof (x as Partial<IMultiResourceSource>).toResources === 'function';
