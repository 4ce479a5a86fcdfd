/**
 * Terraform objects <-> plan resources for masquerades, port forwards and firewalls, and the
 * `impair` maps of bridges and veth ends (map(string): `limit` travels as a string).
 */
import type { Resource } from '../plan/types.js';
import type { Impair } from '../plan/impair.js';
import { isUnknown, type ObjectValue, type Value } from './values.js';

type Raw = Record<string, unknown>;
const opt = <T>(v: Value | undefined): T | undefined => (v === null || v === undefined || isUnknown(v) ? undefined : (v as T));

/** A Terraform impair map as the plan's `impair` (limit as a number where it is one). */
export function impairFromMap(v: Value | undefined): Raw | undefined {
  const m = opt<Record<string, string>>(v);
  if (!m) return undefined;
  const out: Raw = { ...m };
  if (typeof m.limit === 'string' && /^\d+$/u.test(m.limit)) out.limit = Number(m.limit);
  return out;
}

/** The plan's `impair` as a Terraform map of strings. */
export function impairToMap(i: Impair | undefined): Value {
  if (!i) return null;
  return Object.fromEntries(Object.entries(i).map(([k, v]) => [k, String(v)]));
}

const RULE_KEYS: Record<string, string> = { in_interface: 'inInterface', out_interface: 'outInterface' };

export function netfilterToRaw(type: string, o: ObjectValue): Raw | undefined {
  const s = (k: string) => opt<string>(o[k]);
  const base = { namespace: s('namespace'), name: s('name') };
  switch (type) {
    case 'netns_masquerade':
      return { type: 'masquerade', ...base, source: s('source'), outInterface: s('out_interface') };
    case 'netns_port_forward':
      return { type: 'port-forward', ...base, inInterface: s('in_interface'), protocol: s('protocol'), port: opt<number>(o.port), to: s('to') };
    case 'netns_firewall': {
      const rules = (opt<Array<Record<string, string>>>(o.rules) ?? []).map((m) => Object.fromEntries(Object.entries(m ?? {})
        .filter(([, v]) => v !== null && v !== undefined)
        .map(([k, v]) => [RULE_KEYS[k] ?? k, k === 'port' && /^\d+$/u.test(String(v)) ? Number(v) : v])));
      const flag = (k: string) => opt<boolean>(o[k]) ?? true;
      return {
        type: 'firewall', ...base, input: s('input') ?? 'accept', forward: s('forward') ?? 'accept', output: s('output') ?? 'accept',
        allowEstablished: flag('allow_established'), allowLoopback: flag('allow_loopback'), allowPortForwards: flag('allow_port_forwards'), rules,
      };
    }
    default:
      return undefined;
  }
}

export function netfilterToObject(r: Resource): ObjectValue | undefined {
  const n = <T>(v: T | undefined): Value => (v === undefined ? null : (v as Value));
  switch (r.type) {
    case 'masquerade':
      return { namespace: n(r.namespace), name: r.name, source: n(r.source), out_interface: r.outInterface };
    case 'port-forward':
      return { namespace: n(r.namespace), name: r.name, in_interface: n(r.inInterface), protocol: r.protocol, port: r.port, to: r.to };
    case 'firewall': {
      const back = Object.fromEntries(Object.entries(RULE_KEYS).map(([k, v]) => [v, k]));
      const rules = r.rules.map((x) => Object.fromEntries(Object.entries(x).map(([k, v]) => [back[k] ?? k, String(v)])));
      return {
        namespace: n(r.namespace), name: r.name, input: r.input, forward: r.forward, output: r.output,
        allow_established: r.allowEstablished, allow_loopback: r.allowLoopback, allow_port_forwards: r.allowPortForwards,
        rules: rules.length ? rules : null,
      };
    }
    default:
      return undefined;
  }
}
