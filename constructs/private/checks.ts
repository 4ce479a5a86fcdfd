/** Construct-level checks shared by the constructs (messages without the `[path]` part). */
import type { IConstruct } from 'constructs';
import { Lab } from '../lab.js';

/**
 * Why `self` may not refer to `ref`: `ref` is outside any Lab or in another lab than `self`.
 * `what` names the reference in the message, e.g. `device "veth-red" of`.
 */
export function sameLabProblem(self: IConstruct, ref: IConstruct, what: string): string | undefined {
  const theirs = Lab.tryOf(ref);
  if (!theirs) return `${what} "${ref.node.path}" is not inside a Lab`;
  const mine = Lab.tryOf(self);
  if (mine && theirs !== mine) {
    return `${what} "${ref.node.path}" belongs to lab "${theirs.name}", not to this lab ("${mine.name}")`;
  }
  return undefined;
}

/** Why an optional name prop is unusable, or undefined. */
export function nameTypeProblem(name: unknown, what = '"name"'): string | undefined {
  return name === undefined || typeof name === 'string' ? undefined : `${what} must be a string`;
}

/** A location for messages: `namespace "red-blue/red"` (construct path) or `the host`. */
export const whereIs = (ns: IConstruct | undefined): string => (ns ? `namespace "${ns.node.path}"` : 'the host');

/** Collects the defined messages. */
export const defined = (...xs: (string | undefined)[]): string[] => xs.filter((x): x is string => x !== undefined);

/** `device "veth-red" of` for messages; never throws (a name may need a Lab that is missing). */
export function deviceLabel(device: { readonly deviceName: string }): string {
  try {
    return `device "${device.deviceName}" of`;
  } catch {
    return 'device of';
  }
}
