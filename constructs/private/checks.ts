/** Construct-level checks shared by the constructs (messages without the `[path]` part). */
import type { IConstruct } from 'constructs';
import { Lab } from '../lab.js';
import { Host } from '../host.js';

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
/** The problem with a `host` prop (a Host of the same lab, or absent), if any. */
export function hostPropProblem(self: IConstruct, host: unknown, what = '"host"'): string | undefined {
  if (host === undefined) return undefined;
  if (!Host.isHost(host)) return `${what} must be a Host`;
  return sameLabProblem(self, host, 'host');
}

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

/**
 * The tag of a netfilter construct's rules: its path below the lab, or (when that path is too long
 * or holds characters an nft comment should not) a shortened form with a stable hash.
 */
export function ruleTag(c: IConstruct): string {
  const lab = Lab.tryOf(c);
  const rel = lab ? c.node.path.slice(lab.node.path.length + 1) : c.node.id;
  if (/^[A-Za-z0-9_.:/@-]{1,100}$/u.test(rel)) return rel;
  let h = 2166136261;
  for (const ch of Buffer.from(rel, 'utf8')) h = Math.imul(h ^ ch, 16777619) >>> 0;
  return `${rel.replace(/[^A-Za-z0-9_.:/@-]/gu, '_').slice(0, 80)}-${h.toString(16).padStart(8, '0')}`;
}

/** Why a device prop cannot be used where the construct lives (another namespace, another lab). */
export function deviceProblems(self: IConstruct, device: unknown, what: string, namespace: IConstruct | undefined, isDevice: (x: unknown) => boolean): string[] {
  if (device === undefined) return [];
  if (!isDevice(device)) return [`"${what}" must be a device (a veth end, a namespace's loopback or a Bridge)`];
  const d = device as { namespace?: IConstruct; owner: IConstruct; deviceName: string };
  const problems = defined(sameLabProblem(self, d.owner, deviceLabel(d)));
  if (d.namespace !== namespace) problems.push(`"${what}" ${deviceLabel(d)} "${d.owner.node.path}" is in ${whereIs(d.namespace)}, not in ${whereIs(namespace)}`);
  return problems;
}
