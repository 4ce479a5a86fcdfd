import { loadPlan } from '../../src/plan/validate.js';
import type { PlanDocument } from '../../src/plan/types.js';

/** Seed lab 1 as a plan document, with a bridge lab's features mixed in. */
export function redBluePlan(prefix = ''): PlanDocument {
  const ns = (n: string) => `${prefix}${n}`;
  return loadPlan({
    version: 1, lab: 'rb', prefix,
    resources: {
      red: { type: 'namespace', path: 'rb/red', name: ns('red'), sysctls: { 'net.ipv4.ip_forward': '1' } },
      blue: { type: 'namespace', path: 'rb/blue', name: ns('blue') },
      br: { type: 'bridge', path: 'rb/br', name: ns('br0') },
      cable: { type: 'veth', path: 'rb/cable', a: { namespace: ns('red'), name: 'veth-red' }, b: { namespace: ns('blue'), name: 'veth-blue' } },
      uplink: { type: 'veth', path: 'rb/uplink', a: { namespace: ns('blue'), name: 'eth1' }, b: { name: ns('up1'), master: ns('br0') } },
      'red-ip': { type: 'address', path: 'rb/red-ip', namespace: ns('red'), device: 'veth-red', address: '10.10.0.1/24' },
      'blue-ip': { type: 'address', path: 'rb/blue-ip', namespace: ns('blue'), device: 'veth-blue', address: '10.10.0.2/24' },
      'blue-up': { type: 'address', path: 'rb/blue-up', namespace: ns('blue'), device: 'eth1', address: 'fd00::2/64' },
      'br-ip': { type: 'address', path: 'rb/br-ip', device: ns('br0'), address: '10.20.0.254/24' },
      'red-default': { type: 'route', path: 'rb/red-default', namespace: ns('red'), destination: 'default', via: '10.10.0.2' },
    },
  });
}

/**
 * A chain of `n` namespaces (`<prefix>n0` …), a veth with a /30 on each link between neighbours,
 * and optionally a host bridge with an uplink from the first namespace.
 */
export function chainPlan(prefix: string, lab: string, n: number, opts: { bridge?: boolean } = {}): PlanDocument {
  const r: Record<string, unknown> = {};
  if (opts.bridge) {
    r.br = { type: 'bridge', path: `${lab}/br`, name: `${prefix}br` };
    r.up = { type: 'veth', path: `${lab}/up`, a: { namespace: `${prefix}n0`, name: 'up' }, b: { name: `${prefix}up`, master: `${prefix}br` } };
  }
  for (let i = 0; i < n; i++) r[`n${i}`] = { type: 'namespace', path: `${lab}/n${i}`, name: `${prefix}n${i}` };
  for (let i = 0; i + 1 < n; i++) {
    const net = `10.${(i >> 6) & 255}.${(i & 63) * 4}`;
    r[`l${i}`] = { type: 'veth', path: `${lab}/l${i}`, a: { namespace: `${prefix}n${i}`, name: 'right' }, b: { namespace: `${prefix}n${i + 1}`, name: 'left' } };
    r[`a${i}`] = { type: 'address', path: `${lab}/a${i}`, namespace: `${prefix}n${i}`, device: 'right', address: `${net}.1/30` };
    r[`b${i}`] = { type: 'address', path: `${lab}/b${i}`, namespace: `${prefix}n${i + 1}`, device: 'left', address: `${net}.2/30` };
  }
  return loadPlan({ version: 1, lab, prefix, resources: r });
}
